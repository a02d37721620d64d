"""Run a submission in a child process and bring back its evidence.

`Runner` is the interface the grader depends on. Two implementations share one supervisor
(output cap, wall-clock timeout, whole-group kill, result pipe):
- `SubprocessRunner`: a fresh interpreter per submission (portable; pays the ~3 s TensorFlow
  import every time);
- `grader.forkserver.ForkServerRunner`: a warm parent that imported TensorFlow once forks a
  fresh child per submission (~0.1 s).
The child applies the sandbox itself (grader.sandbox) before the student's code runs.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from grader.submission import Source
from grader.terminal_text import printable

GiB = 1024 ** 3
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 60.0
    # Address space: TensorFlow aborts below ~2 GiB; 4 GiB leaves room for the lesson's models.
    memory_bytes: int = 4 * GiB
    output_bytes: int = 1024 * 1024
    file_bytes: int = 64 * 1024 * 1024
    open_files: int = 1024
    # Processes and threads (pids cgroup). TensorFlow sizes its thread pools by core count;
    # a fork bomb's teardown time grows with this number (128: ~1.6 s after the timeout).
    processes: int = max(128, 8 * (os.cpu_count() or 2))
    # "strict" (namespaces, Landlock, seccomp where available), "basic" (rlimits only)
    sandbox: str = "strict"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    # The child's models as data (grader.export), for the clean process to measure again.
    export: bytes = b""
    seed: int | None = None
    # Set by supervise(): a grader child ran, so its evidence must come with an export and is
    # measured again (hand-made outcomes in tests and fake runners have none).
    from_child: bool = False
    export_cut: bool = False  # the result channel's cap cut the export short


class Runner(Protocol):
    def run(self, source: Source, exercises: list[str] | None, limits: Limits) -> RunOutcome: ...


def child_env(workdir: str) -> dict[str, str]:
    """The child's whole environment: nothing of the grader's own (tokens, paths) leaks in."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update({
        "HOME": workdir, "PYTHONPATH": str(REPO_ROOT), "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8",
        "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": "",
        "MPLBACKEND": "Agg", "KERAS_HOME": os.path.join(workdir, ".keras"),
        "TF_ENABLE_ONEDNN_OPTS": "0", "TMPDIR": workdir,
    })
    return env


@dataclass
class Job:
    """The files of one run: a private base dir (request) holding the child's work dir."""

    base: str
    workdir: str
    request_path: str
    nonce: str
    seed: int = 0

    @classmethod
    def create(cls, source: Source, exercises: list[str] | None, limits: Limits) -> "Job":
        base = tempfile.mkdtemp(prefix="grader-")
        workdir = os.path.join(base, "work")
        os.makedirs(workdir)
        request_path = os.path.join(base, "request.json")
        # The child echoes the nonce with its evidence; it deletes the request once read, so a
        # submission cannot read it back to forge a result (see supervise).
        nonce = secrets.token_hex(16)
        seed = secrets.randbelow(2**31)
        with open(request_path, "w", encoding="utf-8") as fh:
            json.dump({"source": source.to_dict(), "exercises": exercises, "nonce": nonce,
                       "seed": seed, "limits": limits.to_dict(),
                       "workdir": workdir,
                       "hide": [str(Path(source.path).resolve().parent)]}, fh)
        # A copy of the submission in the work dir, so relative paths it writes land there.
        try:
            shutil.copy(source.path, os.path.join(workdir, os.path.basename(source.path)))
        except OSError:
            pass
        return cls(base, workdir, request_path, nonce, seed)

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


class LineReader:
    """Lines from a pipe or a socket with a timeout per read; a timeout leaves the reader
    usable (a timed-out socket.makefile() is not). At end of file, what is left (maybe b"")."""

    def __init__(self, source: Any):
        self.fd = source if isinstance(source, int) else source.fileno()
        self.buffer = b""

    def readline(self, timeout: float) -> bytes | None:
        import select
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:  # closed: return what is left
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


class CappedReader(threading.Thread):
    """Drains one of the child's pipes, keeping at most `cap` bytes, and reports overflow."""

    def __init__(self, fd: int, cap: int, on_overflow: Callable[[], None]):
        super().__init__(daemon=True)
        self.stream = os.fdopen(fd, "rb", buffering=0)
        self.cap, self.on_overflow = cap, on_overflow
        self.chunks: list[bytes] = []
        self.total = 0

    def run(self) -> None:
        with self.stream:
            for chunk in iter(lambda: self.stream.read(65536), b""):
                self.total += len(chunk)
                if self.total <= self.cap:
                    self.chunks.append(chunk)
                    continue
                kept = self.cap - sum(len(c) for c in self.chunks)
                if kept > 0:
                    self.chunks.append(chunk[:kept])
                self.on_overflow()
                # keep draining so the child never blocks on a full pipe before it dies
                for _ in iter(lambda: self.stream.read(65536), b""):
                    pass
                return

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


class ResultReader(threading.Thread):
    MAX = 64 * 1024 * 1024

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.stream = os.fdopen(fd, "rb", buffering=0)
        self.raw = b""
        self.overflowed = False

    def run(self) -> None:
        with self.stream:
            chunks, total = [], 0
            for chunk in iter(lambda: self.stream.read(1 << 20), b""):
                total += len(chunk)
                if total > self.MAX:
                    self.overflowed = True
                    break
                chunks.append(chunk)
            self.raw = b"".join(chunks)


def supervise(pid: int, out_fd: int, result_fd: int, wait: Callable[[float], int | None],
              limits: Limits, sandbox: dict[str, Any], job: Job | None = None) -> RunOutcome:
    """Watch a started child: cap its output, enforce the wall clock, kill its whole group,
    collect its result. `wait(timeout)` returns the exit code (negative: signal) or None.
    `job`: the run's nonce, which the child's result must carry, and its probe seed."""
    nonce = job.nonce if job is not None else None
    start = time.monotonic()
    killed: dict[str, str] = {}

    def kill(reason: str) -> None:
        killed.setdefault("reason", reason)
        kill_group(pid)

    out = CappedReader(out_fd, limits.output_bytes, lambda: kill("output_limit"))
    result = ResultReader(result_fd)
    out.start()
    result.start()
    from grader.sandbox import release_cgroup
    try:
        returncode = wait(limits.timeout_s)
        if returncode is None:
            kill("timeout")
            returncode = wait(10.0)
    finally:
        # Nothing the submission started outlives it, even when the wait is interrupted (an LMS
        # hook's deadline): its process group, then whatever escaped the group into its cgroup.
        kill_group(pid)
        stragglers = release_cgroup(pid) + kill_session(pid)
    result.join(timeout=5)
    out.join(timeout=5)
    evidence, sandbox_info = None, {}
    head, _, body = result.raw.partition(b"\n")
    try:
        sandbox_info = json.loads(head).get("sandbox", {}) if head else {}
    except (ValueError, RecursionError, AttributeError):
        sandbox_info = {}
    forged = False
    # The evidence's line, then the export's bytes (grader.child): anything after the first
    # line is the grader's to parse, and what does not parse is not the grader's.
    rest = body
    body, _, exported = rest.partition(b"\n")
    if rest and "reason" not in killed:
        try:
            evidence = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep: the
            evidence = None                    # grader always writes JSON, so not the grader
        if nonce is not None and (not isinstance(evidence, dict) or evidence.get("nonce") != nonce):
            evidence, forged = None, True
    outcome = RunOutcome(evidence, printable(out.text()), out.total > limits.output_bytes,
                         killed.get("reason"), returncode,
                         duration_s=time.monotonic() - start, sandbox=dict(sandbox))
    outcome.sandbox.update(sandbox_info)
    outcome.seed = job.seed if job is not None else None
    if evidence is not None:
        outcome.from_child = True
        # Cut at the channel's cap, the export is not the one the child wrote: it is left out
        # (the exercises are then graded as reported), not read as damaged.
        outcome.export = exported if not result.overflowed else b""
        outcome.export_cut = result.overflowed
    if stragglers:
        outcome.sandbox["stragglers_killed"] = stragglers
    if forged:
        outcome.killed_for = "tampering"
        outcome.detail = "the result channel carried a result the grader did not write"
    elif evidence is None and outcome.killed_for is None:
        outcome.killed_for, outcome.detail = why_no_evidence(returncode, outcome.output)
    return outcome


def why_no_evidence(returncode: int | None, output: str) -> tuple[str, str]:
    text = output[-4000:]
    if any(s in text for s in ("std::bad_alloc", "MemoryError", "Cannot allocate memory",
                               "failed to allocate", "OOM")):
        return "memory_limit", "the process ran out of memory and was stopped"
    if returncode is not None and returncode < 0:
        sig = -returncode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        if sig == signal.SIGXCPU:
            return "timeout", "the process used up its CPU time"
        if sig == signal.SIGXFSZ:
            return "output_limit", "the process wrote a file larger than allowed"
        if sig == signal.SIGSYS:
            return "crashed", "the process made a system call the sandbox forbids"
        return "crashed", f"the process was stopped by a signal ({name})"
    return "exited_early", (f"the process exited with status {returncode} before the grader "
                            f"could examine its models (os._exit()?)")


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def processes() -> Iterator[tuple[int, int, int]]:
    """(pid, parent pid, session id) of every process (Linux /proc; elsewhere nothing)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        # "pid (comm) state ppid pgrp session …": comm may hold spaces and ")", so split after
        # the last ")"
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 3:
            yield int(entry), int(fields[1]), int(fields[3])


def child_pids() -> set[int]:
    """The processes whose parent is this one."""
    me = os.getpid()
    return {pid for pid, ppid, _ in processes() if ppid == me}


def kill_session(sid: int) -> int:
    """SIGKILL every process still in session `sid`; returns how many.

    A submission runs in a session of its own and the strict sandbox forbids setsid() and
    setpgid(), so its session holds everything it started. The process-group kill and the cgroup
    release find them first; this walk is the last net, for a process that left both (or a
    sandbox level without cgroups)."""
    killed = 0
    for pid, _, session in processes():
        if session == sid and pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


def kill_children(spare: set[int] = frozenset()) -> list[int]:
    """Kill this process's children but `spare`, each with everything it started (its process
    group, where it leads one: a sandboxed child runs in a session of its own), and reap them.

    For a grading cut short from outside the runner's supervision: an LMS hook's deadline, a
    batch stopped at once. `spare` keeps what existed before grading began (a test session's
    fork server)."""
    killed = []
    for pid in sorted(child_pids() - spare):
        try:
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)  # the child and everything it started
            else:
                os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            continue
        for _ in range(40):  # reap it (no zombie left behind), but never hang on it
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except OSError:
                break
            time.sleep(0.05)
    return killed



class SubprocessRunner:
    """A fresh Python interpreter per submission."""

    name = "subprocess"

    def __init__(self, python: str | None = None):
        self.python = python or sys.executable
        from grader.sandbox import sweep_stale_cgroups
        sweep_stale_cgroups()

    def run(self, source: Source, exercises: list[str] | None, limits: Limits) -> RunOutcome:
        import subprocess
        job = Job.create(source, exercises, limits)
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        try:
            proc = subprocess.Popen(
                [self.python, "-m", "grader.child", job.request_path, str(res_w)],
                cwd=job.workdir, env=child_env(job.workdir), stdin=subprocess.DEVNULL,
                stdout=out_w, stderr=out_w, pass_fds=(res_w,),
                start_new_session=True)  # its own process group: we kill the whole group
        except OSError as exc:
            for fd in (out_r, out_w, res_r, res_w):
                os.close(fd)
            job.remove()
            return RunOutcome(None, "", False, "crashed", None,
                              detail=f"could not start Python: {exc}")
        os.close(out_w)
        os.close(res_w)

        def wait(timeout: float) -> int | None:
            try:
                return proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None

        try:
            return supervise(proc.pid, out_r, res_r, wait, limits,
                             {"runner": self.name, "timeout_s": limits.timeout_s,
                              "memory_bytes": limits.memory_bytes,
                              "output_bytes": limits.output_bytes}, job=job)
        finally:
            job.remove()
