"""Files the grader writes and files students hand it, handled so that neither can break a run.

- Written files are replaced whole: a reader (a student's browser, Gradescope, a second `grade`
  run) or a crash sees the old file or the new one, never half of either.
- A student's folder may hold anything: a FIFO that blocks whoever opens it, a link to
  /dev/zero that never ends, a link loop, a file name that is not UTF-8. Only regular files are
  read, never more than a cap; every path shown to a person or written into JSON, HTML or CSV is
  its display form (`display_path`), while file operations keep the real path.
"""
from __future__ import annotations

import errno
import json
import math
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

READ_CAP = 5 * 1024 * 1024  # a lesson solution is a few KB; more than 5 MB is not one


def write_atomic(path: Path, content: str | bytes) -> int:
    """Write `content` beside `path` under a private name, flush it to disk, then rename it over
    `path`. Returns the size in bytes. Text that cannot be UTF-8 (a lone surrogate from a file
    name that is not UTF-8) is written escaped, never lost to a UnicodeEncodeError."""
    path = Path(path)
    data = content.encode("utf-8", "backslashreplace") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide reports from the web server / LMS
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return len(data)


def _short(name: str) -> str:
    """The temporary file's prefix: a name near the file system's limit must not push it over."""
    return name if len(os.fsencode(name)) <= 150 else name[:40]


# -- names -------------------------------------------------------------------------------------
def display_text(text: str) -> str:
    """`text` with what UTF-8 cannot carry made visible: the bytes of a file name that is not
    UTF-8 (Python holds them as lone surrogates) become `\\xff`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name produces: show its code point
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def display_path(path: str | os.PathLike) -> str:
    """A path as text for terminal, JSON, HTML and CSV; open files with the path itself."""
    return display_text(os.fspath(path))


def safe_stdio() -> None:
    """Print what UTF-8 cannot carry escaped (the bytes of a student's file name in a message),
    instead of ending the run with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):  # not a text file (a test's capture): leave it
            pass


def json_safe(value: Any) -> Any:
    """A copy of JSON-able data that `json.dumps(..., allow_nan=False)` and UTF-8 accept:
    strings in display form, NaN and infinities as null (they are not JSON)."""
    if isinstance(value, str):
        return display_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {display_text(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    return json_safe(str(value))


def dumps(value: Any, **kw: Any) -> str:
    """json.dumps that never writes NaN/Infinity (invalid JSON) nor a lone surrogate."""
    kw.setdefault("ensure_ascii", False)
    return json.dumps(json_safe(value), allow_nan=False, **kw)


# -- reading what students hand in -------------------------------------------------------------
def file_problem(path: str | os.PathLike) -> str | None:
    """None if `path` is a regular file (after following links) that can be read; else why
    not, in a few words ("a FIFO (named pipe), not a regular file")."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return "a link that loops" if exc.errno == errno.ELOOP else "a broken link"
        return f"not readable ({exc.strerror or exc})"
    kind = file_kind(st.st_mode)
    if kind is None:
        return None
    if kind == "a folder":
        return kind
    return f"{kind}{' behind a link' if os.path.islink(path) else ''}, not a regular file"


def file_kind(mode: int) -> str | None:
    """What a stat mode is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    return ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a special file")


def read_regular(path: str | os.PathLike, cap: int = READ_CAP) -> bytes:
    """The bytes of a regular file of at most `cap` bytes. Anything else raises OSError with
    the reason as its strerror: nothing blocks (a FIFO) and nothing reads forever (/dev/zero)."""
    chunks = list(iter_regular(path, cap + 1))
    size = sum(len(c) for c in chunks)
    if size > cap:
        raise OSError(0, f"{size - 1:,}+ bytes, over the {cap:,}-byte limit", os.fspath(path))
    return b"".join(chunks)


def iter_regular(path: str | os.PathLike, limit: int) -> Iterator[bytes]:
    """The first `limit` bytes of a regular file, in chunks; OSError (with the reason as its
    strerror) for anything that is not one, before a byte is read."""
    problem = file_problem(path)
    if problem is not None:
        raise OSError(0, problem, os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # non-blocking: a FIFO swapped in since the stat cannot block
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file", os.fspath(path))
        left = limit
        while left > 0:
            chunk = os.read(fd, min(1 << 20, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        os.close(fd)
