"""The rubric file: parsing, errors that name the line, and the stage that applies it to a
Result (re-scoring, visibility, bonus, required exercises). No TensorFlow: milliseconds."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.exercise import load_exercises
from grader.findings import ExerciseResult, Finding, Result, Status, Verdict, failed, passed
from grader.rubric import (CheckRule, RubricError, StudentView, apply_rubric, default_rubric,
                           default_rubric_toml, line_of_key, load_rubric, parse_rubric)

EXERCISES = load_exercises()
ROOT = Path(__file__).parent.parent


def error_of(text: str) -> RubricError:
    with pytest.raises(RubricError) as info:
        parse_rubric(text, EXERCISES, source="rubric.toml")
    return info.value


# -- parsing ----------------------------------------------------------------------------------
def test_empty_rubric_is_the_declared_one():
    rubric = parse_rubric("", EXERCISES)
    assert rubric.rules == default_rubric(EXERCISES).rules
    assert rubric.required is None
    assert rubric.max_score("siamese") == EXERCISES["siamese"].max_score


def test_default_rubric_written_out_parses_back_to_itself():
    text = default_rubric_toml(EXERCISES)
    assert parse_rubric(text, EXERCISES).rules == default_rubric(EXERCISES).rules
    for ex in EXERCISES.values():
        for c in ex.checks:
            assert c.id in text


def test_example_rubric_is_valid():
    rubric = load_rubric(ROOT / "examples" / "rubric.toml", EXERCISES)
    assert rubric.required == ("siamese",)
    assert rubric.rules["siamese"]["encoder_shared"].points == 4
    assert any(r.visibility != "visible" for r in rubric.rules["siamese"].values())


def test_overrides_points_visibility_bonus_and_required():
    rubric = parse_rubric("""
[assignment]
name = "Week 2"
require = ["siamese"]
submission = "siamese*.ipynb"

[gradescope]
output_format = "html"

[exercises.siamese]
visibility = "after_published"

[exercises.siamese.checks]
encoder_shared = 5
param_count = { points = 2.5, visibility = "hidden" }
head_name = { bonus = true }
""", EXERCISES)
    rules = rubric.rules["siamese"]
    assert rules["encoder_shared"] == CheckRule(5.0, "after_published", False)
    assert rules["param_count"] == CheckRule(2.5, "hidden", False)
    assert rules["head_name"].bonus and rules["head_name"].max_points == 0
    assert rules["merge"].visibility == "after_published"  # the exercise's default
    assert rubric.required == ("siamese",) and rubric.name == "Week 2"
    assert rubric.submission == ("siamese*.ipynb",)
    assert rubric.gradescope == {"output_format": "html", "stdout_visibility": "hidden"}
    assert rules["encoder_shared"].points == 5 and rubric.max_score("siamese") == 19 + 2 + 0.5 - 1
    assert rubric.rules["mlp_three_ways"] == default_rubric(EXERCISES).rules["mlp_three_ways"]


# -- errors name the line ---------------------------------------------------------------------
def test_unknown_check_names_its_line_and_the_close_match():
    err = error_of("""# course rubric
[exercises.siamese.checks]
encoder_shared = 4
encoder_sharde = { points = 2 }
""")
    assert err.line == 4
    assert str(err).startswith("rubric.toml, line 4: unknown check of exercise 'siamese' "
                               "'encoder_sharde'; did you mean 'encoder_shared'?")


def test_unknown_exercise_in_a_table_header():
    err = error_of('[assignment]\nname = "x"\n\n[exercises.siames]\nvisibility = "hidden"\n')
    assert err.line == 4 and "unknown exercise 'siames'; did you mean 'siamese'?" in str(err)


def test_unknown_exercise_in_dotted_header_only():
    err = error_of('\n[exercises.mlp.checks]\nsoftmax_heads = 1\n')
    assert err.line == 2 and "unknown exercise 'mlp'" in str(err)


def test_unknown_check_inside_an_inline_table():
    err = error_of('[exercises.siamese]\nchecks = { merge = 2, head_nme = 1 }\n')
    assert err.line == 2 and "'head_nme'" in err.message


def test_unknown_exercise_in_require():
    err = error_of('[assignment]\nname = "a"\nrequire = ["siamese", "mlp"]\n')
    assert err.line == 3 and "unknown exercise in require 'mlp'" in str(err)


@pytest.mark.parametrize("text, line, needle", [
    ('[exercises.siamese.checks]\nmerge = { visibility = "secret" }\n', 2,
     "visibility must be one of visible, hidden, after_due_date, after_published"),
    ('[exercises.siamese.checks]\n\nmerge = { points = -1 }\n', 3, "must be a number >= 0"),
    ('[exercises.siamese.checks]\nmerge = { points = "2" }\n', 2, "must be a number >= 0"),
    ('[exercises.siamese.checks]\nmerge = { bonus = "yes" }\n', 2, "bonus must be true or false"),
    ('[exercises.siamese.checks]\nmerge = { weight = 2 }\n', 2, "unknown check setting 'weight'"),
    ('[exercises.siamese]\nvisibility = "after_due"\n', 2, "visibility must be one of"),
    ('[exercises.siamese]\npoints = 3\n', 2, "unknown key in [exercises.siamese] 'points'"),
    ('[gradscope]\noutput_format = "md"\n', 1, "unknown section 'gradscope'; did you mean"),
    ('[gradescope]\noutput_format = "pdf"\n', 2, "output_format must be one of md, html"),
    ('[assignment]\nrequire = []\n', 2, "require must name at least one exercise"),
    ('[assignment]\nrequire = ["siamese", "siamese"]\n', 2, "names an exercise twice"),
    ('[assignment]\ndue = 2024-01-01\n', 2, "unknown key in [assignment] 'due'"),
    ('exercises = 3\n', 1, "exercises must be a table"),
])
def test_semantic_errors_name_the_line(text, line, needle):
    err = error_of(text)
    assert err.line == line, str(err)
    assert needle in str(err)
    assert str(err).startswith(f"rubric.toml, line {line}: ")


def test_syntax_error_names_the_line():
    err = error_of('[exercises.siamese.checks]\nmerge = { points = 2\n')
    assert err.line == 2 and "not valid TOML" in str(err) and "line 2" in str(err)


def test_unreadable_rubric_file(tmp_path):
    with pytest.raises(RubricError, match="cannot read the rubric"):
        load_rubric(tmp_path / "missing.toml", EXERCISES)
    (tmp_path / "latin1.toml").write_bytes(b"# caf\xe9\n")
    with pytest.raises(RubricError, match="not UTF-8"):
        load_rubric(tmp_path / "latin1.toml", EXERCISES)


def test_line_of_key_follows_headers_dotted_keys_quotes_and_comments():
    text = ('# [exercises.siamese] in a comment\n[exercises]\n"siamese".checks.merge = 1  # x\n'
            '[exercises.siamese.checks]\nhead_name = {points=1}\n')
    assert line_of_key(text, ("exercises", "siamese", "checks", "merge")) == 3
    assert line_of_key(text, ("exercises", "siamese", "checks", "head_name")) == 5
    assert line_of_key(text, ("exercises", "siamese", "checks", "nope")) == 4


def test_rubric_checker_command(tmp_path):
    good = subprocess.run([sys.executable, "-m", "grader.rubric", str(ROOT / "examples" /
                                                                     "rubric.toml")],
                          capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "siamese: 15 checks" in good.stdout
    bad = tmp_path / "rubric.toml"
    bad.write_text('[exercises.siamese.checks]\nmerg = 1\n')
    out = subprocess.run([sys.executable, "-m", "grader.rubric", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and f"{bad}, line 2: unknown check" in out.stderr


# -- applying it ------------------------------------------------------------------------------
def scored_result(statuses: dict[str, Finding], problems=()) -> Result:
    """A siamese result scored with the declared points, as the pipeline would."""
    findings = []
    for c in EXERCISES["siamese"].checks:
        f = statuses.get(c.id) or passed(c.id)
        f.title, f.max_points = c.title, float(c.points)
        f.points = f.max_points if f.status is Status.PASS else 0.0
        f.message = f.message or c.title
        findings.append(f)
    ex = ExerciseResult("siamese", "Siamese", findings, sum(f.points for f in findings),
                        EXERCISES["siamese"].max_score)
    verdict = Verdict.FAIL if problems or any(f.status is not Status.PASS for f in findings) \
        else Verdict.PASS
    return Result("s.py", verdict, ex.score, ex.max_score, [ex], problems=list(problems))


def test_apply_rescores_and_sets_visibility():
    result = scored_result({"encoder_shared": failed("encoder_shared", "duplicated_encoder")})
    assert (result.score, result.max_score) == (16, 19)
    rubric = parse_rubric('[exercises.siamese.checks]\nencoder_shared = 6\n'
                          'merge = { points = 0.5, visibility = "hidden" }\n', EXERCISES)
    out = apply_rubric(result, rubric)
    assert (out.score, out.max_score) == (15.5, 21.5)
    assert out.exercises[0].max_score == 21.5
    merge = next(f for f in out.exercises[0].findings if f.check == "merge")
    assert (merge.points, merge.max_points, merge.visibility) == (0.5, 0.5, "hidden")
    assert result.score == 16  # the input is not changed
    assert out.verdict is Verdict.FAIL


def test_a_check_made_bonus_no_longer_fails_the_verdict():
    result = scored_result({"head_name": failed("head_name", "wrong_head_name")})
    assert result.verdict is Verdict.FAIL
    out = apply_rubric(result, parse_rubric('[exercises.siamese.checks]\n'
                                            'head_name = { bonus = true }\n', EXERCISES))
    assert out.verdict is Verdict.PASS and out.mistakes == []
    assert (out.score, out.max_score) == (18, 18)


def test_required_exercises_drop_the_others_and_fix_the_total():
    result = scored_result({})
    mlp = ExerciseResult("mlp_three_ways", "MLP", [], 0, 12)
    result.exercises.append(mlp)
    rubric = parse_rubric('[assignment]\nrequire = ["siamese"]\n', EXERCISES)
    out = apply_rubric(result, rubric)
    assert [e.id for e in out.exercises] == ["siamese"] and out.max_score == 19


def test_an_ungraded_submission_keeps_its_error_verdict_and_gets_the_required_total():
    problem = failed("submission", "syntax_error")
    result = Result("s.py", Verdict.ERROR, 0, 31, [], problems=[problem])
    rubric = parse_rubric('[assignment]\nrequire = ["mlp_three_ways"]\n', EXERCISES)
    out = apply_rubric(result, rubric)
    assert out.verdict is Verdict.ERROR and out.score == 0
    assert out.max_score == EXERCISES["mlp_three_ways"].max_score


def test_tampering_still_scores_zero():
    result = scored_result({}, problems=[failed("submission", "tampering")])
    assert apply_rubric(result, default_rubric(EXERCISES)).score == 0


def test_grade_with_rubric_grades_only_required_exercises():
    from grader.rubric import grade_with_rubric

    class FakeGrader:
        def grade(self, path, only=None):
            self.only = only
            return scored_result({})

    g = FakeGrader()
    grade_with_rubric(g, "s.py", parse_rubric('[assignment]\nrequire = ["siamese"]\n',
                                              EXERCISES))
    assert g.only == ["siamese"]
    grade_with_rubric(g, "s.py", default_rubric(EXERCISES))
    assert g.only is None


# -- what a student sees ----------------------------------------------------------------------
def test_student_view_withholds_everything_not_yet_visible():
    result = scored_result({"param_count": failed("param_count", "unexpected_param_count")})
    rubric = parse_rubric('[exercises.siamese.checks]\nparam_count = { visibility = '
                          '"after_due_date" }\ntrainable_weights = { visibility = "hidden" }\n',
                          EXERCISES)
    out = apply_rubric(result, rubric)
    view = StudentView.of(out)
    assert {f.check for _, f in view.withheld} == {"param_count", "trainable_weights"}
    summary = view.summary(out)
    assert summary.startswith("All 13 visible checks passed.")
    assert "2 more checks are graded but not shown yet" in summary
    assert "param" not in summary and "trainable" not in summary


def test_summary_names_visible_mistakes_and_problems():
    result = scored_result({"encoder_shared": failed("encoder_shared", "duplicated_encoder")},
                           problems=[Finding("submission", Status.FAIL, "runtime_error",
                                             message="Your code raised an exception: boom")])
    result.exercises[0].findings[3].message = "Two encoders instead of one: 434,945 params"
    summary = StudentView.of(result).summary(result)
    assert summary == ("14 of 15 checks passed. To fix: Two encoders instead of one. "
                       "Problem: Your code raised an exception: boom.")
