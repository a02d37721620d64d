"""The class dashboard, from hand-built results (no grading, no TensorFlow): what it counts,
and that the page is self-contained and escapes what students control."""
import re

from grader.findings import ExerciseResult, Finding, Result, Status, Verdict
from reports.dashboard import (check_pass_rates, class_summary, mistake_counts, render_dashboard,
                               score_bins)

TITLES = {"duplicated_encoder": "Two encoders instead of one shared encoder",
          "wrong_head_name": "The head is not named same_digit",
          "syntax_error": "Python could not parse your code"}


def check(cid, status, mistake=None, title=None):
    return Finding(cid, Status(status), mistake, title=title or cid.replace("_", " "),
                   max_points=1.0, points=1.0 if status == "pass" else 0.0)


def record(sid, checks=(), problems=(), verdict=None, duration=1.0, content="", **meta):
    findings = [check(*c) for c in checks]
    score = sum(f.points for f in findings)
    exercises = [ExerciseResult("siamese", "Siamese comparator", findings, score=score,
                                max_score=3.0)] if findings else []
    if verdict is None:
        verdict = "pass" if all(f.status is Status.PASS for f in findings) else "fail"
    r = Result(f"subs/{sid}.py", Verdict(verdict), score, 3.0, exercises,
               problems=[Finding("submission", Status.FAIL, m, title=TITLES.get(m, m))
                         for m in problems], duration_s=duration)
    d = r.to_dict()
    d["batch"] = {"id": sid, "file": f"{sid}.py", "content": content, **meta}
    return d


ALL_PASS = [("encoder_shared", "pass"), ("head_name", "pass"), ("param_count", "pass")]
DUPLICATED = [("encoder_shared", "fail", "duplicated_encoder"), ("head_name", "pass"),
              ("param_count", "fail", "duplicated_encoder")]
BAD_HEAD = [("encoder_shared", "pass"), ("head_name", "fail", "wrong_head_name"),
            ("param_count", "pass")]


def a_class():
    return [
        record("alice", ALL_PASS, duration=2.0, content="h1"),
        record("bob", DUPLICATED, duration=7.5),
        record("carol", BAD_HEAD, duration=2.5, content="h1"),
        record("dave", problems=["syntax_error"], verdict="error", duration=0.0),
        record("erin", DUPLICATED, duration=3.0, ambiguous=True),
    ]


def test_summary_counts_verdicts_and_scores():
    s = class_summary(a_class(), TITLES)
    assert s["n"] == 5
    assert s["verdicts"] == {"pass": 1, "fail": 3, "error": 1}
    assert s["pass_rate"] == 0.2
    assert s["max_score"] == 3.0
    assert [r["id"] for r in s["slowest"][:2]] == ["bob", "erin"]


def test_each_mistake_counted_once_per_submission():
    # bob and erin each hit duplicated_encoder on two checks: two submissions, not four
    counts = {m["id"]: (m["count"], m["students"]) for m in mistake_counts(a_class(), TITLES)}
    assert counts["duplicated_encoder"] == (2, ["bob", "erin"])
    assert counts["wrong_head_name"] == (1, ["carol"])
    assert counts["syntax_error"] == (1, ["dave"])
    assert next(iter(counts)) == "duplicated_encoder"  # most frequent first


def test_pass_rate_of_each_check_counts_only_graded_submissions():
    (ex,) = check_pass_rates(a_class())
    rates = {c["id"]: (c["pass"], c["total"]) for c in ex["checks"]}
    assert ex["graded"] == 4  # dave's could not run: no exercise to count
    assert rates == {"encoder_shared": (2, 4), "head_name": (3, 4), "param_count": (2, 4)}


def test_score_bins_one_per_point_when_the_maximum_is_shared():
    bins = score_bins(a_class())
    assert [b["label"] for b in bins] == ["0", "1", "2", "3"]
    assert [(b["pass"], b["fail"], b["error"]) for b in bins] == [
        (0, 0, 1), (0, 2, 0), (0, 1, 0), (1, 0, 0)]


def test_score_bins_fall_back_to_percent_when_maxima_differ():
    records = a_class()
    records[3]["max_score"] = 31.0  # an error is out of every exercise's points
    bins = score_bins(records)
    assert len(bins) == 11 and bins[-1]["label"] == "100%"
    assert sum(b["total"] for b in bins) == 5
    assert bins[10]["pass"] == 1 and bins[0]["error"] == 1


def test_attention_lists_guesses_errors_and_identical_files():
    a = class_summary(a_class(), TITLES)["attention"]
    assert [e["id"] for e in a["guessed"]] == ["erin"]
    assert [e["id"] for e in a["ungraded"]] == ["dave"]
    assert "could not parse" in a["ungraded"][0]["why"]
    assert a["identical"] == [["alice", "carol"]]


def test_page_links_every_report_and_draws_the_chart():
    html = render_dashboard(a_class(), title="cs101", titles=TITLES, grader_version="9.9",
                            options={"timeout_s": 60.0})
    for sid in ("alice", "bob", "carol", "dave", "erin"):
        assert f'href="submissions/{sid}.html"' in html
    assert "<svg" in html and html.count('class="seg-') == 4  # one segment per non-empty verdict bin
    assert "Two encoders instead of one shared encoder" in html
    assert "Class report: cs101" in html and "9.9" in html


def test_page_is_self_contained():
    html = render_dashboard(a_class(), title="cs101", titles=TITLES)
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert '<meta name="viewport"' in html


def test_student_controlled_text_is_escaped():
    r = record("mallory", ALL_PASS)
    r["batch"]["file"] = "<script>alert(1)</script>.py"
    r["notes"] = ["<img src=x onerror=alert(1)>"]
    html = render_dashboard([r], title="<b>class</b>")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<b>class</b>" not in html


def test_empty_class_renders():
    html = render_dashboard([], title="nobody yet")
    assert "0 submissions" in html and "No mistakes found" in html


def test_what_discovery_noticed_is_shown_escaped_under_needs_a_look():
    page = render_dashboard(a_class(), folder_notes=[
        "sec/ holds 3 student folders", "not graded (not a regular file): <b>x</b>.py (a FIFO)"])
    assert "The submissions folder (2 notes)" in page
    assert "sec/ holds 3 student folders" in page
    assert "&lt;b&gt;x&lt;/b&gt;.py (a FIFO)" in page and "<b>x</b>" not in page


def test_the_page_says_how_many_gradings_a_clean_process_measured_again():
    recs = [record(s, [("encoder_shared", "pass")]) for s in ("ana", "ben", "cy")]
    recs[0]["exercises"][0]["verification"] = {"measured": "clean"}
    recs[1]["exercises"][0]["verification"] = {"measured": "clean"}
    recs[2]["exercises"][0]["verification"] = {"measured": "reported",
                                               "why": "it needs `Encoder` (a class of your own)"}
    assert class_summary(recs)["measured"] == [
        {"id": "siamese", "clean": 2, "reported": 1,
         "why": "it needs `Encoder` (a class of your own)"}]
    page = render_dashboard(recs, title="t")
    assert "<code>siamese</code> 2 of 3 (the rest from the submission" in page
    assert "it needs <code>Encoder</code>" in page
    assert 'id="measured"' not in render_dashboard([record("dan", [("x", "pass")])], title="t")


def test_submissions_graded_from_their_own_report_are_listed_for_a_look_and_in_grades_csv():
    from grader.gradebook import grades_csv

    recs = [record(s, [("encoder_shared", "pass")]) for s in ("ana", "ben")]
    recs[0]["exercises"][0]["verification"] = {"measured": "clean"}
    recs[1]["exercises"][0]["verification"] = {"measured": "reported", "why": "a Lambda layer"}
    assert [e["id"] for e in class_summary(recs)["attention"]["reported"]] == ["ben"]
    page = render_dashboard(recs, title="t")
    assert "Graded from the submission's own report (1)" in page
    assert re.search(r'<a href="submissions/ben.html">ben</a> 1 / 3: <code>siamese</code>', page)
    assert 'href="submissions/ana.html">ana</a> 1 / 3' not in page
    rows = grades_csv(recs).splitlines()
    assert rows[0].endswith(",reported")
    assert rows[1].endswith(",") and rows[2].endswith(",siamese")
    # all measured clean: nothing to look at
    assert "own report" not in render_dashboard(recs[:1], title="t")
