"""mlp_three_ways checks for the subclassed model's `training` flag and its get_config() round
trip, on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import mlp_three_ways as mlp
from grader.findings import Status

CHAIN = [{"name": "dense", "in": 784, "units": 256, "activation": "relu", "use_bias": True},
         {"name": "dense_1", "in": 256, "units": 64, "activation": "relu", "use_bias": True},
         {"name": "dense_2", "in": 64, "units": 10, "activation": "softmax", "use_bias": True}]


def model():
    return {"params": mlp.EXPECTED_PARAMS, "dense_chain": CHAIN, "policies": ["float32"]}


def evidence(*, training=None, config=None):
    sub = {"source": "MLP", "call_ok": True, "repeat_equal": True, "weights_after_call": 6,
           "model": model(),
           "training": training or {"ok": True, "call_has_training": True, "layers": [],
                                    "inference_repeatable": True,
                                    "fit_mode_equals_inference": True},
           "config": config or {"ok": True, "keys": ["hidden_units", "name", "num_classes"],
                                "params": mlp.EXPECTED_PARAMS}}
    return {"attempted": True, "global_policy": "float32",
            "roles": {"sequential": {"source": "make_sequential()", "built_as_written": True,
                                     "model": model()},
                      "functional": {"source": "fn_model", "built_as_written": True,
                                     "model": model()},
                      "subclassed": sub},
            "transfers": [{"source": "functional", "target": t, "ok": True, "max_rel": 0.0,
                           "allclose": True} for t in ("sequential", "subclassed")]}


def dropout(name="dropout", inference=(False,), fit_mode=(True,), cls="Dropout"):
    return {"name": name, "class": cls, "inference": list(inference), "fit_mode": list(fit_mode)}


def training(layers, has_arg=True, repeatable=True, equal=False):
    return {"ok": True, "call_has_training": has_arg, "layers": layers,
            "inference_repeatable": repeatable, "fit_mode_equals_inference": equal}


def run_all(ev):
    return {c.id: c.fn(ev) for c in mlp.EXERCISE.checks}


def test_correct_evidence_passes_every_check():
    assert all(f.status is Status.PASS for f in run_all(evidence()).values())


def test_training_check_is_scored_and_config_check_is_a_bonus():
    checks = {c.id: c for c in mlp.EXERCISE.checks}
    assert not checks["training_forwarded"].bonus and checks["training_forwarded"].points == 1
    assert checks["config_round_trip"].bonus


@pytest.mark.parametrize("t", [
    training([dropout()]),                                  # forwarded, or omitted (keras 3)
    training([dropout(inference=(None,))]),                 # call(..., training=None) forwarded
    training([dropout(fit_mode=(True,), inference=())]),    # `if training: x = self.dropout(x)`
    training([dropout(fit_mode=())], equal=True),           # created in __init__, never used
    training([]),                                           # no Dropout at all (the lesson)
])
def test_training_reaching_the_layers_passes(t):
    assert run_all(evidence(training=t))["training_forwarded"].status is Status.PASS


@pytest.mark.parametrize("t", [
    training([dropout(fit_mode=(False,))], equal=True),                 # training=False written
    training([dropout(fit_mode=(False,))], has_arg=False, equal=True),  # call(self, inputs)
    training([dropout(cls="BatchNormalization", fit_mode=("not passed",))], has_arg=False,
             equal=True),
    # one of two dropouts hard-wired off: the output still changes, but that layer never trains
    training([dropout("d1"), dropout("d2", fit_mode=(False,))], equal=False),
])
def test_training_not_reaching_a_layer_is_named(t):
    f = run_all(evidence(training=t))["training_forwarded"]
    assert (f.status, f.mistake) == (Status.FAIL, "training_not_forwarded")
    assert f.layers and all(row["name"] in f.layers for row in t["layers"]
                            if any(v is not True for v in row["fit_mode"]))


def test_dropout_on_at_inference_is_left_to_outputs_equal():
    t = training([dropout(inference=(True,), fit_mode=(True,))], repeatable=False)
    f = run_all(evidence(training=t))["training_forwarded"]
    assert f.status is Status.SKIPPED


def test_training_message_says_how_fit_calls_the_model():
    from grader.grading import Grader
    g = Grader(runner=object())
    t = training([dropout(fit_mode=(False,))], has_arg=False, equal=True)
    ex = g._grade_exercise(mlp.EXERCISE, evidence(training=t), [])
    f = next(f for f in ex.findings if f.check == "training_forwarded")
    assert "call() has no `training` parameter" in f.message
    assert "`dropout` (Dropout) got training=False" in f.message
    assert "training" in f.hint and "training=True" not in f.hint


def test_failed_config_round_trip_is_a_bonus_that_never_fails_the_verdict():
    from grader.findings import Verdict
    from grader.grading import Grader
    g = Grader(runner=object())
    cfg = {"ok": False, "stage": "from_config()",
           "error": "ValueError: Unrecognized keyword arguments passed to MLP: {'units': [256, 64]}"}
    ev = evidence(config=cfg)
    assert run_all(ev)["config_round_trip"].mistake == "config_round_trip_failed"
    ex = g._grade_exercise(mlp.EXERCISE, ev, [])
    f = next(f for f in ex.findings if f.check == "config_round_trip")
    assert f.bonus and f.max_points == 0 and "from_config()" in f.message
    assert ex.score == ex.max_score
    result = g._finish("x.py", [ex], [], [])
    assert result.verdict is Verdict.PASS and result.mistakes == []


def test_broken_subclass_skips_the_new_checks():
    ev = evidence()
    ev["roles"]["subclassed"].update(weights_after_call=0)
    results = run_all(ev)
    assert results["training_forwarded"].status is Status.SKIPPED
    assert results["config_round_trip"].status is Status.SKIPPED


def test_a_wrong_architecture_points_at_the_dense_layers_that_differ():
    ev = evidence()
    wrong = [dict(CHAIN[0], units=128), dict(CHAIN[1], **{"in": 128}), CHAIN[2]]
    ev["roles"]["sequential"]["model"] = dict(model(), dense_chain=wrong, params=109_386)
    found = run_all(ev)["sequential_architecture"]
    assert found.mistake == "wrong_mlp_architecture"
    assert found.layers == ["dense", "dense_1"]  # dense_2 (64 → 10 softmax) is as expected
    hidden_linear = [dict(CHAIN[0], activation="linear"), CHAIN[1], CHAIN[2]]
    ev["roles"]["sequential"]["model"] = dict(model(), dense_chain=hidden_linear)
    assert run_all(ev)["sequential_architecture"].layers == ["dense"]
