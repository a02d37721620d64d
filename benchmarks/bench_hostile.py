"""How long a hostile submission takes to get its verdict, against the bound of its timeout + 2 s,
and whether anything it started survives. Grades each file of tests/hostile that is meant to
be stopped (infinite loop, fork bomb, memory bomb, output flood, …) through the warm pool with
a 10 s timeout, one at a time, and prints the verdict, the time and the margin.

Usage: .venv/bin/python benchmarks/bench_hostile.py [--timeout 10]
Needs Linux; as root the strict sandbox applies (the report says which level ran).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOSTILE = ROOT / "tests" / "hostile"
STOPPED = ("infinite_loop.py", "fork_bomb.py", "memory_bomb.py", "output_flood.py",
           "sys_exit_early.py", "os_exit.py", "reads_stdin.py", "forge_result.py",
           "setsid_grandchild.py")


def survivors(token: str) -> int:
    n = 0
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                n += token.encode() in (p / "cmdline").read_bytes()
            except OSError:
                pass
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    from grader.forkserver import make_runner
    from grader.grading import Grader
    from grader.runner import Limits

    runner, note = make_runner(pool=True)
    if note:
        print("note:", note)
    grader = Grader(runner=runner, limits=Limits(timeout_s=args.timeout, output_bytes=256 * 1024))
    grader.grade(ROOT / "reference_solutions" / "siamese.py")  # start the pool outside the timings
    work = Path(tempfile.mkdtemp(prefix="grader-hostile-"))
    worst = 0.0
    print(f"{'submission':24} {'verdict':8} {'mistakes':28} {'seconds':>8} {'over timeout':>13} survivors")
    try:
        for name in STOPPED:
            token = f"bench-{os.getpid()}-{name}"
            path = work / name
            path.write_text((HOSTILE / name).read_text().replace("{TOKEN}", token))
            start = time.monotonic()
            result = grader.grade(path)
            elapsed = time.monotonic() - start
            time.sleep(0.3)
            over = max(0.0, elapsed - args.timeout)
            worst = max(worst, over)
            print(f"{name:24} {result.verdict.value:8} {','.join(result.mistakes)[:28]:28} "
                  f"{elapsed:8.2f} {over:13.2f} {survivors(token)}"
                  f"   [{result.sandbox.get('level', '?')}]")
    finally:
        close = getattr(runner, "close", None)
        if close:
            close()
    print(f"worst time past the timeout: {worst:.2f} s (bound: 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
