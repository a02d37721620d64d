"""The PrairieLearn external-grader entry point: grade what lies in /grade/student/, write
/grade/results/results.json (PrairieLearn does not create /grade/results; this does).

    python -m grader.lms.prairielearn [--root /grade] [--rubric FILE] [--timeout S] [--deadline S]

Set it as the question's `externalGradingOptions.entrypoint`, in an image with the grader
installed. The rubric defaults to /grade/tests/rubric.toml, then
/grade/serverFilesCourse/rubric.toml, then the built-in one. `params.exercises` in
/grade/data/data.json (a list of exercise ids), when present, narrows what this question grades.

PrairieLearn kills a job at its `timeout` (30 s unless info.json says more) and then shows a
generic failure, so the deadline here stops grading first and still writes a results file (and
kills what grading left running). The submission's code gets at most the deadline less a margin
(grader.lms.common.code_timeout), so a loop that never ends is stopped by the sandbox and reported
as the student's timeout; the deadline is the last resort for a grader that hangs.
A submission the student must fix before it can be graded (syntax error, not a notebook, no
file) is `gradable: false`, which does not cost an attempt; so is a failure of the grader.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.durable import safe_stdio
from grader.lms.common import (code_timeout, find_submission, grade_guarded, hook_problem,
                               problem_result, write_json_atomic)
from grader.settings import seconds, seconds_or_zero

DEFAULT_ROOT = Path("/grade")

PLACEHOLDER = {
    "gradable": False,
    "score": 0.0,
    "message": "The autograder stopped before it finished (it ran out of time or memory).",
    "format_errors": ["The autograder stopped before it finished (it ran out of time or "
                      "memory). Check that your code does not train for long or build very "
                      "large arrays when it runs, then submit again; if this comes back, tell "
                      "your instructor."],
    "output": "",
    "tests": [],
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade-prairielearn",
                                description="PrairieLearn external grader entry point.")
    p.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                   help="the grading job folder (default /grade)")
    p.add_argument("--rubric", type=Path, help="rubric TOML (default: see module docs)")
    p.add_argument("--timeout", type=seconds, default=20.0,
                   help="seconds the submission's code may run (default 20)")
    p.add_argument("--deadline", type=seconds_or_zero, default=27.0,
                   help="seconds after which grading stops (default 27, under PrairieLearn's "
                        "default 30 s job timeout; raise both together)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    safe_stdio()
    if args.root.exists() and not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder; it must be the grading job folder")
    results = args.root / "results" / "results.json"
    write_json_atomic(results, PLACEHOLDER)
    data, log = grade_guarded(
        args.deadline,
        lambda: grade_job(args.root, args.rubric, code_timeout(args.timeout, args.deadline)),
        _failure)
    size = write_json_atomic(results, data)
    print(log, file=sys.stderr)
    print(f"results: {results} ({size:,} bytes)", file=sys.stderr)
    return 0


def grade_job(root: Path, rubric_path: Path | None, timeout_s: float) -> tuple[dict, str]:
    from grader.exercise import load_exercises
    from grader.rubric import RubricError, load_rubric
    from reports.prairielearn import render_prairielearn

    exercises = load_exercises()
    if rubric_path is None:
        rubric_path = next((p for p in (root / "tests" / "rubric.toml",
                                        root / "serverFilesCourse" / "rubric.toml")
                            if p.exists()), None)
    try:
        rubric = load_rubric(rubric_path, exercises)
        wanted = _params_exercises(root / "data" / "data.json")
        if wanted is not None:
            unknown = [e for e in wanted if e not in exercises]
            if unknown:
                raise RubricError(f"params.exercises names unknown exercise(s) "
                                  f"{', '.join(unknown)}; known: {', '.join(sorted(exercises))}",
                                  "data.json")
            rubric.required = tuple(wanted)
    except RubricError as exc:
        return _failure("misconfigured", str(exc))
    found = find_submission(root / "student", rubric.submission) \
        if (root / "student").is_dir() else hook_problem("no_submission", "no student folder")
    if isinstance(found, Path):
        from grader.grading import Grader
        from grader.rubric import grade_with_rubric
        from grader.runner import Limits
        result = grade_with_rubric(Grader(limits=Limits(timeout_s=timeout_s), exercises=exercises),
                                   found, rubric)
    else:
        result = problem_result(str(root / "student"), found)
    data = render_prairielearn(result)
    return data, (f"submission: {result.submission}; rubric: {rubric.source}; "
                  f"verdict {result.verdict.value}; score {result.score:g}/{result.max_score:g}")


def _params_exercises(path: Path) -> list[str] | None:
    """`params.exercises` from data.json, if the question sets it: an exercise id or a list of
    them. Anything else is the question's misconfiguration (a RubricError naming it)."""
    from grader.rubric import RubricError
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    params = data.get("params") if isinstance(data, dict) else None
    if params is None:
        return None
    if not isinstance(params, dict):
        raise RubricError(f"params must be an object, not {_short(params)}", "data.json")
    value = params.get("exercises")
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RubricError(f"params.exercises must be an exercise id or a non-empty list of "
                          f"them, not {_short(value)}", "data.json")
    return value


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _failure(kind: str, detail: str) -> tuple[dict, str]:
    problem = hook_problem(kind, detail if kind == "misconfigured" else "")
    try:
        from reports.prairielearn import render_prairielearn
        data = render_prairielearn(problem_result("(submission)", problem))
    except Exception:  # noqa: BLE001 - the renderer itself is broken: plain data still works
        data = dict(PLACEHOLDER, message=problem.message,
                    format_errors=[problem.message, problem.hint])
    return data, f"{kind}: {detail}"


if __name__ == "__main__":
    sys.exit(main())
