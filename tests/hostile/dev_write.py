import os
for dev in ("/dev/kmsg", "/dev/tty", "/dev/console"):
    try:
        with open(dev, "wb") as fh:
            fh.write(b"grade: injected\n")
        print("WROTE", dev)
    except OSError as exc:
        print("DENIED", dev, type(exc).__name__)
with open("/dev/null", "wb") as fh:  # what programs do use still works
    fh.write(b"x")
print("NULL OK", len(os.urandom(4)))
