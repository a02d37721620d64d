"""The Gradescope hook end to end: `grade bundle gradescope` writes the zip Gradescope expects;
the zip is unpacked into a fake /autograder tree and its `run_autograder` is executed there, for a
correct, a wrong and several ungradable submissions. setup.sh itself needs Gradescope's image
(apt, root, the network), so its content is checked, and its install step is repeated offline
from the zip's source tree. Every results.json is validated against
tests/schemas/gradescope_results.schema.json.

Two tests grade for real (a sandboxed child imports TensorFlow, ~4 s each): a correct submission
with this checkout's grader, and a wrong one with the grader pip-installed from the zip's own
source tree, as setup.sh installs it; the rest do not get as far as running student code."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parent.parent
ZOO = Path(__file__).parent / "zoo"
RUBRIC = ROOT / "examples" / "rubric.toml"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "gradescope_results.schema.json")
                    .read_text(encoding="utf-8"))
# examples/rubric.toml withholds these until the due date (or for ever): never in the summary.
WITHHELD = ("217,537 parameters", "6 trainable weights", "Forward pass gives",
            "param_count", "trainable_weights", "forward_pass")


def bundle_cmd(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", "bundle", "gradescope",
                           *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    p = bundle_cmd("--rubric", RUBRIC, "-o", out, "--timeout", "120")
    assert p.returncode == 0, p.stderr
    assert "wrote" in p.stdout and out.exists()
    return out


@pytest.fixture
def autograder(bundle, tmp_path):
    """A fake /autograder: the zip in source/, run_autograder copied up, as Gradescope does."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            target = root / "source" / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            target.chmod(info.external_attr >> 16 & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


def run_autograder(root: Path, python: str = sys.executable,
                   env: dict[str, str] | None = None) -> tuple[dict, str]:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), GRADER_PYTHON=python, **(env or {}))
    p = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return data, p.stdout + p.stderr


def submit(root: Path, *files: Path) -> None:
    for f in files:
        shutil.copy(f, root / "submission" / f.name)


# -- the bundle -------------------------------------------------------------------------------
def test_zip_has_setup_and_run_autograder_at_its_root(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        assert {"setup.sh", "run_autograder", "rubric.toml", "requirements.txt"} <= set(names)
        for script in ("setup.sh", "run_autograder"):
            assert modes[script] & stat.S_IXUSR and stat.S_ISREG(modes[script])
            assert zf.read(script).startswith(b"#!/usr/bin/env bash\n")
        assert zf.read("rubric.toml") == RUBRIC.read_bytes()
        project = {n.split("/", 1)[1] for n in names if n.startswith("keras-exercise-grader/")}
        for needed in ("pyproject.toml", "README.md", "grader/lms/gradescope.py",
                       "grader/lms/templates/run_autograder", "reports/gradescope.py",
                       "exercises/siamese.py", "reference_solutions/siamese.py",
                       "reports/templates/report.html.j2"):
            assert needed in project
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in project if n.startswith("tests/")]
    print(f"autograder.zip: {bundle.stat().st_size:,} bytes, {len(names)} files")


def test_requirements_pin_exactly_what_this_environment_runs(bundle):
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("requirements.txt").decode().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    assert "not pinned" not in "\n".join(lines)
    for pin in pins:
        name, _, version = pin.partition("==")
        assert version, f"{pin} is not pinned"
        assert metadata.version(name) == version, pin
    names = {p.split("==")[0].lower() for p in pins}
    assert {"keras", "numpy", "nbformat", "jinja2", "rich", "ipython"} <= names
    assert "tensorflow-cpu" in names or "tensorflow" in names
    assert "pytest" not in names  # the test extra is not shipped
    # setup.sh builds the grader with --no-build-isolation: the build backend is pinned too
    assert f"setuptools=={metadata.version('setuptools')}" in pins
    assert f"keras=={metadata.version('keras')}" in pins


def test_setup_sh_installs_the_pinned_grader_with_the_tested_python(bundle):
    with zipfile.ZipFile(bundle) as zf:
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
    py = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert f"PY={py}" in setup
    assert 'pip install -r "$SOURCE/requirements.txt"' in setup
    assert ('pip install --no-deps --no-build-isolation "$SOURCE/keras-exercise-grader"'
            in setup)
    assert "set -euxo pipefail" in setup  # a failed install fails the image build
    assert "-m grader.lms.gradescope" in run and "--timeout 120" in run
    for script in (setup, run):
        syntax = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert syntax.returncode == 0, syntax.stderr


def test_the_same_inputs_give_the_same_zip(bundle, tmp_path):
    again = tmp_path / "again.zip"
    assert bundle_cmd("--rubric", RUBRIC, "-o", again, "--timeout", "120").returncode == 0
    assert again.read_bytes() == bundle.read_bytes()


def test_without_a_rubric_the_zip_carries_the_built_in_one(tmp_path):
    from grader.exercise import load_exercises
    from grader.rubric import default_rubric_toml
    out = tmp_path / "autograder.zip"
    assert bundle_cmd("-o", out).returncode == 0
    with zipfile.ZipFile(out) as zf:
        assert zf.read("rubric.toml").decode() == default_rubric_toml(load_exercises())


def test_an_invalid_rubric_is_refused_naming_the_line(tmp_path):
    bad = tmp_path / "rubric.toml"
    bad.write_text('[assignment]\nrequire = ["siamese"]\n\n[exercises.siamese.checks]\n'
                   'encoder_shard = 4\n')
    out = tmp_path / "autograder.zip"
    p = bundle_cmd("--rubric", bad, "-o", out)
    assert p.returncode == 2 and not out.exists()
    assert f"{bad}, line 5: unknown check of exercise 'siamese' 'encoder_shard'" in p.stderr
    assert "did you mean 'encoder_shared'?" in p.stderr and "Traceback" not in p.stderr


# -- run_autograder on submissions --------------------------------------------------------------
def test_the_grader_installed_from_the_zip_grades_a_submission(autograder, tmp_path):
    """What setup.sh does, minus the network: install the grader from the zip's source tree
    (--no-deps --no-build-isolation, with the setuptools of this environment) into a folder of
    its own, then run run_autograder with that copy first on the path, so the grading is done
    by the code the zip carries, not by this checkout."""
    site = tmp_path / "site"
    project = autograder / "source" / "keras-exercise-grader"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--no-build-isolation", "--no-index", "--target", str(site),
                        str(project)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for installed in ("grader/lms/templates/run_autograder", "reports/templates/report.html.j2",
                      "exercises/siamese.py", "reference_solutions/siamese.py"):
        assert (site / installed).is_file(), installed
    env = {"PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import grader, reports, exercises; "
                            "print(grader.__file__, reports.__file__, exercises.__file__)"],
                           capture_output=True, text=True, env=dict(os.environ, **env),
                           cwd=autograder)
    assert all(path.startswith(str(site)) for path in where.stdout.split()), where.stdout
    submit(autograder, ZOO / "siamese" / "duplicated_encoder.py")
    data, log = run_autograder(autograder, env=env)
    # a wrong submission: the named mistake with its hint, hidden checks withheld from the summary
    shared = next(t for t in data["tests"] if t["tags"][1] == "encoder_shared")
    assert shared["status"] == "failed" and shared["score"] == 0 and shared["max_score"] == 4
    assert shared["output"].startswith("✘ Two encoders instead of one shared encoder: 434,945 "
                                       "params where 217,537 were expected")
    assert "**Hint:**" in shared["output"] and shared["output_format"] == "md"
    assert "Traceback" not in json.dumps(data)
    assert data["score"] < 19
    for text in WITHHELD:
        assert text not in data["output"]
    hidden = [t for t in data["tests"] if t["visibility"] != "visible"]
    assert {t["tags"][1] for t in hidden} == {"param_count", "trainable_weights", "forward_pass"}
    assert f"rubric: {autograder / 'source' / 'rubric.toml'}" in log


def test_correct_submission_gets_full_marks_without_claiming_hidden_checks(autograder):
    submit(autograder, ZOO / "correct" / "siamese_lesson.py")
    start = time.monotonic()
    data, log = run_autograder(autograder)
    elapsed = time.monotonic() - start
    assert data["score"] == 19, data["output"]  # examples/rubric.toml: siamese worth 19
    assert all(t["status"] == "passed" for t in data["tests"])
    assert re.match(r"All \d+ visible checks passed\. 3 more checks are graded but not shown",
                    data["output"])
    visibility = {t["tags"][1]: t["visibility"] for t in data["tests"]}
    assert visibility["forward_pass"] == "hidden" and visibility["param_count"] == \
        "after_due_date"
    size = (autograder / "results" / "results.json").stat().st_size
    print(f"correct: results.json {size:,} bytes, run_autograder {elapsed:.1f} s")
    assert "verdict: pass" in log  # the instructors' log (stdout) has everything


def test_syntax_error_is_reported_as_such(autograder):
    submit(autograder, ZOO / "errors" / "syntax_error.py")
    data, _ = run_autograder(autograder)
    assert data["score"] == 0
    assert data["output"].startswith("Your submission could not be graded: Python could not "
                                     "parse your code")
    assert [t["name"] for t in data["tests"]] == ["Submission: Python could not parse your code"]


def test_a_file_that_is_not_python_or_a_notebook(autograder):
    submit(autograder, ZOO / "errors" / "solution.txt")
    data, _ = run_autograder(autograder)
    assert data["score"] == 0 and "not a Python file or a notebook" in data["output"]


def test_several_candidate_files_are_refused_with_their_names(autograder):
    submit(autograder, ZOO / "errors" / "syntax_error.py", ZOO / "errors" / "empty.py")
    data, _ = run_autograder(autograder)
    assert "More than one Python file or notebook was submitted" in data["output"]
    assert "empty.py" in data["output"] and "syntax_error.py" in data["output"]


def test_empty_submission(autograder):
    data, _ = run_autograder(autograder)
    assert data["score"] == 0 and "No file was submitted" in data["output"]


def test_python_that_cannot_start_still_leaves_a_valid_results_file(autograder):
    submit(autograder, ZOO / "correct" / "siamese_lesson.py")
    data, _ = run_autograder(autograder, python="/bin/false")
    assert data["score"] == 0 and "could not start" in data["output"]


def test_a_broken_rubric_in_the_image_tells_the_student_it_is_not_their_fault(autograder):
    (autograder / "source" / "rubric.toml").write_text("[exercises.siamese.checks]\nmerg = 1\n")
    submit(autograder, ZOO / "correct" / "siamese_lesson.py")
    data, _ = run_autograder(autograder)
    assert data["score"] == 0
    assert "The autograder is misconfigured" in data["output"]
    assert "line 2" in data["output"] and "not your mistake" in data["output"]


# -- the entry point in-process: crashes and deadlines ------------------------------------------
def in_process(tmp_path, monkeypatch, grade_folder, *extra) -> tuple[dict, str]:
    from grader.lms import gradescope
    monkeypatch.setattr(gradescope, "grade_folder", grade_folder)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert gradescope.main(["--root", str(tmp_path), *extra]) == 0
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(data, SCHEMA)
    return data, out.getvalue()


def test_a_grader_crash_becomes_a_results_file_without_its_traceback(tmp_path, monkeypatch):
    def crash(*args):
        raise RuntimeError("boom in the grader")
    data, log = in_process(tmp_path, monkeypatch, crash)
    assert "The autograder itself failed" in data["output"] and "not your mistake" in \
        data["output"]
    assert "boom" not in json.dumps(data) and "boom in the grader" in log


def test_a_memory_error_in_the_grader_too(tmp_path, monkeypatch):
    def oom(*args):
        raise MemoryError()
    data, _ = in_process(tmp_path, monkeypatch, oom)
    assert "The autograder itself failed" in data["output"]


def test_the_deadline_stops_grading_and_says_so(tmp_path, monkeypatch):
    def slow(*args):
        time.sleep(30)
    start = time.monotonic()
    data, _ = in_process(tmp_path, monkeypatch, slow, "--deadline", "0.5")
    assert time.monotonic() - start < 10
    assert "ran out of time" in data["output"] and data["score"] == 0


def test_a_placeholder_is_in_place_while_grading_runs(tmp_path, monkeypatch):
    seen = {}

    def peek(*args):
        seen.update(json.loads((tmp_path / "results" / "results.json").read_text()))
        raise RuntimeError("stop here")
    in_process(tmp_path, monkeypatch, peek)
    jsonschema.validate(seen, SCHEMA)
    assert seen["score"] == 0 and "stopped before it finished" in seen["output"]


def test_stdout_shown_to_students_carries_only_their_view():
    """With `stdout_visibility` other than hidden, /autograder/results/stdout is the student's:
    the log then names no withheld check and no verdict."""
    from grader.lms.gradescope import _log
    from grader.rubric import load_rubric
    from grader.exercise import load_exercises
    from test_lms_renderers import WITHHELD_TEXT, wrong
    result = wrong()
    rubric = load_rubric(RUBRIC, load_exercises())
    public = _log(result, rubric, public_only=True)
    for text in WITHHELD_TEXT:
        assert text not in public
    assert "verdict" not in public and "Two encoders" in public
    staff = _log(result, rubric, public_only=False)
    assert "param_count" in staff and "verdict: fail" in staff
