"""mixed_precision checks on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import mixed_precision as mp
from grader.findings import Status


def dense(name, units, act, policy):
    compute = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16", "float16": "float16"}.get(policy, "float32")
    variable = "float16" if policy == "float16" else "float32"
    return {"name": name, "class": "Dense", "units": units, "activation": act, "policy": policy,
            "compute": compute, "variable": variable, "stored": [variable]}


def evidence(*, hidden="mixed_float16", head="float32", global_policy="float32",
             model_order=5, mixed_orders=(3,), others=()):
    rows = [dense("dense", 256, "relu", hidden), dense("dense_1", 64, "relu", hidden),
            dense("dense_2", 10, "softmax", head)]
    return {"attempted": True, "graded_object": "mp_model", "global_policy": global_policy,
            "model": {"var": "mp_model", "name": "mlp_mixed", "kind": "sequential",
                      "params": 218_058, "policies": sorted({hidden, head}), "dense": rows},
            "forward": {"ok": True, "dtype": rows[-1]["compute"], "shape": [4, 10]},
            "model_lines": [{"where": f"line {model_order + 1}", "order": model_order,
                             "code": "mp_model = keras.Sequential("}],
            "mixed_lines": [{"where": f"line {o + 1}", "order": o,
                             "code": 'keras.mixed_precision.set_global_policy("mixed_float16")'}
                            for o in mixed_orders],
            "other_models": [{"var": v, "name": v, "policies": [p]} for v, p in others]}


def run_all(ev):
    return {c.id: c.fn(ev) for c in mp.EXERCISE.checks}


def mistakes(ev):
    return {f.mistake for f in run_all(ev).values() if f.status is Status.FAIL}


def test_float16_numbers():
    assert mp.FLOAT16_MAX == 65_504


def test_correct_evidence_passes_every_check():
    assert all(f.status is Status.PASS for f in run_all(evidence()).values())


def test_mixed_bfloat16_is_accepted():
    assert mistakes(evidence(hidden="mixed_bfloat16")) == set()


@pytest.mark.parametrize("kwargs, expected", [
    (dict(head="mixed_float16"), {"head_left_float16"}),
    (dict(global_policy="mixed_float16"), {"leaked_mixed_precision"}),
    (dict(hidden="float32", model_order=3, mixed_orders=(12,)), {"policy_set_after_model"}),
    (dict(hidden="float32", mixed_orders=()), {"mixed_policy_missing"}),
    (dict(hidden="float16", head="float16"), {"mixed_policy_missing", "head_left_float16"}),
    # mixed set before the model and again after: the order does not explain it
    (dict(hidden="float32", model_order=5, mixed_orders=(2, 12)), {"mixed_policy_missing"}),
])
def test_mistake_is_named(kwargs, expected):
    assert mistakes(evidence(**kwargs)) == expected


def test_leak_names_the_models_it_affected():
    ev = evidence(global_policy="mixed_float16",
                  others=[("small_model", "mixed_float16"), ("fn_model", "float32")])
    f = run_all(ev)["policy_reset"]
    assert f.facts["affected"] == "`small_model` (mixed_float16)"
    from grader.grading import Grader
    g = Grader(runner=object())
    ex = g._grade_exercise(mp.EXERCISE, ev, [])
    msg = next(f for f in ex.findings if f.check == "policy_reset").message
    assert "'mixed_float16'" in msg and "`small_model`" in msg and "fn_model" not in msg


def test_leak_with_no_other_model_says_what_it_would_change():
    f = run_all(evidence(global_policy="mixed_float16"))["policy_reset"]
    assert "every model built after" in f.facts["affected"]


def softmax_layer(policy):
    row = dense("softmax", 10, "linear", policy)
    row.update({"class": "Activation", "activation": "softmax"})
    row.pop("units")
    return row


@pytest.mark.parametrize("head_policy, softmax_policy, expected", [
    # The TensorFlow guide's way: float16 logits, the softmax layer in float32
    ("mixed_float16", "float32", set()),
    # Dense(10, dtype="float32") then Activation("softmax") left in float16: the softmax is
    # computed in float16 all the same
    ("float32", "mixed_float16", {"head_left_float16"}),
    ("mixed_float16", "mixed_float16", {"head_left_float16"}),
])
def test_a_separate_softmax_layer_is_judged_by_its_own_dtype(head_policy, softmax_policy, expected):
    ev = evidence(head=head_policy)
    ev["model"]["dense"][-1]["activation"] = "linear"
    ev["model"]["final"] = softmax_layer(softmax_policy)
    ev["forward"]["dtype"] = ev["model"]["final"]["compute"]
    assert mistakes(ev) == expected
    if expected:
        assert run_all(ev)["head_float32"].layers == ["softmax"]
