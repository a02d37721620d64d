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
import math
import os
from pathlib import Path
from typing import Any, Iterable

from grader.durable import display_path, dumps, iter_regular, write_atomic

RESULTS = "results.jsonl"
GRADES = "grades.csv"
INDEX = "index.html"
REPORTS = "submissions"  # one HTML report per submission: submissions/<id>.html
LOCK = ".grade.lock"

GRADE_COLUMNS = ("id", "score", "max", "verdict", "mistakes", "file", "duration_s", "graded_at",
                 "reported")


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
        _hash_file(h, path)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of one file's bytes alone (finds identical submissions across students)."""
    h = hashlib.sha256()
    return h.hexdigest() if _hash_file(h, path) else ""


HASH_CAP = 256 * 1024 * 1024  # past this, the size stands for the rest (a sparse 1 TB file)


def _hash_file(h, path: Path) -> bool:
    """Feed a regular file's bytes to `h`; only regular files are read, so a FIFO or a link to
    /dev/zero cannot stall the batch. Whatever cannot be read feeds the reason instead (the
    grading reports it). True if the file was read."""
    try:
        read = 0
        for chunk in iter_regular(path, HASH_CAP):
            h.update(chunk)
            read += len(chunk)
        if read >= HASH_CAP:  # (only then: the hashes of earlier runs stay valid)
            h.update(f"\0size {os.stat(path).st_size}".encode())
        return True
    except OSError as exc:
        h.update(f"unreadable: {exc.strerror}".encode("utf-8", "backslashreplace"))
        return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def display_rel(path: Path, root: Path) -> str:
    """`path` relative to `root`, as text for JSON, HTML, CSV and the terminal."""
    return display_path(_rel(path, root))


class Gradebook:
    """The latest record of each student id, mirrored in `results.jsonl`."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out / RESULTS
        self.records: dict[str, dict[str, Any]] = {}
        self.unreadable_lines = 0
        # The ids of the submissions in the folder now; None: all. grades.csv and the dashboard
        # show only these; results.jsonl keeps every record (the durable log).
        self.present: set[str] | None = None
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

    def current(self) -> list[dict[str, Any]]:
        """The latest record of each submission still in the folder."""
        return [r for r in self.latest() if self.present is None or r["batch"]["id"] in self.present]

    def gone(self) -> list[str]:
        """Ids with a record whose submission is no longer in the folder."""
        return [] if self.present is None else sorted(set(self.records) - self.present)

    # -- writing ------------------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> None:
        """Append one record durably: the line is on disk when this returns."""
        line = dumps(record, separators=(",", ":"))
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
        write_atomic(self.path, "".join(dumps(r, separators=(",", ":")) + "\n"
                                        for r in self.latest()))

    def write_grades(self) -> None:
        write_atomic(self.out / GRADES, grades_csv(self.current()))

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
    """A record, or None for a line that is not one: torn, not JSON, or JSON of the wrong shape
    (a hand edit, another program): every later stage may then trust the types it reads."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None
    return record if _well_formed(record) else None


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _strs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _dicts(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)


def _well_formed(r: Any) -> bool:
    """The fields that grades.csv, the dashboard and a re-run read, with the types they need."""
    if not isinstance(r, dict) or not isinstance(r.get("batch"), dict):
        return False
    meta = r["batch"]
    if not isinstance(meta.get("id"), str) or not meta["id"]:
        return False
    if any(k in meta and not isinstance(meta[k], str)
           for k in ("hash", "file", "content", "graded_at")):
        return False
    if r.get("verdict") not in ("pass", "fail", "error"):
        return False
    if not all(_is_num(r.get(k, 0)) for k in ("score", "max_score", "duration_s")):
        return False
    if not _strs(r.get("mistakes", [])) or not _strs(r.get("notes", [])):
        return False
    if not _dicts(r.get("problems", [])) or not _dicts(r.get("exercises", [])):
        return False
    if not all(_finding_ok(p) for p in r.get("problems", [])):
        return False
    for ex in r.get("exercises", []):
        if not isinstance(ex.get("id"), str) or not _dicts(ex.get("checks", [])):
            return False
        if not all(isinstance(c.get("check"), str) and _finding_ok(c) for c in ex["checks"]):
            return False
    return True


def _finding_ok(f: dict[str, Any]) -> bool:
    return (isinstance(f.get("mistake"), (str, type(None)))
            and all(isinstance(f.get(k, ""), str) for k in ("message", "status", "title")))


def grades_csv(records: Iterable[dict[str, Any]]) -> str:
    """One row per submission. Mistake ids are joined with ';', as are the ids of the exercises
    graded from the submission's own report (`reported`, empty when all were measured clean).
    A cell that a spreadsheet would
    read as a formula (file names are the students') is prefixed with a quote."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GRADE_COLUMNS)
    for r in records:
        meta = r.get("batch", {})
        w.writerow([_cell(v) for v in (
            meta.get("id", ""), _num(r.get("score", 0)), _num(r.get("max_score", 0)),
            r.get("verdict", ""), ";".join(r.get("mistakes", [])), meta.get("file", ""),
            f"{r.get('duration_s', 0):.1f}", meta.get("graded_at", ""),
            ";".join(reported_exercises(r)))])
    return buf.getvalue()


def reported_exercises(record: dict[str, Any]) -> list[str]:
    """The exercises of a result graded from the submission's own process's report alone, not
    measured again by the clean process (grader.verification): the grades worth a look by hand
    when they matter, since only those could rest on a forged report."""
    return [ex["id"] for ex in record.get("exercises", [])
            if isinstance(ex, dict) and isinstance(ex.get("id"), str)
            and (ex.get("verification") or {}).get("measured") == "reported"]


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def _cell(v: str) -> str:
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
