"""The lesson's task: a siamese digit comparator built with the Functional API.

Expected (from the lesson): inputs `left` and `right` of shape (784,); ONE encoder
Dense(256, relu) → Dense(64, relu) called on both; concatenate the two 64-d embeddings;
head Dense(1, sigmoid, name="same_digit").
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from exercises._common import (LEAKED_MIXED_PRECISION, MODEL_NOT_FLOAT32, behind_activations,
                               dtype_policy_check, find_model, input_path, joins,
                               layer_activation, model_outputs, probe_inputs, shown_activation)
from exercises._lesson_models import claimed_elsewhere
from grader import diagram
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

INPUT_NAMES = ("left", "right")
INPUT_DIM = 784
ENCODER_UNITS = [256, 64]
ENCODER_ACTIVATIONS = ["relu", "relu"]
EMBEDDING_WIDTH = 2 * 64          # two 64-d embeddings concatenated
HEAD_NAME, HEAD_UNITS, HEAD_ACTIVATION = "same_digit", 1, "sigmoid"

# The encoder counted once, because both inputs run through the same variables:
#   enc1: 784×256 + 256 = 200,960
#   enc2: 256×64  + 64  =  16,448
#   head: 128×1   + 1   =     129
#   total               = 217,537
EXPECTED_PARAMS = 784 * 256 + 256 + 256 * 64 + 64 + 128 * 1 + 1
assert EXPECTED_PARAMS == 217_537
# Two encoders instead of one add a second 200,960 + 16,448 = 217,408: 434,945.
DUPLICATED_PARAMS = EXPECTED_PARAMS + 200_960 + 16_448
# 3 layers with weights (enc1, enc2, head) × (kernel + bias), however many call sites.
EXPECTED_TRAINABLE = 6

# The model the task asks for, drawn beside the student's in the report. Declared here (plain
# data, no TensorFlow at grading time); tests/test_report_graph.py checks it against the graph of
# the reference solution, so the two cannot drift apart.
EXPECTED_DIAGRAM = diagram.declare(
    "Expected: one encoder, called on both inputs",
    layers=[
        diagram.layer("left", "InputLayer", (None, INPUT_DIM)),
        diagram.layer("right", "InputLayer", (None, INPUT_DIM)),
        diagram.layer("enc_dense_1", "Dense", (None, 256), units=256, activation="relu",
                      params=200_960, calls=2),
        diagram.layer("enc_dense_2", "Dense", (None, 64), units=64, activation="relu",
                      params=16_448, calls=2),
        diagram.layer("concatenate", "Concatenate", (None, EMBEDDING_WIDTH)),
        diagram.layer(HEAD_NAME, "Dense", (None, 1), units=1, activation=HEAD_ACTIVATION,
                      params=129),
    ],
    chains=["left > enc_dense_1 > enc_dense_2 > concatenate",
            "right > enc_dense_1 > enc_dense_2 > concatenate",
            f"concatenate > {HEAD_NAME}"])

MISTAKES = (
    Mistake("duplicated_encoder", "Two encoders instead of one shared encoder",
            "Layer instance identity is the weight-sharing mechanism: calling the same Dense "
            "object on both inputs reuses its kernel and bias. Creating new Dense layers for the "
            "right input builds a second encoder with its own weights: 200,960 + 16,448 more "
            "parameters, about 435K instead of 217,537.",
            "Create each encoder layer once, outside anything that runs per input, and call "
            "those same objects on `left` and on `right`.",
            "{params:,} params where 217,537 were expected; the left input runs through "
            "{left_layers} and the right input through {right_layers}: separate layers, "
            "separate weights"),
    Mistake("partially_shared_encoder", "Only part of the encoder is shared",
            "Some encoder layers are the same objects on both paths, but at least one was "
            "created separately for each input, so that part of the encoder has two sets of "
            "weights.",
            "Every encoder layer must be one object called on both inputs: look at where each "
            "one is created.",
            "shared by both inputs: {shared_layers}; not shared: {unshared_layers} "
            "({params:,} params where 217,537 were expected)"),
    Mistake("encoder_paths_differ", "The two inputs do not run through the same layers",
            "A siamese network computes one function twice: each input runs through exactly the "
            "same layers, so two equal images give two equal embeddings. A layer on one path "
            "only (a normalisation, a dropout, a batch norm) makes the towers two different "
            "functions, even with every Dense layer shared.",
            "Compare, one by one, the layers your left input goes through with those your right "
            "input goes through.",
            "{paths}"),
    Mistake("wrong_encoder_units", "The encoder has the wrong layer sizes",
            "The encoder is Dense(256) → Dense(64): 784×256+256 = 200,960 and 256×64+64 = "
            "16,448 parameters. Other sizes change both the embedding and the count.",
            "Compare the units of each encoder layer, one by one, with the task statement.",
            "encoder units {units} where [256, 64] were expected"),
    Mistake("missing_encoder_activation", "An encoder layer has no activation",
            "A Dense layer without an activation is linear; two linear layers in a row collapse "
            "into one linear map. The parameter count does not change, so the lesson's own "
            "checks cannot see this: the encoder layers must use relu.",
            "Give each encoder Dense layer the activation the task names.",
            "encoder activations {got} where {expected} were expected"),
    Mistake("wrong_encoder_activation", "An encoder layer uses the wrong activation",
            "The task's encoder is Dense(256, relu) → Dense(64, relu).",
            "Check the `activation=` argument of each encoder layer.",
            "encoder activations {got} where {expected} were expected"),
    Mistake("encoder_without_bias", "An encoder layer has no bias",
            "`use_bias=False` drops the bias vectors (256 and 64 values), so the model has "
            "217,217 parameters and only 4 trainable weights instead of 6.",
            "Look at the arguments you give the encoder's Dense layers: one of them switches off "
            "a set of weights.",
            "encoder layers without bias: {layers_named}"),
    Mistake("input_not_used", "An input never reaches the output",
            "A siamese network compares two inputs: each runs through the shared encoder and "
            "the head reads both embeddings. Here the output does not depend on one input at "
            "all, so the model answers from one image alone. Keras builds such a model without "
            "a word (an unused input is legal), and the parameter and weight counts can still "
            "come out right.",
            "Follow each input through your code up to the head: where does one of them stop "
            "being used?",
            "the output depends on {used} only: {unused} never reaches it"),
    Mistake("merged_inside_own_layer", "The two inputs meet inside a layer of your own",
            "The exercise is about the Functional API making weight sharing visible: the same "
            "Dense objects called on `left` and on `right` in the graph, then a Concatenate. "
            "Here both inputs go into one layer or model of your own class, whose call() is "
            "Python the graph cannot show: whether one encoder is shared, and how the "
            "embeddings are joined, is hidden inside it.",
            "Call the shared Dense layers (or an encoder model taking ONE input) on each input "
            "in the Functional graph, and concatenate the two embeddings there.",
            "both inputs go into {layers_text} ({cls}), a class of your own"),
    Mistake("encoder_not_dense", "The encoder is not made of Dense layers",
            "The task's encoder is Dense(256, relu) → Dense(64, relu): each computes "
            "relu(x @ kernel + bias). A layer of your own may stand in for one, and the grader "
            "reads it as a Dense when it computes exactly that; these compute something else "
            "(an activation before the product, a scale, a different formula), so there is no "
            "encoder for the other checks to measure.",
            "Compare your layer's call() with what Dense computes: activation(inputs @ kernel "
            "+ bias), the activation last.",
            "the inputs reach the merge through {layers_text}, which compute no Dense layer "
            "the grader recognises"),
    Mistake("wrong_merge", "The two embeddings are not concatenated",
            "The task joins the two 64-d embeddings with a concatenation, giving a 128-d "
            "vector: the head then has 128×1 + 1 = 129 parameters. Subtracting, a dot product "
            "or an absolute difference are other valid siamese designs, but not this task's.",
            "Re-read how the task combines the two embeddings: which merge keeps both of them "
            "whole, side by side?",
            "merged with {merged_with} (width {width}) where a concatenation of width "
            "{expected_width} was expected"),
    Mistake("wrong_head_units", "The output head has the wrong number of units",
            "The question 'same digit or not?' needs one probability: Dense(1). More units give "
            "an output of shape (batch, units) instead of (batch, 1).",
            "How many numbers does the answer to 'same digit or not?' need?",
            "head units {head_units} where 1 was expected"),
    Mistake("wrong_head_activation", "The output head has the wrong activation",
            "A single sigmoid unit gives a probability in (0, 1). Softmax over one unit is "
            "always 1.0 whatever the input (it normalises one value against itself), and a "
            "linear head is not confined to (0, 1).",
            "One unit, one probability: which activation squashes a single value into (0, 1)?",
            "{detail}"),
    Mistake("wrong_head_name", "The output head is not named same_digit",
            "The task names the head `same_digit`, so that training code can address the "
            "output by name (a loss per named head).",
            "Pass `name=` to the head layer.",
            "head named '{got}' where '{expected}' was expected"),
    Mistake("wrong_input_names", "The inputs are not named left and right",
            "Named inputs let callers pass a dict {'left': …, 'right': …}, as the lesson does.",
            "Pass `name=` to each keras.Input.",
            "inputs named {got} where {expected} were expected"),
    Mistake("wrong_input_shape", "The inputs do not have shape (784,)",
            "Each input is a flattened 28×28 image: keras.Input(shape=(784,)). The batch "
            "dimension is never part of `shape`.",
            "Check the `shape=` of each keras.Input.",
            "input shapes {shapes} where (784,) each were expected"),
    Mistake("not_functional", "The model is not built with the Functional API",
            "The task asks for the Functional API: keras.Input tensors, layers called on them, "
            "keras.Model(inputs=..., outputs=...). A subclassed or Sequential model can compute "
            "the same thing, but its graph (and so the sharing) cannot be inspected or plotted.",
            "Start from two keras.Input tensors and finish with keras.Model(inputs=[…], "
            "outputs=…).",
            "a {got} model where a functional model was expected"),
    LEAKED_MIXED_PRECISION,
    MODEL_NOT_FLOAT32,
    Mistake("unexpected_param_count", "The parameter count is not 217,537",
            "enc1: 784×256+256 = 200,960; enc2: 256×64+64 = 16,448; head: 128×1+1 = 129; "
            "total 217,537, with the encoder counted once.",
            "Work the count out layer by layer and compare with your summary().",
            "{got:,} params where {expected:,} were expected"),
    Mistake("unexpected_weight_count", "The number of trainable weights is not 6",
            "Three layers own weights (two encoder layers and the head), each a kernel and a "
            "bias: 6 variables, however many times the encoder is called.",
            "Compare len(model.trainable_weights) with the layers you created.",
            "{got} trainable weights where {expected} were expected"),
    Mistake("wrong_output_shape", "The output does not have shape (batch, 1)",
            "For a batch of B pairs the model must return B probabilities: shape (B, 1).",
            "Check the head's units and what feeds it.",
            "output shape {got} where {expected} was expected"),
    Mistake("forward_pass_failed", "The model could not be run on a fake batch",
            "The grader called your model on a batch of random (16, 784) pairs and it raised "
            "an error.",
            "Call your model yourself on np.random.rand(16, 784) inputs and read the error.",
            "{detail}"),
)


# ---- child side: evidence ------------------------------------------------------------------

def _looks_like_siamese(model) -> bool:
    # Two inputs and ONE output: the lesson's two-headed model has two inputs too.
    inputs = getattr(model, "inputs", None) or []
    outputs = getattr(model, "outputs", None) or []
    return "siamese" in model.name.lower() or (len(inputs) == 2 and len(outputs) == 1)


def collect(namespace: dict, probe) -> dict[str, Any]:
    from grader.introspect import describe_model

    model, var, note = find_model(namespace, ("siamese", "siamese_model", "siamese_mlp"),
                                  lambda m: not claimed_elsewhere(namespace, m, "siamese")
                                  and _looks_like_siamese(m), "siamese model")
    if model is None:
        return {"attempted": False}
    ev: dict[str, Any] = {"attempted": True, "graded_object": var,
                          "notes": [note] if note else []}
    inputs = _probe_pair(model, probe)
    ev["forward"] = _forward(model, inputs)  # also builds a subclassed model before describing
    first_two = ({k: x[:2] for k, x in inputs.items()} if isinstance(inputs, dict)
                 else [x[:2] for x in inputs])
    ev["model"] = describe_model(model, var, probe_input=first_two)
    ev["summaries"] = {var: ev["model"].pop("summary")}
    _concatenations_by_value(model, ev["model"], probe)
    return ev


def _concatenations_by_value(model, m: dict, probe) -> None:
    """Mark each Lambda layer of the graph that joins its inputs side by side, measured on
    values (`Lambda(lambda t: keras.ops.concatenate(t, axis=-1))` is the lesson's merge under
    another class name): `concatenates` on its call."""
    import numpy as np

    for call in m.get("calls") or []:
        if call.get("class") != "Lambda":
            continue
        try:
            layer = model.get_layer(call["name"])
            shapes = [tuple(t.shape) for t in layer._inbound_nodes[0].input_tensors]
            if len(shapes) != 2 or any(len(s) != 2 or not s[1] for s in shapes):
                continue
            a, b = (probe.batch(2, int(s[1])) for s in shapes)
            out = np.asarray(layer([a, b]))
            call["concatenates"] = bool(out.shape == (2, shapes[0][1] + shapes[1][1]) and (
                np.array_equal(out, np.concatenate([a, b], axis=-1))
                or np.array_equal(out, np.concatenate([b, a], axis=-1))))
        except Exception:  # noqa: BLE001 - the student's function: no answer is no claim
            continue


def _probe_pair(model, probe, batch: int = 16) -> list | dict:
    """A fake (left, right) batch shaped like the model's inputs, (784,) each by default: a
    list, or a dict by input name for a model built with dict inputs."""
    pair = probe_inputs(model, probe, batch) if getattr(model, "built", False) else None
    if isinstance(pair, (list, dict)) and len(pair) == 2:
        return pair
    return [probe.batch(batch, INPUT_DIM), probe.batch(batch, INPUT_DIM)]


def _forward(model, inputs: list | dict) -> dict[str, Any]:
    import numpy as np
    from grader.terminal_text import strip_ansi

    batch = len(next(iter(inputs.values())) if isinstance(inputs, dict) else inputs[0])
    try:
        out = model_outputs(model, inputs)
        again = model_outputs(model, inputs)
        finite = out[np.isfinite(out)]
    except Exception as exc:  # noqa: BLE001 - the student's model may not run at all
        return {"ok": False, "error": f"{type(exc).__name__}: {strip_ansi(str(exc))[:400]}"}
    return {
        "ok": True, "batch": batch, "shape": list(out.shape), "dtype": str(out.dtype),
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
        "spread": float(finite.max() - finite.min()) if finite.size else 0.0,
        "all_finite": bool(finite.size == out.size),
        "deterministic": bool(np.array_equal(out, again)),
    }


# ---- parent side: reading the graph --------------------------------------------------------

def _model(ev) -> dict:
    return ev["model"]


def _branches(m: dict) -> dict[str, Any] | None:
    """Which layers each input runs through before the two paths meet, from the call graph."""
    calls = m.get("calls") or []
    inputs = [i["name"] for i in m.get("inputs", [])]
    if m.get("kind") != "functional" or len(inputs) != 2 or not calls:
        return None
    by_id = {c["id"]: c for c in calls}
    layers = m["layers"]
    merge = joins(m)
    # The head is the last layer with weights: an activation applied after it (a Sigmoid
    # operation from keras.ops.sigmoid, an Activation layer) is part of the head, not the head.
    head_call, after = behind_activations(calls[-1], by_id, layers)
    # The head is never part of an input's own path, even when only one input reaches it.
    path = {name: [r for r in input_path(m, name) if r["id"] != head_call["layer"]]
            for name in inputs}
    # each Dense row carries the activation it effectively has (see input_path_dense)
    dense = {name: [r for r in rows if r.get("class") == "Dense"] for name, rows in path.items()}
    head = layers.get(head_call["layer"])
    if head is not None and after:
        head = dict(head, after=[{"name": r.get("name"), "activation": layer_activation(r)}
                                 for r in after])
    return {"inputs": inputs, "dense": dense, "path": path, "merge": merge, "head": head,
            "head_call": head_call}


def _names(rows: list[dict]) -> str:
    return ", ".join(f"`{r['name']}` (Dense {r.get('units')})" for r in rows) or "no Dense layer"


def unused_input_problem(m: dict) -> tuple[str, dict] | None:
    """An input the output does not depend on (`concatenate([left_emb, left_emb])`, a head fed
    one embedding): the call graph, walked back from the output, never reaches it."""
    b = _branches(m)
    if b is None:
        return None
    used = {d for c in m.get("calls", []) for d in c["deps"]}
    unused = [n for n in b["inputs"] if n not in used]
    if not unused:
        return None
    quoted = lambda names: ", ".join(f"`{n}`" for n in names)  # noqa: E731
    return "input_not_used", {"used": quoted([n for n in b["inputs"] if n in used]) or "no input",
                              "unused": quoted(unused), "params": m["params"], "layers": unused}


def sharing_problem(m: dict) -> tuple[str, dict] | None:
    b = _branches(m)
    if b is None:
        return None
    a, c = (b["dense"][n] for n in b["inputs"])
    ids_a, ids_c = {r["id"] for r in a}, {r["id"] for r in c}
    # Identity of the variables, not equal values: the kernel objects themselves.
    shared = ids_a & ids_c
    facts = {"params": m["params"], "left_layers": _names(a), "right_layers": _names(c)}
    # `layers` lands in Finding.layers (a keyword of failed()): what the report's picture marks.
    if a and c and not shared:
        return "duplicated_encoder", dict(facts, layers=[r["name"] for r in a + c])
    if shared and (ids_a != ids_c):
        facts.update(shared_layers=_names([r for r in a if r["id"] in shared]),
                     unshared_layers=_names([r for r in a + c if r["id"] not in shared]),
                     layers=[r["name"] for r in a + c if r["id"] not in shared])
        return "partially_shared_encoder", facts
    return None


def _encoder(m: dict) -> list[dict]:
    b = _branches(m)
    return b["dense"][b["inputs"][0]] if b else []


def _step(row: dict) -> tuple:
    """What one step of a path computes: a layer with weights is itself (shared or not is
    sharing_problem's question); a weightless one is what it does, since each keras.ops call
    in a functional graph is an operation object of its own even when both paths call relu."""
    if row.get("n_weights"):
        return ("weights", row["id"])
    return (row.get("class"), row.get("applies", row.get("activation")))


def paths_problem(m: dict) -> tuple[str, dict] | None:
    """Every Dense shared, but a layer on one path only (UnitNormalization on the left, Dropout
    on the right): two towers computing different functions."""
    b = _branches(m)
    if b is None or not all(b["path"][n] for n in b["inputs"]):
        return None
    steps = [[_step(r) for r in b["path"][n]] for n in b["inputs"]]
    if steps[0] == steps[1]:
        return None
    shown = "; ".join(f"`{n}`: " + " → ".join(r["name"] for r in b["path"][n]) for n in b["inputs"])
    # the layers whose step the two paths take a different number of times
    counts = [Counter(s) for s in steps]
    odd = [r["name"] for i, n in enumerate(b["inputs"]) for r, step in zip(b["path"][n], steps[i])
           if counts[i][step] != counts[1 - i][step]]
    return "encoder_paths_differ", {"paths": shown, "params": m["params"], "layers": odd}


def units_problem(m: dict) -> tuple[str, dict] | None:
    enc = _encoder(m)
    units = [r.get("units") for r in enc]
    if enc and units != ENCODER_UNITS:
        return "wrong_encoder_units", {"units": units, "params": m["params"],
                                       "layers": [r["name"] for r in enc]}
    return None


def bias_problem(m: dict) -> tuple[str, dict] | None:
    enc = _encoder(m)
    no_bias = [r for r in enc if r.get("use_bias") is False]
    if no_bias:
        return "encoder_without_bias", {"layers_named": _names(no_bias), "params": m["params"],
                                        "layers": [r["name"] for r in no_bias]}
    return None


# What joins two (batch, 64) embeddings side by side: the Concatenate layer, keras.ops.concatenate
# (an operation of the same class name) and keras.ops.hstack, which on 2-D tensors is the same.
CONCATENATIONS = ("Concatenate", "Hstack")


def merge_problem(m: dict) -> tuple[str, dict] | None:
    b = _branches(m)
    if b is None or _merged_inside_own(m, b):  # no merge the graph shows (encoder_shared)
        return None
    if found := unused_input_problem(m):  # nothing joins the two paths: one of them is lost
        return found
    if not b["merge"]:
        return "wrong_merge", {"merged_with": "nothing", "width": "?",
                               "expected_width": EMBEDDING_WIDTH}
    first = b["merge"][0]
    shape = first.get("output_shape") or [None]
    # The concatenation of the two embeddings the student's encoder actually produces: with
    # Dense(128) as its last layer that is 256 wide, which is wrong_encoder_units' doing, not
    # a second mistake in the merge.
    # (Not when layers of the student's own that are no Dense end the paths: their width is
    # not read, encoder_not_dense names them.)
    ends = [b["dense"][n][-1].get("units") if b["dense"][n] else None for n in b["inputs"]]
    expected = sum(ends) if all(isinstance(u, int) for u in ends) and \
        not _own_not_dense(m, b) else EMBEDDING_WIDTH
    joined = first["class"] in CONCATENATIONS or first.get("concatenates") is True
    if not joined or shape[-1] != expected:
        return "wrong_merge", {"merged_with": first["class"], "width": shape[-1],
                               "expected_width": expected, "layers": [first.get("name", "?")]}
    return None


def head_units_problem(m: dict) -> tuple[str, dict] | None:
    b = _branches(m)
    head = b["head"] if b else None
    if head and head.get("class") == "Dense" and head.get("units") != HEAD_UNITS:
        return "wrong_head_units", {"head_units": head.get("units"), "layers": [head.get("name")]}
    return None


def input_shape_problem(m: dict) -> tuple[str, dict] | None:
    shapes = [i["shape"] for i in m.get("inputs", [])]
    if shapes and any(s != [INPUT_DIM] for s in shapes):
        return "wrong_input_shape", {"shapes": ", ".join(f"({', '.join(map(str, s))},)" for s in shapes),
                                     "layers": [i["name"] for i in m["inputs"]
                                                if i["shape"] != [INPUT_DIM]]}
    return None


# The order in which a wrong parameter count is explained: the first structural mistake found.
STRUCTURE = (input_shape_problem, unused_input_problem, sharing_problem, paths_problem,
             units_problem, bias_problem, merge_problem, head_units_problem)


def explain_structure(m: dict) -> tuple[str, dict] | None:
    for problem in STRUCTURE:
        found = problem(m)
        if found:
            return found
    return None


# ---- parent side: checks -------------------------------------------------------------------

def _needs_graph(check_id: str, ev: dict) -> Finding | None:
    m = _model(ev)
    if m.get("kind") != "functional":
        return skipped(check_id, f"a {m.get('kind')} model has no functional graph to read")
    if _branches(m) is None:
        return skipped(check_id, "the model does not have two inputs")
    return None


def _from_problem(check_id: str, found: tuple[str, dict] | None, expected: Any = None,
                  got: Any = None) -> Finding:
    """A check that is exactly one structural predicate: pass, or its mistake with its facts."""
    if found is None:
        return passed(check_id, expected=expected, got=got)
    mistake, facts = found
    return failed(check_id, mistake, expected=expected, got=_observed(mistake, facts), **facts)


# For a structural mistake, the one fact that shows what the student built.
OBSERVED = {"input_not_used": "unused", "encoder_paths_differ": "paths",
            "wrong_encoder_units": "units", "wrong_merge": "merged_with",
            "wrong_head_units": "head_units", "wrong_input_shape": "shapes",
            "duplicated_encoder": "params", "partially_shared_encoder": "params",
            "encoder_without_bias": "layers_named"}


def _observed(mistake: str, facts: dict) -> Any:
    return facts.get(OBSERVED.get(mistake, ""), None)


def check_functional(ev) -> Finding:
    kind = _model(ev)["kind"]
    if kind != "functional":
        return failed("functional_model", "not_functional", expected="functional", got=kind)
    return passed("functional_model", got="functional")


def check_input_names(ev) -> Finding:
    m = _model(ev)
    if m.get("kind") != "functional":
        return skipped("input_names", f"a {m.get('kind')} model has no named inputs")
    names = [i["name"] for i in m.get("inputs", [])]
    if sorted(names) != sorted(INPUT_NAMES):
        return failed("input_names", "wrong_input_names", expected=list(INPUT_NAMES), got=names,
                      layers=[n for n in names if n not in INPUT_NAMES])
    return passed("input_names", got=names)


def check_input_shapes(ev) -> Finding:
    m = _model(ev)
    if m.get("kind") != "functional":
        return skipped("input_shapes", f"a {m.get('kind')} model has no declared inputs")
    return _from_problem("input_shapes", input_shape_problem(m), "(784,) each", "(784,) each")


def check_encoder_shared(ev) -> Finding:
    if skip := _needs_graph("encoder_shared", ev):
        return skip
    m = _model(ev)
    b = _branches(m)
    if found := unused_input_problem(m):
        return _from_problem("encoder_shared", found, "one encoder on both inputs")
    if own := _merged_inside_own(m, b):
        return failed("encoder_shared", "merged_inside_own_layer", layers=[own["name"]],
                      layers_text=f"`{own['name']}`", cls=own.get("class", "?"))
    if weighted := _own_not_dense(m, b):
        return failed("encoder_shared", "encoder_not_dense", layers=weighted,
                      layers_text=", ".join(f"`{w}`" for w in weighted))
    if not all(b["dense"][n] for n in b["inputs"]):
        first = (b["merge"] or [{}])[0]
        return failed("encoder_shared", "wrong_merge", merged_with="the raw inputs",
                      width=(first.get("output_shape") or ["?"])[-1],
                      expected_width=EMBEDDING_WIDTH, layers=[first.get("name", "?")],
                      detail="the inputs are merged before any encoder layer")
    return _from_problem("encoder_shared", sharing_problem(m) or paths_problem(m),
                         "one encoder on both inputs",
                         _names(b["dense"][b["inputs"][0]]) + " on both inputs")


def _needs_encoder(check_id: str, ev: dict) -> Finding | None:
    """Skips a check of the encoder's layers when there is no encoder to read: no Dense layer
    runs on each input alone (the inputs merged first, or one of them unused). The structural
    mistake is named by encoder_shared; a check must not pass on an empty list."""
    if skip := _needs_graph(check_id, ev):
        return skip
    m = _model(ev)
    b = _branches(m)
    if own := _merged_inside_own(m, b):
        return skipped(check_id, f"the inputs meet inside `{own['name']}`, a class of your own")
    if _own_not_dense(m, b):
        return skipped(check_id, "the encoder holds layers of your own that compute no Dense")
    if not all(b["dense"][n] for n in b["inputs"]):
        return skipped(check_id, "no Dense layer runs on each input alone before the paths meet")
    return None


def _merged_inside_own(m: dict, b: dict | None) -> dict | None:
    """The row of the first node both inputs reach when it is a layer or model of the
    student's own class with weights (a pair encoder called on [left, right]): its call() is
    opaque to the graph. None otherwise."""
    first = (b["merge"] or [None])[0] if b else None
    row = m.get("layers", {}).get(first["layer"]) if first else None
    return row if row and row.get("own") and row.get("params") else None


def _own_not_dense(m: dict, b: dict) -> list[str]:
    """The layers of the student's own class, with weights, on the inputs' own paths that the
    grader could not read as a Dense (grader.introspect reads a hand-written Dense as one):
    an encoder whose layers the checks of Dense sizes and activations cannot measure."""
    return list(dict.fromkeys(r.get("name", "?") for n in b["inputs"] for r in input_path(m, n)
                              if r.get("own") and r.get("params") and r.get("class") != "Dense"
                              and r.get("kind") != "model"))


def check_encoder_units(ev) -> Finding:
    if skip := _needs_encoder("encoder_units", ev):
        return skip
    m = _model(ev)
    return _from_problem("encoder_units", units_problem(m), ENCODER_UNITS, ENCODER_UNITS)


def check_encoder_activation(ev) -> Finding:
    if skip := _needs_encoder("encoder_activation", ev):
        return skip
    enc = _encoder(_model(ev))
    acts = [r.get("activation") for r in enc]
    if all(a == "relu" for a in acts):
        return passed("encoder_activation", got=acts)
    mistake = "missing_encoder_activation" if "linear" in acts else "wrong_encoder_activation"
    return failed("encoder_activation", mistake, expected=ENCODER_ACTIVATIONS,
                  got=[shown_activation(r) for r in enc],
                  layers=[r["name"] for r in enc if r.get("activation") != "relu"])


def check_encoder_bias(ev) -> Finding:
    if skip := _needs_encoder("encoder_bias", ev):
        return skip
    return _from_problem("encoder_bias", bias_problem(_model(ev)))


def check_merge(ev) -> Finding:
    if skip := _needs_graph("merge", ev):
        return skip
    m = _model(ev)
    if own := _merged_inside_own(m, _branches(m)):
        return skipped("merge", f"the inputs meet inside `{own['name']}`, a class of your own")
    return _from_problem("merge", merge_problem(m), "Concatenate (width 128)",
                         "Concatenate (width 128)")


def _head(ev) -> dict | None:
    b = _branches(_model(ev))
    return b["head"] if b else None


def check_head_units(ev) -> Finding:
    if skip := _needs_graph("head_units", ev):
        return skip
    return _from_problem("head_units", head_units_problem(_model(ev)), HEAD_UNITS, HEAD_UNITS)


def check_head_activation(ev) -> Finding:
    if skip := _needs_graph("head_activation", ev):
        return skip
    head = _head(ev) or {}
    act = head.get("activation")
    after = head.get("after") or []
    own = head.get("own_activation", act)
    if after and own not in (None, "linear"):
        # Dense(1, sigmoid) and then a sigmoid layer: sigmoid(sigmoid(x)), squeezed into
        # (0.5, 0.73): no longer a probability of "same digit"
        applied = ", then ".join([str(own)] + [str(a["activation"]) for a in after])
        return failed("head_activation", "wrong_head_activation", expected=HEAD_ACTIVATION,
                      got=applied, layers=[head.get("name", "?")] + [a["name"] for a in after],
                      detail=f"the head applies {applied}: one activation too many")
    if act != HEAD_ACTIVATION:
        units = head.get("units")
        detail = {"softmax": "softmax on one unit outputs 1.0 for every input" if units == 1 else
                             f"softmax over {units} units makes a {units}-class head, where the "
                             f"task asks for one sigmoid probability",
                  "linear": "the head has no activation, so its outputs are not confined to (0, 1)"}
        return failed("head_activation", "wrong_head_activation", expected=HEAD_ACTIVATION,
                      got=act, layers=[head.get("name", "?")],
                      detail=detail.get(act, f"the head uses {act} where sigmoid was expected"))
    return passed("head_activation", got=act)


def check_head_name(ev) -> Finding:
    if skip := _needs_graph("head_name", ev):
        return skip
    head = _head(ev) or {}
    # The name that addresses the output: the head layer's, the activation layer's after it,
    # or the key of a dict output (outputs={"same_digit": …}); each lets fit() take a loss by name.
    names = [head.get("name")] + [a["name"] for a in head.get("after") or []] + \
        list(_model(ev).get("output_names") or [])
    if HEAD_NAME not in names:
        return failed("head_name", "wrong_head_name", expected=HEAD_NAME, got=head.get("name"),
                      layers=[head.get("name", "?")])
    return passed("head_name", got=HEAD_NAME)


def check_param_count(ev) -> Finding:
    m = _model(ev)
    if m["params"] == EXPECTED_PARAMS:
        return passed("param_count", expected=EXPECTED_PARAMS, got=EXPECTED_PARAMS)
    found = explain_structure(m)
    mistake, facts = found if found else ("unexpected_param_count", {})
    facts = {k: v for k, v in facts.items() if k not in ("expected", "got")}
    facts.setdefault("params", m["params"])
    return failed("param_count", mistake, expected=EXPECTED_PARAMS, got=m["params"], **facts)


def check_trainable_weights(ev) -> Finding:
    m = _model(ev)
    n = m["n_trainable"]
    if n == EXPECTED_TRAINABLE:
        return passed("trainable_weights", expected=EXPECTED_TRAINABLE, got=n)
    found = None
    for problem in (sharing_problem, paths_problem, bias_problem):
        found = found or problem(m)
    mistake, facts = found if found else ("unexpected_weight_count", {})
    facts = {k: v for k, v in facts.items() if k not in ("expected", "got")}
    return failed("trainable_weights", mistake, expected=EXPECTED_TRAINABLE, got=n, **facts)


def check_forward_pass(ev) -> Finding:
    fw = ev.get("forward") or {}
    if not fw.get("ok"):
        return failed("forward_pass", "forward_pass_failed", detail=fw.get("error", "?"))
    m = _model(ev)
    expected_shape = [fw["batch"], 1]
    if fw["shape"] != expected_shape:
        found = head_units_problem(m) or input_shape_problem(m) or merge_problem(m)
        mistake, facts = found if found else ("wrong_output_shape", {})
        facts = {k: v for k, v in facts.items() if k not in ("expected", "got")}
        return failed("forward_pass", mistake, expected=f"({fw['batch']}, 1)",
                      got="(" + ", ".join(map(str, fw["shape"])) + ")", **facts)
    lo, hi = fw.get("min"), fw.get("max")
    inside = fw.get("all_finite") and lo is not None and lo > 0.0 and hi < 1.0
    # Softmax on one unit gives 0.99999994 for every input: strictly inside (0, 1), so the
    # lesson's range check passes it. Random pairs must give outputs that vary.
    varies = fw.get("spread", 0.0) > 1e-6
    if not inside or not varies:
        head = _head(ev) or {}
        if head.get("activation") == HEAD_ACTIVATION and (found := explain_structure(m)):
            mistake, facts = found  # e.g. a dot product saturates the sigmoid at 1.0
            return failed("forward_pass", mistake, expected="values varying in (0, 1)",
                          got=f"[{lo:.4g}, {hi:.4g}]", **facts)
        detail = (f"outputs range over [{lo:.4g}, {hi:.4g}], outside (0, 1)" if not inside
                  else f"every output is {hi:.8g}, whatever the input")
        return failed("forward_pass", "wrong_head_activation", expected="values varying in (0, 1)",
                      got=f"[{lo:.4g}, {hi:.4g}]", layers=[head.get("name", "?")] if head else [],
                      detail=detail)
    return passed("forward_pass", expected=f"({fw['batch']}, 1) in (0, 1)",
                  got=f"({fw['batch']}, 1) in [{lo:.3f}, {hi:.3f}]")


EXERCISE = Exercise(
    id="siamese",
    title="Siamese digit comparator (Functional API, shared encoder)",
    looks_for=("siamese",),
    collect=collect,
    checks=(
        Check("functional_model", "Built with the Functional API", check_functional),
        Check("input_names", "Inputs named left and right", check_input_names),
        Check("input_shapes", "Inputs of shape (784,)", check_input_shapes),
        Check("encoder_shared", "One encoder shared by both inputs (same layer objects, same "
              "variables)", check_encoder_shared, points=3),
        Check("encoder_units", "Encoder sizes Dense(256) → Dense(64)", check_encoder_units),
        Check("encoder_activation", "Encoder activations relu, relu", check_encoder_activation),
        Check("encoder_bias", "Encoder layers keep their bias", check_encoder_bias),
        Check("merge", "Embeddings concatenated (None, 128)", check_merge),
        Check("head_units", "Head has one unit", check_head_units),
        Check("head_activation", "Head uses sigmoid", check_head_activation),
        Check("head_name", "Head named same_digit", check_head_name),
        Check("param_count", "217,537 parameters (encoder counted once)", check_param_count,
              points=2),
        Check("trainable_weights", "6 trainable weights", check_trainable_weights),
        Check("forward_pass", "Forward pass gives (batch, 1) with values in (0, 1)",
              check_forward_pass, points=2),
        Check("dtype_policy", "float32 policy (no mixed precision left on)",
              dtype_policy_check(lambda ev: [ev["model"]])),
    ),
    mistakes=MISTAKES,
    expected_diagram=EXPECTED_DIAGRAM,
)
