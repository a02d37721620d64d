"""`grade FILE` given bad input: a file name that is not UTF-8, a name too long for a report,
a bad --out, Ctrl-C, a grader that breaks. Always a clear message and a verdict, never a
traceback, never a lost result.

Most tests never run student code (a syntax error stops grading before the sandbox), or grade
in-process with a stand-in runner; the Ctrl-C test starts a real sandboxed child."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader import cli

ZOO = Path(__file__).parent / "zoo"
BAD_NAME = os.fsdecode(b"stu\xffdent")  # a file name that is not UTF-8
README_KEYS = {"submission", "verdict", "score", "max_score", "mistakes", "problems", "exercises",
               "notes", "output", "sandbox", "timings", "duration_s", "grader_version"}


def grade(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout)


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


# -- 2. a file name that is not UTF-8 ---------------------------------------------------------
def test_a_file_name_that_is_not_utf8_gets_its_json_and_reports(tmp_path):
    src = tmp_path / f"{BAD_NAME}.py"
    src.write_text("def broken(:\n")
    out = tmp_path / "out"
    p = grade(src, "--format", "json", "--out", out)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    data = strict_json(p.stdout)
    assert data["verdict"] == "error" and data["mistakes"] == ["syntax_error"]
    assert data["submission"].endswith("stu\\xffdent.py")
    html = out / f"{BAD_NAME}.report.html"
    report = out / f"{BAD_NAME}.report.json"
    assert html.stat().st_size > 0 and "stu\\xffdent" in html.read_text(encoding="utf-8")
    assert strict_json(report.read_text(encoding="utf-8"))["verdict"] == "error"


def test_the_terminal_summary_shows_such_a_name_escaped(tmp_path):
    src = tmp_path / f"{BAD_NAME}.py"
    src.write_text("def broken(:\n")
    p = grade(src, "--no-report")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    # rich wraps long lines (the tmp path is long under xdist): join them before looking
    assert "stu\\xffdent" in "".join(p.stdout.split())


# -- 7. --out and long names ------------------------------------------------------------------
def test_out_naming_a_file_is_a_usage_error_before_grading(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for out in (taken, taken / "below"):
        p = grade(ZOO / "errors" / "syntax_error.py", "--format", "json", "--out", out)
        assert p.returncode == 2, p.stdout
        assert "--out" in p.stderr and "Traceback" not in p.stderr
        assert p.stdout == ""  # a usage error prints no JSON
    assert taken.read_text() == "not a folder"


def test_a_name_too_long_for_a_report_is_shortened(tmp_path):
    stem = "a_very_long_submission_name_" + "x" * 222  # 250 bytes: the file itself fits
    src = tmp_path / f"{stem}.py"
    src.write_text("def broken(:\n")
    out = tmp_path / "out"
    p = grade(src, "--format", "json", "--out", out)
    assert p.returncode == 1, p.stderr
    assert strict_json(p.stdout)["mistakes"] == ["syntax_error"]
    written = sorted(f.name for f in out.iterdir())
    assert len(written) == 2 and all(len(n.encode()) <= 255 for n in written)
    assert written[0].startswith("a_very_long_submission_name_")
    assert written[0].endswith(".report.html") and written[1].endswith(".report.json")


def test_report_stem_is_short_distinct_and_cut_between_characters():
    assert cli.report_stem("alice") == "alice"
    a, b = cli.report_stem("é" * 200 + "a"), cli.report_stem("é" * 200 + "b")
    assert a != b
    for s in (a, b):
        assert len(os.fsencode(s + ".report.html")) <= 255
        s.encode("utf-8")  # no half character


# -- 8. the grader itself fails ---------------------------------------------------------------
@pytest.fixture
def broken_grader(monkeypatch):
    def boom(path, args, exercises):
        raise RuntimeError("the grader broke")
    monkeypatch.setattr(cli, "grade_one", boom)


def test_a_grader_failure_gives_the_whole_record_and_its_reports(tmp_path, broken_grader, capsys):
    from grader.exercise import load_exercises
    src = tmp_path / "sol.py"
    src.write_text("x = 1\n")
    out = tmp_path / "out"
    assert cli.main([str(src), "--format", "json", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    data = strict_json(captured.out)
    assert README_KEYS <= set(data)
    assert data["verdict"] == "error" and data["mistakes"] == ["grader_error"]
    assert data["max_score"] == sum(ex.max_score for ex in load_exercises().values()) > 0
    assert "the grader broke" in data["problems"][0]["message"]
    assert strict_json((out / "sol.report.json").read_text())["mistakes"] == ["grader_error"]
    assert "not your mistake" in (out / "sol.report.html").read_text()
    assert "The grader itself failed" in captured.err


def test_a_grader_failure_counts_only_the_exercises_asked_for(tmp_path, broken_grader, capsys):
    from grader.exercise import load_exercises
    src = tmp_path / "sol.py"
    src.write_text("x = 1\n")
    assert cli.main([str(src), "--format", "junit", "--no-report", "--exercise", "siamese"]) == 1
    ET.fromstring(capsys.readouterr().out)  # well-formed JUnit
    assert cli.main([str(src), "--format", "json", "--no-report", "--exercise", "siamese"]) == 1
    data = strict_json(capsys.readouterr().out)
    assert data["max_score"] == load_exercises()["siamese"].max_score


# -- 5. Ctrl-C --------------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_prints_one_line_exits_130_and_leaves_nothing_running(tmp_path):
    pidfile = tmp_path / "child.pid"
    src = tmp_path / "slow.py"
    src.write_text(f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
                   f"time.sleep(120)\n")
    # As from an interactive terminal: a shell's background job (`make test &`) starts with
    # SIGINT ignored, which every child inherits and Python then leaves ignored.
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", str(src), "--sandbox", "basic",
                             "--timeout", "100", "--no-report"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        child = int(pidfile.read_text())
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "the submission outlived the grader"


# -- 3, 12. usage errors print a message and no JSON ------------------------------------------
@pytest.mark.parametrize("args, needle", [
    (["--timeout", "nan"], "--timeout must be above 0"),
    (["--timeout", "inf"], "--timeout must be above 0"),
    (["--memory", "1e300"], "--memory must be at least 2 GiB"),
    (["--output-limit", "nan"], "--output-limit must be above 0"),
])
def test_limits_that_are_not_finite_are_usage_errors(args, needle):
    p = grade(ZOO / "errors" / "syntax_error.py", "--format", "json", "--no-report", *args)
    assert p.returncode == 2 and needle in p.stderr, p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr
