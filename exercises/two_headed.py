"""The lesson's multi-input, two-headed model (Functional API, "Way 2").

Expected (from the lesson): inputs `pixels` (784,) and `metadata` (8,); an image trunk
Dense(256, relu) → Dense(64, relu) on the pixels and a metadata tower Dense(16, relu);
both concatenated to (None, 80); heads `digit` Dense(10, softmax) and `is_hard` Dense(1, sigmoid)
reading the concatenation; compiled with one loss per named head
(sparse_categorical_crossentropy / binary_crossentropy) and loss weights 1.0 / 0.3; and one
`fit` epoch on fake data keyed by those names runs.
"""
from __future__ import annotations

from typing import Any

from exercises._common import (LEAKED_MIXED_PRECISION, MODEL_NOT_FLOAT32, behind_activations,
                               dtype_policy_check, find_model, input_path_dense, joins,
                               layer_activation, probe_inputs)
from exercises._lesson_models import claimed_elsewhere, error_text
from grader import diagram
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

IMAGE_INPUT, IMAGE_DIM = "pixels", 784      # a flattened 28×28 image
META_INPUT, META_DIM = "metadata", 8        # e.g. stroke-count features from a pen tablet
TRUNK = [(256, "relu"), (64, "relu")]       # the familiar MLP body, on the pixels
TOWER = [(16, "relu")]                      # a small tower for the metadata
# concatenate([x, m]): 64 from the trunk + 16 from the tower
MERGE_WIDTH = TRUNK[-1][0] + TOWER[-1][0]
assert MERGE_WIDTH == 80
HEADS = {"digit": (10, "softmax"), "is_hard": (1, "sigmoid")}
HEAD_NAMES = tuple(HEADS)
LOSSES = {"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"}
LOSS_WEIGHTS = {"digit": 1.0, "is_hard": 0.3}   # total = 1.0 × digit_loss + 0.3 × is_hard_loss
# 784×256 + 256 = 200,960;  256×64 + 64 = 16,448;  8×16 + 16 = 144;
# digit 80×10 + 10 = 810;  is_hard 80×1 + 1 = 81;  total 218,443
EXPECTED_PARAMS = (784 * 256 + 256) + (256 * 64 + 64) + (8 * 16 + 16) + (80 * 10 + 10) + (80 * 1 + 1)
assert EXPECTED_PARAMS == 218_443
FIT_ROWS, FIT_BATCH = 64, 32    # the lesson fits 128 rows in batches of 32; two steps prove it runs

# The model the task asks for, drawn beside the student's in the report; the trunk and tower
# layers carry descriptive names where the lesson leaves Keras to number them.
# tests/test_report_graph.py checks it against the reference solution's graph.
EXPECTED_DIAGRAM = diagram.declare(
    "Expected: image trunk and metadata tower, concatenated, two named heads",
    layers=[
        diagram.layer(IMAGE_INPUT, "InputLayer", (None, IMAGE_DIM)),
        diagram.layer(META_INPUT, "InputLayer", (None, META_DIM)),
        diagram.layer("trunk_dense_1", "Dense", (None, 256), units=256, activation="relu",
                      params=784 * 256 + 256),
        diagram.layer("trunk_dense_2", "Dense", (None, 64), units=64, activation="relu",
                      params=256 * 64 + 64),
        diagram.layer("tower_dense", "Dense", (None, 16), units=16, activation="relu",
                      params=8 * 16 + 16),
        diagram.layer("concatenate", "Concatenate", (None, MERGE_WIDTH)),
        diagram.layer("digit", "Dense", (None, 10), units=10, activation="softmax",
                      params=MERGE_WIDTH * 10 + 10),
        diagram.layer("is_hard", "Dense", (None, 1), units=1, activation="sigmoid",
                      params=MERGE_WIDTH * 1 + 1),
    ],
    chains=[f"{IMAGE_INPUT} > trunk_dense_1 > trunk_dense_2 > concatenate",
            f"{META_INPUT} > tower_dense > concatenate",
            "concatenate > digit", "concatenate > is_hard"])

MISTAKES = (
    Mistake("two_headed_not_functional", "The two-headed model is not a Functional model",
            "The lesson builds this model with the Functional API: two keras.Input tensors, "
            "layers called on them, keras.Model(inputs=[…], outputs=[…]). That graph is what "
            "lets Keras (and the grader) see which branch feeds which head, and name the heads.",
            "Rebuild it the way the lesson's two-headed example does: Input tensors in, layers "
            "called on tensors, keras.Model(inputs=…, outputs=…) out.",
            "a {got} model where a functional model was expected"),
    Mistake("inputs_misnamed", "The inputs are not `pixels` (784,) and `metadata` (8,)",
            "Named inputs are the contract of a multi-input model: fit() and predict() route the "
            "arrays of a dict {'pixels': …, 'metadata': …} to the keras.Input of the same name. "
            "A missing or swapped name sends the data nowhere (Keras raises 'Missing data for "
            "input') or into the wrong branch.",
            "Pass `name=` to each keras.Input, and check which shape goes with which name.",
            "{detail}"),
    Mistake("wrong_merge_width", "The concatenation is not (None, 80)",
            "The heads read the concatenation of the image trunk's last layer (64 values) and "
            "the metadata tower (16 values): 64 + 16 = 80, so the digit head has 80×10 + 10 = "
            "810 parameters and is_hard 80×1 + 1 = 81.",
            "Look at what you pass to layers.concatenate: the output of the last trunk layer "
            "and the output of the metadata tower.",
            "concatenation of {parts} gives (None, {width}) where (None, 80) was expected"),
    Mistake("wrong_branch_layers", "The image trunk or the metadata tower is not as specified",
            "The image trunk is Dense(256, relu) → Dense(64, relu) on the pixels; the metadata "
            "tower is one Dense(16, relu) on the metadata. A layer without relu is linear, and "
            "two linear maps in a row collapse into one: the widths stay right while the model "
            "loses what the trunk was for.",
            "Compare each Dense layer between an input and the concatenation with the lesson's "
            "list: units and activation.",
            "image trunk {trunk}, metadata tower {tower} where {expected} were expected"),
    Mistake("head_names_swapped", "The head names are swapped",
            "The name of a head is how compile() and fit() address it: the loss keyed 'digit' "
            "(sparse_categorical_crossentropy) goes to whichever layer is named digit. Here "
            "that is the one-unit sigmoid, and the ten-class softmax gets the binary loss.",
            "Which head picks one of ten digits, and which answers yes or no? Check the name each "
            "one got.",
            "`digit` is {digit_head} and `is_hard` is {hard_head}"),
    Mistake("heads_misnamed", "The heads are not named `digit` and `is_hard`",
            "Because the outputs are named, compile() takes one loss per head as a dict keyed by "
            "those names, and fit() takes the targets the same way. An unnamed head gets a name "
            "like dense_7 from a process-wide counter, which no loss dict can rely on.",
            "Pass `name=` to each head's Dense layer (or, with `outputs={...}` as a dict, use "
            "the names as its keys).",
            "outputs named {got} where {expected} were expected{keyed}"),
    Mistake("head_not_as_specified", "A head has the wrong size or activation",
            "digit chooses one of ten classes: Dense(10, softmax), probabilities that sum to 1. "
            "is_hard is one yes/no probability: Dense(1, sigmoid). Softmax over a single unit "
            "normalises one value against itself and outputs 1.0 for every input.",
            "Check the units and the activation of each head.",
            "{detail}"),
    Mistake("head_from_one_branch", "A head is fed from one branch only",
            "Both heads read the concatenation, so each sees the pixels and the metadata. A head "
            "connected to a single branch ignores the other input entirely, and the model is two "
            "separate models sharing an optimizer.",
            "Connect each head to the merged tensor.",
            "{detail}"),
    Mistake("two_headed_not_compiled", "The two-headed model was never compiled",
            "compile() attaches one loss per named head and their weights; without it fit() "
            "cannot run.",
            "Compile with a loss dict keyed by the head names and loss_weights.",
            "`{model}` has no loss (model.compiled is False)"),
    Mistake("losses_keyed_wrongly", "The losses are not attached to the right heads",
            "compile(loss={...}) matches each key to the output of the same name: 'digit' must "
            "get sparse_categorical_crossentropy (integer class labels against ten "
            "probabilities) and 'is_hard' binary_crossentropy (0/1 against one probability). "
            "Keras accepts any keys at compile() and only fails when fit() runs.",
            "Key the loss dict (and loss_weights) by the head names, and give each head the loss "
            "that matches its output.",
            "{detail}"),
    Mistake("wrong_head_loss", "A head's loss does not match its output and labels",
            "digit outputs ten softmax probabilities and its labels are integers 0-9 of shape "
            "(n,): sparse_categorical_crossentropy compares the two directly. "
            "categorical_crossentropy expects one-hot labels of shape (n, 10), so on the lesson's "
            "integer labels fit() stops with 'target and output must have the same rank'. "
            "is_hard is one sigmoid probability against a 0/1 label: binary_crossentropy.",
            "Look at the shape of the labels each head is trained on, then pick the loss that "
            "takes labels of that shape.",
            "{detail}"),
    Mistake("wrong_loss_weights", "The loss weights are not 1.0 for digit and 0.3 for is_hard",
            "Keras trains on one number: 1.0 × digit_loss + 0.3 × is_hard_loss. The weights "
            "say the routing head matters less than the digit; without them both count 1.0.",
            "Re-read how much the lesson counts each head's loss, and give compile() those "
            "weights keyed by head name.",
            "loss weights {got} where {expected} were expected"),
    Mistake("fit_failed", "One epoch of fit() on fake data failed",
            "The grader fitted your compiled model for one epoch on fake data shaped like the "
            "lesson's: a dict of inputs keyed pixels/metadata, integer digit labels 0-9 of shape "
            "(n,) and 0/1 is_hard labels of shape (n, 1). It raised an error.",
            "Run the lesson's smoke test (fake dicts, epochs=1) on your model and read the "
            "error.",
            "{error}"),
    LEAKED_MIXED_PRECISION,
    MODEL_NOT_FLOAT32,
)


# ---- child side ----------------------------------------------------------------------------

def collect(namespace: dict, probe) -> dict[str, Any]:
    from grader.introspect import describe_model

    def looks_like(model) -> bool:
        if claimed_elsewhere(namespace, model, "two_headed"):
            return False
        outputs = getattr(model, "outputs", None) or []
        inputs = getattr(model, "inputs", None) or []
        names = {getattr(getattr(t, "_keras_history", None), "operation", None) and
                 t._keras_history.operation.name for t in inputs}
        return len(outputs) == 2 or META_INPUT in names or "two_head" in model.name.lower()

    model, var, note = find_model(namespace, ("two_headed",), looks_like, "two-headed model",
                                 made_by_factory=True)
    if model is None:
        return {"attempted": False}
    ev: dict[str, Any] = {"attempted": True, "graded_object": var,
                          "notes": [note] if note else []}
    ev["model"] = describe_model(model, var, probe_input=probe_inputs(model, probe))
    ev["summaries"] = {var: ev["model"].pop("summary")}
    ev["outputs"] = _outputs(model)
    ev["compile"] = _compile_facts(model)
    if ev["compile"]["compiled"]:
        ev["fit"] = _fit(model, probe)
    return ev


def _outputs(model) -> list[dict[str, Any]]:
    """Each output: the name compile() and fit() address it by, and the layer producing it."""
    from grader.introspect import shape_list

    tensors = getattr(model, "outputs", None) or []
    struct = getattr(model, "_outputs_struct", None)
    keyed = {id(t): k for k, t in struct.items()} if isinstance(struct, dict) else {}
    out = []
    for t in tensors:
        history = getattr(t, "_keras_history", None)
        layer = history.operation.name if history is not None else None
        out.append({"name": keyed.get(id(t), layer), "layer": layer,
                    "shape": shape_list(getattr(t, "shape", None))})
    return out


def _loss_name(loss) -> str | None:
    import keras

    if loss is None:
        return None
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except Exception:  # noqa: BLE001 - an unknown string: report it as written
            return loss
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper (SparseCategoricalCrossentropy() …)
    if fn is not None and getattr(fn, "__name__", None):
        return fn.__name__
    if isinstance(loss, keras.losses.Loss):
        import re
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(loss).__name__).lower()
    return getattr(loss, "__name__", type(loss).__name__)


def _structure(value, convert) -> dict[str, Any]:
    if value is None:
        return {"kind": "none"}
    if isinstance(value, dict):
        return {"kind": "dict", "by_key": {str(k): convert(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"kind": "list", "items": [convert(v) for v in value]}
    return {"kind": "single", "value": convert(value)}


def _compile_facts(model) -> dict[str, Any]:
    compiled = bool(getattr(model, "compiled", False))
    facts: dict[str, Any] = {"compiled": compiled}
    if not compiled:
        return facts
    loss = getattr(model, "loss", None)
    facts["loss"] = _structure(loss, _loss_name)
    # Names that are not Keras losses (a function the student wrote): not judged by name.
    import keras
    values = loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) \
        else [loss]
    facts["custom_losses"] = sorted({
        n for n in (_loss_name(v) for v in values if v is not None)
        if n and not callable(getattr(keras.losses, n, None))})
    weights = None
    try:
        weights = (model.get_compile_config() or {}).get("loss_weights")
    except Exception:  # noqa: BLE001 - a config that does not serialise still has its weights
        config = getattr(getattr(model, "_compile_config", None), "config", None) or {}
        weights = config.get("loss_weights")
    facts["loss_weights"] = _structure(weights, lambda w: float(w) if w is not None else None)
    return facts


def _fit(model, probe) -> dict[str, Any]:
    """One epoch of the lesson's smoke test, on the grader's own fake data."""
    import numpy as np

    n = FIT_ROWS
    x = {IMAGE_INPUT: probe.batch(n, IMAGE_DIM), META_INPUT: probe.batch(n, META_DIM)}
    y = {"digit": np.minimum((probe.batch(n) * 10).astype("int64"), 9),
         "is_hard": (probe.batch(n, 1) > 0.5).astype("float32")}
    try:
        # A fit of the student's own that failed leaves a broken train function cached, and the
        # next fit raises "Attr 'Toutput_types' of 'OptionalFromValue' ..." whatever the cause:
        # rebuild it so the error (or success) is about this fit.
        model.make_train_function(force=True)
        history = model.fit(x, y, epochs=1, batch_size=FIT_BATCH, verbose=0)
    except Exception as exc:  # noqa: BLE001 - the student's compile decides what fit does
        return {"ok": False, "error": error_text(exc)}
    logs = {k: float(v[-1]) for k, v in (getattr(history, "history", None) or {}).items()
            if v and isinstance(v[-1], (int, float))}
    return {"ok": True, "rows": n, "batch_size": FIT_BATCH, "logs": logs}


# ---- parent side: reading the graph --------------------------------------------------------

def _model(ev) -> dict:
    return ev["model"]


def _functional(ev) -> bool:
    return _model(ev).get("kind") == "functional" and bool(_model(ev).get("calls"))


def _input_roles(m: dict) -> dict[str, str | None]:
    """Which actual input plays the image part and which the metadata part: by shape first (a
    swapped name must not swap the roles), then by name, then by order."""
    inputs = m.get("inputs", [])
    roles: dict[str, str | None] = {"image": None, "meta": None}
    for i in inputs:
        if i["shape"] == [IMAGE_DIM] and roles["image"] is None:
            roles["image"] = i["name"]
        elif i["shape"] == [META_DIM] and roles["meta"] is None:
            roles["meta"] = i["name"]
    names = [i["name"] for i in inputs]
    for role, lesson in (("image", IMAGE_INPUT), ("meta", META_INPUT)):
        if roles[role] is None and lesson in names and lesson not in roles.values():
            roles[role] = lesson
    rest = [n for n in names if n not in roles.values()]
    for role in ("image", "meta"):
        if roles[role] is None and rest:
            roles[role] = rest.pop(0)
    return roles


def _chain(m: dict, input_name: str | None) -> list[dict]:
    """The Dense layers that only this input flows through, in data-flow order, each with the
    activation it effectively has (describe_model folds Dense(16) + ReLU() into relu)."""
    return input_path_dense(m, input_name) if input_name is not None else []


def _describe_chain(rows: list[dict], start: int | None) -> str:
    if not rows:
        return f"{start} (no Dense layer)" if start else "no Dense layer"
    # Layers that read the input side by side are not one chain: a Dense(16) typed onto the
    # pixels next to the trunk reads 784 values, not the 64 before it in the list.
    chains: list[list[str]] = []
    width = None
    for r in rows:
        fan_in = (r.get("kernel_shape") or [None])[0]
        if not chains or (fan_in is not None and width is not None and fan_in != width):
            chains.append([str(fan_in if chains and fan_in is not None else start)])
        chains[-1].append(f"{r.get('units')} {r.get('activation')}")
        width = r.get("units")
    return " and ".join(" → ".join(c) for c in chains)


def _merges(m: dict) -> list[dict]:
    """Each call that joins the two inputs' paths (usually one; a head may read a join of its
    own), with the width of what it joins."""
    by_id = {c["id"]: c for c in m.get("calls", [])}
    out = []
    for join in joins(m):
        parts = [{"deps": by_id[p]["deps"], "width": (by_id[p].get("output_shape") or [None])[-1],
                  "name": by_id[p]["name"]} for p in join["inputs"] if p in by_id]
        out.append({"class": join["class"], "name": join["name"],
                    "width": (join.get("output_shape") or [None])[-1], "parts": parts})
    return out


def _merge(m: dict) -> dict | None:
    """The first call that joins the two inputs' paths."""
    return next(iter(_merges(m)), None)


def _heads(ev) -> list[dict]:
    """The outputs with the layer behind each: name, units, activation, which inputs feed it."""
    m = _model(ev)
    calls = m.get("calls", [])
    out = []
    by_id = {c["id"]: c for c in calls}
    for o in ev.get("outputs", []):
        call = next((c for c in reversed(calls) if c["name"] == o["layer"]), None)
        layer = m["layers"].get(call["layer"], {}) if call else {}
        activation = layer.get("activation")
        # Dense(10) then Activation("softmax", name="digit"): the head computes
        # softmax(Dense(10)), whatever else reads the logits (so the Dense's own activation is
        # read here, not the one describe_model folds in only for a Dense with one reader).
        parent, after = behind_activations(call, by_id, m["layers"]) if call else (None, [])
        dense = m["layers"].get(parent["layer"], {}) if len(after) == 1 else {}
        if dense.get("class") == "Dense" and diagram.written_activation(dense) == "linear":
            layer, activation = dense, layer_activation(after[0])
        out.append({"name": o["name"], "layer": o["layer"], "class": layer.get("class"),
                    "units": layer.get("units"), "activation": activation,
                    "deps": call["deps"] if call else []})
    return out


def _head_spec(h: dict) -> str:
    if h.get("class") != "Dense":
        return f"a {h.get('class')} layer"
    return f"Dense({h.get('units')}, {h.get('activation')})"


def _by_role(heads: list[dict]) -> dict[str, dict]:
    """digit/is_hard heads by what they are (10 units / 1 unit), falling back to their names."""
    roles: dict[str, dict] = {}
    for role, (units, _) in HEADS.items():
        h = next((h for h in heads if h.get("units") == units and h not in roles.values()), None)
        h = h or next((h for h in heads if h["name"] == role and h not in roles.values()), None)
        if h:
            roles[role] = h
    return roles


def _names_problem(ev) -> tuple[str, dict] | None:
    heads = _heads(ev)
    names = [h["name"] for h in heads]
    if sorted(names) == sorted(HEAD_NAMES) and len(heads) == 2:
        by_name = {h["name"]: h for h in heads}
        if by_name["digit"].get("units") == HEADS["is_hard"][0] and \
                by_name["is_hard"].get("units") == HEADS["digit"][0]:
            return "head_names_swapped", {"digit_head": _head_spec(by_name["digit"]),
                                          "hard_head": _head_spec(by_name["is_hard"]),
                                          "layers": names}
        return None
    # outputs given as a dict are named by its keys, whatever their layers are called
    keyed = [h for h in heads if h["name"] != h["layer"]]
    note = ("; the outputs are the keys of your `outputs` dict (" +
            ", ".join(f"`{h['name']}` for layer `{h['layer']}`" for h in keyed) + ")"
            if keyed else "")
    return "heads_misnamed", {"got": names, "expected": list(HEAD_NAMES), "keyed": note,
                              "layers": [h["layer"] or h["name"] for h in heads]}


def _inputs_problem(m: dict) -> tuple[str, dict] | None:
    inputs = m.get("inputs", [])
    got = {i["name"]: i["shape"] for i in inputs}
    want = {IMAGE_INPUT: [IMAGE_DIM], META_INPUT: [META_DIM]}
    if got == want:
        return None
    shown = ", ".join(f"`{n}` ({', '.join(map(str, s))},)" for n, s in got.items()) or "none"
    if set(got) == set(want) and got[IMAGE_INPUT] == want[META_INPUT] and got[META_INPUT] == want[IMAGE_INPUT]:
        detail = ("the names are swapped: `pixels` is the (8,) input and `metadata` the "
                  "(784,) one")
    else:
        detail = f"inputs {shown} where `pixels` (784,) and `metadata` (8,) were expected"
    return "inputs_misnamed", {"detail": detail, "got": shown}


def _merge_problem(m: dict) -> tuple[str, dict] | None:
    # Every join, not only the first: `is_hard` reading concatenate([x, meta_in]), the raw
    # metadata, is a second join 72 wide beside the lesson's 80.
    merge = next((j for j in _merges(m) if j["width"] != MERGE_WIDTH), None)
    if merge is None:
        return None
    parts = " + ".join(f"{p['width']} from {', '.join(p['deps'])}" for p in merge["parts"])
    return "wrong_merge_width", {"parts": parts, "width": merge["width"], "got": merge["width"],
                                 "layers": [merge["name"]]}


# ---- parent side: checks -------------------------------------------------------------------

def _needs_graph(check_id: str, ev: dict) -> Finding | None:
    if not _functional(ev):
        return skipped(check_id, f"a {_model(ev).get('kind')} model has no functional graph to read")
    return None


def _fail(check_id: str, found: tuple[str, dict], **extra: Any) -> Finding:
    mistake, facts = found
    facts = dict(facts, **extra)
    expected, got = facts.pop("expected", None), facts.pop("got", None)
    return failed(check_id, mistake, expected=expected, got=got, **facts)


def check_functional(ev) -> Finding:
    kind = _model(ev).get("kind")
    if kind != "functional":
        return failed("functional_model", "two_headed_not_functional", expected="functional", got=kind)
    return passed("functional_model", got="functional")


def check_inputs(ev) -> Finding:
    if skip := _needs_graph("inputs", ev):
        return skip
    found = _inputs_problem(_model(ev))
    if found:
        return _fail("inputs", found, expected="`pixels` (784,), `metadata` (8,)")
    return passed("inputs", got="`pixels` (784,), `metadata` (8,)")


def check_merge(ev) -> Finding:
    if skip := _needs_graph("merge", ev):
        return skip
    m = _model(ev)
    merge = _merge(m)
    if merge is None:
        return _fail("merge", ("head_from_one_branch",
                               {"detail": "nothing joins the two inputs: " + _one_branch_detail(ev)}))
    found = _merge_problem(m)
    if found:
        return _fail("merge", found, expected=MERGE_WIDTH)
    return passed("merge", expected=MERGE_WIDTH, got=f"{merge['class']} (None, {merge['width']})")


def check_branches(ev) -> Finding:
    if skip := _needs_graph("branches", ev):
        return skip
    m = _model(ev)
    roles = _input_roles(m)
    # A head wired to one branch is head_from_one_branch, not an extra branch layer.
    heads = {h["layer"] for h in _heads(ev)}
    trunk, tower = ([r for r in _chain(m, roles[k]) if r["name"] not in heads]
                    for k in ("image", "meta"))
    got = ([(r.get("units"), r.get("activation")) for r in trunk],
           [(r.get("units"), r.get("activation")) for r in tower])
    if got == (TRUNK, TOWER):
        return passed("branches", got="784 → 256 relu → 64 relu; 8 → 16 relu")
    # A branch that ends at the wrong width is named by the width it gives the merge.
    if found := _merge_problem(m):
        return _fail("branches", found, expected=MERGE_WIDTH)
    return failed("branches", "wrong_branch_layers",
                  expected="784 → 256 relu → 64 relu; 8 → 16 relu",
                  got=f"{_describe_chain(trunk, IMAGE_DIM)}; {_describe_chain(tower, META_DIM)}",
                  trunk=_describe_chain(trunk, IMAGE_DIM), tower=_describe_chain(tower, META_DIM),
                  layers=[r["name"] for r in trunk + tower])


def check_head_names(ev) -> Finding:
    if skip := _needs_graph("head_names", ev):
        return skip
    found = _names_problem(ev)
    if found:
        return _fail("head_names", found)
    return passed("head_names", got=list(HEAD_NAMES))


def check_head_layers(ev) -> Finding:
    if skip := _needs_graph("head_layers", ev):
        return skip
    heads = _heads(ev)
    if len(heads) != 2:
        return _fail("head_layers", _names_problem(ev) or ("heads_misnamed", {"keyed": ""}))
    roles = _by_role(heads)
    wrong = []
    for role, (units, activation) in HEADS.items():
        h = roles.get(role)
        if h is None or h.get("class") != "Dense" or h.get("units") != units or h.get("activation") != activation:
            shown = _head_spec(h) if h else "missing"
            why = " (softmax over one unit is always 1.0)" if h and h.get("units") == 1 and \
                h.get("activation") == "softmax" else ""
            wrong.append((role, h, f"the {role} head is {shown} where Dense({units}, {activation}) "
                                   f"was expected{why}"))
    if wrong:
        return failed("head_layers", "head_not_as_specified",
                      expected="digit Dense(10, softmax), is_hard Dense(1, sigmoid)",
                      got="; ".join(_head_spec(h) if h else "missing" for _, h, _ in wrong),
                      detail="; ".join(d for _, _, d in wrong),
                      layers=[h["layer"] for _, h, _ in wrong if h])
    return passed("head_layers", got="digit Dense(10, softmax), is_hard Dense(1, sigmoid)")


def _one_branch_detail(ev) -> str:
    m = _model(ev)
    both = sorted(i["name"] for i in m.get("inputs", []))
    lonely = [h for h in _heads(ev) if sorted(h["deps"]) != both]
    return "; ".join(f"`{h['name']}` reads only {', '.join(f'`{d}`' for d in h['deps']) or 'nothing'}"
                     for h in lonely)


def check_heads_see_both(ev) -> Finding:
    if skip := _needs_graph("heads_see_both_branches", ev):
        return skip
    detail = _one_branch_detail(ev)
    if detail:
        lonely = [h["layer"] for h in _heads(ev) if len(h["deps"]) < 2]
        return failed("heads_see_both_branches", "head_from_one_branch",
                      expected="each head reads pixels and metadata", got=detail, detail=detail,
                      layers=lonely)
    return passed("heads_see_both_branches", got="both heads read the concatenation")


def _output_names(ev) -> list[str]:
    names = [h["name"] for h in _heads(ev)]
    return names or list(HEAD_NAMES)


def _output_roles(ev) -> list[str]:
    """What each output *is*, in the model's output order: `digit` for the 10-unit head and
    `is_hard` for the 1-unit head (falling back to its name). A loss list or a loss dict keyed by
    the student's own head names is judged by what it reaches, not by how the heads are named:
    the names are the head_names check's business."""
    heads = _heads(ev)
    if not heads:
        return list(HEAD_NAMES)
    roles = _by_role(heads)
    return [next((r for r, rh in roles.items() if rh is h), h["name"]) for h in heads]


def _compiled(ev, check_id: str) -> Finding | None:
    if not ev.get("compile", {}).get("compiled"):
        return failed(check_id, "two_headed_not_compiled", expected="compiled", got="not compiled",
                      model=ev.get("graded_object") or "two_headed")
    return None


def _keyed_problem(ev, structure: dict, what: str) -> tuple[str, dict] | None:
    """Keys of a loss / loss_weights dict against the heads: the head-name mistake when the keys
    are the lesson's names but the heads are not (the losses reach no head), losses_keyed_wrongly
    when the keys match neither the lesson's names nor the model's own output names."""
    outputs = _output_names(ev)
    if structure["kind"] == "dict":
        keys = sorted(structure["by_key"])
        if keys == sorted(HEAD_NAMES):
            if _functional(ev) and (found := _names_problem(ev)):
                return found
            return None
        if keys == sorted(outputs):
            return None  # keyed by the model's own head names: every head gets its loss
        return "losses_keyed_wrongly", {
            "detail": f"{what} keyed {keys} where the model's outputs are {sorted(outputs)}",
            "got": keys}
    if structure["kind"] == "list" and len(structure["items"]) != len(outputs):
        return "losses_keyed_wrongly", {
            "detail": f"{len(structure['items'])} {what} for {len(outputs)} outputs",
            "got": structure["items"]}
    return None


def _by_head(ev, structure: dict) -> dict[str, Any] | None:
    """A loss or loss-weight structure as {role: value}, following how Keras routes it: a dict by
    output name, a list by output position, a single value to every output."""
    names, roles = _output_names(ev), _output_roles(ev)
    role_of = dict(zip(names, roles))
    if structure["kind"] == "dict":
        return {role_of.get(k, k): v for k, v in structure["by_key"].items()}
    if structure["kind"] == "list":
        return dict(zip(roles, structure["items"]))
    if structure["kind"] == "single":
        return {r: structure["value"] for r in roles}
    return None


def _losses_by_head(ev) -> dict[str, str | None]:
    return _by_head(ev, ev["compile"]["loss"]) or {}


def _losses_problem(ev) -> tuple[str, dict] | None:
    loss = ev["compile"]["loss"]
    if loss["kind"] == "none":
        return "losses_keyed_wrongly", {"detail": "compiled without a loss", "got": None}
    if loss["kind"] == "single":
        return "losses_keyed_wrongly", {
            "detail": f"one loss ({loss['value']}) for both heads where each head needs its own",
            "got": loss["value"]}
    if found := _keyed_problem(ev, loss, "losses"):
        return found
    by_head = _losses_by_head(ev)
    swapped = by_head.get("digit") == LOSSES["is_hard"] and by_head.get("is_hard") == LOSSES["digit"]
    if swapped:
        return "losses_keyed_wrongly", {
            "detail": f"digit gets {by_head['digit']} and is_hard gets {by_head['is_hard']}: "
                      f"each head has the other one's loss", "got": by_head}
    # A Keras loss other than the lesson's, by name. A loss function the student wrote is not
    # judged here: the fit check shows whether it trains on the lesson's labels.
    custom = set(ev["compile"].get("custom_losses", []))
    wrong = [(role, by_head.get(role)) for role in HEAD_NAMES
             if by_head.get(role) != LOSSES[role] and by_head.get(role) not in custom]
    if wrong:
        return "wrong_head_loss", {
            "detail": "; ".join(f"`{role}` gets {got} where {LOSSES[role]} was expected"
                                for role, got in wrong),
            "got": by_head, "layers": [h["layer"] for role, _ in wrong
                                       if (h := _by_role(_heads(ev)).get(role))]}
    return None


def check_losses(ev) -> Finding:
    if fail := _compiled(ev, "losses"):
        return fail
    if found := _losses_problem(ev):
        return _fail("losses", found, expected=LOSSES)
    return passed("losses", expected=LOSSES, got=_losses_by_head(ev))


def _weights_by_head(ev) -> dict[str, float | None] | None:
    return _by_head(ev, ev["compile"]["loss_weights"])


def _weights_shown(weights: dict | None) -> str:
    if weights is None:
        return "none (each loss counts 1.0)"
    return ", ".join(f"{k}: {v:g}" if isinstance(v, (int, float)) else f"{k}: {v}"
                     for k, v in weights.items())


def check_loss_weights(ev) -> Finding:
    if fail := _compiled(ev, "loss_weights"):
        return fail
    lw = ev["compile"]["loss_weights"]
    expected = _weights_shown(LOSS_WEIGHTS)
    if lw["kind"] in ("dict", "list") and (found := _keyed_problem(ev, lw, "loss_weights")):
        mistake, facts = found
        losses = _keyed_problem(ev, ev["compile"]["loss"], "losses")
        if mistake == "losses_keyed_wrongly" and (losses or ("",))[0] != mistake:
            # weights keyed past the heads ({"digit": 1.0} alone, or a typo) beside losses keyed
            # right: the weights are what is wrong. (Losses and weights keyed by the same wrong
            # names are one mistake, named once.)
            return failed("loss_weights", "wrong_loss_weights", expected=expected,
                          got=_weights_shown(lw["by_key"] if lw["kind"] == "dict" else
                                             {f"output {i}": v for i, v in enumerate(lw["items"])}),
                          detail=facts["detail"])
        return _fail("loss_weights", found, expected=LOSS_WEIGHTS)
    weights = _weights_by_head(ev)
    ok = weights is not None and all(
        isinstance(weights.get(k), (int, float)) and abs(weights[k] - v) < 1e-6
        for k, v in LOSS_WEIGHTS.items())
    if not ok:
        return failed("loss_weights", "wrong_loss_weights", expected=expected,
                      got=_weights_shown(weights))
    return passed("loss_weights", expected=expected, got=expected)


def check_fit(ev) -> Finding:
    if fail := _compiled(ev, "fit_one_epoch"):
        return fail
    fit = ev.get("fit") or {}
    if fit.get("ok"):
        logs = fit.get("logs", {})
        got = f"{fit['rows']} rows, batch {fit['batch_size']}"
        if {"loss", "digit_loss", "is_hard_loss"} <= set(logs):
            got += (f": loss {logs['loss']:.4g} ≈ 1.0 × {logs['digit_loss']:.4g} (digit) + "
                    f"0.3 × {logs['is_hard_loss']:.4g} (is_hard)")
        return passed("fit_one_epoch", got=got)
    # A failed fit is nearly always a mistake already named: say that one.
    if _functional(ev):
        for found in (_inputs_problem(_model(ev)), _names_problem(ev)):
            if found:
                return _fail("fit_one_epoch", found, error=fit.get("error"))
    for check in (check_losses, check_loss_weights):
        f = check(ev)
        if f.mistake:
            return failed("fit_one_epoch", f.mistake, expected=f.expected, got=f.got,
                          layers=f.layers, **dict(f.facts, error=fit.get("error")))
    return failed("fit_one_epoch", "fit_failed", expected="one epoch runs",
                  got=fit.get("error", "?"), error=fit.get("error", "?"))


EXERCISE = Exercise(
    id="two_headed",
    title="Two inputs, two heads (Functional API, named losses)",
    looks_for=("two_headed",),
    collect=collect,
    checks=(
        Check("functional_model", "Built with the Functional API", check_functional),
        Check("inputs", "Inputs `pixels` (784,) and `metadata` (8,)", check_inputs),
        Check("merge", "Trunk and tower concatenated to (None, 80) = 64 + 16", check_merge),
        Check("branches", "Image trunk 256 relu → 64 relu; metadata tower 16 relu",
              check_branches),
        Check("head_names", "Heads named `digit` and `is_hard`", check_head_names),
        Check("head_layers", "digit Dense(10, softmax); is_hard Dense(1, sigmoid)",
              check_head_layers),
        Check("heads_see_both_branches", "Each head reads the concatenation (both inputs)",
              check_heads_see_both, points=2),
        Check("losses", "One loss per named head", check_losses, points=2),
        Check("loss_weights", "Loss weights digit 1.0, is_hard 0.3", check_loss_weights),
        Check("fit_one_epoch", "One epoch of fit() on fake data runs", check_fit),
        Check("dtype_policy", "float32 policy (no mixed precision left on)",
              dtype_policy_check(lambda ev: [ev["model"]])),
    ),
    mistakes=MISTAKES,
    expected_diagram=EXPECTED_DIAGRAM,
)
