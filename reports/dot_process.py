"""One long-lived `dot -Tsvg` that lays out graph after graph.

Starting `dot` costs ~20 ms of CPU (it loads its plugins); laying out one of the grader's small
graphs costs ~0.3 ms. A class of 40 draws about a hundred pictures, and in a batch that CPU is
taken from the submissions being graded beside it. `dot` reads graphs from its stdin one after
the other and writes each SVG as soon as the graph is complete, so one process serves them all.

Any trouble (dot died, an error on its stderr, an answer that does not frame as one SVG, no
answer in time) kills the process and returns None: the caller then lays that graph out with a
one-shot `dot`, which reports the error the usual way, and the next graph starts a fresh one.
"""
from __future__ import annotations

import atexit
import os
import re
import selectors
import subprocess
import threading
import time

_END = b"</svg>"
# From the second graph of a stream on, dot names the graph's group "page0,1_<name>" where a
# one-shot run writes "<name>": put the one-shot name back, so the SVG is the same either way.
_PAGE_PREFIX = re.compile(rb'(<g id=")page\d+,\d+_')


class DotProcess:
    def __init__(self, exe: str, timeout_s: float):
        self.exe, self.timeout_s = exe, timeout_s
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()  # a batch renders reports from several worker threads

    def layout(self, source: str) -> str | None:
        """The SVG of `source` (one DOT graph), or None when this process cannot give it."""
        if os.name != "posix":  # select() on pipes: POSIX only; one-shot dot elsewhere
            return None
        with self._lock:
            try:
                return self._ask(source.encode("utf-8"))
            except (OSError, ValueError, TimeoutError):
                self.close_locked()
                return None

    def _ask(self, data: bytes) -> str:
        proc = self._running()
        proc.stdin.write(data if data.endswith(b"\n") else data + b"\n")
        proc.stdin.flush()
        out, deadline = b"", time.monotonic() + self.timeout_s
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ, "out")
            sel.register(proc.stderr, selectors.EVENT_READ, "err")
            while _END not in out:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("dot gave no answer in time")
                for key, _ in sel.select(left):
                    chunk = os.read(key.fileobj.fileno(), 1 << 16)
                    if not chunk:
                        raise OSError("dot exited")
                    if key.data == "err" and b"Error" in chunk:
                        # a graph dot cannot read leaves it waiting for more: never wait
                        raise ValueError(chunk.decode("utf-8", "replace").strip())
                    if key.data == "out":
                        out += chunk
        svg, _, rest = out.partition(_END)
        if rest.strip():  # more than one answer: the stream is out of step
            raise ValueError("dot answered more than one graph")
        return _PAGE_PREFIX.sub(rb"\1", svg + _END + b"\n", count=1).decode("utf-8", "replace")

    def _running(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([self.exe, "-Tsvg"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return self._proc

    def close(self) -> None:
        with self._lock:
            self.close_locked()

    def close_locked(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.kill()
            proc.wait(timeout=5)
        except (OSError, subprocess.SubprocessError):
            pass
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


_processes: dict[str, DotProcess] = {}
_registry_lock = threading.Lock()


def shared(exe: str, timeout_s: float) -> DotProcess:
    """The process for `exe`, started on first use and killed at exit."""
    with _registry_lock:
        if exe not in _processes:
            _processes[exe] = DotProcess(exe, timeout_s)
        return _processes[exe]


@atexit.register
def _close_all() -> None:
    for process in list(_processes.values()):
        process.close()
