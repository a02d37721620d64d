"""The HTML report from results assembled out of hand-written evidence (no TensorFlow): the
model picture inside it, its text fallback, and a report that stays self-contained."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import needs_tool

from grader import grading
from grader.grading import Grader
from grader.runner import RunOutcome
from reports import graph
from reports.html import render_html
from reports.json_report import render_json
from test_report_graph import siamese_desc  # the hand-written siamese evidence

ZOO = Path(__file__).parent / "zoo"
needs_dot = needs_tool("dot", "graphviz")


class NoRunner:
    def run(self, *args, **kwargs):
        raise AssertionError("these tests never run a submission")


@pytest.fixture(scope="module")
def grader():
    return Grader(runner=NoRunner())


def result_for(grader, shared: bool):
    model = siamese_desc(shared=shared) | {"n_trainable": 6 if shared else 10,
                                           "policies": ["float32"]}
    ev = {"exercises": {"siamese": {
        "attempted": True, "graded_object": "siamese", "model": model,
        "summaries": {"siamese": "Model: siamese"},
        "forward": {"ok": True, "batch": 16, "shape": [16, 1], "min": .3, "max": .7,
                    "spread": .4, "all_finite": True}}}, "inventory": []}
    return grader.assemble("student.py", RunOutcome(ev, "hello\n", False), None)


def test_the_result_carries_the_pictures_as_plain_data(grader):
    r = result_for(grader, shared=False)
    (ex,) = r.exercises
    assert [d["role"] for d in ex.diagrams] == ["submitted", "expected"]
    assert json.loads(render_json(r))["exercises"][0]["diagrams"][0]["title"] == \
        "Your model: siamese"


@needs_dot
def test_duplicated_encoder_report_draws_two_red_towers_beside_the_shared_one(grader):
    html = render_html(result_for(grader, shared=False))
    assert html.count('<svg class="model-graph"') == 2
    assert html.count('class="node layer mistake"') == 4
    assert "Your model beside the expected one" in html
    assert "Expected: one encoder, called on both inputs" in html
    assert "red in the picture of your model below" in html
    # the mistake is explained once, the two other checks that saw it say so
    assert html.count("Layer instance identity is the weight-sharing mechanism") == 1
    assert html.count("The same mistake as above") == 2
    assert "<code>left</code>" in html  # the catalogue's `backticks` become code


@needs_dot
def test_a_passing_report_draws_the_model_without_marks(grader):
    html = render_html(result_for(grader, shared=True))
    assert html.count('<svg class="model-graph"') == 2
    assert 'class="node layer mistake"' not in html
    assert "15 of 15 checks passed" in html


@needs_dot
def test_the_report_is_self_contained_and_its_ids_unique(grader):
    html = render_html(result_for(grader, shared=False))
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "<script" not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_without_graphviz_the_report_shows_the_graph_as_text(grader, monkeypatch):
    monkeypatch.setattr(graph, "dot_binary", lambda: None)
    graph._layout.cache_clear()
    html = render_html(result_for(grader, shared=False))
    assert "<svg" not in html
    assert html.count(graph.NO_DOT) == 2
    assert html.count('<details class="as-text" open>') == 2
    assert re.search(r'<li class="mistake"><strong>dense_2</strong>', html)


def test_a_broken_diagram_costs_the_picture_not_the_grading(grader, monkeypatch):
    def broken(*args):
        raise KeyError("layers")
    monkeypatch.setattr(grading, "exercise_diagrams", broken)
    r = result_for(grader, shared=False)
    assert r.mistakes == ["duplicated_encoder"] and r.exercises[0].diagrams == []
    assert "<svg" not in render_html(r)


def test_a_renderer_bug_costs_the_picture_not_the_report(grader, monkeypatch):
    def broken(exercise):
        raise TypeError("boom")
    monkeypatch.setattr(graph, "figures", broken)
    html = render_html(result_for(grader, shared=False))
    assert "Two encoders instead of one shared encoder" in html and "<svg" not in html


def test_an_ungradable_submission_has_no_picture(grader):
    r = grader.grade(ZOO / "errors" / "syntax_error.py")  # found before anything runs
    html = render_html(r)
    assert r.verdict.value == "error" and "Could not be graded" in html
    assert "<svg" not in html and 'class="picture"' not in html
