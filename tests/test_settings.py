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
