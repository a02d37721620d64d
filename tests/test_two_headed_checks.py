"""two_headed checks on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import two_headed
from grader.findings import Status

LOSSES = {"kind": "dict", "by_key": {"digit": "sparse_categorical_crossentropy",
                                     "is_hard": "binary_crossentropy"}}
WEIGHTS = {"kind": "dict", "by_key": {"digit": 1.0, "is_hard": 0.3}}


def evidence(*, inputs=(("pixels", 784), ("metadata", 8)), trunk=((256, "relu"), (64, "relu")),
             tower=((16, "relu"),), heads=(("digit", 10, "softmax"), ("is_hard", 1, "sigmoid")),
             hard_reads="merged", merge_parts=None, kind="functional", compiled=True,
             loss=LOSSES, loss_weights=WEIGHTS, fit_ok=True, fit_error="", policy="float32",
             custom_losses=()):
    (img, img_dim), (meta, meta_dim) = inputs
    layers, calls = {}, []

    def add(lid, name, cls, deps, parents, width, units=None, act=None):
        layers[lid] = {"id": lid, "name": name, "class": cls, "kind": "layer", "units": units,
                       "activation": act, "use_bias": True, "policy": "float32"}
        calls.append({"id": f"c{lid}", "layer": lid, "class": cls, "name": name,
                      "inputs": [f"c{p}" for p in parents], "deps": sorted(deps),
                      "expanded": [lid], "output_shape": [None, width]})

    add("I0", img, "InputLayer", [img], [], img_dim)
    add("I1", meta, "InputLayer", [meta], [], meta_dim)
    prev = "I0"
    for i, (u, a) in enumerate(trunk):
        add(f"T{i}", f"dense_t{i}", "Dense", [img], [prev], u, u, a)
        prev = f"T{i}"
    trunk_end = prev
    prev = "I1"
    for i, (u, a) in enumerate(tower):
        add(f"W{i}", f"dense_w{i}", "Dense", [meta], [prev], u, u, a)
        prev = f"W{i}"
    tower_end = prev
    parts = merge_parts or (trunk_end, tower_end)
    width = sum(calls[[c["layer"] for c in calls].index(p)]["output_shape"][-1] for p in parts)
    add("M", "concatenate", "Concatenate", [img, meta], list(parts), width)
    reads = {"merged": ("M", [img, meta]), "tower": (tower_end, [meta])}
    outputs = []
    for i, (name, units, act) in enumerate(heads):
        src, deps = reads[hard_reads] if i == 1 else reads["merged"]
        add(f"H{i}", name, "Dense", deps, [src], units, units, act)
        outputs.append({"name": name, "layer": name, "shape": [None, units]})
    model = {"var": "two_headed", "name": "two_headed_mlp", "kind": kind, "params": 218_443,
             "n_trainable": 10, "policies": [policy], "layers": layers,
             "inputs": [{"name": img, "shape": [img_dim]}, {"name": meta, "shape": [meta_dim]}],
             "calls": calls if kind == "functional" else []}
    ev = {"attempted": True, "graded_object": "two_headed", "model": model,
          "outputs": outputs if kind == "functional" else [], "global_policy": policy,
          "compile": {"compiled": compiled}}
    if compiled:
        ev["compile"].update(loss=loss, loss_weights=loss_weights,
                             custom_losses=list(custom_losses))
        ev["fit"] = ({"ok": True, "rows": 64, "batch_size": 32,
                      "logs": {"loss": 2.6, "digit_loss": 2.4, "is_hard_loss": 0.7}}
                     if fit_ok else {"ok": False, "error": fit_error})
    return ev


def run_all(ev):
    return {c.id: c.fn(ev) for c in two_headed.EXERCISE.checks}


def mistakes(ev):
    return {f.mistake for f in run_all(ev).values() if f.status is Status.FAIL}


def test_lesson_numbers():
    assert two_headed.MERGE_WIDTH == 64 + 16 == 80
    assert two_headed.EXPECTED_PARAMS == 218_443


def test_correct_evidence_passes_every_check():
    results = run_all(evidence())
    assert {k: f.status for k, f in results.items() if f.status is not Status.PASS} == {}


def test_losses_as_lists_in_output_order_pass():
    ev = evidence(loss={"kind": "list", "items": ["sparse_categorical_crossentropy",
                                                  "binary_crossentropy"]},
                  loss_weights={"kind": "list", "items": [1.0, 0.3]})
    assert mistakes(ev) == set()


def test_merge_in_the_other_order_passes():
    assert mistakes(evidence(merge_parts=("W0", "T1"))) == set()


def test_loss_lists_follow_what_each_head_is_not_its_name():
    # Unnamed heads compiled with lists: the losses reach the right heads; only the names fail.
    ev = evidence(heads=(("dense_3", 10, "softmax"), ("dense_4", 1, "sigmoid")),
                  loss={"kind": "list", "items": ["sparse_categorical_crossentropy",
                                                  "binary_crossentropy"]},
                  loss_weights={"kind": "list", "items": [1.0, 0.3]},
                  fit_ok=False, fit_error="ValueError: ...")
    results = run_all(ev)
    assert results["losses"].status is Status.PASS
    assert results["loss_weights"].status is Status.PASS
    assert mistakes(ev) == {"heads_misnamed"}


def test_outputs_keyed_by_other_names_than_their_layers_say_the_keys_are_the_names():
    """`outputs={"digits": digit_head, ...}`: Keras names each output by its key; the heads'
    layers being called `digit` and `is_hard` does not help, and the evidence says so."""
    from grader.mistakes import render_evidence
    ev = evidence()
    ev["outputs"][0]["name"] = "digits"
    finding = run_all(ev)["head_names"]
    assert finding.mistake == "heads_misnamed"
    assert finding.layers == ["digit", "is_hard"]  # the report's picture marks the layers
    mistake = next(m for m in two_headed.MISTAKES if m.id == "heads_misnamed")
    text = render_evidence(mistake, dict(finding.facts, expected=finding.expected, got=finding.got))
    assert "the keys of your `outputs` dict (`digits` for layer `digit`)" in text


@pytest.mark.parametrize("kwargs, expected", [
    (dict(kind="subclassed"), {"two_headed_not_functional"}),
    (dict(inputs=(("input_layer", 784), ("input_layer_1", 8)), fit_ok=False), {"inputs_misnamed"}),
    (dict(inputs=(("metadata", 784), ("pixels", 8)), fit_ok=False), {"inputs_misnamed"}),
    (dict(merge_parts=("T0", "W0")), {"wrong_merge_width"}),
    (dict(tower=((8, "relu"),)), {"wrong_merge_width"}),
    (dict(trunk=((256, None), (64, None))), {"wrong_branch_layers"}),
    (dict(heads=(("is_hard", 10, "softmax"), ("digit", 1, "sigmoid")), fit_ok=False),
     {"head_names_swapped"}),
    (dict(heads=(("digit", 10, "softmax"), ("is_hard", 1, "softmax"))), {"head_not_as_specified"}),
    (dict(heads=(("digit", 10, "linear"), ("is_hard", 1, "sigmoid"))), {"head_not_as_specified"}),
    (dict(hard_reads="tower"), {"head_from_one_branch"}),
    (dict(compiled=False), {"two_headed_not_compiled"}),
    (dict(loss={"kind": "dict", "by_key": {"digit_out": "sparse_categorical_crossentropy",
                                           "hard_out": "binary_crossentropy"}},
          loss_weights={"kind": "dict", "by_key": {"digit_out": 1.0, "hard_out": 0.3}},
          fit_ok=False), {"losses_keyed_wrongly"}),
    (dict(loss={"kind": "dict", "by_key": {"digit": "binary_crossentropy",
                                           "is_hard": "sparse_categorical_crossentropy"}},
          fit_ok=False), {"losses_keyed_wrongly"}),
    (dict(loss={"kind": "single", "value": "sparse_categorical_crossentropy"}, fit_ok=False),
     {"losses_keyed_wrongly"}),
    (dict(loss={"kind": "dict", "by_key": {"digit": "categorical_crossentropy",
                                           "is_hard": "binary_crossentropy"}},
          fit_ok=False, fit_error="ValueError: Arguments `target` and `output` must have the same rank"),
     {"wrong_head_loss"}),
    (dict(loss_weights={"kind": "none"}), {"wrong_loss_weights"}),
    (dict(loss_weights={"kind": "dict", "by_key": {"digit": 0.3, "is_hard": 1.0}}),
     {"wrong_loss_weights"}),
    (dict(fit_ok=False, fit_error="ValueError: tuple arity mismatch"), {"fit_failed"}),
    (dict(policy="mixed_float16"), {"leaked_mixed_precision"}),
])
def test_each_mistake_is_named(kwargs, expected):
    assert mistakes(evidence(**kwargs)) == expected


def test_a_loss_the_student_wrote_is_not_judged_by_name():
    ev = evidence(loss={"kind": "dict", "by_key": {"digit": "my_digit_loss",
                                                   "is_hard": "binary_crossentropy"}},
                  custom_losses=["my_digit_loss"])
    assert mistakes(ev) == set()


def test_a_failed_fit_names_the_mistake_behind_it():
    ev = evidence(loss={"kind": "dict", "by_key": {"digit": "categorical_crossentropy",
                                                   "is_hard": "binary_crossentropy"}},
                  fit_ok=False, fit_error="ValueError: rank")
    fit = run_all(ev)["fit_one_epoch"]
    assert fit.mistake == "wrong_head_loss" and fit.facts["error"] == "ValueError: rank"


def test_every_declared_mistake_has_prose():
    for m in two_headed.MISTAKES:
        assert m.title and m.explanation and m.hint and m.evidence, m.id
