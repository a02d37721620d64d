"""`grade FOLDER --out DIR`: grade a whole class, one submission per student, in parallel.

Layout of FOLDER (both at once is fine):
- a flat folder: every `.py` / `.ipynb` directly inside is one submission, its id the file stem;
- one sub-folder per student: the sub-folder is one submission, its id the folder name, and one
  file in it is graded (see `choose`); the others are named in a note, never dropped silently.
- a folder of student folders (a section: `section/alice/…`, `section/bob/…`): one submission
  per student folder, its id `section/alice` (see `_section_students`).
Hidden files and folders, `__pycache__`, `.ipynb_checkpoints`, virtualenvs and the reports
folder itself (if it lies inside FOLDER, or is FOLDER) are skipped. Only regular files are read:
a FIFO, a device, a broken link or a link loop is named as not graded, with the reason.

DIR receives `submissions/<id>.html` (one report each), `results.jsonl`, `grades.csv` and
`index.html` (the class dashboard). Each result is written as soon as its grading finishes
(see grader.gradebook), so a crash, a timeout or Ctrl-C loses nothing already graded; a re-run
skips submissions whose content hash is unchanged (`--force` re-grades).

Exit codes: 0 the batch ran (students may have failed), 1 the grader itself failed on some
submission, 2 usage error, 130 interrupted (re-run the command to grade the rest).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import unicodedata
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from grader.durable import display_path, file_problem, read_regular, write_atomic
from grader.gradebook import (GRADES, INDEX, LOCK, REPORTS, RESULTS, Gradebook, content_hash,
                              display_rel, file_digest, report_href)

EXIT_OK, EXIT_GRADER_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXTENSIONS = (".py", ".ipynb")
SKIPPED_DIRS = {"__pycache__", "__MACOSX", "site-packages", "node_modules"}
MAX_FILES_PER_STUDENT = 200  # a folder holding more is a project or a virtualenv, not an answer

# How a file name hints at being the answer (+) or not (-); tokens of the lower-cased stem.
SOLUTION_WORDS = {"solution", "solutions", "submission", "submit", "answer", "answers", "exercise",
                  "exercises", "lesson", "assignment", "homework", "hw", "lab", "main", "final",
                  "models", "model"}
SCRATCH_WORDS = {"test", "tests", "scratch", "old", "backup", "bak", "copy", "draft", "untitled",
                 "tmp", "temp", "helper", "helpers", "util", "utils", "debug", "try", "playground"}
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                    *(f"lpt{i}" for i in range(1, 10))}


# -- finding the submissions ------------------------------------------------------------------
@dataclass
class Submission:
    id: str
    path: Path          # the file that is graded
    files: list[Path]   # every file that belongs to the submission (all are hashed)
    notes: list[str] = field(default_factory=list)
    ambiguous: bool = False


def discover(folder: Path, out: Path | None = None,
             keywords: Iterable[str] = ()) -> tuple[list[Submission], list[str]]:
    """The submissions in `folder`, with unique ids, and warnings about what was not graded.

    Only regular files are read (after following links): a FIFO, a device, a broken link or a
    link loop is listed as not graded with the reason, never opened. Nothing of the reports
    folder is a submission, even when --out is FOLDER itself. A folder of student folders (a
    section: `section/alice/…`, `section/bob/…`) gives one submission per student folder, with
    the id `section/alice`."""
    keywords = tuple(keywords)
    ignored = _ignore_rule(folder, out)
    found: list[tuple[str, str, Submission]] = []  # (id base, extension, submission)
    stray: list[str] = []
    unusual: list[str] = []
    warnings: list[str] = []

    def add_student(name: str, root: Path) -> None:
        files, skipped = _student_files(root, ignored)
        shown = display_path(name)
        if not files and not skipped:
            warnings.append(f"{shown}/ is empty: nothing to grade")
            return
        notes: list[str] = []
        ambiguous = False
        if files:
            path, notes, ambiguous = choose(files, root, keywords)
            candidates = [f for f in files if f.suffix.lower() in EXTENSIONS] or [path]
        else:  # nothing readable: graded anyway, so the student gets a verdict that says why
            path = skipped[0][0]
            candidates = [path]
        if skipped:
            notes.append(f"Not read in {shown}/: " + ", ".join(
                f"{display_rel(f, root)} ({why})" for f, why in skipped[:8]) +
                (f" and {len(skipped) - 8} more" if len(skipped) > 8 else "") + ".")
        found.append((name, "", Submission("", path, candidates, notes, ambiguous)))

    for entry in sorted(_entries(folder, warnings), key=lambda p: p.name):
        if ignored(entry):
            continue
        if entry.is_dir():
            students = _section_students(entry, ignored)
            if students:
                name = display_path(entry.name)
                warnings.append(
                    f"{name}/ holds {len(students)} student folders, not one student's files: "
                    f"each is graded as a student, id {name}/<folder> (to grade this section "
                    f"alone: grade {display_path(entry)})")
                for student in students:
                    add_student(f"{entry.name}/{student.name}", student)
            else:
                add_student(entry.name, entry)
            continue
        problem = file_problem(entry)
        if problem is not None:
            unusual.append(f"{display_path(entry.name)} ({problem})")
        elif entry.suffix.lower() in EXTENSIONS:
            found.append((entry.stem, entry.suffix.lower().lstrip("."),
                          Submission("", entry, [entry])))
        else:
            stray.append(display_path(entry.name))
    if stray:
        warnings.append("not graded (not a .py or .ipynb file): " + _some(stray))
    if unusual:
        warnings.append("not graded (not a regular file): " + _some(unusual))
    for (_, _, sub), sid in zip(found, unique_ids([(b, e) for b, e, _ in found])):
        sub.id = sid
    return [s for _, _, s in found], warnings


def _some(names: list[str], shown: int = 8) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown
                                       else "")


def _entries(folder: Path, warnings: list[str]) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError as exc:
        warnings.append(f"cannot read {display_path(folder)}: {exc.strerror or exc}")
        return []


def _ignore_rule(folder: Path, out: Path | None):
    """What discovery skips: hidden files, caches, editors' backups, and the reports folder
    (wherever it lies in FOLDER; when it is FOLDER itself, the files the batch writes there)."""
    skip = out.resolve() if out is not None else None
    own = {REPORTS, RESULTS, GRADES, INDEX, LOCK} if skip == folder.resolve() else set()

    def ignored(p: Path) -> bool:
        if p.name.startswith(".") or p.name.endswith("~") or p.name in SKIPPED_DIRS:
            return True
        if own and p.parent == folder and p.name in own:
            return True
        return skip is not None and p.is_dir() and p.resolve() == skip
    return ignored


# Folder names that say "a part of one student's project", not "a student" (see _section_students).
PROJECT_PARTS = {"src", "lib", "libs", "code", "notebooks", "notebook", "scripts", "data",
                 "docs", "solutions", "solution", "submission", "build", "dist", "archive",
                 "extra", "extras", *SCRATCH_WORDS}
PROJECT_PART_RE = re.compile(r"(part|week|ex|exercise|task|q|question|lab|hw|homework|v)"
                             r"[ _-]?\d+$", re.I)


def _section_students(entry: Path, ignored) -> list[Path]:
    """The student folders of `entry` if it is a section, else []. A section holds no .py or
    .ipynb file itself and at least two sub-folders with one, none of them named like a part of
    a project (src/, tests/, week2/, old/ …): those make `entry` one student's folder."""
    try:
        children = sorted(entry.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    subdirs = []
    for child in children:
        if ignored(child):
            continue
        if child.is_dir():
            subdirs.append(child)
        elif child.suffix.lower() in EXTENSIONS:
            return []
    if len(subdirs) < 2 or any(d.name.lower() in PROJECT_PARTS or PROJECT_PART_RE.match(d.name)
                               for d in subdirs):
        return []
    with_code = sum(1 for d in subdirs
                    if any(f.suffix.lower() in EXTENSIONS for f in _student_files(d, ignored)[0]))
    return subdirs if with_code >= 2 else []


def _student_files(root: Path, ignored) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The regular files of a student's folder, and the other entries with why they are not
    read (a FIFO, a device, a broken link, a link loop)."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):  # does not follow symlinked folders
        here = Path(dirpath)
        if "pyvenv.cfg" in filenames:  # a virtualenv someone zipped along
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not ignored(here / d))
        for name in sorted(filenames):
            f = here / name
            if ignored(f):
                continue
            problem = file_problem(f)
            if problem is None:
                files.append(f)
            elif problem != "a folder":  # a linked folder: not walked, as before
                skipped.append((f, problem))
        if len(files) >= MAX_FILES_PER_STUDENT:
            break
    return files[:MAX_FILES_PER_STUDENT], skipped


def choose(files: list[Path], root: Path, keywords: tuple[str, ...] = ()
           ) -> tuple[Path, list[str], bool]:
    """Which file of a student's folder is graded, the notes that say so, and whether the
    choice was a guess. In order, the graded file is:
    1. not imported by another of the student's files (`import helpers`, `%run helpers.py`);
    2. the one whose name says most: names containing an exercise id (`siamese`) beat names
       like `solution`/`homework`, which beat plain names, which beat `test`/`scratch`/`copy`;
    3. the least deeply nested;
    and only then, a guess: a notebook before a .py, then the first name alphabetically."""
    rel = {f: display_rel(f, root) for f in files}
    folder = display_path(root.name)
    code = [f for f in files if f.suffix.lower() in EXTENSIONS]
    if not code:
        listed = ", ".join(rel[f] for f in files[:8])
        return files[0], [f"No .py or .ipynb file was found in {folder}/ (found: {listed})."], False
    if len(code) == 1:
        return code[0], [], False
    imports = {f: _imports(f) for f in code}
    importer = {f: next((g for g in code if g is not f and _module_name(f) in imports[g]), None)
                for f in code}

    def key(f: Path) -> tuple:
        return (importer[f] is not None, -_name_score(f.stem, keywords),
                len(f.relative_to(root).parts), f.suffix.lower() != ".ipynb", rel[f].lower())

    ranked = sorted(code, key=key)
    best, second = ranked[0], ranked[1]
    decided_by = next(i for i, (a, b) in enumerate(zip(key(best), key(second))) if a != b)
    score = _name_score(best.stem, keywords)
    reason = [
        "the other files are modules it imports" if importer[second] is best else
        "it is not imported by another of the files",
        "its name names the exercise" if score >= 2 else
        "its name looks like a solution" if score >= 1 else
        "the other names look like tests or scratch files",
        "it is the least deeply nested",
        "a guess: a notebook is preferred when nothing else tells the files apart",
        "a guess: it comes first alphabetically",
    ][decided_by]
    ambiguous = decided_by >= 3

    def describe(f: Path) -> str:
        return rel[f] + (f" (imported by {rel[importer[f]]})" if importer[f] is not None else "")

    others = ", ".join(describe(f) for f in ranked[1:])
    if ambiguous:
        tied = [f for f in ranked if key(f)[:3] == key(best)[:3]]
        note = (f"Could not tell which file in {folder}/ is the submission: "
                f"{', '.join(rel[f] for f in tied)}. Graded {rel[best]} ({reason}); "
                f"not graded: {others}.")
    else:
        note = (f"{folder}/ holds {len(code)} Python files or notebooks; graded {rel[best]} "
                f"({reason}). Not graded: {others}.")
    return best, [note], ambiguous


IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_][\w \t,.]*)"
                       r"|%run[ \t]+(?:-\w+[ \t]+)*['\"]?([^\s'\"]+))", re.M)


def _imports(path: Path) -> set[str]:
    """Top-level module names a file imports (or `%run`s), read as text: nothing is executed.
    Only a regular file under the size cap is read (a FIFO would block, /dev/zero never end)."""
    try:
        text = read_regular(path).decode("utf-8", errors="replace")
    except OSError:
        return set()
    if path.suffix.lower() == ".ipynb":
        try:
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list)
                             else str(c.get("source", "")) for c in cells
                             if isinstance(c, dict) and c.get("cell_type") == "code")
        except (json.JSONDecodeError, AttributeError):
            pass
    names: set[str] = set()
    for m in IMPORT_RE.finditer(text):
        if m.group(1):
            names.add(m.group(1))
        elif m.group(2):
            names.update(p.split()[0].split(".")[0] for p in m.group(2).split(",") if p.strip())
        elif m.group(3):
            names.add(_module_name(Path(m.group(3))))
    return names


def _module_name(path: Path) -> str:
    return path.stem if path.suffix.lower() in EXTENSIONS else path.name


def _name_score(stem: str, keywords: tuple[str, ...]) -> int:
    norm = re.sub(r"[^a-z0-9]+", "_", stem.lower())
    tokens = {t.rstrip("0123456789") for t in norm.split("_") if t}
    score = 2 if any(k in norm for k in keywords) else 1 if tokens & SOLUTION_WORDS else 0
    return score - 2 * bool(tokens & SCRATCH_WORDS)


def exercise_keywords(exercises: dict, only: list[str] | None) -> tuple[str, ...]:
    """Words that, in a file name, name the exercise: its id and the id's first word."""
    ids = only or sorted(exercises)
    return tuple(sorted({w for i in ids for w in (i.lower(), i.lower().split("_")[0])
                         if len(w) >= 3}))


def safe_id(name: str) -> str:
    """A student id that is a safe file name everywhere: ASCII letters, digits, '.', '_', '-'."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", s)
    s = re.sub(r"_{2,}", "_", s).strip("._-")[:64].rstrip("._-")
    if not s:  # nothing ASCII in the name (e.g. 张伟.py): keep it distinct and stable
        s = "student-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    if s.split(".")[0].lower() in WINDOWS_RESERVED:
        s += "_"
    return s


def unique_ids(names: list[tuple[str, str]]) -> list[str]:
    """`safe_id` of each (name, extension), unique ignoring case (reports land on case-insensitive
    file systems too). A clash gets the extension (`alice-py`), then a number (`solution-2`).
    A student of a section keeps the section as a folder: `section-a/alice`."""
    taken: set[str] = set()
    ids: list[str] = []
    for name, ext in names:
        base = "/".join(safe_id(part) for part in name.split("/"))  # section/student
        tries = [base] + ([f"{base}-{ext}"] if ext else []) + [f"{base}-{n}" for n in range(2, 10_000)]
        sid = next(t for t in tries if t.lower() not in taken)
        taken.add(sid.lower())
        ids.append(sid)
    return ids


# -- the runner -------------------------------------------------------------------------------
def _close(runner) -> None:
    close = getattr(runner, "close", None)
    if close is not None:
        close()


def make_runner(no_pool: bool):
    """The Runner a batch grades with: the warm pre-forked pool (grader.forkserver), or a fresh
    interpreter per submission with --no-pool or where forking is unsafe. Returns (runner, note):
    the note says why the pool is not used, for the console and the dashboard."""
    from grader.forkserver import make_runner as pool_or_subprocess
    return pool_or_subprocess(pool=not no_pool)


# -- the command ------------------------------------------------------------------------------
def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def build_parser(exercise_ids: list[str]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade",
        description="Grade every .py / .ipynb submission in a folder (flat, or one sub-folder "
                    "per student) and write a report each, grades.csv, results.jsonl and a "
                    "class dashboard (index.html).")
    p.add_argument("path", help="the folder of submissions")
    p.add_argument("--out", metavar="DIR",
                   help="where to write the reports (default: FOLDER-reports next to FOLDER)")
    p.add_argument("-j", "--jobs", type=int, default=default_jobs(), metavar="N",
                   help=f"submissions graded at once (default: the number of cores, {default_jobs()})")
    p.add_argument("--exercise", action="append", metavar="ID",
                   help=f"grade only this exercise (repeatable): {', '.join(exercise_ids)}")
    p.add_argument("--rubric", metavar="FILE",
                   help="rubric TOML: points, visibility and required exercises")
    p.add_argument("--no-pool", action="store_true",
                   help="start a fresh interpreter per submission instead of the warm pool")
    p.add_argument("--force", action="store_true",
                   help="re-grade submissions already graded with the same content and options")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no line per submission; only the summary")
    # Options of `grade FILE` that a folder does not take: accepted here only to say why.
    p.add_argument("--format", help=argparse.SUPPRESS)
    p.add_argument("--no-report", action="store_true", help=argparse.SUPPRESS)
    from grader.settings import add_limit_options
    add_limit_options(p, what="each submission")
    return p


FOLDER_OUTPUT = ("a folder writes its results into --out DIR: results.jsonl (the JSON object of "
                 "each submission, one a line), grades.csv, index.html and one HTML report each")


def main(argv: list[str]) -> int:
    from grader.exercise import load_exercises

    exercises = load_exercises()
    parser = build_parser(sorted(exercises))
    args = parser.parse_args(argv)  # exits 2 on unknown options
    if args.format is not None:
        parser.error(f"--format {args.format} is for one file; {FOLDER_OUTPUT}")
    if args.no_report:
        parser.error(f"--no-report is for one file; {FOLDER_OUTPUT}")
    if not args.path:
        parser.error("the path is empty: name a folder of submissions")
    folder = Path(args.path)
    if not folder.is_dir():
        parser.error(f"not a folder: {display_path(folder)}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    from grader.cli import check_grading_options
    rubric = check_grading_options(parser, args, exercises)
    out = Path(args.out) if args.out else folder.resolve().parent / f"{folder.resolve().name}-reports"
    if out.exists() and not out.is_dir():
        parser.error(f"--out {display_path(out)} is a file, not a folder")

    runner, runner_note = make_runner(args.no_pool)
    spawn = getattr(runner, "spawn", None)
    if spawn is not None:
        spawn()  # the pool imports TensorFlow while the folder is read
    only = sorted(set(args.exercise)) if args.exercise else None
    subs, warnings = discover(folder, out, exercise_keywords(exercises, only))
    if not subs:
        _close(runner)
        parser.error(f"no .py or .ipynb submissions found in {display_path(folder)}"
                     + "".join(f"; {w}" for w in warnings))
    book = Gradebook(out)
    try:
        if not book.lock():
            _close(runner)
            parser.error(f"another `grade` run is writing to {display_path(out)}; wait for it "
                         f"to finish")
        (out / REPORTS).mkdir(parents=True, exist_ok=True)
        book.load()
    except OSError as exc:
        _close(runner)
        parser.error(f"cannot write to {display_path(out)}: {exc.strerror or exc}")
    run = BatchRun(args, folder, out, book, exercises, only, rubric, (runner, runner_note))
    try:
        return run.run(subs, warnings)
    finally:
        book.close()
        book.unlock()
        if run.stop.abandon:
            _exit_now_if_stuck(EXIT_INTERRUPTED)


class BatchRun:
    """One run of the batch: grades in a thread pool, records each result as it comes."""

    def __init__(self, args, folder: Path, out: Path, book: Gradebook, exercises: dict,
                 only: list[str] | None, rubric=None, runner=None):
        from rich.console import Console

        from grader import __version__
        from grader.grading import Grader

        self.args, self.folder, self.out, self.book, self.only = args, folder, out, book, only
        self.version = __version__
        self.console = Console(highlight=False)
        self.errors = Console(stderr=True, highlight=False)
        # What changes a grade, and so the content hash; --jobs and --no-pool do not.
        limits = args.limits_
        self.rubric = rubric
        self.grading_options = {"exercise": only, **limits.to_dict(),
                                "rubric": file_digest(Path(args.rubric)) if args.rubric else None}
        self.options = dict(self.grading_options, no_pool=args.no_pool, jobs=args.jobs)
        self.runner, self.runner_note = runner or make_runner(args.no_pool)
        self.grader = Grader(runner=self.runner, exercises=exercises,
                             limits=limits)
        from grader.mistakes import catalogue
        self.titles = {m: mk.title for m, mk in catalogue(exercises.values()).items()}
        self.grader_failures = 0
        self.graded_now = 0
        self.write_failed: str | None = None
        self.stop = _StopRequest()
        self._index_written = 0.0
        self.folder_notes: list[str] = []  # what discovery said, for the dashboard too

    # -- the run ------------------------------------------------------------------------
    def run(self, subs: list[Submission], warnings: list[str]) -> int:
        from rich.markup import escape
        self.folder_notes = list(warnings)
        if self.runner_note:
            warnings = [self.runner_note, *warnings]
        for w in warnings:
            self.errors.print(f"[yellow]note:[/] {escape(w)}", markup=True)
        if self.book.unreadable_lines:
            self.errors.print(f"[yellow]note:[/] {self.book.unreadable_lines} unreadable line(s) "
                              f"in {escape(display_path(self.book.path))} ignored (cut short by "
                              f"a killed run, or not a record of this grader); those "
                              f"submissions are graded again", markup=True)
        # grades.csv and the dashboard list the submissions in the folder now; the records of
        # those since removed stay in results.jsonl only.
        self.book.present = {sub.id for sub in subs}
        gone = self.book.gone()
        if gone:
            self.errors.print(
                f"[yellow]note:[/] {len(gone)} earlier result(s) left out of grades.csv and the "
                f"dashboard: their submission is no longer in the folder ({escape(_some(gone))}); "
                f"results.jsonl keeps them", markup=True)
        todo: list[tuple[Submission, str]] = []
        for sub in subs:
            digest = content_hash(sub.files, sub.path, self.folder, self.grading_options,
                                  self.version)
            if self.args.force or not self.book.is_graded(sub.id, digest):
                todo.append((sub, digest))
        skipped = len(subs) - len(todo)
        # Longest first (file size as the estimate: a whole notebook takes longer than a short
        # script), so the batch does not end with one worker busy and the others idle.
        todo.sort(key=lambda item: -_expected_cost(item[0]))
        self._write_derived(force=True)
        if todo:
            self.grader.verifier.spawn()  # the clean process imports Keras meanwhile
        start = time.monotonic()
        stop = self.stop
        with stop.installed():  # until the end: a later Ctrl-C must not cut a write short
            self._grade_all(todo, stop)
            if stop.abandon:
                _end_running_children(self.runner)
            else:
                close = getattr(self.runner, "close", None)
                if close is not None:
                    close()
            self.grader.verifier.close()
            self.book.compact()
            self._write_derived(force=True)
        self._summary(len(subs), skipped, len(todo) - self.graded_now, time.monotonic() - start,
                      stop.requested)
        if self.write_failed:
            self.errors.print(f"[bold red]could not write the results:[/] {self.write_failed}")
            return EXIT_GRADER_FAILED
        if stop.requested:
            return EXIT_INTERRUPTED
        return EXIT_GRADER_FAILED if self.grader_failures else EXIT_OK

    def _grade_all(self, todo: list[tuple[Submission, str]], stop: "_StopRequest") -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn, TimeRemainingColumn)
        if not todo:
            return
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
                            TimeRemainingColumn(), console=self.console,
                            disable=self.args.quiet, transient=False)
        # Two stages: `jobs` workers run the submissions; one thread finishes each (the clean
        # process's measurement, then the checks), so a worker starts its next submission
        # while the last one is measured again.
        pool = ThreadPoolExecutor(max_workers=self.args.jobs, thread_name_prefix="grade")
        finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish")
        runs: dict[Future, tuple[Submission, str]] = {
            pool.submit(self._run_one, sub): (sub, digest) for sub, digest in todo}
        finishes: dict[Future, tuple[Submission, str]] = {}
        pending = set(runs)
        cancelled = False
        with progress:
            task = progress.add_task("grading", total=len(todo))
            while pending and not stop.abandon:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut.cancelled():
                        continue
                    if fut in runs:
                        sub, digest = runs[fut]
                        later = finisher.submit(self._finish_one, sub, fut)
                        finishes[later] = (sub, digest)
                        pending.add(later)
                    else:
                        self._record(fut, *finishes[fut], progress)
                        progress.advance(task)
                if self.write_failed:
                    stop.requested = True
                if stop.requested and not cancelled:
                    cancelled = True
                    # runs not started are dropped; a run under way, and the finishing of one
                    # that ran, complete: nothing graded is lost
                    for fut in pending:
                        if fut in runs:
                            fut.cancel()
                    pending = {f for f in pending if not f.cancelled()}
                    progress.update(task, description="stopping")
                    if pending and not stop.abandon:
                        self.errors.print(
                            f"Stopping: waiting for the {len(pending)} grading(s) under way "
                            f"(at most {self.args.limits_.timeout_s:g} s); Ctrl-C again to stop at once.")
        pool.shutdown(wait=not stop.abandon, cancel_futures=True)
        finisher.shutdown(wait=not stop.abandon, cancel_futures=True)

    def _run_one(self, sub: Submission):
        """In a worker thread: run the submission (a child process of its own)."""
        return self.grader.run(sub.path, only=self.only)

    def _finish_one(self, sub: Submission, ran: Future):
        """In the finishing thread: the clean measurement and the checks. The report is
        rendered by the main thread."""
        tb = ""
        try:
            result = self.grader.finish(ran.result())
            if self.rubric is not None:
                from grader.rubric import apply_rubric
                result = apply_rubric(result, self.rubric)
        except Exception:  # a grader bug: still a record and a report, and exit code 1
            tb = traceback.format_exc()
            result = grader_failure(self.grader, sub.path, tb, self.only, self.rubric)
        result.notes[:0] = sub.notes
        return result, tb

    def _record(self, fut: Future, sub: Submission, digest: str, progress) -> None:
        """In the main thread, in the order gradings finish: report, then the durable line,
        then the files derived from the lines."""
        from reports.html import render_html
        try:
            result, tb = fut.result()
        except BaseException:  # not even a failure record could be built: never lose it
            tb = traceback.format_exc()
            result = grader_failure(self.grader, sub.path, tb, self.only, self.rubric)
            result.notes[:0] = sub.notes
        try:
            html = render_html(result)
        except Exception:
            tb = tb or traceback.format_exc()
            html = _fallback_html(result.to_dict(), tb)
        record = result.to_dict()
        record["batch"] = {
            "id": sub.id, "file": display_rel(sub.path, self.folder),
            "files": [display_rel(f, self.folder) for f in sub.files], "hash": digest,
            "content": file_digest(sub.path), "ambiguous": sub.ambiguous,
            "grader_failed": bool(tb), "graded_at": _now(), "options": self.options}
        if tb:
            record["batch"]["traceback"] = tb
        try:
            report = self.out / report_href(sub.id)
            report.parent.mkdir(parents=True, exist_ok=True)  # submissions/<section>/
            write_atomic(report, html)
            self.book.append(record)
            self.graded_now += 1
            self.book.write_grades()
            self._write_derived()
        except OSError as exc:
            where = display_path(exc.filename or self.out)
            self.write_failed = f"{where}: {exc.strerror or exc}"
            return
        if tb:
            from rich.markup import escape
            self.grader_failures += 1
            self.errors.print(f"[bold magenta]The grader itself failed on "
                              f"{escape(display_path(sub.path))}:[/] "
                              f"{escape(tb.strip().splitlines()[-1])}")
        if not self.args.quiet:
            progress.console.print(_line(record))

    def _write_derived(self, force: bool = False) -> None:
        """grades.csv and index.html from the records; the dashboard at most once a second
        while grading (it is rebuilt whole), always at the start and the end."""
        if force:
            self.book.write_grades()
        if not force and time.monotonic() - self._index_written < 1.0:
            return
        from reports.dashboard import render_dashboard
        html = render_dashboard(self.book.current(),
                                title=display_path(self.folder.resolve().name),
                                options=self.options, titles=self.titles,
                                grader_version=self.version, folder_notes=self.folder_notes)
        write_atomic(self.out / INDEX, html)
        self._index_written = time.monotonic()

    def _summary(self, total: int, skipped: int, not_graded: int, wall: float,
                 interrupted: bool) -> None:
        records = self.book.current()
        verdicts = [r.get("verdict") for r in records]
        parts = [f"{self.graded_now} graded in {wall:.0f} s"]
        if skipped:
            parts.append(f"{skipped} unchanged since the last run (--force re-grades them)")
        if interrupted and not_graded:
            parts.append(f"{not_graded} not graded yet: run the same command again")
        self.console.print("; ".join(parts) + ".")
        self.console.print(
            f"Class: {verdicts.count('pass')} pass, {verdicts.count('fail')} fail, "
            f"{verdicts.count('error')} could not be graded (of {len(records)}).")
        self.console.print(f"Dashboard: {display_path(self.out / INDEX)}", soft_wrap=True,
                           markup=False)
        self.console.print(f"Gradebook: {display_path(self.out / GRADES)}", soft_wrap=True,
                           markup=False)


# -- helpers ----------------------------------------------------------------------------------
def _expected_cost(sub: Submission) -> int:
    total = 0
    for f in sub.files:
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


class _StopRequest:
    """Ctrl-C once: start nothing new, let the gradings under way finish and record them.
    Ctrl-C twice (or SIGTERM): stop at once. The handler only sets flags, so an interrupt
    never lands in the middle of writing a file."""

    def __init__(self):
        self.requested = False
        self.abandon = False

    def __call__(self, signum, frame) -> None:
        if self.requested or signum == signal.SIGTERM:
            self.abandon = True
        self.requested = True

    def installed(self):
        stop = self

        class _Installed:
            def __enter__(self):
                self.previous = {}
                if threading.current_thread() is threading.main_thread():
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        self.previous[sig] = signal.signal(sig, stop)
                return stop

            def __exit__(self, *exc):
                for sig, handler in self.previous.items():
                    signal.signal(sig, handler)
        return _Installed()


def _end_running_children(runner) -> None:
    """Stopping at once: close the runner and kill every child process this process started,
    with its process group, so no student code outlives the batch unsupervised."""
    close = getattr(runner, "close", None)
    if close is not None:
        try:
            close()
        except Exception:
            pass
    from grader.runner import kill_children
    kill_children()


def _exit_now_if_stuck(code: int, grace_s: float = 3.0) -> None:
    """After Ctrl-C twice, everything is written; if a grading thread still waits on a runner
    that did not let go, do not let the interpreter wait for it at exit."""
    deadline = time.monotonic() + grace_s
    for t in threading.enumerate():
        if t.name.startswith("grade_"):
            t.join(max(0.0, deadline - time.monotonic()))
    if any(t.name.startswith("grade_") and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def grader_failure(grader, path: Path, tb: str, only: list[str] | None, rubric=None):
    """The Result of a submission the grader crashed on: an error verdict naming the grader,
    not the student (see Grader.failure). The traceback goes to results.jsonl
    (batch.traceback), not the report."""
    last = tb.strip().splitlines()[-1] if tb.strip() else "unknown error"
    result = grader.failure(path, last, only)
    if rubric is not None:
        graded = only or rubric.graded_exercises()
        result.max_score = sum(rubric.max_score(e) for e in graded if e in rubric.rules)
    return result


def _fallback_html(record: dict[str, Any], tb: str) -> str:
    from html import escape
    return ("<!doctype html><meta charset='utf-8'><title>report</title>"
            "<p>The grader could not render this report; this is not the student's mistake."
            f"<pre>{escape(json.dumps(record, indent=2, default=str))}</pre>"
            f"<pre>{escape(tb)}</pre>")


def _line(record: dict[str, Any]):
    from rich.text import Text
    icon, style = {"pass": ("✔", "green"), "fail": ("✘", "red")}.get(
        record.get("verdict"), ("!", "magenta"))
    meta = record["batch"]
    return Text.assemble(
        (f"{icon} ", style), (f"{meta['id']:<24} ", "bold"),
        f"{record.get('score', 0):g}/{record.get('max_score', 0):g}  ",
        (", ".join(record.get("mistakes", [])) or "—", "dim" if record.get("verdict") == "pass" else ""),
        (f"  {record.get('duration_s', 0):.1f} s", "dim"),
        ("  (file chosen by a guess: see the report's notes)" if meta.get("ambiguous") else "",
         "yellow"))


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
