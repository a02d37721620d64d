import os

# Another process's /proc entry: the grader's environment and command line, the fork server's
# socket path, another student's run. Only the submission's own entry is readable.
for pid in sorted(set({PIDS} + [os.getppid(), 1])):
    for name in ("environ", "cmdline", "status", "maps", "mem"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as fh:
                print("READ OK", pid, name, len(fh.read(100)))
        except OSError as exc:
            print("DENIED", pid, name, type(exc).__name__)
try:
    print("LISTED", len([e for e in os.listdir("/proc") if e.isdigit()]))
except OSError as exc:
    print("LIST DENIED", type(exc).__name__)
with open("/proc/self/status") as fh:  # its own entry still works
    print("SELF OK", fh.readline().split(":")[0])
