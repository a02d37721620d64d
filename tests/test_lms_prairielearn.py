"""The PrairieLearn hook end to end: the external-grader entry point run against a fake /grade
tree in a temp dir (student/, data/data.json, tests/rubric.toml; results/ does not exist and
must be created), for a correct, a wrong and several ungradable submissions. Every results.json
is validated against tests/schemas/prairielearn_results.schema.json and must stay under 1 MB.

Two tests grade for real (a sandboxed child imports TensorFlow, ~4 s each); the rest never run
student code, or replace the grading with a stand-in."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parent.parent
ZOO = Path(__file__).parent / "zoo"
RUBRIC = ROOT / "examples" / "rubric.toml"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "prairielearn_results.schema.json")
                    .read_text(encoding="utf-8"))
MAX_BYTES = 1_000_000  # "this file should be limited to 1 MB"
ENTRY = Path(sys.executable).parent / "grade-prairielearn"
# examples/rubric.toml withholds these (after_due_date, hidden): PrairieLearn has no per-test
# visibility, so neither their names nor their mistakes may appear anywhere.
WITHHELD = ("217,537 parameters", "6 trainable weights", "Forward pass gives",
            "param_count", "trainable_weights", "forward_pass", "unexpected_param_count")


@pytest.fixture
def job(tmp_path) -> Path:
    """A fake /grade as PrairieLearn builds it (apps/prairielearn/src/lib/externalGraderCommon.ts
    `buildDirectory`): serverFilesCourse/, tests/, student/, data/data.json; no results/."""
    root = tmp_path / "grade"
    for sub in ("serverFilesCourse", "tests", "student", "data"):
        (root / sub).mkdir(parents=True)
    shutil.copy(RUBRIC, root / "tests" / "rubric.toml")
    write_data(root, {})
    return root


def write_data(root: Path, params: dict) -> None:
    (root / "data" / "data.json").write_text(json.dumps({
        "params": params, "correct_answers": {}, "submitted_answers": {"_files": []},
        "format_errors": {}, "partial_scores": {}, "score": 0, "feedback": {},
        "variant_seed": 1, "options": {}, "raw_submitted_answers": {}, "gradable": True}))


def submit(root: Path, *files: Path) -> None:
    for f in files:
        shutil.copy(f, root / "student" / f.name)


def results_of(root: Path) -> dict:
    path = root / "results" / "results.json"
    assert path.stat().st_size < MAX_BYTES
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return data


def run_entry(root: Path, *extra: str) -> tuple[dict, str]:
    """The console script PrairieLearn's `entrypoint` would name, in a subprocess."""
    assert not (root / "results").exists()
    p = subprocess.run([str(ENTRY), "--root", str(root), "--timeout", "90", "--deadline", "150",
                        *extra], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return results_of(root), p.stderr


def in_process(root: Path, *extra: str) -> tuple[dict, str]:
    from grader.lms import prairielearn
    err = io.StringIO()
    old, sys.stderr = sys.stderr, err
    try:
        assert prairielearn.main(["--root", str(root), *extra]) == 0
    finally:
        sys.stderr = old
    return results_of(root), err.getvalue()


# -- real grading ---------------------------------------------------------------------------
def test_correct_notebook_scores_one_and_shows_no_withheld_check(job):
    submit(job, ZOO / "correct" / "siamese_notebook.ipynb")
    data, log = run_entry(job)
    assert data["gradable"] is True and data["score"] == 1.0, data["message"]
    assert data["message"].startswith("All ") and "visible checks passed" in data["message"]
    assert "not shown yet" in data["message"]  # never "all checks passed" with hidden ones
    hidden = [t for t in data["tests"] if t["name"] == "Hidden checks"]
    assert len(hidden) == 1 and hidden[0]["points"] == hidden[0]["max_points"] > 0
    assert sum(t["max_points"] for t in data["tests"]) == 19  # examples/rubric.toml
    dump = json.dumps(data)
    for text in WITHHELD:
        assert text not in dump
    assert "verdict pass" in log


def test_wrong_submission_names_the_mistake_with_its_hint(job):
    submit(job, ZOO / "siamese" / "duplicated_encoder.py")
    data, _ = run_entry(job)
    assert data["gradable"] is True and 0 < data["score"] < 1
    test = next(t for t in data["tests"] if t["message"].startswith("Two encoders"))
    assert test["message"].startswith("Two encoders instead of one shared encoder: 434,945 "
                                      "params where 217,537 were expected")
    assert (test["points"], test["max_points"]) == (0, 4)
    assert "Hint: " in test["output"] and "Traceback" not in json.dumps(data)
    assert "To fix: Two encoders instead of one shared encoder" in data["message"]
    dump = json.dumps(data)
    for text in WITHHELD:
        assert text not in dump


# -- ungradable: gradable false, the reason in format_errors, no attempt used -----------------
@pytest.mark.parametrize("files, reason", [
    ([ZOO / "errors" / "syntax_error.py"], "Python could not parse your code"),
    ([ZOO / "errors" / "solution.txt"], "not a Python file or a notebook"),
    ([ZOO / "errors" / "bad_notebook.ipynb"], "The submission could not be read"),
    ([], "No file was submitted"),
    ([ZOO / "errors" / "syntax_error.py", ZOO / "errors" / "empty.py"],
     "More than one Python file or notebook was submitted"),
])
def test_ungradable_submission_does_not_cost_an_attempt(job, files, reason):
    submit(job, *files)
    data, _ = in_process(job)
    assert data["gradable"] is False and data["tests"] == []
    assert isinstance(data["format_errors"], list) and data["format_errors"]
    assert reason in data["format_errors"][0]
    assert data["format_errors"][-1].startswith("Hint: ")
    assert "Traceback" not in json.dumps(data)


def test_syntax_error_names_the_line_through_the_console_script(job):
    submit(job, ZOO / "errors" / "syntax_error.py")
    data, _ = run_entry(job)
    assert data["gradable"] is False
    assert "line" in data["format_errors"][0]


# -- configuration ----------------------------------------------------------------------------
def test_params_exercises_in_data_json_narrow_what_is_graded(job, monkeypatch):
    seen = {}

    def fake_grade(grader, path, rubric):
        seen["required"] = rubric.required
        from grader.lms.common import hook_problem, problem_result
        return problem_result(str(path), hook_problem("grader_error"))
    monkeypatch.setattr("grader.rubric.grade_with_rubric", fake_grade)
    write_data(job, {"exercises": ["mlp_three_ways"]})
    submit(job, ZOO / "correct" / "mlp_lesson.py")
    in_process(job)
    assert seen["required"] == ("mlp_three_ways",)


def test_unknown_exercise_in_params_is_the_instructors_problem(job):
    write_data(job, {"exercises": ["mlp"]})
    submit(job, ZOO / "correct" / "mlp_lesson.py")
    data, log = in_process(job)
    assert data["gradable"] is False
    assert "The autograder is misconfigured" in data["format_errors"][0]
    assert "mlp" in data["format_errors"][0] and "misconfigured" in log


@pytest.mark.parametrize("params, needle", [
    ({"exercises": 5}, "params.exercises must be an exercise id or a non-empty list"),
    ({"exercises": [1, 2]}, "params.exercises must be an exercise id or a non-empty list"),
    ({"exercises": []}, "params.exercises must be an exercise id or a non-empty list"),
    (5, "params must be an object"),
])
def test_params_of_the_wrong_type_are_the_questions_misconfiguration(job, params, needle):
    (job / "data" / "data.json").write_text(json.dumps({"params": params}))
    submit(job, ZOO / "correct" / "siamese_lesson.py")
    data, log = in_process(job)
    assert data["gradable"] is False
    assert "The autograder is misconfigured" in data["format_errors"][0]
    assert needle in data["format_errors"][0] and "data.json" in data["format_errors"][0]
    assert "itself failed" not in json.dumps(data) and "Traceback" not in log


@pytest.mark.parametrize("args, needle", [
    (["--timeout", "nan"], "--timeout: must be a number of seconds above 0"),
    (["--deadline", "inf"], "--deadline: must be a number of seconds 0 (none) or more"),
    (["--timeout", "-1"], "--timeout: must be a number of seconds above 0"),
])
def test_the_entry_point_refuses_a_root_that_is_a_file_and_bad_times(tmp_path, capsys, args,
                                                                     needle):
    from grader.lms import prairielearn
    a_file = tmp_path / "grade"
    a_file.write_text("")
    with pytest.raises(SystemExit) as exc:
        prairielearn.main(["--root", str(a_file)])
    assert exc.value.code == 2 and "is not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        prairielearn.main(["--root", str(tmp_path / "job"), *args])
    assert exc.value.code == 2 and needle in capsys.readouterr().err


def test_a_broken_rubric_names_its_line_and_is_not_the_students_fault(job):
    (job / "tests" / "rubric.toml").write_text("[exercises.siamese.checks]\nmerg = 1\n")
    submit(job, ZOO / "correct" / "siamese_lesson.py")
    data, _ = in_process(job)
    assert data["gradable"] is False
    assert "line 2" in data["format_errors"][0]
    assert "not your mistake" in " ".join(data["format_errors"])


def test_rubric_is_found_in_server_files_course_too(job, monkeypatch):
    seen = {}

    def fake_grade(grader, path, rubric):
        seen["source"] = rubric.source
        from grader.lms.common import hook_problem, problem_result
        return problem_result(str(path), hook_problem("grader_error"))
    monkeypatch.setattr("grader.rubric.grade_with_rubric", fake_grade)
    (job / "tests" / "rubric.toml").unlink()
    shutil.copy(RUBRIC, job / "serverFilesCourse" / "rubric.toml")
    submit(job, ZOO / "correct" / "siamese_lesson.py")
    in_process(job)
    assert seen["source"] == str(job / "serverFilesCourse" / "rubric.toml")


# -- whatever happens, a valid results file ----------------------------------------------------
def test_a_grader_crash_is_ungradable_and_keeps_its_traceback_for_staff(job, monkeypatch):
    from grader.lms import prairielearn

    def crash(*args):
        raise RuntimeError("boom in the grader")
    monkeypatch.setattr(prairielearn, "grade_job", crash)
    data, log = in_process(job)
    assert data["gradable"] is False
    assert "The autograder itself failed" in data["format_errors"][0]
    assert "boom" not in json.dumps(data) and "boom in the grader" in log and "Traceback" in log


def test_out_of_memory_in_the_grader_too(job, monkeypatch):
    from grader.lms import prairielearn

    def oom(*args):
        raise MemoryError()
    monkeypatch.setattr(prairielearn, "grade_job", oom)
    data, _ = in_process(job)
    assert data["gradable"] is False and "itself failed" in data["format_errors"][0]


def test_the_deadline_stops_grading_and_kills_what_it_started(job, monkeypatch):
    """A deadline that interrupts the sandbox's wait must not leave the student's process
    running (the runner's own kill is skipped when its wait is interrupted)."""
    from grader.lms import prairielearn
    started = {}

    def hang(*args):
        started["proc"] = subprocess.Popen(["sleep", "300"], start_new_session=True)
        time.sleep(60)
    monkeypatch.setattr(prairielearn, "grade_job", hang)
    start = time.monotonic()
    data, log = in_process(job, "--deadline", "1")
    assert time.monotonic() - start < 10
    assert data["gradable"] is False and "ran out of time" in data["format_errors"][0]
    pid = started["proc"].pid
    assert started["proc"].poll() is not None and not Path(f"/proc/{pid}").exists(), \
        "the child outlived the deadline"
    assert "killed 1 leftover process" in log


def test_the_code_timeout_ends_before_the_deadline():
    from grader.lms.common import code_timeout
    assert code_timeout(20, 27) == 20
    assert code_timeout(60, 30) == 25  # the sandbox stops the code; the deadline stays spare
    assert code_timeout(60, None) == 60


def test_a_placeholder_is_in_place_while_grading_runs(job, monkeypatch):
    from grader.lms import prairielearn
    seen = {}

    def peek(*args):
        seen.update(json.loads((job / "results" / "results.json").read_text()))
        raise RuntimeError("stop here")
    monkeypatch.setattr(prairielearn, "grade_job", peek)
    in_process(job)
    jsonschema.validate(seen, SCHEMA)
    assert seen["gradable"] is False and "stopped before it finished" in seen["format_errors"][0]


def test_results_written_by_the_hook_stay_under_one_megabyte(job, monkeypatch):
    """The cap is measured on the file as written (indented), not on a compact dump."""
    from grader.lms import prairielearn
    from reports.prairielearn import render_prairielearn
    from test_lms_renderers import wrong  # tests/ is on sys.path (pytest's rootdir conftest)

    def huge(*args):
        result = wrong()
        result.stdout = "é" * 3_000_000
        for f in result.exercises[0].findings:
            f.message = "Two encoders " + "x" * 400_000
        return render_prairielearn(result), "huge"
    monkeypatch.setattr(prairielearn, "grade_job", huge)
    data, _ = in_process(job)
    size = (job / "results" / "results.json").stat().st_size
    assert 0.5 * MAX_BYTES < size < MAX_BYTES
    assert data["gradable"] is True and len(data["tests"]) > 5
    assert "cut to stay under PrairieLearn's 1 MB limit" in json.dumps(data)


def test_the_entry_point_creates_the_results_folder_and_needs_no_cwd(job, tmp_path):
    submit(job, ZOO / "errors" / "solution.txt")
    p = subprocess.run([str(ENTRY), "--root", str(job)], capture_output=True, text=True,
                       cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path)), timeout=120)
    assert p.returncode == 0, p.stderr
    assert results_of(job)["gradable"] is False


def test_code_that_never_ends_is_stopped_by_the_sandbox_before_the_deadline(job):
    """A real run: the code's wall clock (code_timeout) ends before the hook's deadline, so the
    student reads their own mistake (a graded attempt), not "the autograder ran out of time"."""
    submit(job, ZOO / "errors" / "timeout.py")
    start = time.monotonic()
    p = subprocess.run([str(ENTRY), "--root", str(job), "--timeout", "60", "--deadline", "13"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert time.monotonic() - start < 30
    data = results_of(job)
    assert data["gradable"] is True and data["score"] == 0
    assert data["tests"][0]["name"] == "Submission: Your code ran out of time"
    assert "still running after 8 s" in data["tests"][0]["message"]
    assert "Hint: Put long training" in data["tests"][0]["output"]
