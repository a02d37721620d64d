"""weights_and_trainable checks on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import weights_and_trainable as wt
from grader.findings import Status

CHAIN = [{"name": "dense", "in": 784, "units": 256, "activation": "relu", "use_bias": True},
         {"name": "dense_1", "in": 256, "units": 64, "activation": "relu", "use_bias": True},
         {"name": "dense_2", "in": 64, "units": 10, "activation": "softmax", "use_bias": True}]


def replay(moved=2, unfrozen=(6, 6, 0)):
    return {"unfrozen": list(unfrozen), "after_freeze": unfrozen[1] - moved,
            "after_unfreeze": unfrozen[1], "moved": moved}


def evidence(*, freeze=True, target="fn_model.layers[1]", resolved_class="Dense", units=256,
             moved=2, left_frozen=False, unfrozen=(6, 6, 0), resolvable=True, first_dense=True):
    lines = []
    if freeze:
        line = {"where": "line 30", "order": 29, "line": 30,
                "code": f"{target}.trainable = False", "target": target}
        if resolvable:
            line.update(model="fn_model", replay=replay(moved, unfrozen),
                        resolved={"name": "dense" if first_dense else "dense_2",
                                  "class": resolved_class, "units": units,
                                  "whole_model": resolved_class == "Functional", "index": 1,
                                  "first_dense": first_dense})
        lines.append(line)
    as_left = [6, 4, 2] if left_frozen else list(unfrozen)
    ev = {"attempted": True, "graded_object": "fn_model", "freeze_lines": lines,
          "unfreeze_lines": [], "model": {"var": "fn_model", "name": "mlp_functional",
                                          "as_left": as_left, "params": 218_058,
                                          "dense_chain": CHAIN,
                                          "first_dense": {"name": "dense", "class": "Dense"}},
          "lesson_replay": replay(2, unfrozen), "as_left": {"fn_model": as_left},
          "left_frozen": {}}
    if left_frozen:
        ev["left_frozen"] = {"fn_model": [{"layer": "dense", "class": "Dense", "index": 1,
                                           "units": 256, "variables": 2}]}
    return ev


def run_all(ev):
    return {c.id: c.fn(ev) for c in wt.EXERCISE.checks}


def mistakes(ev):
    return {f.mistake for f in run_all(ev).values() if f.status is Status.FAIL}


def test_lesson_numbers():
    assert (wt.EXPECTED_WEIGHTS, wt.EXPECTED_TRAINABLE, wt.EXPECTED_NON_TRAINABLE) == (6, 6, 0)
    assert wt.AFTER_FREEZE == 4


def test_correct_evidence_passes_every_check():
    results = run_all(evidence())
    assert all(f.status is Status.PASS for f in results.values()), results
    assert "6 → 4 → 6" in results["freeze_first_dense"].got


@pytest.mark.parametrize("kwargs, expected", [
    (dict(left_frozen=True), {"layer_left_frozen"}),
    (dict(freeze=False), {"freeze_missing"}),
    (dict(target="fn_model.layers[0]", resolved_class="InputLayer", units=None, moved=0),
     {"froze_wrong_layer"}),
    (dict(target="fn_model", resolved_class="Functional", units=None, moved=6),
     {"froze_wrong_layer"}),
    (dict(unfrozen=(8, 6, 2)), {"wrong_mlp_architecture"}),
    # the head Dense(10) owns 2 variables too: right count, not the lesson's layer
    (dict(target="fn_model.layers[-1]", units=10, first_dense=False), {"froze_wrong_layer"}),
])
def test_mistake_is_named(kwargs, expected):
    assert mistakes(evidence(**kwargs)) == expected


def test_a_freeze_line_the_grader_cannot_follow_is_not_a_mistake():
    # e.g. `layer.trainable = False` inside a loop over a helper's result: no false fail.
    assert mistakes(evidence(target="for l in blocks: l", resolvable=False)) == set()


def test_any_line_that_moves_two_variables_passes():
    ev = evidence()
    wrong = dict(ev["freeze_lines"][0], target="fn_model.layers[0]", replay=replay(0),
                 resolved={"name": "pixels", "class": "InputLayer", "whole_model": False})
    ev["freeze_lines"].insert(0, wrong)
    assert run_all(ev)["freeze_first_dense"].status is Status.PASS


def test_no_model_is_model_not_found():
    ev = {"attempted": True, "model": None, "freeze_lines": []}
    results = run_all(ev)
    assert results["weight_counts"].mistake == "model_not_found"
    assert results["freeze_first_dense"].status is Status.SKIPPED


def test_left_frozen_message_names_layer_and_line():
    from grader.grading import Grader
    g = Grader(runner=object())
    ex = g._grade_exercise(wt.EXERCISE, evidence(left_frozen=True), [])
    f = next(f for f in ex.findings if f.check == "unfreeze_restores")
    assert "`dense` (Dense 256, layers[1])" in f.message
    assert "4 trainable / 2 non-trainable" in f.message and "line 30" in f.message
    assert f.hint and "True" in f.hint


def test_attempt_patterns():
    import re
    assert re.search(wt.FREEZE, "fn_model.layers[1].trainable = False")
    assert not re.search(wt.FREEZE, "assert fn_model.layers[1].trainable == False")
    assert re.search(wt.READS, "print(len(fn_model.non_trainable_weights))")
    # The siamese task's own check is not this section.
    assert not re.search(wt.READS, "assert len(siamese.trainable_weights) == 6")


def test_freezing_the_head_says_which_layer_the_lesson_freezes():
    f = run_all(evidence(target="fn_model.layers[-1]", units=10, first_dense=False))["freeze_first_dense"]
    assert "is not the first Dense (`dense`)" in f.facts["what"]
    assert "6 → 4" in f.facts["what"]


def test_another_model_left_frozen_on_purpose_is_not_judged_by_fn_models_numbers():
    ev = evidence()
    ev["left_frozen"] = {"backbone": [{"layer": "toy_backbone", "class": "Sequential",
                                       "whole_model": True, "variables": 2}]}
    ev["as_left"]["backbone"] = [2, 0, 2]
    assert mistakes(ev) == set()
    ev["left_frozen"]["fn_model"] = [{"layer": "dense", "class": "Dense", "index": 1,
                                      "units": 256, "variables": 2}]
    ev["as_left"]["fn_model"] = [6, 4, 2]
    assert mistakes(ev) == {"layer_left_frozen"}
