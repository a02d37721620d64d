"""Siamese checks on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import siamese
from grader.findings import Status


def dense(lid, name, units, activation="relu", use_bias=True, in_dim=None):
    params = (in_dim or 0) * units + (units if use_bias else 0)
    return {lid: {"id": lid, "name": name, "class": "Dense", "kind": "layer", "units": units,
                  "activation": activation, "use_bias": use_bias, "policy": "float32",
                  "params": params}}


def evidence(*, shared=True, units=(256, 64), acts=("relu", "relu"), bias=True,
             merge="Concatenate", width=128, head_units=1, head_act="sigmoid",
             head_name="same_digit", names=("left", "right"), shape=(784,), kind="functional",
             params=217_537, n_trainable=6, out=(16, 1), lo=0.3, hi=0.7, policy="float32"):
    layers = {}
    layers.update(dense("L0", "enc_dense_1", units[0], acts[0], bias))
    layers.update(dense("L1", "enc_dense_2", units[1], acts[1], bias))
    right = ["L0", "L1"]
    if not shared:
        layers.update(dense("L4", "dense_a", units[0], acts[0], bias))
        layers.update(dense("L5", "dense_b", units[1], acts[1], bias))
        right = ["L4", "L5"]
    layers["L2"] = {"id": "L2", "name": "merge", "class": merge, "kind": "layer"}
    layers.update(dense("L3", head_name, head_units, head_act))
    layers["I0"] = {"id": "I0", "name": names[0], "class": "InputLayer"}
    layers["I1"] = {"id": "I1", "name": names[1], "class": "InputLayer"}
    calls = [
        {"id": "c0", "layer": "I0", "class": "InputLayer", "inputs": [], "deps": [names[0]], "expanded": ["I0"]},
        {"id": "c1", "layer": "L0", "class": "Dense", "inputs": ["c0"], "deps": [names[0]], "expanded": ["L0"]},
        {"id": "c2", "layer": "L1", "class": "Dense", "inputs": ["c1"], "deps": [names[0]], "expanded": ["L1"]},
        {"id": "c3", "layer": "I1", "class": "InputLayer", "inputs": [], "deps": [names[1]], "expanded": ["I1"]},
        {"id": "c4", "layer": right[0], "class": "Dense", "inputs": ["c3"], "deps": [names[1]], "expanded": [right[0]]},
        {"id": "c5", "layer": right[1], "class": "Dense", "inputs": ["c4"], "deps": [names[1]], "expanded": [right[1]]},
        {"id": "c6", "layer": "L2", "class": merge, "inputs": ["c2", "c5"], "deps": sorted(names),
         "expanded": ["L2"], "output_shape": [None, width]},
        {"id": "c7", "layer": "L3", "class": "Dense", "inputs": ["c6"], "deps": sorted(names),
         "expanded": ["L3"], "output_shape": [None, head_units]},
    ]
    model = {"var": "siamese", "name": "siamese_mlp", "kind": kind, "params": params,
             "n_trainable": n_trainable, "policies": [policy], "layers": layers,
             "inputs": [{"name": n, "shape": list(shape)} for n in names],
             "calls": calls if kind == "functional" else []}
    if kind != "functional":
        model.pop("inputs")
    return {"attempted": True, "model": model, "global_policy": policy,
            "forward": {"ok": True, "batch": 16, "shape": list(out), "min": lo, "max": hi,
                        "spread": hi - lo, "all_finite": True}}


def run_all(ev):
    return {c.id: c.fn(ev) for c in siamese.EXERCISE.checks}


def mistakes(ev):
    return {f.mistake for f in run_all(ev).values() if f.status is Status.FAIL}


def test_lesson_numbers():
    assert siamese.EXPECTED_PARAMS == 217_537
    assert siamese.DUPLICATED_PARAMS == 434_945


def test_correct_evidence_passes_every_check():
    assert all(f.status is Status.PASS for f in run_all(evidence()).values())


@pytest.mark.parametrize("kwargs, expected", [
    (dict(shared=False, params=434_945, n_trainable=10), {"duplicated_encoder"}),
    (dict(units=(128, 64), params=108_865), {"wrong_encoder_units"}),
    # 784×256+256 + 256×128+128 + 256×1+1 = 234,113: the 256-wide concatenation follows from
    # the encoder's width, and is not a second mistake in the merge
    (dict(units=(256, 128), width=256, params=234_113), {"wrong_encoder_units"}),
    (dict(units=(256, 128), width=128, params=234_113), {"wrong_encoder_units", "wrong_merge"}),
    (dict(acts=("linear", "linear")), {"missing_encoder_activation"}),
    (dict(acts=("tanh", "relu")), {"wrong_encoder_activation"}),
    (dict(bias=False, params=217_217, n_trainable=4), {"encoder_without_bias"}),
    (dict(merge="Subtract", width=64, params=217_473), {"wrong_merge"}),
    (dict(head_units=2, params=217_666, out=(16, 2)), {"wrong_head_units"}),
    (dict(head_act="softmax", lo=0.99999994, hi=0.99999994), {"wrong_head_activation"}),
    (dict(head_act="linear", lo=-2.0, hi=3.0), {"wrong_head_activation"}),
    (dict(head_name="output"), {"wrong_head_name"}),
    (dict(names=("a", "b")), {"wrong_input_names"}),
    (dict(shape=(28, 28)), {"wrong_input_shape"}),
    (dict(kind="subclassed"), {"not_functional"}),
    (dict(policy="mixed_float16"), {"leaked_mixed_precision"}),
    (dict(params=999), {"unexpected_param_count"}),
    (dict(shared=False, head_name="prediction", params=434_945, n_trainable=10),
     {"duplicated_encoder", "wrong_head_name"}),
])
def test_mistake_is_named(kwargs, expected):
    assert mistakes(evidence(**kwargs)) == expected


def test_duplicated_encoder_message_has_the_evidence():
    from grader.grading import Grader
    g = Grader(runner=object(), exercises={"siamese": siamese.EXERCISE})
    ex = g._grade_exercise(siamese.EXERCISE, evidence(shared=False, params=434_945,
                                                      n_trainable=10), [])
    f = next(f for f in ex.findings if f.check == "param_count")
    assert f.message.startswith("Two encoders instead of one shared encoder: 434,945 params "
                                "where 217,537 were expected")
    assert "`enc_dense_1` (Dense 256)" in f.message and "`dense_a` (Dense 256)" in f.message
    assert f.hint and "outside anything that runs per input" in f.hint


def test_failed_forward_pass_is_named():
    ev = evidence()
    ev["forward"] = {"ok": False, "error": "ValueError: bad"}
    assert run_all(ev)["forward_pass"].mistake == "forward_pass_failed"


def test_a_two_unit_softmax_head_is_not_described_as_one_unit():
    ev = evidence(head_units=2, head_act="softmax", params=217_666, out=(16, 2), lo=0.2, hi=0.8)
    f = siamese.check_head_activation(ev)
    assert f.mistake == "wrong_head_activation"
    assert "one unit" not in f.facts["detail"] and "2-class head" in f.facts["detail"]
    one = siamese.check_head_activation(evidence(head_act="softmax", lo=1.0, hi=1.0))
    assert "softmax on one unit outputs 1.0" in one.facts["detail"]


def test_an_activation_function_of_the_students_own_is_shown_with_what_it_computes():
    from exercises._common import OWN_FUNCTION

    ev = evidence(acts=("linear", "relu"))
    rows = ev["model"]["layers"]
    rows["L0"]["own_activation"] = "relu" + OWN_FUNCTION  # `def relu(t): return t`
    rows["L1"]["own_activation"] = "<lambda>" + OWN_FUNCTION  # read by value as relu
    f = run_all(ev)["encoder_activation"]
    assert f.mistake == "missing_encoder_activation"
    assert f.got == ["linear (computed by your function `relu`)",
                     "relu (computed by your lambda)"]


def test_the_own_function_mark_is_the_one_the_child_side_writes():
    from exercises._common import OWN_FUNCTION
    from grader.introspect import OWN_FUNCTION as CHILD_MARK
    assert OWN_FUNCTION == CHILD_MARK
