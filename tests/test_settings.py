"""Sandbox limits from a TOML file and the command line (grader.settings)."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.runner import GiB, Limits
from grader.settings import LimitsError, add_limit_options, limits_from_args

ZOO = Path(__file__).parent / "zoo"


def parse(*argv: str) -> Limits:
    p = argparse.ArgumentParser()
    add_limit_options(p)
    return limits_from_args(p.parse_args(list(argv)))


def test_defaults_are_the_runner_defaults():
    assert parse() == Limits()


def test_the_file_sets_limits_and_the_command_line_wins(tmp_path):
    f = tmp_path / "limits.toml"
    f.write_text('[limits]\ntimeout = 20\nmemory_gib = 3\noutput_mib = 0.5\nsandbox = "basic"\n'
                 'processes = 64\n')
    limits = parse("--limits", str(f), "--timeout", "7")
    assert limits.timeout_s == 7.0                 # command line over file
    assert limits.memory_bytes == 3 * GiB          # from the file
    assert limits.output_bytes == 512 * 1024
    assert limits.sandbox == "basic" and limits.processes == 64


def test_a_rubric_file_with_a_limits_table_is_a_limits_file(tmp_path):
    f = tmp_path / "rubric.toml"
    f.write_text('[assignment]\nrequire = ["siamese"]\n\n[limits]\ntimeout = 30\n')
    assert parse("--limits", str(f)).timeout_s == 30.0


@pytest.mark.parametrize("text, needle", [
    ("[limits]\ntimout = 3\n", "unknown limit 'timout'"),
    ("[limits]\nmemory_gib = 1\n", "at least 2 GiB"),
    ("[limits]\ntimeout = \"long\"\n", "must be a number"),
    ("[limits]\nsandbox = \"none\"\n", "sandbox must be one of"),
    ("[other]\n", "no [limits] table"),
    ("[limits\n", "not valid TOML"),
])
def test_a_bad_file_is_named_with_the_reason(tmp_path, text, needle):
    f = tmp_path / "limits.toml"
    f.write_text(text)
    with pytest.raises(LimitsError, match=None) as exc:
        parse("--limits", str(f))
    assert needle in str(exc.value)


def test_cli_rejects_bad_limits_with_exit_2(tmp_path):
    p = subprocess.run([sys.executable, "-m", "grader.cli", str(ZOO / "errors" / "empty.py"),
                        "--memory", "1"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "at least 2 GiB" in p.stderr


def test_the_sandbox_level_asked_for_is_the_one_reported(tmp_path):
    p = subprocess.run([sys.executable, "-m", "grader.cli", str(ZOO / "correct" / "siamese_lesson.py"),
                        "--sandbox", "basic", "--format", "json", "--no-report"],
                       capture_output=True, text=True, timeout=120)
    result = json.loads(p.stdout)
    assert result["verdict"] == "pass", result["mistakes"]
    assert result["sandbox"]["level"] == "basic"


def test_a_rubric_accepts_a_limits_table_and_names_the_line_of_a_bad_one(tmp_path):
    from grader.exercise import load_exercises
    from grader.rubric import RubricError, load_rubric
    good = tmp_path / "good.toml"
    good.write_text('[assignment]\nrequire = ["siamese"]\n\n[limits]\ntimeout = 30\n')
    assert list(load_rubric(good, load_exercises()).required) == ["siamese"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[assignment]\nrequire = ["siamese"]\n\n[limits]\ntimeout = "soon"\n')
    with pytest.raises(RubricError) as exc:
        load_rubric(bad, load_exercises())
    assert "must be a number" in str(exc.value) and "line 4" in str(exc.value)


# -- limits that are not finite or out of any sane range --------------------------------------
@pytest.mark.parametrize("argv, needle", [
    (["--memory", "nan"], "--memory must be at least 2 GiB"),
    (["--memory", "inf"], "and at most 1024 GiB, not inf"),
    (["--memory", "1e300"], "and at most 1024 GiB, not 1e+300"),
    (["--output-limit", "nan"], "--output-limit must be above 0 and at most 1024 MiB, not nan"),
    (["--output-limit", "inf"], "--output-limit must be above 0"),
    (["--timeout", "nan"], "--timeout must be above 0 and at most 86400 seconds, not nan"),
    (["--timeout", "inf"], "--timeout must be above 0"),
    (["--timeout", "-1"], "--timeout must be above 0"),
])
def test_the_command_line_refuses_limits_that_are_not_finite_or_sane(argv, needle):
    with pytest.raises(LimitsError) as exc:
        parse(*argv)
    assert needle in str(exc.value)


@pytest.mark.parametrize("text, needle", [
    ("[limits]\nmemory_gib = nan\n", "memory_gib must be at least 2 GiB"),
    ("[limits]\nmemory_gib = 1e400\n", "memory_gib must be at least 2 GiB"),
    ("[limits]\ntimeout = inf\n", "timeout must be above 0 and at most 86400 seconds, not inf"),
    ("[limits]\nprocesses = 1e20\n", "processes must be at least 16"),
    ("[limits]\nopen_files = -inf\n", "open_files must be at least 16"),
    ("[limits]\nfile_mib = 0\n", "file_mib must be above 0"),
])
def test_a_limits_file_refuses_them_too_naming_the_file(tmp_path, text, needle):
    f = tmp_path / "limits.toml"
    f.write_text(text)
    with pytest.raises(LimitsError) as exc:
        parse("--limits", str(f))
    assert needle in str(exc.value) and str(f) in str(exc.value)


def test_a_rubric_limits_table_with_nan_names_its_line(tmp_path):
    from grader.exercise import load_exercises
    from grader.rubric import RubricError, load_rubric
    bad = tmp_path / "rubric.toml"
    bad.write_text('[assignment]\nrequire = ["siamese"]\n\n[limits]\nmemory_gib = nan\n')
    with pytest.raises(RubricError) as exc:
        load_rubric(bad, load_exercises())
    assert "memory_gib must be at least 2 GiB" in str(exc.value) and "line 4" in str(exc.value)


def test_json_output_never_holds_nan_or_infinity(tmp_path):
    from grader.findings import Finding, Result, Status, Verdict
    from grader.gradebook import Gradebook
    from reports.json_report import render_json

    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    result = Result("sol.py", Verdict.FAIL, 0.0, float("inf"), [],
                    problems=[Finding("submission", Status.FAIL, "timeout",
                                      facts={"limit_s": float("nan")})],
                    sandbox={"timeout_s": float("nan")}, duration_s=float("nan"))
    data = json.loads(render_json(result), parse_constant=refuse)
    assert data["max_score"] is None and data["sandbox"]["timeout_s"] is None
    book = Gradebook(tmp_path)
    book.append(dict(result.to_dict(), batch={"id": "a"}))
    book.close()
    json.loads((tmp_path / "results.jsonl").read_text(), parse_constant=refuse)
