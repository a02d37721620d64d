"""Model pictures as plain graphs: built in the parent from evidence, drawn by reports/graph.py.

A diagram is data, not a drawing, so it crosses process boundaries and lands in the JSON report
like any other part of a result:

    {"role": "submitted" | "expected", "title": str, "var": str | None, "model": str | None,
     "kind": "functional" | "sequential" | "subclassed" | ..., "params": int | None,
     "inputs": [input name, ...],              # in the model's order: edge colours follow it
     "nodes": [{"id", "name", "class", "kind": "input" | "layer" | "model" | "op",
                "units", "activation", "params", "output_shapes": [[None, 256], ...],
                "calls": int,                  # call sites: 2 for a layer shared by two inputs
                "inner": [{"name", "class", "units", "activation", "params"}]}],  # nested model
     "edges": [{"source": node id, "target": node id,
                "via": input name | ""}],      # the one model input the tensor comes from, or
                                               # "" once paths have merged
     "connected": bool,                        # False: a layer list, not a call graph
     "note": str}

Nodes are layers, each drawn once however often it is called; edges are calls. A layer called on
both inputs therefore has two incoming edges, one per input, which is exactly what a student
needs to see to tell one shared encoder from two separate ones.
"""
from __future__ import annotations

from typing import Any, Iterator

Diagram = dict[str, Any]

NOT_A_GRAPH = {
    "subclassed": "A subclassed model's call() cannot be read as a graph: these are the layers "
                  "it owns, in the order they were created.",
    "other": "The grader did not record this model's calls: these are its layers, in order.",
}


# ---- the student's model, from evidence (grader.introspect.describe_model) ------------------

def from_model(desc: dict[str, Any], title: str | None = None) -> Diagram:
    layers: dict[str, dict] = desc.get("layers") or {}
    calls: list[dict] = desc.get("calls") or []
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    if calls:
        by_id = {c["id"]: c for c in calls}
        for c in calls:  # parents first (the child records them that way)
            lid = c["layer"]
            row = layers.get(lid) or {"name": c.get("name", "?"), "class": c.get("class", "?")}
            if lid not in nodes:
                nodes[lid] = _node(lid, row, layers, c)
            node = nodes[lid]
            node["calls"] += 1
            if c.get("output_shape") not in node["output_shapes"]:
                node["output_shapes"].append(c.get("output_shape"))
            for parent in c.get("inputs", []):
                src = by_id.get(parent)
                if src is None:
                    continue
                deps = src.get("deps") or []
                edges.append({"source": src["layer"], "target": lid,
                              "via": deps[0] if len(deps) == 1 else ""})
    else:
        for lid in desc.get("top_layers") or []:
            nodes[lid] = _node(lid, layers[lid], layers, None)
            nodes[lid]["calls"] = 0
    # Without calls, a Sequential model is still a chain by definition: its layer list is its
    # data flow. Any other model's layer list is only a list.
    chain = not calls and desc.get("kind") == "sequential" and bool(nodes)
    if chain:
        edges = _sequential_chain(desc, nodes)
    var, name = desc.get("var"), desc.get("name")
    return {
        "role": "submitted",
        "title": title or f"Your model: {var or name}",
        "var": var, "model": name, "kind": desc.get("kind"), "params": desc.get("params"),
        "inputs": [i["name"] for i in desc.get("inputs") or []],
        "nodes": list(nodes.values()), "edges": edges, "connected": bool(calls) or chain,
        "note": "" if calls or chain else NOT_A_GRAPH.get(desc.get("kind"), NOT_A_GRAPH["other"]),
    }


def _sequential_chain(desc: dict[str, Any], nodes: dict[str, dict]) -> list[dict]:
    order = list(nodes)
    inputs = desc.get("inputs") or []
    if len(inputs) == 1:  # draw the Input the student wrote (or Keras added) first
        name, shape = inputs[0]["name"], inputs[0].get("shape")
        first = {"id": "input", "name": name, "class": "InputLayer", "kind": "input",
                 "units": None, "activation": None, "params": 0, "calls": 1, "inner": [],
                 "output_shapes": [[None] + list(shape)] if shape is not None else []}
        layers_in_order = dict(nodes)
        nodes.clear()
        nodes.update(input=first, **layers_in_order)
        order.insert(0, "input")
    via = inputs[0]["name"] if len(inputs) == 1 else ""
    return [{"source": a, "target": b, "via": via} for a, b in zip(order, order[1:])]


def written_activation(row: dict[str, Any]) -> str | None:
    """A layer row's activation as the student wrote it: describe_model folds Dense(256) +
    ReLU() into relu for the checks, and keeps the Dense's own as `own_activation`."""
    return row.get("own_activation", row.get("activation"))


def _node(lid: str, row: dict, layers: dict[str, dict], call: dict | None) -> dict[str, Any]:
    cls = row.get("class", "?")
    # drawn as written: a hand-written Dense (read as one, grader.introspect) by its own name
    node = {"id": lid, "name": row.get("name", "?"), "class": row.get("written_class", cls),
            "kind": "input" if cls == "InputLayer" else row.get("kind", "layer"),
            # the layer as written: Dense(256) then ReLU() is drawn as two boxes
            "units": row.get("units"), "activation": written_activation(row),
            "params": row.get("params"), "output_shapes": [], "calls": 0, "inner": []}
    inner = call.get("expanded", [lid]) if call else _leaves(lid, layers)
    if inner != [lid]:
        node["inner"] = [{"name": layers[i].get("name"),
                          "class": layers[i].get("written_class", layers[i].get("class")),
                          "units": layers[i].get("units"), "params": layers[i].get("params"),
                          "activation": written_activation(layers[i])}
                         for i in inner if i in layers]
    return node


def _leaves(lid: str, layers: dict[str, dict]) -> list[str]:
    children = layers.get(lid, {}).get("children")
    return [x for c in children for x in _leaves(c, layers)] if children else [lid]


def models_in(evidence: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every model description in an exercise's evidence, wherever the exercise put it
    (`evidence["model"]`, `evidence["roles"][role]["model"]` …), in evidence order. A model
    description is what grader.introspect.describe_model returns: it has `layers` and
    `top_layers`. Looking by shape keeps exercises free of any picture code."""
    if depth > 6:
        return
    if isinstance(evidence, dict):
        if "layers" in evidence and "top_layers" in evidence:
            yield evidence
            return
        for value in evidence.values():
            yield from models_in(value, depth + 1)
    elif isinstance(evidence, list):
        for value in evidence:
            yield from models_in(value, depth + 1)


def exercise_diagrams(evidence: dict[str, Any], expected: Diagram | None = None) -> list[Diagram]:
    """The student's models, then the exercise's expected model (only beside a student's)."""
    submitted = [from_model(d) for d in models_in(evidence)]
    return submitted + [expected] if submitted and expected else submitted


# ---- the expected model, declared by an exercise ---------------------------------------------

def layer(name: str, cls: str, shape: tuple, *, units: int | None = None,
          activation: str | None = None, params: int = 0, calls: int = 1) -> dict[str, Any]:
    """One layer of an expected diagram (see `declare`)."""
    return {"id": name, "name": name, "class": cls,
            "kind": "input" if cls == "InputLayer" else "layer", "units": units,
            "activation": activation, "params": params, "output_shapes": [list(shape)],
            "calls": calls, "inner": []}


def declare(title: str, layers: list[dict], chains: list[str], note: str = "") -> Diagram:
    """An exercise's expected model: its layers, and the chains of calls between them, one chain
    per path a tensor takes ("left > enc_dense_1 > enc_dense_2 > concatenate"). A chain that
    starts at an input carries that input; any other chain carries the merged paths."""
    nodes = {n["id"]: n for n in layers}
    inputs = [n["name"] for n in layers if n["kind"] == "input"]
    edges = []
    for chain in chains:
        names = [part.strip() for part in chain.split(">")]
        unknown = [n for n in names if n not in nodes]
        if unknown:
            raise ValueError(f"expected diagram {title!r}: chain {chain!r} names no layer {unknown}")
        via = names[0] if names[0] in inputs else ""
        edges += [{"source": a, "target": b, "via": via} for a, b in zip(names, names[1:])]
    return {"role": "expected", "title": title, "var": None, "model": None, "kind": "functional",
            "params": sum(n["params"] or 0 for n in layers), "inputs": inputs,
            "nodes": list(nodes.values()), "edges": edges, "connected": True, "note": note}
