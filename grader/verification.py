"""Parent side of verification: what an exercise's verdict may rest on.

The child measures the student's live objects, but it is the process that ran the student's
code, so whatever it reports could have been rewritten by that code. The clean process
(grader.verifier) measures again, on the models rebuilt from the child's export, where no
student code runs. Per exercise:

* **measured clean** (`verification: "clean"`): the clean process rebuilt every object the
  exercise's collector asked for. A check passes only if it passes in both measurements: the
  clean one is made on a real model, rebuilt from data, so a forger can change which model is
  measured only by describing another model that exists (to pass, one that passes), never
  what a measurement says; the child's one sees what an export cannot carry. A check the child
  reported passing that fails when measured clean is named `tampering`: the submission's
  process reported a model other than the one it built.
* **reported** (`verification: "reported"`): the collector needed something only the student's
  code can run (a class or function of the student's own that grader.interpret cannot read
  from the source, a Lambda layer), or no clean measurement came back. The child's report is
  graded, and the report says so and why.

What the clean process cannot read, only the student's code can show; such a model is graded
from the process that ran it, with every other defence in place (the sandbox, the tamper
checks, the nonce on the result channel).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.runner import LineReader, RunOutcome, child_env, kill_group

START_TIMEOUT_S = 180.0


@dataclass
class CleanMeasurement:
    """The clean process's reply for one submission; `error` when there is none."""

    exercises: dict[str, dict[str, Any]] = field(default_factory=dict)
    # exercise id -> {name: what it is} the collector asked for and the clean process lacks
    incomplete: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""
    # The description of the models is missing or unreadable. The grader always writes one
    # (grader.export never raises), so the result did not come from the grader's own code.
    unreadable: str = ""
    verify_s: float = 0.0


class Verifier:
    """A long-lived clean process (grader.verifier), one request at a time. It is started on
    first use, or early with spawn() so that its start overlaps other work, and restarted after
    a failure. With a `launcher` (the warm fork server's launch_verifier) it is forked warm;
    else it is a fresh interpreter (`python -m grader.verifier`)."""

    def __init__(self, python: str | None = None,
                 launcher: Callable[[dict[str, str]], tuple] | None = None):
        self.python = python or sys.executable
        self.launcher = launcher
        self._pid: int | None = None
        self._popen: subprocess.Popen | None = None
        self._conn: Any = None  # the fork server's connection reporting the process's exit
        self._dir: str | None = None
        self._to: Any = None  # requests, buffered: a write of the export is written whole
        self._from: int | None = None
        self._replies: LineReader | None = None
        self._ready = False
        self._lock = threading.Lock()
        self._atexit = False
        self.sandbox: dict[str, Any] = {}

    def spawn(self) -> None:
        with self._lock:
            try:
                self._spawn()
            except Exception:  # noqa: BLE001 - measure() tries again, and says so if it fails
                self._stop()

    def _alive(self) -> bool:
        if self._pid is None:
            return False
        if self._popen is not None:
            return self._popen.poll() is None
        try:
            os.kill(self._pid, 0)
            return True
        except OSError:
            return False

    def _spawn(self) -> None:
        if self._alive():
            return
        self._stop()
        if not self._atexit:
            import atexit
            atexit.register(self.close)
            self._atexit = True
        self._dir = tempfile.mkdtemp(prefix="grader-verifier-")
        self._ready = False
        if self.launcher is not None:
            self._pid, req_w, self._from, self._conn = self.launcher(child_env(self._dir))
            self._to, self._replies = os.fdopen(req_w, "wb"), LineReader(self._from)
            return
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:
            self._popen = subprocess.Popen(
                [self.python, "-m", "grader.verifier", str(req_r), str(rep_w)],
                pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=child_env(self._dir), cwd=self._dir,
                start_new_session=True)
        except OSError:
            for fd in (req_w, rep_r):
                os.close(fd)
            raise
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._pid = self._popen.pid
        self._to, self._from, self._replies = os.fdopen(req_w, "wb"), rep_r, LineReader(rep_r)

    def measure(self, source: dict[str, Any], seed: int, exercises: list[str] | None,
                export: bytes, timeout_s: float) -> CleanMeasurement:
        if not export:
            return CleanMeasurement(error="no description of the models came with the result",
                                    unreadable="the result came without the description of "
                                               "the models the grader writes beside it")
        with self._lock:
            try:
                self._spawn()
                if not self._ready:
                    hello = self._replies.readline(START_TIMEOUT_S)
                    if not hello:
                        raise RuntimeError("the clean process did not start")
                    self.sandbox = json.loads(hello).get("sandbox", {})
                    self._ready = True
                header = json.dumps({"source": source, "seed": seed, "exercises": exercises,
                                     "size": len(export)}).encode() + b"\n"
                self._to.write(header)
                self._to.write(export)
                self._to.flush()
                line = self._replies.readline(timeout_s)
                if not line:
                    raise RuntimeError(f"no answer within {timeout_s:.0f} s")
                reply = json.loads(line)
            except Exception as exc:  # noqa: BLE001 - a dead or stuck verifier: say so, restart
                self._stop()
                return CleanMeasurement(error=f"the clean process failed ({exc})")
        if isinstance(reply, dict) and reply.get("unreadable"):
            why = reply["unreadable"]
            return CleanMeasurement(error="the description of the models was unreadable",
                                    unreadable="the description of the models beside the "
                                               f"result is not the grader's ({why})")
        if not isinstance(reply, dict) or reply.get("error"):
            return CleanMeasurement(error=str(reply.get("error") if isinstance(reply, dict)
                                              else "unreadable reply"))
        return CleanMeasurement(reply.get("exercises", {}), reply.get("incomplete", {}),
                                verify_s=float(reply.get("verify_s", 0.0)))

    def _stop(self) -> None:
        pid, popen, conn = self._pid, self._popen, self._conn
        self._pid, self._popen, self._conn = None, None, None
        for closer in (lambda: self._to and self._to.close(),
                       lambda: self._from is not None and os.close(self._from)):
            try:
                closer()
            except OSError:
                pass
        self._to, self._from, self._replies, self._ready = None, None, None, False
        if pid is not None:
            exited = False
            if popen is not None:
                try:  # its requests pipe closed: it exits on its own
                    popen.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            elif conn is not None:
                # the fork server reaps it and says so; after that the pid may be anyone's
                try:
                    exited = (LineReader(conn).readline(2.0) or b"").startswith(b"exit")
                except OSError:
                    pass
            if not exited:
                kill_group(pid)
            if popen is not None:
                try:
                    popen.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            from grader.sandbox import release_cgroup
            release_cgroup(pid)
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        folder, self._dir = self._dir, None
        if folder:
            import shutil
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self._stop()
        except Exception:  # noqa: BLE001
            pass


def wants_verification(outcome: RunOutcome) -> bool:
    """A grader child sent evidence (hand-made outcomes in tests have no child behind them)."""
    return outcome.from_child and outcome.evidence is not None


def reported_reason(clean: CleanMeasurement | None, ex_id: str) -> str | None:
    """Why an exercise is graded from the child's report, or None when it is measured clean."""
    if clean is None:
        return "no clean measurement was made"
    if clean.error:
        return clean.error.splitlines()[0][:200]
    needed = clean.incomplete.get(ex_id)
    if needed:
        parts = []
        for name, what in list(needed.items())[:4]:
            why = what.get("why") if isinstance(what, dict) else None
            kind = what.get("kind", "object") if isinstance(what, dict) else "object"
            # long enough for a reason with its advice (grader.verifier's messages)
            why = str(why).splitlines()[0][:400] if why else f"a {kind} of your own"
            parts.append(f"`{name}` ({why})")
        return "it needs " + ", ".join(parts) + ", which only your own code can run"
    if ex_id not in clean.exercises:
        return "the clean process did not measure it"
    return None
