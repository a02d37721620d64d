"""Load a submission into a `Source`: code the child can execute, chunk by chunk, with a map
back to where the student will look (file and line, or notebook cell and line).

Every way a file can be unreadable becomes an `UnreadableSubmission` with a sentence the student
can act on; nothing here executes student code.
"""
from __future__ import annotations

import ast
import errno
import io
import os
import tokenize
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # a lesson solution is a few KB; 5 MB of code is not a submission
# A notebook also carries its outputs (a plotted model is a base64 PNG of megabytes): the file
# may be larger, and MAX_BYTES applies to the code extracted from its cells.
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
EXTENSIONS = (".py", ".ipynb")


class UnreadableSubmission(Exception):
    """The file cannot be turned into Python code. The message is for the student."""


@dataclass
class Chunk:
    """One unit of execution: the whole .py file, or one notebook code cell."""

    code: str          # what runs (notebook magics already turned into Python)
    filename: str      # the name tracebacks and SyntaxErrors carry
    cell: int | None = None  # 1-based position among the notebook's cells
    original: str = ""  # what the student wrote, for quoting lines back

    def where(self, line: int | None) -> str:
        base = f"cell {self.cell}" if self.cell is not None else self.filename
        return f"{base}, line {line}" if line else base


@dataclass
class Source:
    path: str
    kind: str  # "python" | "notebook"
    chunks: list[Chunk]
    notes: list[str] = field(default_factory=list)

    def chunk_for(self, filename: str) -> Chunk | None:
        return next((c for c in self.chunks if c.filename == filename), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Source":
        return cls(d["path"], d["kind"], [Chunk(**c) for c in d["chunks"]], d.get("notes", []))


def load_submission(path: str | Path) -> Source:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise UnreadableSubmission(
            f"'{_shown(path)}' is not a Python file or a notebook: the grader accepts .py and "
            f".ipynb files")
    cap = MAX_NOTEBOOK_BYTES if suffix == ".ipynb" else MAX_BYTES
    raw = read_capped(path, cap)
    if not raw.strip():
        raise UnreadableSubmission(f"'{_shown(path)}' is empty")
    if b"\x00" in raw:
        raise UnreadableSubmission(
            f"'{_shown(path)}' contains binary data (NUL bytes), not text: was the wrong file "
            f"submitted?")
    text = _decode(raw, path)
    if suffix == ".ipynb":
        from grader.notebook import notebook_chunks
        chunks, notes = notebook_chunks(text, _shown(path))
        # A notebook runs as `__main__`, as in Jupyter: its guard blocks run, no note.
        return Source(str(path), "notebook", chunks, notes)
    chunks = [Chunk(text, _shown(path), None, text)]
    return Source(str(path), "python", chunks, main_guard_notes(chunks))


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of a regular file (a symlink is followed), never more than `cap`: a FIFO
    would block the read forever and /dev/zero never ends, so neither is opened for reading
    (grader.durable.iter_regular reads; the messages here are the student's)."""
    from grader.durable import iter_regular
    name = _shown(path)
    try:
        info = os.stat(path)
        _require_regular(info, name)
        raw = b"".join(iter_regular(path, cap + 1)) if info.st_size <= cap else b""
    except OSError as exc:
        raise UnreadableSubmission(_os_error_message(path, exc)) from None
    size = max(info.st_size, len(raw))
    if size > cap:
        advice = ("clear its outputs in Jupyter (Edit > Clear All Outputs), save it and submit "
                  "it again" if path.suffix.lower() == ".ipynb" else
                  "a solution is a few kilobytes")
        raise UnreadableSubmission(f"'{name}' is {size:,} bytes, over the limit of {cap:,}: "
                                   f"{advice}")
    return raw


def _shown(path: Path) -> str:
    """The file's name as text for messages and tracebacks: a name that is not UTF-8 shows its
    odd bytes escaped (stu\\xffdent.py), as everywhere else the grader prints a path."""
    from grader.durable import display_path
    return display_path(path.name)


def _require_regular(info: os.stat_result, name: str) -> None:
    from grader.durable import file_kind
    kind = file_kind(info.st_mode)
    if kind is None:
        return
    raise UnreadableSubmission(
        f"'{name}' is not a regular file (it is {kind}): submit the .py or .ipynb file itself")


def _os_error_message(path: Path, exc: OSError) -> str:
    name = _shown(path)
    if exc.errno == errno.ELOOP:
        return (f"'{name}' is a symbolic link that loops back on itself: submit the .py or "
                f".ipynb file itself")
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return (f"'{name}' is a symbolic link to '{target}', which does not exist: submit the "
                f".py or .ipynb file itself")
    if exc.errno == errno.ENOENT:
        return f"'{name}' does not exist"
    if exc.errno == errno.EACCES:
        return f"'{name}' could not be read: permission denied"
    return f"'{name}' could not be read: {exc.strerror or exc}"


def main_guard_notes(chunks: list[Chunk]) -> list[str]:
    """A note for each `if __name__ == "__main__":` block: the grader imports the submission as
    a module, so such a block never runs there, and a model built only inside it is not seen."""
    notes = []
    for chunk in chunks:
        try:
            tree = ast.parse(chunk.code, chunk.filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # find_syntax_error reports it
        for node in tree.body:
            if isinstance(node, ast.If) and _is_main_test(node.test):
                notes.append(
                    f"The block under `if __name__ == \"__main__\":` ({chunk.where(node.lineno)}) "
                    f"is not run by the grader (it imports your file as a module): a model built "
                    f"only inside it is not graded.")
    return notes


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return (any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
            and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides))


def _decode(raw: bytes, path: Path) -> str:
    encoding = "utf-8"
    if path.suffix.lower() == ".py":
        # Honour a PEP 263 coding cookie, as Python itself would.
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError:
            encoding = "utf-8"
    try:
        return raw.decode(encoding).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        line = raw[:start].count(b"\n") + 1
        raise UnreadableSubmission(
            f"'{_shown(path)}' is not valid UTF-8 text (byte 0x{raw[start]:02x} on line {line}): "
            f"save it as UTF-8 from your editor") from None


@dataclass
class SyntaxProblem:
    message: str
    where: str
    line: int | None
    cell: int | None
    text: str


def find_syntax_error(source: Source) -> SyntaxProblem | None:
    """Compile each chunk without running it; the first SyntaxError, located for the student."""
    for chunk in source.chunks:
        nul = chunk.code.find("\x00")
        if nul >= 0:  # compile() refuses it without a line (ValueError or SyntaxError)
            line = chunk.code.count("\n", 0, nul) + 1
            return SyntaxProblem("SyntaxError: a NUL character (\\x00) is in the code",
                                 chunk.where(line), line, chunk.cell, "")
        try:
            compile(chunk.code, chunk.filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            line = exc.lineno
            lines = (chunk.original or chunk.code).splitlines()
            text = lines[line - 1].rstrip() if line and 0 < line <= len(lines) else (exc.text or "").rstrip()
            return SyntaxProblem(f"{type(exc).__name__}: {exc.msg}", chunk.where(line), line,
                                 chunk.cell, _shorten(text))
        except ValueError as exc:
            return SyntaxProblem(f"SyntaxError: {exc}", chunk.where(None), None, chunk.cell, "")
        except (RecursionError, MemoryError):
            # CPython's parser and compiler give up on very deep expressions (a sum of 100,000
            # terms, thousands of unary minus signs) with these instead of a SyntaxError.
            line = _too_deep_line(chunk.code)
            lines = (chunk.original or chunk.code).splitlines()
            text = lines[line - 1].rstrip() if line and 0 < line <= len(lines) else ""
            return SyntaxProblem(
                "SyntaxError: too deeply nested or too long for Python to compile "
                "(a very long expression?)", chunk.where(line), line, chunk.cell, _shorten(text))
    return None


def _too_deep_line(code: str) -> int | None:
    """The line Python cannot compile, when it is the longest one and fails on its own (the
    errors above carry no line number); None when that cannot be confirmed."""
    lines = code.splitlines()
    if not lines:
        return None
    index = max(range(len(lines)), key=lambda i: len(lines[i]))
    try:
        compile(lines[index].strip(), "<line>", "exec", dont_inherit=True)
    except (RecursionError, MemoryError):
        return index + 1
    except Exception:  # noqa: BLE001 - a fragment of a longer statement: no confirmation
        return None
    return None


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + " …"
