"""The Gradescope hook: grade what lies in /autograder/submission/, write
/autograder/results/results.json (`run_autograder` in the bundle calls this).

Whatever happens, a valid results file is left behind with a message the student can act on:
a placeholder is written before grading starts (so a hard kill by Gradescope's own timeout or
the kernel's OOM killer leaves it), a deadline stops grading before Gradescope's limit, and any
exception becomes a results file that says the grader failed, not the student. After a deadline
or a crash, whatever grading started and left running (the sandboxed child) is killed.

    python -m grader.lms.gradescope [--root /autograder] [--rubric FILE] [--output-format md]

Everything printed here goes to /autograder/results/stdout, which only instructors see unless
the rubric sets `stdout_visibility`; then only the student's view is printed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.durable import safe_stdio
from grader.lms.common import (code_timeout, find_submission, grade_guarded, hook_problem,
                               problem_result, write_json_atomic)
from grader.settings import seconds, seconds_or_zero

DEFAULT_ROOT = Path("/autograder")

# Written first, replaced when grading finishes: what the student sees if the job is killed.
PLACEHOLDER = {
    "score": 0,
    "output": "The autograder stopped before it finished (it ran out of time or memory). "
              "Check that your code does not train for long or build very large arrays when it "
              "is imported, then submit again. If this message comes back, tell your instructor.",
    "output_format": "text",
    "stdout_visibility": "hidden",
    "tests": [],
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade-gradescope",
                                description="Gradescope autograder entry point.")
    p.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                   help="the autograder folder (default /autograder)")
    p.add_argument("--submission", type=Path, help="default: ROOT/submission")
    p.add_argument("--results", type=Path, help="default: ROOT/results/results.json")
    p.add_argument("--rubric", type=Path,
                   help="rubric TOML (default: ROOT/source/rubric.toml if present, else built-in)")
    p.add_argument("--output-format", choices=("md", "html"),
                   help="format of the student-facing output (default: the rubric's, else md)")
    p.add_argument("--timeout", type=seconds, default=60.0,
                   help="seconds the submission's code may run (default 60)")
    p.add_argument("--deadline", type=seconds_or_zero, default=540.0,
                   help="seconds after which grading stops and the results say so (default 540,"
                        " under Gradescope's default 10-minute limit)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    safe_stdio()
    if args.root.exists() and not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder; it must be the autograder folder")
    results = args.results or args.root / "results" / "results.json"
    submission_dir = args.submission or args.root / "submission"
    rubric_path = args.rubric or (args.root / "source" / "rubric.toml")
    write_json_atomic(results, PLACEHOLDER)
    data, log = grade_guarded(
        args.deadline,
        lambda: grade_folder(submission_dir,
                             rubric_path if rubric_path.exists() or args.rubric else None,
                             args.output_format, code_timeout(args.timeout, args.deadline)),
        _failure)
    size = write_json_atomic(results, data)
    print(log)
    print(f"results: {results} ({size:,} bytes)")
    return 0


def grade_folder(folder: Path, rubric_path: Path | None, output_format: str | None,
                 timeout_s: float) -> tuple[dict, str]:
    """Grade the one submission in `folder`: (results.json data, instructor log)."""
    from grader.exercise import load_exercises
    from grader.rubric import RubricError, load_rubric
    from reports.gradescope import render_gradescope

    exercises = load_exercises()
    try:
        rubric = load_rubric(rubric_path, exercises)
    except RubricError as exc:
        return _failure("misconfigured", str(exc))
    fmt = output_format or rubric.gradescope["output_format"]
    visibility = rubric.gradescope["stdout_visibility"]
    found = find_submission(folder, rubric.submission) if folder.is_dir() else \
        hook_problem("no_submission", "no submission folder")
    if isinstance(found, Path):
        from grader.grading import Grader
        from grader.rubric import grade_with_rubric
        from grader.runner import Limits
        result = grade_with_rubric(Grader(limits=Limits(timeout_s=timeout_s), exercises=exercises),
                                   found, rubric)
    else:
        result = problem_result(str(folder), found,
                                sum(rubric.max_score(e) for e in rubric.graded_exercises()))
    data = render_gradescope(result, fmt, visibility)
    return data, _log(result, rubric, public_only=visibility != "hidden")


def _log(result, rubric, public_only: bool) -> str:
    """For /autograder/results/stdout: everything for instructors, or only the student's view
    when students can read stdout too."""
    from grader.rubric import StudentView
    view = StudentView.of(result)
    lines = [f"submission: {result.submission}", f"rubric: {rubric.source}",
             f"verdict: {result.verdict.value}   score {result.score:g} / {result.max_score:g}"
             if not public_only else "", view.summary(result)]
    pairs = view.shown if public_only else view.shown + view.withheld
    for ex, f in pairs:
        lines.append(f"  [{f.status.value:7}] {ex.id}.{f.check} ({f.visibility}): {f.message}")
    return "\n".join(line for line in lines if line)


def _failure(kind: str, detail: str) -> tuple[dict, str]:
    # Only the rubric's own error is shown to the student: it names a file and line, and tells
    # them to pass it on. An exception's text stays in the instructors' log.
    problem = hook_problem(kind, detail if kind == "misconfigured" else "")
    try:
        from reports.gradescope import render_gradescope
        data = render_gradescope(problem_result("(submission)", problem), "text", "hidden")
    except Exception:  # noqa: BLE001 - the renderer itself is broken: plain data still works
        data = dict(PLACEHOLDER, output=f"{problem.message}. {problem.hint}")
    return data, f"{kind}: {detail}"


if __name__ == "__main__":
    sys.exit(main())
