"""The `grade` command as a student and an LMS hook use it: exit codes, one JSON object on
stdout, reports written, usage errors as exit 2 with a message."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ZOO = Path(__file__).parent / "zoo"


def grade(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_json_format_prints_exactly_one_object_and_writes_reports(tmp_path):
    p = grade(ZOO / "siamese" / "duplicated_encoder.py", "--format", "json", "--out", tmp_path)
    assert p.returncode == 1, p.stderr
    data = json.loads(p.stdout)  # the whole of stdout is one JSON object
    assert data["verdict"] == "fail"
    assert data["mistakes"] == ["duplicated_encoder"]
    for key in ("score", "max_score", "exercises"):
        assert key in data
    check = next(c for c in data["exercises"][0]["checks"] if c["check"] == "param_count")
    assert {"id", "status", "mistake", "message", "expected", "got"} <= set(check) | {"id"}
    assert check["got"] == 434945 and check["expected"] == 217537
    assert "434,945 params where 217,537 were expected" in check["message"]
    html = (tmp_path / "duplicated_encoder.report.html").read_text()
    assert "Two encoders instead of one shared encoder" in html
    assert json.loads((tmp_path / "duplicated_encoder.report.json").read_text())["verdict"] == "fail"


def test_passing_submission_exits_0(tmp_path):
    p = grade(ZOO / "correct" / "siamese_lesson.py", "--out", tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "PASS" in p.stdout


def test_exercise_filter(tmp_path):
    p = grade(ZOO / "correct" / "both_exercises.py", "--exercise", "siamese", "--format", "json",
              "--no-report")
    data = json.loads(p.stdout)
    assert [e["id"] for e in data["exercises"]] == ["siamese"]
    assert p.returncode == 0


def test_requested_exercise_that_is_absent_fails_with_model_not_found():
    p = grade(ZOO / "correct" / "siamese_lesson.py", "--exercise", "mlp_three_ways",
              "--format", "json", "--no-report")
    data = json.loads(p.stdout)
    assert p.returncode == 1 and data["mistakes"] == ["model_not_found"]


@pytest.mark.parametrize("args, needle", [
    (["does/not/exist.py"], "no such file"),
    ([ZOO / "correct" / "siamese_lesson.py", "--bogus"], "unrecognized arguments"),
    ([ZOO / "correct" / "siamese_lesson.py", "--exercise", "nope"], "unknown exercise"),
])
def test_usage_errors_exit_2(args, needle):
    p = grade(*args)
    assert p.returncode == 2
    assert needle in p.stderr
    assert "Traceback" not in p.stderr


def test_unreadable_file_gives_error_verdict_as_json():
    p = grade(ZOO / "errors" / "binary.py", "--format", "json", "--no-report")
    data = json.loads(p.stdout)
    assert p.returncode == 1
    assert data["verdict"] == "error" and data["mistakes"] == ["unreadable_submission"]
    assert "Traceback" not in p.stderr


def test_read_only_folder_still_gets_a_report(tmp_path):
    src = tmp_path / "ro"
    src.mkdir()
    (src / "sol.py").write_text("x = 1\n")
    src.chmod(0o555)
    work = tmp_path / "cwd"
    work.mkdir()
    try:
        p = grade(src / "sol.py", cwd=work)
    finally:
        src.chmod(0o755)
    assert p.returncode == 1
    import os
    if os.geteuid() != 0:  # root can write to a 0555 folder anyway
        assert (work / "sol.report.html").exists()
