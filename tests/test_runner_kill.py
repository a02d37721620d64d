"""The runner's last net: every process left in a submission's session is killed, even one that
left the submission's process group (the strict sandbox forbids that; other levels do not)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from grader.runner import child_pids, kill_session, processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_session_reaches_a_process_that_left_the_group():
    # A session leader whose child moves to a process group of its own, out of killpg's reach.
    script = ("import os, sys, time\n"
              "pid = os.fork()\n"
              "if pid == 0:\n"
              "    os.setpgid(0, 0)\n"
              "    time.sleep(60)\n"
              "    os._exit(0)\n"
              "print(pid, flush=True)\n"
              "time.sleep(60)\n")
    leader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              start_new_session=True, text=True)
    try:
        escaped = int(leader.stdout.readline())
        deadline = time.monotonic() + 5
        while os.getpgid(escaped) == leader.pid and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.getpgid(escaped) != leader.pid  # it did leave the group
        assert {p for p, _, sid in processes() if sid == leader.pid} == {leader.pid, escaped}

        assert kill_session(leader.pid) == 2
        leader.wait(timeout=5)
        deadline = time.monotonic() + 5
        while alive(escaped) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(escaped)
    finally:
        leader.kill()
        leader.wait()


def test_kill_session_spares_other_sessions():
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             start_new_session=True)
    try:
        assert other.pid in child_pids()
        assert kill_session(other.pid + 10**7) == 0  # no such session
        assert alive(other.pid)
    finally:
        other.kill()
        other.wait()
