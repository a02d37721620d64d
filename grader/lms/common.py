"""What the LMS hooks share: finding the submitted file, results for submissions that cannot be
graded, atomic writes, and a deadline so that a hook always leaves a results file behind."""
from __future__ import annotations

import fnmatch
import signal
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from grader import __version__
from grader.durable import dumps, write_atomic
from grader.findings import Finding, Result, Status, Verdict
from grader.mistakes import catalogue
from grader.runner import child_pids, kill_children
from grader.submission import EXTENSIONS

IGNORED_PARTS = ("__MACOSX", "__pycache__", ".ipynb_checkpoints")

# Submission-level problems the hooks find before the grader runs. Prose as in grader.mistakes.
HOOK_PROBLEMS = {
    "no_submission": (
        "No file was submitted",
        "Upload your notebook (.ipynb) or Python file (.py) with your solution."),
    "several_submissions": (
        "More than one Python file or notebook was submitted",
        "Submit exactly one .py file or .ipynb notebook (remove copies and scratch files), or "
        "ask your instructor which file name the autograder expects."),
    "grader_error": (
        "The autograder itself failed",
        "This is not your mistake. Submit again once; if this message comes back, tell your "
        "instructor the time of your submission."),
    "grader_timeout": (
        "The autograder ran out of time",
        "Check that your code does not train for long or loop forever when it is imported "
        "(put long runs under `if __name__ == \"__main__\":`), then submit again; if this "
        "message comes back, tell your instructor."),
    "misconfigured": (
        "The autograder is misconfigured",
        "This is not your mistake: tell your instructor (the message below is for them)."),
}


def find_submission(folder: Path, patterns: tuple[str, ...] = ()) -> Path | Finding:
    """The one file to grade in an upload folder, or the problem that stops us choosing one.

    Exactly one .py/.ipynb file: that one. Several: the one the rubric's `submission` patterns
    single out. None, but exactly one other file: that file, so the grader can say why it is not
    gradable ("not a Python file or a notebook")."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not _ignored(p, folder))
    code = [p for p in files if p.suffix.lower() in EXTENSIONS]
    for pattern in patterns:
        chosen = [p for p in code if fnmatch.fnmatch(p.name, pattern)
                  or fnmatch.fnmatch(str(p.relative_to(folder)), pattern)]
        if len(chosen) == 1:
            return chosen[0]
    if len(code) == 1:
        return code[0]
    if len(code) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in code[:8])
        return hook_problem("several_submissions", f"found {len(code)}: {names}"
                            + (" …" if len(code) > 8 else ""))
    if len(files) == 1:
        return files[0]
    if files:
        names = ", ".join(str(p.relative_to(folder)) for p in files[:8])
        return hook_problem("no_submission", f"no .py or .ipynb file among: {names}")
    return hook_problem("no_submission", "the submission folder is empty")


def _ignored(p: Path, folder: Path) -> bool:
    parts = p.relative_to(folder).parts
    return any(part in IGNORED_PARTS or part.startswith(".") for part in parts)


def hook_problem(mistake: str, detail: str = "") -> Finding:
    title, hint = HOOK_PROBLEMS.get(mistake) or _from_catalogue(mistake)
    return Finding("submission", Status.FAIL if mistake in ("no_submission",
                                                             "several_submissions")
                   else Status.ERROR, mistake, title=title, hint=hint,
                   message=f"{title}: {detail}" if detail else title,
                   facts={"detail": detail})


def _from_catalogue(mistake: str) -> tuple[str, str]:
    m = catalogue().get(mistake)
    return (m.title, m.hint) if m else (mistake.replace("_", " "), "")


def problem_result(path: str, problem: Finding, max_score: float = 0.0) -> Result:
    return Result(path, Verdict.ERROR, score=0.0, max_score=max_score, exercises=[],
                  problems=[problem], grader_version=__version__)


def write_json_atomic(path: Path, data: Any) -> int:
    """Write JSON so that a reader never sees half a file; returns the size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, dumps(data, indent=1))


class DeadlineExceeded(BaseException):
    """Not an Exception: no `except Exception` on the way (runner, checks) may swallow it."""


DEADLINE_MARGIN_S = 5.0  # after the sandbox's own timeout: kill, collect, score, render, write


def code_timeout(timeout_s: float, deadline_s: float | None) -> float:
    """The wall clock the submission's code gets: what was asked, but ending early enough before
    the hook's deadline that the sandbox stops the code itself and its results name the
    student's timeout; the deadline stays a last resort for a grader that hangs."""
    if not deadline_s or deadline_s <= 0:
        return timeout_s
    return max(1.0, min(timeout_s, deadline_s - DEADLINE_MARGIN_S))


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise DeadlineExceeded in the main thread after `seconds` (the LMS kills a job that runs
    past its own limit; stopping first lets the hook still write a results file)."""
    if not seconds or seconds <= 0 or not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum, frame):
        raise DeadlineExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_guarded(deadline_s: float, grade: Callable[[], tuple[dict, str]],
                  failure: Callable[[str, str], tuple[dict, str]]) -> tuple[dict, str]:
    """Run a hook's grading under its deadline and always come back with (results data,
    instructor log): a deadline becomes `failure("grader_timeout", …)`, any exception
    `failure("grader_error", …)` with the traceback in the log only, and in both cases what
    grading started and left running is killed. Ctrl-C still stops a hook run by hand."""
    import traceback

    before = child_pids()
    try:
        with deadline(deadline_s):
            return grade()
    except DeadlineExceeded:
        killed = kill_children(spare=before)
        return failure("grader_timeout", f"grading took longer than {deadline_s:g} s"
                       + (f"; killed {len(killed)} leftover process(es)" if killed else ""))
    except BaseException as exc:  # noqa: BLE001 - a results file must be written whatever failed
        if isinstance(exc, KeyboardInterrupt):
            raise
        kill_children(spare=before)
        data, log = failure("grader_error", f"{type(exc).__name__}: {exc}")
        return data, log + "\n" + traceback.format_exc()
