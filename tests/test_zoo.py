"""The mistake zoo, end to end: every submission under tests/zoo is graded in a real sandboxed
child and must be diagnosed with exactly the mistake ids its MANIFEST entry names."""
from __future__ import annotations

import json

import pytest

from conftest import MANIFEST, ZOO
from grader.findings import Status

LIMIT_HITTERS = {"errors/timeout.py", "errors/output_limit.py", "errors/memory_limit.py"}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_zoo_submission_is_diagnosed_exactly(name, grader, fast_grader):
    entry = MANIFEST[name]
    g = fast_grader if name in LIMIT_HITTERS else grader
    result = g.grade(ZOO / name)
    d = result.to_dict()
    assert sorted(d["mistakes"]) == sorted(entry["mistakes"]), _explain(d)
    assert d["verdict"] == entry["verdict"], _explain(d)
    failed_bonus = sorted(c["mistake"] for ex in d["exercises"] for c in ex["checks"]
                          if c["bonus"] and c["status"] == Status.FAIL.value)
    assert failed_bonus == sorted(entry.get("bonus_mistakes", [])), _explain(d)
    if "measured" in entry:  # what the verdict rests on (grader.verification)
        assert [ex.verification for ex in result.exercises] == \
            [entry["measured"]] * len(result.exercises), _explain(d)
    json.dumps(d)  # the result always serialises
    if entry["verdict"] == "pass":
        assert result.score == result.max_score > 0, _explain(d)
        expected = entry.get("exercises") or [entry["exercise"]]
        assert sorted(ex.id for ex in result.exercises) == sorted(expected)
    if entry["verdict"] == "error":
        assert result.problems and result.problems[0].message, _explain(d)


def test_every_zoo_file_is_in_the_manifest():
    files = {str(p.relative_to(ZOO)) for p in ZOO.rglob("*") if p.is_file()
             and p.name != "MANIFEST.toml" and "__pycache__" not in p.parts
             and not p.name.endswith((".report.html", ".report.json"))}
    assert files == set(MANIFEST)


def test_every_declared_mistake_has_a_zoo_file():
    from grader.exercise import load_exercises
    from grader.mistakes import catalogue
    # A bonus check's mistake never enters `mistakes` (it cannot fail a submission): the manifest
    # names it under `bonus_mistakes`, and test_zoo_submission_is_diagnosed_exactly checks it.
    covered = {m for e in MANIFEST.values() for m in e["mistakes"] + e.get("bonus_mistakes", [])}
    # Ids that are fallbacks for shapes of mistake no lesson reader is likely to make, or that
    # name a grader fault rather than a student's mistake; each has a unit test instead.
    fallback = {"grader_error", "unexpected_param_count", "unexpected_weight_count",
                "wrong_output_shape", "forward_pass_failed", "wrong_encoder_activation",
                "model_missing", "subclass_call_failed"}
    assert set(catalogue(load_exercises().values())) - fallback <= covered


def _explain(d: dict) -> str:
    lines = [f"verdict={d['verdict']} mistakes={d['mistakes']} score={d['score']}/{d['max_score']}"]
    for p in d["problems"]:
        lines.append(f"  problem {p['mistake']}: {p['message']}")
    for ex in d["exercises"]:
        for c in ex["checks"]:
            if c["status"] != Status.PASS.value:
                lines.append(f"  {ex['id']}.{c['check']} {c['status']} {c['mistake']}: "
                             f"{c['message'] or c['reason']}")
    lines.append("output tail: " + d["output"]["text"][-800:])
    return "\n".join(lines)
