"""The LMS renderers (Gradescope, PrairieLearn, JUnit) on results built without TensorFlow:
each output is validated against the published format (tests/schemas/*.schema.json) and compared
with a golden file (tests/schemas/golden/; UPDATE_GOLDEN=1 rewrites them).

The results come from the real scoring path (Grader.assemble with the siamese exercise's own
checks replaced by fixed findings) and the real rubric stage, so titles, messages and hints are
the catalogue's."""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from grader.exercise import load_exercises
from grader.findings import Finding, Result, Verdict, failed, passed
from grader.grading import Grader
from grader.rubric import apply_rubric, parse_rubric
from grader.runner import RunOutcome
from reports.gradescope import render_gradescope
from reports.junit import render_junit
from reports.prairielearn import MAX_BYTES, render_prairielearn

SCHEMAS = Path(__file__).parent / "schemas"
GOLDEN = SCHEMAS / "golden"
ZOO = Path(__file__).parent / "zoo"
EXERCISES = load_exercises()

RUBRIC = parse_rubric("""
[assignment]
require = ["siamese"]

[exercises.siamese.checks]
encoder_shared = { points = 4 }
param_count = { visibility = "hidden" }
trainable_weights = { visibility = "after_due_date" }
head_name = { bonus = true }
""", EXERCISES)

# What a student must never see before the due date: the names and mistakes of the two
# withheld checks (param_count: hidden, trainable_weights: after_due_date).
WITHHELD_TEXT = ("217,537 parameters (encoder counted once)", "6 trainable weights",
                 "The parameter count is not 217,537", "The number of trainable weights is not 6",
                 "unexpected_param_count", "unexpected_weight_count", "param_count",
                 "trainable_weights")


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def xml_tree(el: ET.Element) -> dict:
    """An XML element as the JSON tree junit.schema.json describes."""
    return {"tag": el.tag, "attributes": dict(el.attrib), "text": (el.text or "").strip(),
            "children": [xml_tree(c) for c in el]}


def graded(outcomes: dict[str, Finding], stdout: str = "epoch 1/1 - loss 0.69\n") -> Result:
    """A siamese result as the pipeline scores it, with the given checks' findings fixed."""
    ex = EXERCISES["siamese"]
    checks = tuple(dataclasses.replace(
        c, fn=lambda ev, f=outcomes.get(c.id), cid=c.id: copy.deepcopy(f) if f else passed(cid))
        for c in ex.checks)
    grader = Grader(exercises={"siamese": dataclasses.replace(ex, checks=checks)})
    outcome = RunOutcome(evidence={"exercises": {"siamese": {"attempted": True,
                                                             "graded_object": "siamese"}}},
                         output=stdout, output_truncated=False, sandbox={"level": "basic"})
    result = apply_rubric(grader.assemble("siamese_solution.py", outcome, ["siamese"]), RUBRIC)
    result.duration_s, result.grader_version = 2.6, "test"
    return result


def wrong() -> Result:
    layers = dict(left_layers="`dense` (Dense 256), `dense_1` (Dense 64)",
                  right_layers="`dense_2<b>` (Dense 256), `dense_3` (Dense 64)")
    return graded({
        "encoder_shared": failed("encoder_shared", "duplicated_encoder", params=434945,
                                 expected="one encoder on both inputs",
                                 got="two encoders", **layers),
        "param_count": failed("param_count", "unexpected_param_count", expected=217537,
                              got=434945),
        "trainable_weights": failed("trainable_weights", "unexpected_weight_count", expected=6,
                                    got=10),
        "head_name": failed("head_name", "wrong_head_name", expected="same_digit",
                            got="dense_4", layers=["dense_4"]),
    })


def only_hidden_wrong() -> Result:
    return graded({"param_count": failed("param_count", "unexpected_param_count",
                                         expected=217537, got=217538)})


def correct() -> Result:
    return graded({})


def syntax_error(tmp_path: Path) -> Result:
    bad = tmp_path / "siamese_solution.py"
    bad.write_text("import keras\nleft = keras.Input(shape=(784,)\nright = 1\n")
    result = apply_rubric(Grader(exercises=EXERCISES).grade(bad, only=["siamese"]), RUBRIC)
    result.duration_s, result.grader_version = 0.1, "test"
    return result


def not_a_notebook() -> Result:
    result = Grader(exercises=EXERCISES).grade(ZOO / "errors" / "solution.txt")
    return apply_rubric(result, RUBRIC)


def timed_out() -> Result:
    outcome = RunOutcome(evidence=None, output="", output_truncated=False, killed_for="timeout",
                         sandbox={"level": "basic", "timeout_s": 60})
    return apply_rubric(Grader(exercises=EXERCISES).assemble("s.py", outcome, ["siamese"]),
                        RUBRIC)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 once"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


# -- the schemas say what the documentation says ---------------------------------------------
# The examples printed in the documentation each schema cites (comments and elisions removed):
# a schema that rejected them would be stricter than the platform, one that accepted ours but
# not theirs would be testing the wrong thing.
GRADESCOPE_SPEC_EXAMPLE = {  # gradescope-autograders.readthedocs.io/en/latest/specs/#output-format
    "score": 44.0, "execution_time": 136, "output": "Text relevant to the entire submission",
    "output_format": "simple_format", "test_output_format": "text", "test_name_format": "text",
    "visibility": "after_due_date", "stdout_visibility": "visible", "extra_data": {},
    "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "Your name here",
               "name_format": "text", "number": "1.1", "output": "Giant multiline string",
               "output_format": "text", "tags": ["tag1", "tag2", "tag3"],
               "visibility": "visible", "extra_data": {}}],
    "leaderboard": [{"name": "Accuracy", "value": .926},
                    {"name": "Time", "value": 15.1, "order": "asc"},
                    {"name": "Stars", "value": "*****"}],
}
GRADESCOPE_STATUS_EXAMPLE = {"tests": [  # … /specs/#test-case-status: no score anywhere
    {"name": "Compilation check", "status": "passed"},
    {"name": "Style check", "status": "failed"},
    {"name": "Test 3", "score": 5, "max_score": 10, "status": "passed"}]}
# prairielearn.readthedocs.io/en/latest/externalGrading/#grading-results
PRAIRIELEARN_DOC_EXAMPLE = {
    "gradable": True, "score": 0.25, "message": "Tests completed successfully.",
    "output": "Running tests...\nTest 1 passed\nTest 2 failed!\n...",
    "images": [{"label": "First Image", "url": "data:image/png;base64,..."},
               {"label": "Second Image", "url": "data:image/jpeg;base64,..."}],
    "tests": [{"name": "Test 1", "description": "Tests that a thing does a thing.", "points": 1,
               "max_points": 1, "message": "No errors!", "output": "Running test..."},
              {"name": "Test 2", "description": "Like Test 1, but harder.", "points": 0,
               "max_points": 3, "message": "Make sure that your code is doing the thing.",
               "output": "Running test...", "images": ["data:image/gif;base64,..."]}],
}


@pytest.mark.parametrize("name", ["gradescope_results", "prairielearn_results", "junit"])
def test_each_schema_is_valid_and_cites_its_documentation(name):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert re.search(r"https://\S+", schema["description"])


def test_the_documented_examples_follow_the_schemas():
    gradescope, prairielearn = validator("gradescope_results"), validator("prairielearn_results")
    gradescope.validate(GRADESCOPE_SPEC_EXAMPLE)
    gradescope.validate(GRADESCOPE_STATUS_EXAMPLE)
    prairielearn.validate(PRAIRIELEARN_DOC_EXAMPLE)
    # what the documentation rules out
    assert not gradescope.is_valid({"tests": [{"name": "no score anywhere", "max_score": 1}]})
    assert not gradescope.is_valid({"score": 1, "tests": [{"status": "skipped"}]})
    assert not gradescope.is_valid({"score": 1, "visibility": "students"})
    assert not gradescope.is_valid({"score": 1, "output_format": "markdown"})
    assert not gradescope.is_valid({"score": 1, "verdict": "pass"})  # not a documented key
    assert not prairielearn.is_valid({"gradable": True, "message": "no score"})
    assert not prairielearn.is_valid({"score": 1.5})
    assert prairielearn.is_valid({"gradable": False, "format_errors": "a string is fine too"})


def test_sample_results_are_what_the_tests_assume(tmp_path):
    w = wrong()
    assert w.verdict is Verdict.FAIL
    # 19 declared points, encoder_shared 3 -> 4, head_name bonus (worth 0): 19; lost 4 + 2 + 1
    assert (w.score, w.max_score) == (12, 19)
    assert only_hidden_wrong().verdict is Verdict.FAIL
    assert correct().verdict is Verdict.PASS and correct().score == 19
    assert syntax_error(tmp_path).problems[0].mistake == "syntax_error"
    assert not_a_notebook().problems[0].mistake == "unreadable_submission"
    assert timed_out().problems[0].mistake == "timeout"


# -- Gradescope -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_gradescope_results_follow_the_schema(fmt, tmp_path):
    v = validator("gradescope_results")
    for result in (wrong(), only_hidden_wrong(), correct(), syntax_error(tmp_path),
                   not_a_notebook(), timed_out()):
        data = render_gradescope(result, fmt)
        v.validate(data)
        assert data["score"] == result.score
        assert all(t["output_format"] == fmt for t in data["tests"])


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_gradescope_golden(fmt):
    check_golden(f"gradescope_{fmt}.json",
                 json.dumps(render_gradescope(wrong(), fmt), indent=1, ensure_ascii=False) + "\n")


def test_gradescope_test_output_is_the_named_mistake_with_its_hint():
    data = render_gradescope(wrong(), "md")
    test = next(t for t in data["tests"] if "encoder_shared" in t["tags"])
    assert test["status"] == "failed" and test["score"] == 0 and test["max_score"] == 4
    assert test["output"].startswith("✘ Two encoders instead of one shared encoder: 434,945 "
                                     "params where 217,537 were expected")
    assert "**Hint:** Create each encoder layer once" in test["output"]
    assert "duplicated_encoder" in test["tags"]
    assert "Traceback" not in json.dumps(data)


def test_gradescope_html_escapes_the_students_names():
    data = render_gradescope(wrong(), "html")
    test = next(t for t in data["tests"] if "encoder_shared" in t["tags"])
    assert "dense_2&lt;b&gt;" in test["output"] and "dense_2<b>" not in test["output"]
    assert test["output"].startswith("<p>✘ Two encoders")


def test_gradescope_visibility_comes_from_the_rubric_and_the_summary_withholds_it():
    data = render_gradescope(wrong(), "md")
    by_check = {t["tags"][1]: t for t in data["tests"]}
    assert by_check["param_count"]["visibility"] == "hidden"
    assert by_check["trainable_weights"]["visibility"] == "after_due_date"
    assert by_check["encoder_shared"]["visibility"] == "visible"
    for text in WITHHELD_TEXT:
        assert text not in data["output"]
    assert "2 more checks are graded but not shown yet" in data["output"]
    assert data["stdout_visibility"] == "hidden"
    assert "verdict" not in json.dumps(data["extra_data"])


def test_gradescope_summary_never_claims_all_checks_passed_with_hidden_ones():
    data = render_gradescope(only_hidden_wrong(), "md")
    assert re.search(r"All \d+ visible checks passed", data["output"])
    assert not re.search(r"All \d+ checks passed", data["output"])
    assert "not shown" in data["output"]
    for text in WITHHELD_TEXT:
        assert text not in data["output"]
    assert render_gradescope(graded({}), "md")["output"].startswith("All 12 visible checks")


def test_gradescope_summary_says_all_passed_only_when_nothing_is_withheld():
    rubric = parse_rubric("", EXERCISES)
    result = apply_rubric(correct(), rubric)
    assert render_gradescope(result, "md")["output"] == "All 15 checks passed."


def test_gradescope_bonus_check_is_worth_nothing_and_tagged():
    data = render_gradescope(wrong(), "md")
    bonus = next(t for t in data["tests"] if "head_name" in t["tags"])
    assert bonus["max_score"] == 0 and "bonus" in bonus["tags"]
    assert bonus["name"].endswith("(bonus)") and "does not fail" in bonus["output"]


def test_gradescope_ungradable_submission_says_why_and_how_to_fix(tmp_path):
    data = render_gradescope(syntax_error(tmp_path), "md")
    assert data["score"] == 0
    assert data["output"].startswith("Your submission could not be graded: Python could not "
                                     "parse your code")
    assert "line 2" in data["output"] and "Hint:" in data["output"]
    [test] = data["tests"]
    assert test["name"] == "Submission: Python could not parse your code"
    assert test["status"] == "failed" and test["visibility"] == "visible"


# -- PrairieLearn ---------------------------------------------------------------------------
def test_prairielearn_results_follow_the_schema_and_the_size_cap(tmp_path):
    v = validator("prairielearn_results")
    for result in (wrong(), only_hidden_wrong(), correct(), syntax_error(tmp_path),
                   not_a_notebook(), timed_out()):
        data = render_prairielearn(result)
        v.validate(data)
        assert len(json.dumps(data).encode()) < MAX_BYTES


def test_prairielearn_golden():
    check_golden("prairielearn.json",
                 json.dumps(render_prairielearn(wrong()), indent=1, ensure_ascii=False) + "\n")


def test_prairielearn_score_is_a_fraction_and_tests_carry_the_named_mistake():
    result = wrong()
    data = render_prairielearn(result)
    assert data["gradable"] is True
    assert data["score"] == pytest.approx(result.score / result.max_score)
    test = next(t for t in data["tests"] if t["name"].startswith("One encoder shared"))
    assert test["message"].startswith("Two encoders instead of one shared encoder")
    assert (test["points"], test["max_points"]) == (0, 4)
    assert "Hint: Create each encoder layer once" in test["output"]
    assert correct() and render_prairielearn(correct())["score"] == 1.0


def test_prairielearn_folds_withheld_checks_into_one_nameless_entry():
    data = render_prairielearn(wrong())
    dump = json.dumps(data)
    for text in WITHHELD_TEXT:
        assert text not in dump
    hidden = [t for t in data["tests"] if t["name"] == "Hidden checks"]
    assert len(hidden) == 1 and hidden[0]["max_points"] == 3 and hidden[0]["points"] == 0
    assert "2 checks graded but not shown" == hidden[0]["description"]


def test_prairielearn_syntax_error_and_not_a_notebook_are_not_gradable(tmp_path):
    data = render_prairielearn(syntax_error(tmp_path))
    assert data["gradable"] is False and data["tests"] == []
    assert "line 2" in data["format_errors"][0] and data["format_errors"][-1].startswith("Hint:")
    data = render_prairielearn(not_a_notebook())
    assert data["gradable"] is False
    assert "not a Python file or a notebook" in data["format_errors"][0]


def test_prairielearn_a_module_the_grader_lacks_does_not_cost_an_attempt():
    outcome = RunOutcome(evidence={"problem": {
        "kind": "module_not_available", "where": "s.py, line 2", "line": 2,
        "detail": "`matplotlib` is not installed where the grader runs"}, "exercises": {}},
        output="", output_truncated=False, killed_for=None, sandbox={"level": "basic"})
    result = apply_rubric(Grader(exercises=EXERCISES).assemble("s.py", outcome, ["siamese"]), RUBRIC)
    data = render_prairielearn(result)
    assert data["gradable"] is False and "matplotlib" in data["format_errors"][0]


def test_prairielearn_a_timeout_is_a_graded_attempt():
    data = render_prairielearn(timed_out())
    assert data["gradable"] is True and data["score"] == 0
    assert data["tests"][0]["name"] == "Submission: Your code ran out of time"


def test_prairielearn_output_is_cut_to_stay_under_one_megabyte():
    result = wrong()
    result.stdout = "x" * 5_000_000
    result.exercises[0].findings[0].message = "y" * 3_000_000
    data = render_prairielearn(result)
    size = len(json.dumps(data, ensure_ascii=False).encode())
    assert size < MAX_BYTES
    validator("prairielearn_results").validate(data)
    assert "(the end of it)" in data["output"]


# -- JUnit ----------------------------------------------------------------------------------
def junit(result: Result, **kw) -> ET.Element:
    root = ET.fromstring(render_junit(result, **kw))
    validator("junit").validate(xml_tree(root))
    return root


def test_junit_follows_the_schema(tmp_path):
    for result in (wrong(), only_hidden_wrong(), correct(), syntax_error(tmp_path),
                   not_a_notebook(), timed_out()):
        junit(result)
        junit(result, include_hidden=True)


def test_junit_golden():
    check_golden("junit.xml", render_junit(wrong()))


def test_junit_one_case_per_visible_check_failure_message_is_the_named_mistake():
    result = wrong()
    root = junit(result)
    cases = root.findall("./testsuite[@name='siamese']/testcase")
    assert len(cases) == 13  # 15 checks, 2 withheld
    names = [c.get("name") for c in cases]
    assert "param_count" not in names and "trainable_weights" not in names
    failure = root.find("./testsuite/testcase[@name='encoder_shared']/failure")
    finding = next(f for f in result.exercises[0].findings if f.check == "encoder_shared")
    assert failure.get("message") == finding.message
    assert failure.get("type") == "duplicated_encoder"
    assert root.get("tests") == "13" and root.get("failures") == "1"
    bonus = root.find("./testsuite/testcase[@name='head_name']")
    assert bonus.find("failure") is None and "bonus check" in bonus.find("system-out").text
    out = root.find("./testsuite/system-out").text
    for text in WITHHELD_TEXT:
        assert text not in render_junit(result)
    assert "not shown" in out


def test_junit_include_hidden_lists_every_check():
    root = junit(wrong(), include_hidden=True)
    assert len(root.findall("./testsuite[@name='siamese']/testcase")) == 15
    assert root.get("failures") == "3"
    assert "Score 12 / 19" in root.find("./testsuite/system-out").text


def test_junit_submission_problem_is_a_failed_case(tmp_path):
    root = junit(syntax_error(tmp_path))
    failure = root.find("./testsuite[@name='submission']/testcase[@name='syntax_error']/failure")
    assert failure.get("type") == "syntax_error" and "line 2" in failure.get("message")


def test_junit_strips_characters_xml_cannot_carry():
    result = wrong()
    next(f for f in result.exercises[0].findings if f.check == "encoder_shared").message = \
        "bad \x00\x1b[31m byte"
    root = junit(result)
    assert "bad \ufffd\ufffd[31m byte" == root.find(".//failure").get("message")


def test_gradescope_extra_data_names_the_exercises_graded_from_the_submissions_own_report():
    result = wrong()
    assert render_gradescope(result, "md")["extra_data"]["reported"] == []
    result.exercises[0].verification = "reported"
    assert render_gradescope(result, "md")["extra_data"]["reported"] == ["siamese"]
