"""`grade PATH`: grade one submission, print a summary, write the HTML and JSON reports.

Exit codes: 0 every check passed; 1 a check failed or the submission could not be graded;
2 the grader was used wrongly (missing file, unknown option or exercise).
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def build_parser(exercise_ids: list[str]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade",
        description="Grade a Keras 'Models three ways' submission (.py or .ipynb) and name "
                    "the mistakes in it.")
    p.add_argument("path", help="the submission: a .py file or a Jupyter notebook")
    p.add_argument("--exercise", action="append", metavar="ID",
                   help=f"grade only this exercise (repeatable): {', '.join(exercise_ids)}")
    p.add_argument("--format", choices=("terminal", "json", "junit"), default="terminal",
                   help="terminal (default): a summary; json: exactly one JSON object on stdout; "
                        "junit: JUnit XML on stdout (one test case per check)")
    p.add_argument("--rubric", metavar="FILE",
                   help="rubric TOML: points, visibility and required exercises")
    p.add_argument("--out", metavar="DIR",
                   help="where to write the reports (default: next to the submission)")
    p.add_argument("--no-report", action="store_true", help="do not write HTML/JSON report files")
    from grader.settings import add_limit_options
    add_limit_options(p)
    return p


def main(argv: list[str] | None = None) -> int:
    """Dispatch: `grade bundle …` (LMS bundles), `grade FOLDER` (a class), `grade FILE`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "bundle":
        from grader.lms.bundle_cli import main as bundle_main
        return bundle_main(argv[1:])
    first = _first_positional(argv)
    if first is not None and Path(first).is_dir():
        from grader.batch import main as batch_main
        return batch_main(argv)
    return grade_file_main(argv)


# Options of `grade FILE` and `grade FOLDER` that take a value (the value is not the path).
OPTIONS_WITH_VALUE = {"--exercise", "--format", "--out", "--timeout", "--memory", "--jobs", "-j",
                      "--rubric", "--limits", "--output-limit", "--sandbox"}


def _first_positional(argv: list[str]) -> str | None:
    """The path argument, wherever it stands: `grade --out reports/ submissions/` grades the
    folder submissions/, not reports/."""
    args = iter(argv)
    for a in args:
        if a == "--":
            return next(args, None)
        if a in OPTIONS_WITH_VALUE:
            next(args, None)
        elif not a.startswith("-"):
            return a
    return None


def grade_file_main(argv: list[str]) -> int:
    from grader.exercise import load_exercises

    exercises = load_exercises()
    parser = build_parser(sorted(exercises))
    args = parser.parse_args(argv)  # exits 2 on unknown options
    path = Path(args.path)
    if not path.exists():
        parser.error(f"no such file: {path}")
    rubric = check_grading_options(parser, args, exercises)

    from rich.console import Console
    console = Console(stderr=args.format != "terminal", highlight=False)
    try:
        result = grade_one(path, args, exercises)
        if rubric is not None:
            from grader.rubric import apply_rubric
            result = apply_rubric(result, rubric)
    except Exception:  # a grader bug: still a verdict, never a bare traceback
        return _grader_failure(path, args, console)

    report_paths = [] if args.no_report else write_reports(result, path, args.out, console)
    from reports.terminal import render_terminal
    render_terminal(result, console, report_paths)
    if args.format == "json":
        from reports.json_report import render_json
        sys.stdout.write(render_json(result) + "\n")
    elif args.format == "junit":
        from reports.junit import render_junit
        sys.stdout.write(render_junit(result))
    return EXIT_PASS if result.verdict.value == "pass" else EXIT_FAIL


def check_grading_options(parser: argparse.ArgumentParser, args, exercises):
    """What `grade FILE` and `grade FOLDER` share: known exercise ids, the sandbox limits (set as
    `args.limits_`) and the rubric, which is returned. Anything wrong is a usage error (exit 2)."""
    unknown = [e for e in args.exercise or [] if e not in exercises]
    if unknown:
        parser.error(f"unknown exercise {', '.join(unknown)}; known: {', '.join(sorted(exercises))}")
    from grader.settings import LimitsError, limits_from_args
    try:
        args.limits_ = limits_from_args(args)
    except LimitsError as exc:
        parser.error(str(exc))
    return rubric_from_option(parser, args, exercises)


def rubric_from_option(parser: argparse.ArgumentParser, args, exercises):
    """The rubric named by --rubric (None without one); an invalid one is a usage error that
    names the line. The exercises it requires are graded unless --exercise says otherwise."""
    if not args.rubric:
        return None
    from grader.rubric import RubricError, load_rubric
    try:
        rubric = load_rubric(args.rubric, exercises)
    except RubricError as exc:
        parser.error(f"invalid rubric: {exc}")
    if rubric.required is not None and not args.exercise:
        args.exercise = list(rubric.required)
    return rubric


def grade_one(path: Path, args, exercises):
    from grader.grading import Grader
    return Grader(limits=args.limits_, exercises=exercises).grade(path, only=args.exercise)


def write_reports(result, path: Path, out: str | None, console) -> list[str]:
    """Write <stem>.report.html and <stem>.report.json; fall back to the current folder if the
    submission's folder is read-only, so no result is lost."""
    from reports.html import render_html
    from reports.json_report import render_json
    for folder in ([Path(out)] if out else [path.parent, Path.cwd()]):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            html = folder / f"{path.stem}.report.html"
            js = folder / f"{path.stem}.report.json"
            html.write_text(render_html(result), encoding="utf-8")
            js.write_text(render_json(result), encoding="utf-8")
            return [str(html), str(js)]
        except OSError as exc:
            console.print(f"could not write the report to {folder}: {exc.strerror}")
    return []


def _grader_failure(path: Path, args, console) -> int:
    import json
    detail = traceback.format_exc()
    console.print(f"[bold magenta]The grader itself failed on {path}[/]: this is not your "
                  f"mistake. Please send this message to your instructor.")
    console.print(detail.strip().splitlines()[-1], markup=False)
    if args.format == "json":
        sys.stdout.write(json.dumps({
            "submission": str(path), "verdict": "error", "score": 0, "max_score": 0,
            "mistakes": ["grader_error"], "exercises": [],
            "problems": [{"check": "submission", "status": "error", "mistake": "grader_error",
                          "message": detail.strip().splitlines()[-1]}]}) + "\n")
    elif args.format == "junit":
        from grader.lms.common import hook_problem, problem_result
        from reports.junit import render_junit
        sys.stdout.write(render_junit(problem_result(str(path), hook_problem("grader_error"))))
    return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
