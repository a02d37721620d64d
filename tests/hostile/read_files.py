for path in {PATHS}:
    try:
        with open(path) as fh:
            print("READ OK", path, len(fh.read()))
    except OSError as exc:
        print("DENIED", path, type(exc).__name__)
