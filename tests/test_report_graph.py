"""The model picture: diagrams built from hand-written evidence, their DOT, their SVG, and the
siamese exercise's declared expected diagram checked against the reference solution's graph.

Everything but the last test runs without TensorFlow; the SVG tests need Graphviz's `dot`."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import needs_tool

from exercises import mlp_three_ways, siamese, two_headed
from grader import diagram
from reports import dot_process, graph

ROOT = Path(__file__).parent.parent
needs_dot = needs_tool("dot", "graphviz")


def dense(lid, name, units, activation="relu", params=0, **extra):
    return {lid: {"id": lid, "name": name, "class": "Dense", "kind": "layer", "units": units,
                  "activation": activation, "params": params, **extra}}


def siamese_desc(shared=True, nested=False):
    """A describe_model() result for the lesson's siamese model, written by hand."""
    layers = {"I0": {"name": "left", "class": "InputLayer", "kind": "layer", "params": 0},
              "I1": {"name": "right", "class": "InputLayer", "kind": "layer", "params": 0},
              "M": {"name": "concatenate", "class": "Concatenate", "kind": "layer", "params": 0},
              **dense("H", "same_digit", 1, "sigmoid", 129)}
    layers.update(dense("A1", "enc_a", 256, params=200_960))
    layers.update(dense("A2", "enc_b", 64, params=16_448))
    if not shared:
        layers.update(dense("B1", "dense_2", 256, params=200_960))
        layers.update(dense("B2", "dense_3", 64, params=16_448))
    if nested:
        layers["E"] = {"name": "encoder", "class": "Sequential", "kind": "model",
                       "params": 217_408, "children": ["A1", "A2"]}

    def call(cid, lid, inputs, deps, shape, expanded=None):
        return {"id": cid, "layer": lid, "class": layers[lid]["class"], "inputs": inputs,
                "deps": deps, "expanded": expanded or [lid], "output_shape": shape}

    calls = [call("c0", "I0", [], ["left"], [None, 784])]
    if nested:
        calls += [call("c1", "E", ["c0"], ["left"], [None, 64], ["A1", "A2"]),
                  call("c3", "I1", [], ["right"], [None, 784]),
                  call("c4", "E", ["c3"], ["right"], [None, 64], ["A1", "A2"])]
        ends = ["c1", "c4"]
    else:
        right = ("A1", "A2") if shared else ("B1", "B2")
        calls += [call("c1", "A1", ["c0"], ["left"], [None, 256]),
                  call("c2", "A2", ["c1"], ["left"], [None, 64]),
                  call("c3", "I1", [], ["right"], [None, 784]),
                  call("c4", right[0], ["c3"], ["right"], [None, 256]),
                  call("c5", right[1], ["c4"], ["right"], [None, 64])]
        ends = ["c2", "c5"]
    calls += [call("c6", "M", ends, ["left", "right"], [None, 128]),
              call("c7", "H", ["c6"], ["left", "right"], [None, 1])]
    return {"var": "siamese", "name": "siamese_mlp", "kind": "functional",
            "params": 217_537 if shared else 434_945,
            "inputs": [{"name": "left", "shape": [784]}, {"name": "right", "shape": [784]}],
            "layers": layers, "calls": calls, "top_layers": list(layers)}


def edges_by_name(d):
    names = {n["id"]: n["name"] for n in d["nodes"]}
    return sorted((names[e["source"]], names[e["target"]], e["via"]) for e in d["edges"])


# ---- diagrams from evidence ------------------------------------------------------------------

def test_a_shared_layer_is_one_node_with_one_incoming_edge_per_input():
    d = diagram.from_model(siamese_desc(shared=True))
    by_name = {n["name"]: n for n in d["nodes"]}
    assert [n["name"] for n in d["nodes"]].count("enc_a") == 1
    assert by_name["enc_a"]["calls"] == by_name["enc_b"]["calls"] == 2
    assert by_name["same_digit"]["calls"] == 1 and by_name["left"]["kind"] == "input"
    assert edges_by_name(d) == sorted([
        ("left", "enc_a", "left"), ("right", "enc_a", "right"),
        ("enc_a", "enc_b", "left"), ("enc_a", "enc_b", "right"),
        ("enc_b", "concatenate", "left"), ("enc_b", "concatenate", "right"),
        ("concatenate", "same_digit", "")])
    assert d["inputs"] == ["left", "right"] and d["connected"] and d["role"] == "submitted"
    assert by_name["enc_a"]["output_shapes"] == [[None, 256]]


def test_two_towers_are_four_nodes_called_once_each():
    d = diagram.from_model(siamese_desc(shared=False))
    dense_nodes = [n for n in d["nodes"] if n["class"] == "Dense" and n["units"] != 1]
    assert len(dense_nodes) == 4 and all(n["calls"] == 1 for n in dense_nodes)
    assert ("dense_2", "dense_3", "right") in edges_by_name(d)


def test_a_nested_encoder_is_one_node_listing_its_layers():
    d = diagram.from_model(siamese_desc(nested=True))
    enc = next(n for n in d["nodes"] if n["name"] == "encoder")
    assert enc["kind"] == "model" and enc["calls"] == 2
    assert [i["name"] for i in enc["inner"]] == ["enc_a", "enc_b"]
    # a finding that names an inner layer marks the nested model that holds it
    assert graph.figure(d, {"enc_b"}, "g")["marked"] == ["encoder"]


def test_a_subclassed_model_is_a_layer_list_not_a_graph():
    desc = {"var": "sub", "name": "mlp", "kind": "subclassed", "params": 650,
            "layers": dense("L0", "dense", 10, "softmax", 650), "top_layers": ["L0"]}
    d = diagram.from_model(desc)
    assert d["edges"] == [] and not d["connected"] and "subclassed" in d["note"]


def test_a_sequential_model_without_calls_is_still_a_chain():
    layers = {**dense("L0", "d1", 256), **dense("L1", "d2", 10, "softmax")}
    desc = {"var": "seq", "name": "seq", "kind": "sequential", "layers": layers, "calls": [],
            "top_layers": ["L0", "L1"], "inputs": [{"name": "input_layer", "shape": [784]}]}
    d = diagram.from_model(desc)
    assert [n["name"] for n in d["nodes"]] == ["input_layer", "d1", "d2"]
    assert edges_by_name(d) == sorted([("input_layer", "d1", "input_layer"),
                                       ("d1", "d2", "input_layer")])
    assert d["connected"] and d["note"] == ""


def test_models_are_found_wherever_the_exercise_put_them():
    desc = siamese_desc()
    evidence = {"attempted": True, "roles": {"a": {"model": desc}, "b": {"model": dict(desc, var="b")}},
                "forward": {"ok": True}}
    assert [d["var"] for d in diagram.exercise_diagrams(evidence)] == ["siamese", "b"]
    with_expected = diagram.exercise_diagrams(evidence, siamese.EXPECTED_DIAGRAM)
    assert with_expected[-1]["role"] == "expected" and len(with_expected) == 3
    assert diagram.exercise_diagrams({"attempted": True}, siamese.EXPECTED_DIAGRAM) == []


def test_a_declared_chain_must_name_declared_layers():
    with pytest.raises(ValueError, match="enc_dense_3"):
        diagram.declare("x", [diagram.layer("left", "InputLayer", (None, 784))],
                        ["left > enc_dense_3"])


def test_the_siamese_expected_diagram_shares_its_encoder():
    d = siamese.EXPECTED_DIAGRAM
    assert d["params"] == siamese.EXPECTED_PARAMS
    assert ("enc_dense_1", "enc_dense_2", "left") in edges_by_name(d)
    assert ("enc_dense_1", "enc_dense_2", "right") in edges_by_name(d)
    assert ("concatenate", "same_digit", "") in edges_by_name(d)


# ---- the findings point at layers --------------------------------------------------------------

def test_duplicated_encoder_findings_point_at_both_towers():
    ev = {"attempted": True, "model": siamese_desc(shared=False) | {"n_trainable": 10},
          "global_policy": "float32",
          "forward": {"ok": True, "batch": 16, "shape": [16, 1], "min": .3, "max": .7,
                      "spread": .4, "all_finite": True}}
    failing = [c.fn(ev) for c in siamese.EXERCISE.checks]
    failing = [f for f in failing if f.mistake == "duplicated_encoder"]
    assert {f.check for f in failing} == {"encoder_shared", "param_count", "trainable_weights"}
    for f in failing:
        assert sorted(f.layers) == ["dense_2", "dense_3", "enc_a", "enc_b"]
        assert "layers" not in f.facts


# ---- DOT ---------------------------------------------------------------------------------------

def test_dot_marks_layers_and_colours_each_input_path():
    d = diagram.from_model(siamese_desc(shared=False))
    dot = graph.to_dot(d, {"dense_2", "dense_3"}, "g_x")
    assert dot.count('class="layer mistake"') == 2
    assert dot.count(graph.MISTAKE_COLOUR) >= 4  # border and name of each marked layer
    left, right = graph.PATH_COLOURS[:2]
    assert dot.count(f'color="{left}"') == 4   # left input border + its 3 edges
    assert dot.count(f'color="{right}"') == 4
    assert 'id="g_x_n0"' in dot or "id=g_x_n0" in dot


def test_dot_draws_a_shared_layer_with_a_double_border():
    dot = graph.to_dot(diagram.from_model(siamese_desc(shared=True)), set(), "g")
    assert dot.count("peripheries=2") == 2 and "shared: called 2×" in dot


def test_student_names_never_become_dot_ids_and_are_escaped():
    desc = siamese_desc()
    desc["layers"]["H"]["name"] = 'x"];evil [label="<b>&'
    dot = graph.to_dot(diagram.from_model(desc), {'x"];evil [label="<b>&'}, "g")
    assert "x&quot;];evil [label=&quot;&lt;b&gt;&amp;" in dot and 'evil [label="' not in dot
    assert set(re.findall(r"^\s*(\w+) \[", dot, re.M)) <= {"graph", "node", "edge"} | {
        f"n{i}" for i in range(20)}


def test_a_layer_list_is_stacked_with_invisible_edges():
    layers = {**dense("L0", "d1", 256), **dense("L1", "d2", 10, "softmax")}
    d = diagram.from_model({"kind": "subclassed", "layers": layers, "top_layers": ["L0", "L1"]})
    assert "style=invis" in graph.to_dot(d)


# ---- SVG -----------------------------------------------------------------------------------

@needs_dot
def test_svg_is_inline_ready_and_ids_do_not_clash_between_pictures():
    figs = graph.figures({"id": "siamese", "checks": [
        {"status": "fail", "layers": ["dense_2", "dense_3"]}],
        "diagrams": [diagram.from_model(siamese_desc(shared=False)), siamese.EXPECTED_DIAGRAM]})
    assert [f["role"] for f in figs] == ["submitted", "expected"]
    assert figs[0]["marked"] == ["dense_2", "dense_3"] and figs[1]["marked"] == []
    ids = []
    for f in figs:
        svg = f["svg"]
        assert svg.startswith('<svg class="model-graph" role="img"') and svg.endswith("</svg>")
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
        assert "<title>" not in svg and "http://www.w3.org/1999/xlink" in svg  # namespace only
        assert f["width_pt"] > 50
        ids += re.findall(r' id="([^"]+)"', svg)
    assert len(ids) == len(set(ids))
    assert figs[0]["svg"].count('class="node layer mistake"') == 2
    assert figs[1]["svg"].count("shared") >= 2


@needs_dot
def test_without_dot_the_figure_is_text(monkeypatch):
    monkeypatch.setattr(graph, "dot_binary", lambda: None)
    graph._layout.cache_clear()
    fig = graph.figure(diagram.from_model(siamese_desc()), set(), "g")
    assert fig["svg"] is None and fig["problem"] == graph.NO_DOT
    rows = {r["name"]: r for r in fig["rows"]}
    assert rows["enc_a"]["calls"] == 2
    assert rows["enc_a"]["from"] == ["left", "right"]
    assert rows["enc_b"]["from"] == ["enc_a (left path)", "enc_a (right path)"]


def test_a_failing_dot_or_a_huge_model_degrades_to_text(monkeypatch):
    def broken(source):
        raise subprocess.CalledProcessError(1, ["dot"])
    monkeypatch.setattr(graph, "_layout", broken)
    fig = graph.figure(diagram.from_model(siamese_desc()), set(), "g")
    assert fig["svg"] is None and "could not be drawn" in fig["problem"]
    big = {"kind": "subclassed", "top_layers": [f"L{i}" for i in range(graph.MAX_NODES + 1)],
           "layers": {f"L{i}": {"name": f"d{i}", "class": "Dense"}
                      for i in range(graph.MAX_NODES + 1)}}
    fig = graph.figure(diagram.from_model(big), set(), "g")
    assert fig["svg"] is None and "too many" in fig["problem"]


# ---- the declared expected diagram is the reference solution's graph ------------------------

def _signature(d, fixed_names):
    """Layers and edges, with names Keras generates (dense_3, concatenate_3 …) left out."""
    def sig(n):
        return (n["name"] if n["name"] in fixed_names else "*",
                n["class"], n["units"], n["activation"], n["params"] or 0,
                tuple(map(tuple, n["output_shapes"])), n["calls"])
    by_id = {n["id"]: sig(n) for n in d["nodes"]}
    return (sorted(by_id.values()),
            sorted((by_id[e["source"]], by_id[e["target"]], e["via"]) for e in d["edges"]))


@pytest.mark.parametrize("exercise, fixed_names", [
    (siamese, {"left", "right", "enc_dense_1", "enc_dense_2", "same_digit"}),
    (two_headed, {"pixels", "metadata", "digit", "is_hard"}),
])
def test_expected_diagram_matches_the_reference_solution(grader, exercise, fixed_names):
    ex_id = exercise.EXERCISE.id
    result = grader.grade(ROOT / "reference_solutions" / f"{ex_id}.py", only=[ex_id])
    (ex,) = result.exercises
    submitted, expected = ex.diagrams
    assert expected == exercise.EXPECTED_DIAGRAM
    assert _signature(submitted, fixed_names) == _signature(expected, fixed_names)


def test_the_mlp_expected_diagram_matches_the_reference_functional_build(grader):
    """The MLP exercise draws the student's three builds, then the expected chain."""
    result = grader.grade(ROOT / "reference_solutions" / "mlp_three_ways.py", only=["mlp_three_ways"])
    (ex,) = result.exercises
    *submitted, expected = ex.diagrams
    assert expected == mlp_three_ways.EXPECTED_DIAGRAM and len(submitted) == 3
    functional = next(d for d in submitted if d["kind"] == "functional")
    assert _signature(functional, {"pixels"}) == _signature(expected, {"pixels"})


# ---- one long-lived dot for all the pictures ---------------------------------------------------

@needs_dot
def test_the_long_lived_dot_draws_what_a_one_shot_dot_draws():
    sources = [graph.to_dot(diagram.from_model(siamese_desc()), marked, f"g{i}")
               for i, marked in enumerate([set(), {"enc_a"}, {"enc_a", "enc_b"}])]
    process = dot_process.DotProcess(graph.dot_binary(), graph.DOT_TIMEOUT_S)
    try:
        for source in sources * 2:  # the second graph of a stream on is named differently
            one_shot = subprocess.run([graph.dot_binary(), "-Tsvg"], input=source,
                                      capture_output=True, text=True, check=True).stdout
            assert process.layout(source) == one_shot
    finally:
        process.close()


@needs_dot
def test_a_graph_dot_cannot_read_fails_at_once_and_the_next_one_is_drawn():
    graph._layout.cache_clear()
    start = time.monotonic()
    with pytest.raises(subprocess.CalledProcessError):
        graph._layout("digraph broken { a -> ; }")
    assert time.monotonic() - start < graph.DOT_TIMEOUT_S / 2
    assert "<svg" in graph._layout("digraph fine { a -> b; }")


@needs_dot
def test_a_dot_that_died_is_started_again():
    process = dot_process.DotProcess(graph.dot_binary(), graph.DOT_TIMEOUT_S)
    try:
        assert "<svg" in process.layout("digraph a { x -> y; }")
        first = process._proc
        first.kill()
        first.wait()
        assert "<svg" in process.layout("digraph b { x -> y; }")
        assert process._proc is not first
    finally:
        process.close()
