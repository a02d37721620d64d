"""`grade PATH`: grade one submission, print a summary, write the HTML and JSON reports.

Exit codes: 0 every check passed; 1 a check failed or the submission could not be graded;
2 the grader was used wrongly (missing file, unknown option or exercise, bad --out: a message
on stderr and nothing on stdout); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
NAME_MAX = 255  # bytes in one file name on ext4, APFS, NTFS (in UTF-16 units there)


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
    from grader.durable import safe_stdio
    safe_stdio()
    if argv and argv[0] == "bundle":
        from grader.lms.bundle_cli import main as bundle_main
        return bundle_main(argv[1:])
    first = _first_positional(argv)
    if first and Path(first).is_dir():
        from grader.batch import main as batch_main
        return batch_main(argv)
    try:
        return grade_file_main(argv)
    except KeyboardInterrupt:
        return interrupted()


def interrupted() -> int:
    """Ctrl-C during `grade FILE`: one line, nothing left running, exit 130."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up
    except ValueError:  # not the main thread
        pass
    from grader.runner import kill_children
    kill_children()
    print("grade: interrupted (Ctrl-C): not graded, no report written", file=sys.stderr)
    return EXIT_INTERRUPTED


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
    if not args.path:
        parser.error("the path is empty: name a .py or .ipynb file, or a folder of them")
    path = Path(args.path)
    if not path.exists() and not path.is_symlink():
        parser.error(f"no such file: {display_path(path)}")
    if path.is_dir():  # `grade -- FOLDER` and the like end up here
        parser.error(f"{display_path(path)} is a folder: run `grade {display_path(path)} "
                     f"--out DIR` to grade a class")
    rubric = check_grading_options(parser, args, exercises)
    if args.out and not args.no_report:
        problem = out_folder_problem(Path(args.out))
        if problem:
            parser.error(problem)

    from rich.console import Console
    console = Console(stderr=args.format != "terminal", highlight=False)
    start = time.monotonic()
    try:
        result = grade_one(path, args, exercises)
        if rubric is not None:
            from grader.rubric import apply_rubric
            result = apply_rubric(result, rubric)
        failed = ""
    except Exception:  # a grader bug: still a verdict and its reports, never a bare traceback
        failed = traceback.format_exc()
        result = failure_result(path, args, exercises, rubric, failed, time.monotonic() - start)
        console.print(f"[bold magenta]The grader itself failed on {display_path(path)}[/]: this "
                      f"is not your mistake. Please send this message to your instructor.")
        console.print(failed.strip().splitlines()[-1], markup=False)

    report_paths = [] if args.no_report else write_reports(result, path, args.out, console)
    from reports.terminal import render_terminal
    render_terminal(result, console, report_paths)
    if args.format == "json":
        from reports.json_report import render_json
        sys.stdout.write(render_json(result) + "\n")
    elif args.format == "junit":
        from reports.junit import render_junit
        sys.stdout.write(render_junit(result))
    if not args.no_report and not report_paths:
        print("grade: no report file could be written (see above)", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_PASS if result.verdict.value == "pass" and not failed else EXIT_FAIL


def out_folder_problem(out: Path) -> str:
    """Why --out cannot receive the reports ("" if it can), found before grading starts."""
    shown = display_path(out)
    if out.exists() and not out.is_dir():
        return f"--out {shown} is a file, not a folder"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"--out {shown}: cannot create the folder ({exc.strerror or exc})"
    if not os.access(out, os.W_OK | os.X_OK):
        return f"--out {shown}: the folder is not writable"
    return ""


def failure_result(path: Path, args, exercises, rubric, tb: str, duration_s: float):
    """The complete Result of a grading the grader itself broke on (grading.grader_failure),
    out of as many points as any other submission of the assignment."""
    from grader.grading import grader_failure
    only = args.exercise or (rubric.graded_exercises() if rubric is not None else None)
    result = grader_failure(exercises, path, tb.strip().splitlines()[-1] if tb.strip()
                            else "unknown error", only, duration_s)
    if rubric is not None:
        result.max_score = sum(rubric.max_score(e) for e in only if e in rubric.rules)
    return result


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


def display_path(path) -> str:
    from grader.durable import display_path as shown
    return shown(path)


def grade_one(path: Path, args, exercises):
    from grader.grading import Grader
    return Grader(limits=args.limits_, exercises=exercises).grade(path, only=args.exercise)


def write_reports(result, path: Path, out: str | None, console) -> list[str]:
    """Write <stem>.report.html and <stem>.report.json, each replaced whole; fall back to the
    current folder if the submission's folder is read-only, so no result is lost."""
    from grader.durable import write_atomic
    from reports.html import render_html
    from reports.json_report import render_json
    stem = report_stem(path.stem)
    for folder in ([Path(out)] if out else [path.parent, Path.cwd()]):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            html = folder / f"{stem}.report.html"
            js = folder / f"{stem}.report.json"
            write_atomic(html, render_html(result))
            write_atomic(js, render_json(result))
            return [display_path(html), display_path(js)]
        except OSError as exc:
            console.print(f"could not write the report to {display_path(folder)}: "
                          f"{exc.strerror or exc}", markup=False)
    return []


def report_stem(stem: str, limit: int = NAME_MAX - len(".report.html") - 16) -> str:
    """The submission's stem, shortened (with a hash of the whole, so two long names stay
    apart) when `<stem>.report.html` and the temporary name beside it would pass the file
    system's limit of 255 bytes a name."""
    if len(os.fsencode(stem)) <= limit:
        return stem
    tag = "-" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
    cut = stem
    while len(os.fsencode(cut)) > limit - len(tag):
        cut = cut[:-1]
    return cut + tag


if __name__ == "__main__":
    sys.exit(main())
