for path in {PATHS}:
    try:
        with open(path, "w") as fh:
            fh.write("escaped")
        print("WROTE", path)
    except OSError as exc:
        print("DENIED", path, type(exc).__name__)
with open("inside_workdir.txt", "w") as fh:  # the work dir itself is writable
    fh.write("fine")
