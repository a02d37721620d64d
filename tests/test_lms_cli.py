"""The LMS outputs from the command line, as course staff and CI call them: `grade PATH --format
junit` (GitHub Classroom, CI test reporters) and `grade bundle gradescope` through the installed
`grade` console script. The JUnit XML is validated against tests/schemas/junit.schema.json.

One test grades for real (a sandboxed child imports TensorFlow, ~4 s)."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parent.parent
ZOO = Path(__file__).parent / "zoo"
RUBRIC = ROOT / "examples" / "rubric.toml"
GRADE = Path(sys.executable).parent / "grade"
JUNIT = json.loads((Path(__file__).parent / "schemas" / "junit.schema.json")
                   .read_text(encoding="utf-8"))


def grade(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(GRADE), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def xml_tree(el: ET.Element) -> dict:
    return {"tag": el.tag, "attributes": dict(el.attrib), "text": (el.text or "").strip(),
            "children": [xml_tree(c) for c in el]}


def junit_of(p: subprocess.CompletedProcess) -> ET.Element:
    assert p.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'), p.stdout[:200]
    root = ET.fromstring(p.stdout.encode("utf-8"))
    jsonschema.validate(xml_tree(root), JUNIT)
    return root


def test_junit_for_a_wrong_submission_names_the_mistake(tmp_path):
    p = grade(ZOO / "siamese" / "duplicated_encoder.py", "--format", "junit",
              "--rubric", RUBRIC, "--out", tmp_path, "--timeout", "120")
    assert p.returncode == 1, p.stderr
    root = junit_of(p)
    failure = root.find("./testsuite[@name='siamese']/testcase[@name='encoder_shared']/failure")
    assert failure is not None and failure.get("type") == "duplicated_encoder"
    assert failure.get("message").startswith("Two encoders instead of one shared encoder: "
                                             "434,945 params where 217,537 were expected")
    assert "Hint: " in failure.text and "Traceback" not in p.stdout
    # examples/rubric.toml withholds three checks: CI logs are read by students
    names = {c.get("name") for c in root.iter("testcase")}
    assert not names & {"param_count", "trainable_weights", "forward_pass"}
    assert "217,537 parameters" not in p.stdout
    summary = root.find("./testsuite/system-out").text
    assert "not shown yet" in summary and "All" not in summary.split(".")[0]
    assert root.get("failures") == "1" and int(root.get("tests")) == len(names)
    # the terminal summary goes to stderr, so stdout is the XML alone; reports still written
    assert (tmp_path / "duplicated_encoder.report.json").exists()


def test_junit_for_a_syntax_error_is_one_failed_case_and_exit_1(tmp_path):
    p = grade(ZOO / "errors" / "syntax_error.py", "--format", "junit", "--no-report")
    assert p.returncode == 1
    root = junit_of(p)
    [case] = list(root.iter("testcase"))
    assert case.get("name") == "syntax_error"
    assert "Python could not parse your code" in case.find("failure").get("message")


def test_grade_bundle_gradescope_through_the_console_script(tmp_path):
    out = tmp_path / "autograder.zip"
    p = grade("bundle", "gradescope", "--rubric", RUBRIC, "-o", out, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"wrote {out} (")
    with zipfile.ZipFile(out) as zf:
        assert {"setup.sh", "run_autograder"} <= set(zf.namelist())


def test_grade_bundle_usage_errors_exit_2(tmp_path):
    assert grade("bundle").returncode == 2
    assert grade("bundle", "moodle").returncode == 2
    p = grade("bundle", "gradescope", "--rubric", tmp_path / "missing.toml",
              "-o", tmp_path / "a.zip")
    assert p.returncode == 2 and "cannot read the rubric" in p.stderr
    assert not (tmp_path / "a.zip").exists()


def test_grade_bundle_refuses_a_timeout_that_is_not_a_positive_finite_number(tmp_path, capsys):
    from grader.lms import bundle_cli
    for bad in ("-1", "0", "nan", "inf", "1e300"):
        out = tmp_path / f"{bad}.zip"
        with pytest.raises(SystemExit) as exc:
            bundle_cli.main(["gradescope", "--timeout", bad, "-o", str(out)])
        err = capsys.readouterr().err
        assert exc.value.code == 2, bad
        assert "--timeout: must be a number of seconds above 0 and at most 86400" in err
        assert not out.exists()


def test_the_gradescope_entry_point_refuses_a_root_that_is_a_file(tmp_path, capsys):
    from grader.lms import gradescope
    a_file = tmp_path / "autograder"
    a_file.write_text("")
    with pytest.raises(SystemExit) as exc:
        gradescope.main(["--root", str(a_file)])
    assert exc.value.code == 2 and "is not a folder" in capsys.readouterr().err


def test_an_invalid_rubric_stops_grading_naming_its_line(tmp_path):
    bad = tmp_path / "rubric.toml"
    bad.write_text('[assignment]\nrequire = ["siamese"]\n\n[exercises.siamese.checks]\n'
                   'encoder_shared = { points = "four" }\n')
    p = grade(ZOO / "errors" / "syntax_error.py", "--format", "junit", "--rubric", bad,
              "--no-report")
    assert p.returncode == 2 and p.stdout == ""
    assert f"invalid rubric: {bad}, line 5: points of siamese.encoder_shared must be a number" \
        in p.stderr
