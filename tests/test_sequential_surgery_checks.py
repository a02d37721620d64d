"""sequential_surgery checks on hand-written evidence: no TensorFlow, milliseconds each."""
from __future__ import annotations

import pytest

from exercises import sequential_surgery as surgery
from grader.findings import Status

BODY = [(256, "relu", 784), (64, "relu", 256)]


def dense(i, units, act, fan_in, use_bias=True):
    return {"name": f"dense_{i}", "class": "Dense", "units": units, "activation": act,
            "use_bias": use_bias, "params": fan_in * units + (units if use_bias else 0)}


def evidence(spec=BODY + [(10, "softmax", 64)], ops=("pop", "add")):
    rows = [dense(i, *s) for i, s in enumerate(spec)]
    calls = [{"op": op, "where": f"line {20 + i}", "order": 20 + i,
              "code": "seq_model.layers.pop()" if op == "layers_pop" else f"seq_model.{op}(...)"}
             for i, op in enumerate(ops)]
    last = rows[-1]["units"] if rows else 784
    return {"attempted": True, "graded_object": "seq_model", "calls": calls,
            "model": {"var": "seq_model", "name": "mlp_sequential", "layers": rows,
                      "params": sum(r["params"] for r in rows), "output_shape": [None, last]}}


def run_all(ev):
    return {c.id: c.fn(ev) for c in surgery.EXERCISE.checks}


def mistakes(ev):
    return {f.mistake for f in run_all(ev).values() if f.status is Status.FAIL}


def test_lesson_numbers():
    assert surgery.EXPECTED_PARAMS == 218_058
    assert surgery.POP_ONLY_PARAMS == 217_408
    assert surgery.ADD_ONLY_PARAMS == 218_168
    assert surgery.POPPED_TWICE_PARAMS == 203_530
    assert evidence()["model"]["params"] == 218_058


def test_the_lessons_surgery_passes_every_check():
    assert all(f.status is Status.PASS for f in run_all(evidence()).values())


@pytest.mark.parametrize("spec, ops, expected", [
    (BODY, ("pop",), {"surgery_pop_without_add"}),
    (BODY + [(10, "softmax", 64), (10, "softmax", 10)], ("add",), {"surgery_add_without_pop"}),
    (BODY + [(10, "softmax", 64), (10, "softmax", 10)], ("layers_pop", "add"),
     {"surgery_layers_list_pop"}),
    ([(256, "relu", 784), (10, "softmax", 256)], ("pop", "pop", "add"), {"surgery_popped_too_many"}),
    ([(256, "relu", 784)], ("pop", "pop"), {"surgery_pop_without_add"}),
    ([(256, "relu", 784), (64, "linear", 256), (10, "softmax", 64)], ("pop", "pop", "add", "add"),
     {"surgery_body_changed"}),
    (BODY + [(10, "linear", 64)], ("pop", "add"), {"surgery_wrong_head_activation"}),
    (BODY + [(1, "sigmoid", 64)], ("pop", "add"),
     {"surgery_wrong_head_units", "surgery_wrong_head_activation"}),
    (BODY + [(2, "softmax", 64)], ("pop", "add"), {"surgery_wrong_head_units"}),
])
def test_each_mistake_is_named(spec, ops, expected):
    assert mistakes(evidence(spec, ops)) == expected


def test_a_wrong_layer_count_skips_the_layer_checks_instead_of_repeating_it():
    results = run_all(evidence(BODY, ("pop",)))
    assert results["layer_count"].status is Status.FAIL
    assert {results[c].status for c in ("hidden_layers_kept", "head_units", "head_activation")} \
        == {Status.SKIPPED}


def test_the_layers_list_pop_finding_quotes_the_line():
    f = run_all(evidence(BODY + [(10, "softmax", 64), (10, "softmax", 10)],
                         ("layers_pop", "add")))["layer_count"]
    assert "seq_model.layers.pop()" in f.facts["code"]
    assert f.layers == ["dense_0", "dense_1", "dense_2", "dense_3"]


def test_every_declared_mistake_has_prose():
    for m in surgery.MISTAKES:
        assert m.title and m.explanation and m.hint and m.evidence, m.id


def activation_row(name, act):
    return {"name": name, "class": "Activation", "activation": act, "params": 0}


def test_a_linear_dense_plus_softmax_layer_is_the_fresh_softmax_head():
    ev = evidence(spec=BODY + [(10, "linear", 64)], ops=("pop", "add", "add"))
    ev["model"]["layers"].append(activation_row("activation", "softmax"))
    results = run_all(ev)
    assert all(f.status is Status.PASS for f in results.values()), results
    assert "`dense_2` + `activation` counted as one Dense(10, softmax)" in results["layer_count"].got


@pytest.mark.parametrize("rows, expected", [
    # the activation layer after a Dense that already has one is a fourth layer
    ([(10, "softmax", 64)], {"surgery_add_without_pop"}),
    # no fresh Dense head: a softmax layer straight after Dense(64, relu)
    ([], {"surgery_wrong_head_units"}),
])
def test_an_activation_layer_is_folded_only_into_a_linear_dense(rows, expected):
    ev = evidence(spec=BODY + rows, ops=("pop", "add"))
    ev["model"]["layers"].append(activation_row("activation", "softmax"))
    assert mistakes(ev) == expected


def test_a_head_added_with_rebuild_false_passes_and_says_it_has_no_weights_yet():
    """`seq_model.add(head, rebuild=False)`: three layers, the head built on the first call;
    the count reads 217,408 params until then, and the finding says why."""
    ev = evidence()
    head = ev["model"]["layers"][-1]
    head.update(params=0, kernel_shape=None)
    ev["model"]["params"] = surgery.POP_ONLY_PARAMS
    finding = run_all(ev)["layer_count"]
    assert finding.status is Status.PASS
    assert "217,408 params" in finding.got and "no weights yet" in finding.got
