"""A warm, pre-forked pool: one server process imports Keras/TensorFlow once, then forks a fresh
child per submission (~0.1 s instead of ~3 s for a new interpreter).

Every child starts from the server's pristine state: the server never runs student code, never
builds a layer (so no variables, name counters or dtype policies exist to leak) and never runs
a TensorFlow op: after one op, forked children hang. `serve()` checks that before it accepts
work and refuses to start otherwise.

Protocol, one UNIX-socket connection per run: the runner sends the request path and two pipe
ends (the child's stdout/stderr and its result channel) with SCM_RIGHTS; the server answers
"<pid>\n" at once and "exit <code>\n" when the child has been reaped.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading

from grader.runner import (Job, LineReader, Limits, RunOutcome, child_env, kill_group,
                           supervise)
from grader.submission import Source


def fork_is_safe() -> tuple[bool, str]:
    if sys.platform == "darwin":
        return False, "fork is unsafe on macOS once TensorFlow is loaded: a fresh interpreter per submission is used instead"
    if not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
        return False, "this platform cannot fork a warm server"
    return True, ""


def tensorflow_op_has_run() -> bool:
    """True once any eager op has run in this process: the eager context is created lazily by
    the first op (importing TensorFlow and Keras does not create it)."""
    from tensorflow.python.eager import context
    return context.context()._context_handle is not None


class ForkServerRunner:
    name = "forkserver"

    def __init__(self, python: str | None = None, start_timeout_s: float = 180.0):
        self.python = python or sys.executable
        self.start_timeout_s = start_timeout_s
        self._proc: subprocess.Popen | None = None
        self._ready = False
        self._dir: str | None = None
        self._lock = threading.Lock()

    # -- the server process -----------------------------------------------------------------
    def spawn(self) -> None:
        """Start the server process without waiting for it: its ~3 s TensorFlow import then
        overlaps whatever the caller does before its first run (a batch discovering files)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            from grader.sandbox import sweep_stale_cgroups
            sweep_stale_cgroups()
            self._dir = tempfile.mkdtemp(prefix="grader-forkserver-")
            os.chmod(self._dir, 0o700)
            self._sock = os.path.join(self._dir, "sock")
            self._ready = False
            log = open(os.path.join(self._dir, "server.log"), "wb")
            self._proc = subprocess.Popen(
                [self.python, "-m", "grader.forkserver", self._sock], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, env=child_env(self._dir),
                cwd=self._dir, start_new_session=True)
            log.close()

    def start(self) -> None:
        """Spawn the server if it is not running, and wait until it accepts work."""
        self.spawn()
        with self._lock:
            if self._ready:
                return
            ready = _readline_with_timeout(self._proc.stdout, self.start_timeout_s)
            if ready.strip() != b"ready":
                detail = self._log_tail()
                self.close()
                raise RuntimeError(f"the fork server did not start: {ready!r} {detail}")
            self._ready = True

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.stdin.close()  # the server exits when its stdin closes
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
            kill_group(proc.pid)
            try:
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
        folder, self._dir = self._dir, None
        if folder:  # the socket and the server's log: nothing in it outlives the server
            import shutil
            shutil.rmtree(folder, ignore_errors=True)

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self._dir or "", "server.log"), "rb") as fh:
                return fh.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def launch_verifier(self, env: dict[str, str]):
        """The clean process of grader.verification, forked from this warm server."""
        return launch_verifier_via(self, env)

    # -- one run ----------------------------------------------------------------------------
    def run(self, source: Source, exercises: list[str] | None, limits: Limits) -> RunOutcome:
        self.start()
        job = Job.create(source, exercises, limits)
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self._sock)
            message = json.dumps({"request": job.request_path, "env": child_env(job.workdir)})
            socket.send_fds(conn, [message.encode()], [out_w, res_w])
        except OSError as exc:
            for fd in (out_r, out_w, res_r, res_w):
                _close(fd)
            conn.close()
            job.remove()
            self.close()  # a dead server is restarted by the next run
            return RunOutcome(None, "", False, "crashed", None,
                              detail=f"the grading server was unreachable: {exc}")
        os.close(out_w)
        os.close(res_w)
        replies = LineReader(conn)
        try:
            pid = int(replies.readline(30.0) or b"0")
            if pid <= 0:
                raise RuntimeError("the fork server did not start a child")
        except (RuntimeError, ValueError, OSError) as exc:
            for fd in (out_r, res_r):
                _close(fd)
            conn.close()
            job.remove()
            return RunOutcome(None, "", False, "crashed", None,
                              detail=f"the grading server failed: {exc}")
        try:
            def wait(timeout: float) -> int | None:
                line = replies.readline(timeout)
                if line is None:
                    return None
                if not line.startswith(b"exit "):
                    return -int(signal.SIGKILL)  # the server died with its child
                return int(line.split()[1])

            return supervise(pid, out_r, res_r, wait, limits,
                             {"runner": self.name, "timeout_s": limits.timeout_s,
                              "memory_bytes": limits.memory_bytes,
                              "output_bytes": limits.output_bytes}, job=job)
        finally:
            conn.close()
            job.remove()


def launch_verifier_via(runner: "ForkServerRunner", env: dict[str, str]):
    """Fork the clean process from the warm server. Returns (pid, request fd to write, reply fd
    to read, the connection that reports its exit)."""
    runner.start()
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(runner._sock)
        socket.send_fds(conn, [json.dumps({"role": "verifier", "env": env}).encode()],
                        [req_r, rep_w])
        pid = int(LineReader(conn).readline(30.0) or b"0")
        if pid <= 0:
            raise RuntimeError("the fork server did not start the clean process")
    except BaseException:
        for fd in (req_w, rep_r):
            _close(fd)
        conn.close()
        raise
    finally:
        _close(req_r)
        _close(rep_w)
    return pid, req_w, rep_r, conn


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _readline_with_timeout(stream, timeout: float) -> bytes:
    box: dict[str, bytes] = {}
    t = threading.Thread(target=lambda: box.setdefault("line", stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return box.get("line", b"")


# ---- the server -------------------------------------------------------------------------------

def serve(sock_path: str) -> int:
    import gc

    from grader.child import warm_imports
    # No cyclic collection while ~10^6 objects are imported: the collector would walk the
    # growing heap again and again (~0.5 s of the ~3.5 s warm-up); one collection follows.
    gc.disable()
    warm_imports()
    if tensorflow_op_has_run():
        print("a TensorFlow op ran while warming up: forked children would hang", file=sys.stderr)
        return 3
    # Move the warm heap (TensorFlow, Keras, NumPy: ~10^6 objects) out of the collector's
    # reach: a child's garbage collection would otherwise walk all of it (~0.2 s a child) and,
    # by touching every object's header, copy every shared page (memory per child).
    gc.collect()
    gc.freeze()
    gc.enable()  # for the children: a submission's own garbage is collected as usual
    if sys.platform.startswith("linux"):
        # Orphans of a submission (a fork bomb's children) are re-parented here and reaped at
        # once, instead of lingering as zombies under init.
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(64)
    server.setblocking(False)  # a connection that went away between select and accept
    children: dict[int, socket.socket] = {}
    # A child's exit wakes the loop at once (its runner is waiting for the "exit" line): SIGCHLD
    # writes a byte to this pipe. Polling instead cost up to 50 ms of every grading.
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ, "accept")
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "parent")
    sel.register(wake_r, selectors.EVENT_READ, "sigchld")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in sel.select(timeout=1.0):  # the timeout only bounds a missed wake-up
            if key.data == "accept":
                try:
                    conn, _ = server.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                if not _from_parent(conn):
                    # A submission that found the socket (its path is in the server's command
                    # line) must not get a child of its own: sandboxed as it asks, or not at all.
                    conn.close()
                    continue
                # the epoll selector too: a child that inherited it could register its own fds
                # under the server's and stall the server for every other submission
                _start_child(conn, server, children,
                             close_in_child=(wake_r, wake_w, sel.fileno()))
            elif key.data == "sigchld":
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
            elif key.data == "parent" and not os.read(sys.stdin.fileno(), 4096):
                for pid in children:  # the grader went away: so does everything it started
                    kill_group(pid)
                return 0
        _reap(children)


def _from_parent(conn: socket.socket) -> bool:
    """Whether the peer is the grader that started this server (Linux: SO_PEERCRED). Only that
    process sends requests; any other is refused before a byte is read."""
    import struct
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True  # no peer credentials here (the server runs on Linux only)
    try:
        pid, _, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option,
                                                        struct.calcsize("3i")))
    except OSError:
        return False
    return pid == os.getppid()


def _start_child(conn: socket.socket, server: socket.socket, children: dict,
                 close_in_child: tuple[int, ...] = ()) -> None:
    try:
        conn.setblocking(True)
        conn.settimeout(10.0)  # the grader sends its request at once
        msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
        conn.settimeout(None)
        request = json.loads(msg)
    except (OSError, ValueError):
        conn.close()
        return
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            signal.set_wakeup_fd(-1)  # the server's wake-up pipe is not the submission's
            for fd in close_in_child:
                os.close(fd)
            server.close()
            conn.close()
            for other in children.values():
                other.close()
            if request.get("role") == "verifier":
                _become_verifier(request, fds)
            else:
                _become_submission_process(request, fds)
        except BaseException:  # noqa: BLE001
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    try:
        conn.sendall(f"{pid}\n".encode())
    except OSError:
        pass
    children[pid] = conn


def _leave_the_server(request: dict, out_fd: int) -> None:
    """What a forked child undoes of the server: its own process group (killed as a whole by
    the runner), stdout and stderr on `out_fd`, default signal handlers, the environment the
    request gives."""
    os.setsid()
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    # tempfile caches its directory on first use, and the server used it (in its own folder,
    # which the sandbox does not let the child write): ask again, under the child's TMPDIR (its
    # work dir). Else model.save("m.keras") fails with PermissionError in a child of the pool.
    import tempfile
    tempfile.tempdir = None


def _become_submission_process(request: dict, fds: list[int]) -> None:
    import random

    import numpy as np

    from grader.child import run_request

    out_fd, result_fd = fds
    _leave_the_server(request, out_fd)
    # fork copies the server's random state: every submission gets its own
    random.seed()
    np.random.seed(int.from_bytes(os.urandom(4), "little"))
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="replace")
    run_request(request["request"], result_fd)


def _become_verifier(request: dict, fds: list[int]) -> None:
    """The clean process (grader.verifier), forked warm: it shares the server's imports, and
    runs no student code. It may run TensorFlow ops: it never forks."""
    from grader.verifier import serve as serve_verifier

    _leave_the_server(request, os.open(os.devnull, os.O_WRONLY))
    os.chdir(request["env"]["TMPDIR"])
    serve_verifier(*fds)


def _reap(children: dict[int, socket.socket]) -> None:
    """Reap every exited child, tracked or orphaned (we are their subreaper)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass
            conn.close()


def make_runner(pool: bool = True):
    """The runner to use: the warm fork server where forking is safe, else an interpreter per
    submission. Returns (runner, note)."""
    from grader.runner import SubprocessRunner
    if not pool:
        return SubprocessRunner(), ""
    ok, why = fork_is_safe()
    if not ok:
        return SubprocessRunner(), why
    return ForkServerRunner(), ""


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
