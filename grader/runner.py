"""Run a submission in a child process and bring back its evidence.

`Runner` is the interface; `SubprocessRunner` starts a fresh interpreter per submission with
rlimits, a private work dir, stdin from /dev/null, an output cap and a wall-clock timeout, and
kills the child's whole process group when done. A warm pre-forked pool or a stricter Linux
sandbox can replace it without touching checks or reports: they only need to return a
`RunOutcome`.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from grader.submission import Source

GiB = 1024 ** 3


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 60.0
    # Address space: TensorFlow aborts below ~2 GiB; 4 GiB leaves room for the lesson's models.
    memory_bytes: int = 4 * GiB
    output_bytes: int = 1024 * 1024
    file_bytes: int = 64 * 1024 * 1024
    open_files: int = 1024


@dataclass
class RunOutcome:
    """What came back from the child. `evidence` is None when the child sent nothing."""

    evidence: dict[str, Any] | None
    output: str
    output_truncated: bool
    # None, or one of: timeout, output_limit, memory_limit, exited_early, crashed
    killed_for: str | None = None
    returncode: int | None = None
    detail: str = ""
    duration_s: float = 0.0
    sandbox: dict[str, Any] = field(default_factory=dict)


class Runner(Protocol):
    def run(self, source: Source, exercises: list[str] | None, limits: Limits) -> RunOutcome: ...


def _child_env(workdir: str) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    root = str(Path(__file__).resolve().parent.parent)
    env.update({
        "HOME": workdir, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8",
        "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": "",
        "MPLBACKEND": "Agg", "KERAS_HOME": os.path.join(workdir, ".keras"),
        "TF_ENABLE_ONEDNN_OPTS": "0",
    })
    return env


def _set_limits(limits: Limits):
    def apply() -> None:
        import resource
        def cap(which, value):
            try:
                soft, hard = resource.getrlimit(which)
                value = value if hard == resource.RLIM_INFINITY else min(value, hard)
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):
                pass  # unsupported here (e.g. RLIMIT_AS on macOS): the timeout still applies
        cap(resource.RLIMIT_AS, limits.memory_bytes)
        cap(resource.RLIMIT_CPU, int(limits.timeout_s) * 4 + 10)  # threads add CPU time
        cap(resource.RLIMIT_FSIZE, limits.file_bytes)
        cap(resource.RLIMIT_NOFILE, limits.open_files)
        cap(resource.RLIMIT_CORE, 0)
    return apply


class _CappedReader(threading.Thread):
    """Drains one of the child's pipes, keeping at most `cap` bytes, and reports overflow."""

    def __init__(self, stream, cap: int, on_overflow):
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow = stream, cap, on_overflow
        self.chunks: list[bytes] = []
        self.total = 0

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read1(65536), b""):
            self.total += len(chunk)
            if self.total <= self.cap:
                self.chunks.append(chunk)
            else:
                self.on_overflow()
                kept = self.cap - sum(len(c) for c in self.chunks)
                if kept > 0:
                    self.chunks.append(chunk[:kept])
                break
        # keep draining silently so the child never blocks on a full pipe before it is killed
        for _ in iter(lambda: self.stream.read1(65536), b""):
            pass

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


class SubprocessRunner:
    """A fresh Python interpreter per submission ("basic" sandbox)."""

    level = "basic"

    def __init__(self, python: str | None = None):
        self.python = python or sys.executable

    def run(self, source: Source, exercises: list[str] | None, limits: Limits) -> RunOutcome:
        base = tempfile.mkdtemp(prefix="grader-")
        workdir = os.path.join(base, "work")
        os.makedirs(workdir)
        try:
            return self._run(source, exercises, limits, base, workdir)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def _run(self, source, exercises, limits, base, workdir) -> RunOutcome:
        request_path = os.path.join(base, "request.json")
        with open(request_path, "w", encoding="utf-8") as fh:
            json.dump({"source": source.to_dict(), "exercises": exercises,
                       "seed": secrets.randbelow(2**31)}, fh)
        # A copy of the submission in the work dir, so relative paths it writes land there.
        try:
            shutil.copy(source.path, os.path.join(workdir, os.path.basename(source.path)))
        except OSError:
            pass
        read_fd, write_fd = os.pipe()
        start = time.monotonic()
        killed: dict[str, str] = {}
        proc = subprocess.Popen(
            [self.python, "-m", "grader.child", request_path, str(write_fd)],
            cwd=workdir, env=_child_env(workdir), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
            start_new_session=True,  # its own process group: we kill the whole group
            preexec_fn=_set_limits(limits) if os.name == "posix" else None,
        )
        os.close(write_fd)

        def kill(reason: str) -> None:
            killed.setdefault("reason", reason)
            _kill_group(proc.pid)

        out = _CappedReader(proc.stdout, limits.output_bytes, lambda: kill("output_limit"))
        out.start()
        evidence_box: dict[str, bytes] = {}

        def read_result() -> None:
            with os.fdopen(read_fd, "rb") as fh:
                evidence_box["raw"] = fh.read(64 * 1024 * 1024)

        reader = threading.Thread(target=read_result, daemon=True)
        reader.start()
        try:
            proc.wait(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            kill("timeout")
            proc.wait()
        _kill_group(proc.pid)  # nothing the submission started outlives it
        reader.join(timeout=5)
        out.join(timeout=5)
        duration = time.monotonic() - start

        evidence = None
        raw = evidence_box.get("raw", b"")
        if raw and "reason" not in killed:
            try:
                evidence = json.loads(raw)
            except json.JSONDecodeError:
                evidence = None
        outcome = RunOutcome(evidence, out.text(), out.total > limits.output_bytes,
                             killed.get("reason"), proc.returncode, duration_s=duration,
                             sandbox={"level": self.level, "runner": "subprocess",
                                      "timeout_s": limits.timeout_s,
                                      "memory_bytes": limits.memory_bytes,
                                      "output_bytes": limits.output_bytes})
        if evidence is None and outcome.killed_for is None:
            outcome.killed_for, outcome.detail = _why_no_evidence(proc.returncode, outcome.output)
        return outcome


def _why_no_evidence(returncode: int | None, output: str) -> tuple[str, str]:
    text = output[-4000:]
    if any(s in text for s in ("std::bad_alloc", "MemoryError", "Cannot allocate memory",
                               "failed to allocate", "OOM")):
        return "memory_limit", "the process ran out of memory and was stopped"
    if returncode is not None and returncode < 0:
        sig = -returncode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGXCPU:
            return "timeout", "the process used up its CPU time"
        if sig in (signal.SIGKILL,) :
            return "crashed", f"the process was killed ({name})"
        if sig == signal.SIGXFSZ:
            return "output_limit", "the process wrote a file larger than allowed"
        return "crashed", f"the process crashed ({name})"
    return "exited_early", (f"the process exited with status {returncode} before the grader "
                            f"could examine its models (os._exit() or exit from a thread?)")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
