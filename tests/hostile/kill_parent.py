import os, signal
for target in (os.getppid(),):
    try:
        os.kill(target, signal.SIGKILL)
        print("KILLED", target)
    except OSError as exc:
        print("KILL DENIED", target, type(exc).__name__)
