"""Load a submission into a `Source`: code the child can execute, chunk by chunk, with a map
back to where the student will look (file and line, or notebook cell and line).

Every way a file can be unreadable becomes an `UnreadableSubmission` with a sentence the student
can act on; nothing here executes student code.
"""
from __future__ import annotations

import io
import tokenize
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # a lesson solution is a few KB; 5 MB is not a submission
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
    if path.suffix.lower() not in EXTENSIONS:
        raise UnreadableSubmission(
            f"'{path.name}' is not a Python file or a notebook: the grader accepts .py and "
            f".ipynb files")
    raw = path.read_bytes()
    if not raw.strip():
        raise UnreadableSubmission(f"'{path.name}' is empty")
    if len(raw) > MAX_BYTES:
        raise UnreadableSubmission(
            f"'{path.name}' is {len(raw):,} bytes; a solution is a few kilobytes (limit "
            f"{MAX_BYTES:,})")
    if b"\x00" in raw:
        raise UnreadableSubmission(
            f"'{path.name}' contains binary data (NUL bytes), not text: was the wrong file "
            f"submitted?")
    text = _decode(raw, path)
    if path.suffix.lower() == ".ipynb":
        from grader.notebook import notebook_chunks
        chunks, notes = notebook_chunks(text, path.name)
        return Source(str(path), "notebook", chunks, notes)
    return Source(str(path), "python", [Chunk(text, path.name, None, text)])


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
            f"'{path.name}' is not valid UTF-8 text (byte 0x{raw[start]:02x} on line {line}): "
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
        try:
            compile(chunk.code, chunk.filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            line = exc.lineno
            lines = (chunk.original or chunk.code).splitlines()
            text = lines[line - 1].rstrip() if line and 0 < line <= len(lines) else (exc.text or "").rstrip()
            return SyntaxProblem(f"{type(exc).__name__}: {exc.msg}", chunk.where(line), line,
                                 chunk.cell, text)
        except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
            return SyntaxProblem(f"SyntaxError: {exc}", chunk.where(None), None, chunk.cell, "")
    return None
