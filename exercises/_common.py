"""Helpers shared by exercise modules (not part of the core; the registry skips `_` modules).

Child-side helpers import Keras inside the function, so that the parent can import exercise
modules for their checks without loading TensorFlow.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

# Shared by every exercise that builds models: a policy left set changes all of them.
LEAKED_MIXED_PRECISION = Mistake(
    "leaked_mixed_precision", "A global dtype policy other than float32 was left switched on",
    "`set_global_policy('mixed_float16')` (or any policy but 'float32') changes every layer "
    "created afterwards, including models built later by you or by anyone importing your code. "
    "The lesson resets it to 'float32' right after its mixed-precision example.",
    "Reset the global policy to 'float32' once you are done with mixed precision, or pass "
    "dtype= to the layers that need it.",
    "global policy '{global_policy}' at the end of your code; models affected: {affected}")

MODEL_NOT_FLOAT32 = Mistake(
    "model_not_float32", "The model's layers do not compute in float32",
    "This task's model is float32 throughout. Its layers were created with another dtype "
    "policy (`dtype='mixed_float16'` or `dtype='float64'` given to a layer, or a global policy "
    "switched on while the model was built and reset only afterwards), so they compute in "
    "another precision: in float16 the probabilities come out grainy and a loss can overflow; "
    "in float64 the model takes twice the memory and no longer matches the lesson's numbers.",
    "Look at the dtype each layer was created with: no `dtype=` on this model's layers, and the "
    "global policy float32 while you build it.",
    "{affected}: layers with policy {policies}; the global policy is float32 at the end of your "
    "code")


# ---- child side ----------------------------------------------------------------------------

def zero_arg_callable(obj: Any) -> bool:
    if not callable(obj) or isinstance(obj, type):
        return False
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in sig.parameters.values())


def find_model(namespace: dict, names: tuple[str, ...], looks_like: Callable[[Any], bool],
               role: str, made_by_factory: bool = False) -> tuple[Any, str | None, str | None]:
    """The student's model for `role`: by the lesson's names first (a model, or a factory
    function to call), then any top-level model that looks like it, with a note saying so.

    `made_by_factory`: for a task graded on what the student did with the model (compiled it,
    fitted it, under which dtype policy): when the lesson's name is a factory, the top-level
    model it made (`model = two_headed(); model.compile(…)`) is graded rather than a fresh,
    uncompiled one from a second call."""
    from grader.introspect import is_model

    for name in names:
        obj = namespace.get(name)
        if is_model(obj):
            return obj, name, None
        # a function the submission defined (its module is the submission's: `submission`
        # for a .py file, `__main__` for a notebook), not one it imported
        if zero_arg_callable(obj) and getattr(obj, "__module__", None) == namespace.get("__name__"):
            model = obj()
            if is_model(model):
                made = _made_like(namespace, model, looks_like) if made_by_factory else None
                if made is not None:
                    return namespace[made], made, (
                        f"`{name}` is a function, so the grader graded `{made}`, the model "
                        f"your code made with it.")
                return model, f"{name}()", None
    for name, obj in namespace.items():
        if not name.startswith("_") and is_model(obj) and looks_like(obj):
            return obj, name, (f"No `{names[0]}` was found, so the grader graded `{name}`, "
                               f"which looks like the {role}.")
    return None, None, None


def _made_like(namespace: dict, fresh, looks_like: Callable[[Any], bool]) -> str | None:
    """The one top-level model built like `fresh` (the same layer classes, weight shapes and
    inputs), or of several the one compiled; None when there is none, or no one such (a
    student's two experiments: a fresh model decides nothing about which was meant)."""
    from grader.introspect import is_model

    def build(m) -> Any:
        try:
            return ([type(l).__name__ for l in m._flatten_layers(include_self=False)],
                    [tuple(w.shape) for w in m.weights],
                    [tuple(t.shape) for t in (getattr(m, "inputs", None) or [])])
        except Exception:  # noqa: BLE001 - the student's own class: no match
            return None

    want = build(fresh)
    found = [name for name, obj in namespace.items()
             if not name.startswith("_") and is_model(obj) and obj is not fresh
             and looks_like(obj) and build(obj) == want]
    if len(found) > 1:  # `model` compiled and fitted, `untrained = two_headed()` beside it
        found = [n for n in found if getattr(namespace[n], "compiled", False)]
    return found[0] if len(found) == 1 else None


def probe_inputs(model, probe, batch: int = 2) -> Any:
    """Fake inputs matching a built functional model's own inputs (one array, a list in the
    model's input order, or a dict by input name for a model built with
    `inputs={"pixels": …, "metadata": …}`: Keras 3 refuses a list for those unless the keys
    happen to be in sorted order), or None when their shapes are not known."""
    from grader.introspect import shape_list

    inputs = getattr(model, "inputs", None) or []
    shapes = [shape_list(t.shape) for t in inputs]
    if not shapes or any(s is None or None in s[1:] for s in shapes):
        return None
    arrays = [probe.batch(batch, *s[1:]) for s in shapes]
    struct = getattr(model, "_inputs_struct", None)
    if isinstance(struct, dict):
        by_tensor = {id(t): a for t, a in zip(inputs, arrays)}
        if all(id(t) in by_tensor for t in struct.values()):
            return {k: by_tensor[id(t)] for k, t in struct.items()}
    return arrays[0] if len(arrays) == 1 else arrays


def model_outputs(model, inputs) -> Any:
    """The model's (first) output on `inputs` as a NumPy array: a model may return one tensor,
    a list or tuple of them, or a dict keyed by output name (`outputs={"same_digit": out}`)."""
    import keras
    import numpy as np
    out = model(inputs, training=False)
    while isinstance(out, (list, tuple, dict)) and out:
        out = next(iter(out.values())) if isinstance(out, dict) else out[0]
    return np.asarray(keras.ops.convert_to_numpy(out))


# ---- parent side ---------------------------------------------------------------------------

# The mark grader.introspect.activation_name puts on an activation function of the student's
# own (never taken at its name; read by what it computes). The same string as
# grader.introspect.OWN_FUNCTION, which this side cannot import (it loads Keras).
OWN_FUNCTION = " (own function)"


def shown_activation(row: dict[str, Any]) -> Any:
    """A Dense row's activation as a finding shows it: what it computes, with the name of the
    student's own function that computes it (`linear (computed by your function `relu`)`), so
    that a student who wrote `activation=relu` sees why it does not count as relu."""
    act, written = row.get("activation"), row.get("own_activation") or ""
    if isinstance(written, str) and written.endswith(OWN_FUNCTION) and act != written:
        name = written[:-len(OWN_FUNCTION)]
        return f"{act} (computed by your " + \
            ("lambda)" if name == "<lambda>" else f"function `{name}`)")
    return act


# Layers that only apply an activation: Dense(256) followed by ReLU() computes Dense(256, relu),
# the same function spelled as two layers. (ReLU's max_value is not read: no use for it here.)
ACTIVATION_LAYERS = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}


def layer_activation(row: dict) -> str | None:
    """The activation an activation-only layer (or keras.ops operation) of the evidence applies;
    None for other layers. Read by value where the evidence has it (`applies`: a Lambda, a
    ReLU(max_value=6), a Softmax over the wrong axis), else from the class."""
    if "applies" in row:
        return row["applies"] if row["applies"] not in (None, "linear") else None
    if row.get("class") not in ACTIVATION_LAYERS:
        return None
    return ACTIVATION_LAYERS[row["class"]] or row.get("activation")


def behind_activations(call: dict, calls_by_id: dict[str, dict],
                       layers: dict[str, dict]) -> tuple[dict, list[dict]]:
    """Step back from `call` over the activations applied last (keras.ops.sigmoid on a head, an
    Activation layer named like the head): the call of the layer they are applied to, and the
    rows of those activation nodes in data-flow order (empty when `call` is no activation)."""
    after = []
    while (len(call["inputs"]) == 1 and call["inputs"][0] in calls_by_id
           and layer_activation(layers.get(call["layer"]) or {}) is not None):
        after.append(layers[call["layer"]])
        call = calls_by_id[call["inputs"][0]]
    return call, after[::-1]


def input_path(m: dict, input_name: str) -> list[dict]:
    """The layers of a functional model (evidence form) that only `input_name` flows through,
    in data-flow order (a nested model's own layers in its place), each row with its layer id."""
    layers = m["layers"]
    return [dict(layers[lid], id=lid) for c in m.get("calls", [])
            if c["deps"] == [input_name] and c["class"] != "InputLayer" for lid in c["expanded"]]


def input_path_dense(m: dict, input_name: str) -> list[dict]:
    """The Dense layers of input_path. Each carries the activation it effectively has:
    describe_model folds Dense(256) + ReLU() into relu."""
    return [row for row in input_path(m, input_name) if row.get("class") == "Dense"]


def joins(m: dict) -> list[dict]:
    """The calls of a functional model (evidence form) where the inputs' separate paths first
    meet: each takes two or more inputs' data, and none of its own inputs already did."""
    calls = m.get("calls", [])
    by_id = {c["id"]: c for c in calls}
    return [c for c in calls if len(c["deps"]) >= 2
            and all(len(by_id[p]["deps"]) < 2 for p in c["inputs"] if p in by_id)]


def leaked_policy(evidence: dict, models: list[dict]) -> dict | None:
    """Facts about a mixed-precision policy left set, or None. The global policy is recorded
    after the submission ran, before the grader reset it (see grader.child)."""
    global_policy = evidence.get("global_policy", "float32")
    policies = sorted({p for m in models for p in m.get("policies", [])} - {"float32"})
    if global_policy == "float32" and not policies:
        return None
    affected = [m.get("var") or m.get("name") for m in models
                if set(m.get("policies", [])) - {"float32"}]
    return {"global_policy": global_policy, "policies": ", ".join(policies) or "float32",
            "affected": ", ".join(f"`{a}`" for a in affected) or "none yet"}


def policy_mistake(leak: dict) -> str:
    """Which mistake a leaked_policy() finding is: the global policy still mixed at the end
    (leaked_mixed_precision), or reset while the model's layers were made mixed."""
    return "model_not_float32" if leak["global_policy"] == "float32" else "leaked_mixed_precision"


def dtype_policy_check(models_of: Callable[[dict], list[dict]]) -> Callable[[dict], Finding]:
    def check(ev: dict) -> Finding:
        models = models_of(ev)
        if not models:
            return skipped("dtype_policy", "no model was found")
        leak = leaked_policy(ev, models)
        if leak and policy_mistake(leak) == "model_not_float32":
            return failed("dtype_policy", "model_not_float32", expected="float32",
                          got=leak["policies"], **leak)
        if leak:
            return failed("dtype_policy", "leaked_mixed_precision", expected="float32",
                          got=leak["global_policy"], **leak)
        return passed("dtype_policy", expected="float32", got="float32")
    return check


def describe_chain(chain: list[dict]) -> str:
    """784 → 256 relu → 64 relu → 10 softmax"""
    if not chain:
        return "no Dense layers"
    parts = [str(chain[0]["in"])] + [f"{d['units']} {d['activation']}"
                                     + (" (no bias)" if d.get("use_bias") is False else "")
                                     for d in chain]
    return " → ".join(parts)
