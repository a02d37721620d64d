import os
# A result channel holding something that is not the grader's JSON (nested too deep to parse).
for fd in range(3, 1100):
    try:
        os.write(fd, b"\n" + b"[" * 200_000)
    except OSError:
        pass
