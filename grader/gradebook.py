"""The batch's durable state: `results.jsonl` (the log every other file is rebuilt from),
`grades.csv`, and the content hashes that let a re-run skip what is already graded.

`results.jsonl` holds one line per graded submission: the very object `grade FILE --format json`
prints (`Result.to_dict()`), plus one `batch` key (student id, content hash, graded file, when).
Lines are appended with flush + fsync, so a crash, a kill or Ctrl-C loses at most the line being
written; a torn last line is dropped when the file is next opened. Everything else in the
reports folder (grades.csv, index.html) is derived from these records and rewritten atomically.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any, Iterable

from grader.durable import write_atomic

RESULTS = "results.jsonl"
GRADES = "grades.csv"
INDEX = "index.html"
REPORTS = "submissions"  # one HTML report per submission: submissions/<id>.html
LOCK = ".grade.lock"

GRADE_COLUMNS = ("id", "score", "max", "verdict", "mistakes", "file", "duration_s", "graded_at")


def report_href(student_id: str) -> str:
    """Where a submission's HTML report lives, relative to the reports folder."""
    return f"{REPORTS}/{student_id}.html"


def content_hash(files: Iterable[Path], graded: Path, root: Path, options: dict[str, Any],
                 version: str) -> str:
    """sha256 of what decides a grade: the grader version, the options that change grading,
    which file is graded, and every file of the submission (name and bytes). A new grader
    version or a different --exercise/--timeout/--memory therefore re-grades."""
    h = hashlib.sha256()
    h.update(json.dumps({"grader": version, "options": options,
                         "graded": _rel(graded, root)}, sort_keys=True).encode())
    for path in sorted(files, key=lambda p: _rel(p, root)):
        h.update(b"\0file\0" + _rel(path, root).encode("utf-8", "surrogateescape") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError as exc:  # unreadable now: hash the error, the grading will report it
            h.update(f"unreadable: {exc.strerror}".encode())
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of one file's bytes alone (finds identical submissions across students)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class Gradebook:
    """The latest record of each student id, mirrored in `results.jsonl`."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out / RESULTS
        self.records: dict[str, dict[str, Any]] = {}
        self.unreadable_lines = 0
        self._fh: io.TextIOWrapper | None = None

    # -- reading ------------------------------------------------------------------------
    def load(self) -> None:
        """Read every record, the last one of an id winning; skip lines that are not a whole
        record (a run killed mid-write leaves a torn last line), then rewrite the file
        compacted so the next append starts on a clean line."""
        self.records.clear()
        self.unreadable_lines = 0
        if not self.path.exists():
            return
        with open(self.path, "rb") as fh:
            for raw in fh:
                record = _parse(raw)
                if record is None:
                    self.unreadable_lines += raw.strip() != b""
                    continue
                self.records[record["batch"]["id"]] = record
        self.compact()

    def is_graded(self, student_id: str, digest: str) -> bool:
        """Already graded with this very content and these options, by a grader that worked."""
        record = self.records.get(student_id)
        if record is None:
            return False
        meta = record["batch"]
        return meta.get("hash") == digest and not meta.get("grader_failed")

    def latest(self) -> list[dict[str, Any]]:
        return [self.records[k] for k in sorted(self.records)]

    # -- writing ------------------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> None:
        """Append one record durably: the line is on disk when this returns."""
        line = json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
        if self._fh is None:
            self.out.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8", newline="\n")
        self._fh.write(line + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.records[record["batch"]["id"]] = record

    def compact(self) -> None:
        """Rewrite results.jsonl with one line per id (sorted), dropping superseded lines."""
        self.close()
        if not self.records and not self.path.exists():
            return
        write_atomic(self.path, "".join(
            json.dumps(r, ensure_ascii=False, default=str, separators=(",", ":")) + "\n"
            for r in self.latest()))

    def write_grades(self) -> None:
        write_atomic(self.out / GRADES, grades_csv(self.latest()))

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def lock(self) -> bool:
        """Hold an exclusive lock on the reports folder for this process's lifetime, so two
        runs never interleave their appends. False if another run holds it."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before
            return True
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock_fh = open(self.out / LOCK, "w")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_fh.close()
            return False
        return True

    def unlock(self) -> None:
        fh = getattr(self, "_lock_fh", None)
        if fh is not None:
            fh.close()  # closing releases the lock
            self._lock_fh = None


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("batch"), dict):
        return None
    if not isinstance(record["batch"].get("id"), str):
        return None
    return record


def grades_csv(records: Iterable[dict[str, Any]]) -> str:
    """One row per submission. Mistake ids are joined with ';'. A cell that a spreadsheet would
    read as a formula (file names are the students') is prefixed with a quote."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GRADE_COLUMNS)
    for r in records:
        meta = r.get("batch", {})
        w.writerow([_cell(v) for v in (
            meta.get("id", ""), _num(r.get("score", 0)), _num(r.get("max_score", 0)),
            r.get("verdict", ""), ";".join(r.get("mistakes", [])), meta.get("file", ""),
            f"{r.get('duration_s', 0):.1f}", meta.get("graded_at", ""))])
    return buf.getvalue()


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def _cell(v: str) -> str:
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
