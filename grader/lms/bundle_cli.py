"""`grade bundle gradescope --rubric rubric.toml -o autograder.zip`: the zip to upload on
Gradescope's "Configure Autograder" page.

Exit codes: 0 written; 2 used wrongly (unknown option, invalid rubric: the message names the
line); 1 the bundle could not be built.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.settings import seconds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade bundle",
                                description="Package the grader for a learning-management system.")
    sub = p.add_subparsers(dest="lms", required=True, metavar="LMS")
    gs = sub.add_parser("gradescope", help="the autograder.zip Gradescope expects",
                        description="Write the zip Gradescope expects: setup.sh, run_autograder, "
                                    "the rubric, pinned requirements and the grader's source.")
    gs.add_argument("--rubric", type=Path, metavar="FILE",
                    help="rubric TOML (default: the built-in rubric, written into the zip)")
    gs.add_argument("-o", "--output", type=Path, default=Path("autograder.zip"), metavar="ZIP",
                    help="where to write the zip (default autograder.zip)")
    gs.add_argument("--output-format", choices=("md", "html"),
                    help="student-facing test output format (default: the rubric's, else md)")
    gs.add_argument("--timeout", type=seconds, default=60.0, metavar="S",
                    help="seconds a submission's code may run (default 60)")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from grader.exercise import load_exercises
    from grader.lms.bundle import BundleError, build_gradescope_bundle
    from grader.rubric import RubricError, default_rubric_toml, load_rubric

    exercises = load_exercises()
    try:
        load_rubric(args.rubric, exercises)
        text = args.rubric.read_text(encoding="utf-8") if args.rubric else \
            default_rubric_toml(exercises)
    except RubricError as exc:
        print(f"grade bundle: invalid rubric: {exc}", file=sys.stderr)
        return 2
    extra = ["--timeout", f"{args.timeout:g}"]
    if args.output_format:
        extra += ["--output-format", args.output_format]
    try:
        info = build_gradescope_bundle(args.output, text, extra)
    except (BundleError, OSError) as exc:
        print(f"grade bundle: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {info.path} ({info.size:,} bytes, {len(info.entries)} files, "
          f"{len(info.pins)} pinned requirements)")
    for u in info.unpinned:
        print(f"warning: {u} is not installed here, so requirements.txt cannot pin it",
              file=sys.stderr)
    print("Upload it on the assignment's Configure Autograder page (Ubuntu base image).")
    return 0
