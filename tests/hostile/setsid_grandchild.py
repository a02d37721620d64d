import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        print("SETSID OK", flush=True)
    except OSError as exc:
        print("SETSID DENIED", exc, flush=True)
    os.execv(sys.executable, [sys.executable, "-c", "import time\nwhile True: time.sleep(0.2)", "{TOKEN}"])
