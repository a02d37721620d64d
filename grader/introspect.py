"""Plain-data descriptions of live Keras objects. Runs only inside the sandboxed child.

Nothing here is a verdict: it records what the model *is* (layers, variables, how calls connect,
which input each call depends on) so that checks in the parent can decide what it means.
Parameter counts are computed from the variables' shapes, not from `count_params()`, which a
submission could have replaced.
"""
from __future__ import annotations

import math
from typing import Any

import keras

from grader.terminal_text import strip_ansi


def is_model(obj: Any) -> bool:
    return isinstance(obj, keras.Model)


def model_kind(model) -> str:
    if isinstance(model, keras.Sequential):
        return "sequential"
    from keras.src.models.functional import Functional
    if isinstance(model, Functional):
        return "functional"
    return "subclassed"


def shape_list(shape) -> list | None:
    if shape is None:
        return None
    try:
        return [None if d is None else int(d) for d in shape]
    except TypeError:
        return None


def unique_variables(obj) -> list:
    seen, out = set(), []
    for v in getattr(obj, "weights", []):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def param_count(obj) -> int:
    return int(sum(math.prod(int(d) for d in v.shape) for v in unique_variables(obj)))


# TensorFlow's own spellings of Keras activations: `activation=tf.nn.softmax` (the old TensorFlow
# beginner tutorial's spelling) is the function softmax_v2, the same softmax.
ACTIVATION_ALIASES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax",
                      "identity": "linear"}


def activation_name(layer) -> str | None:
    act = getattr(layer, "activation", None)
    if act is None:
        return None
    if isinstance(act, keras.layers.Layer):  # Dense(256, activation=layers.ReLU())
        return _activation_layer(act) or type(act).__name__
    name = getattr(act, "__name__", None) or type(act).__name__
    return ACTIVATION_ALIASES.get(name, name)


class LayerTable:
    """Gives each distinct layer/operation object a stable id ("L0", "L1", …) for this model, and
    its description. Auto-generated names (dense_7) come from process-wide counters, so ids, not
    names, tell layers apart."""

    def __init__(self, folded: dict[int, tuple[str, str]] | None = None) -> None:
        self.ids: dict[int, str] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self._keep: list = []  # keep objects alive so id() stays unique
        self.folded = folded or {}

    def add(self, op, parent: str | None = None) -> str:
        if id(op) in self.ids:
            return self.ids[id(op)]
        lid = f"L{len(self.ids)}"
        self.ids[id(op)] = lid
        self._keep.append(op)
        row = describe_layer(op)
        row.update(id=lid, parent=parent)
        _fold(row, self.folded.get(id(op)))
        self.rows[lid] = row
        if isinstance(op, keras.Model) or _has_sublayers(op):
            row["children"] = [self.add(sub, lid) for sub in _sublayers(op)]
        return lid

    def expand(self, lid: str) -> list[str]:
        """The layer itself, or for a nested model, every layer inside it (depth first)."""
        children = self.rows[lid].get("children")
        if not children:
            return [lid]
        return [x for c in children for x in self.expand(c)]


def _has_sublayers(op) -> bool:
    return bool(_sublayers(op)) if isinstance(op, keras.layers.Layer) else False


def _sublayers(op) -> list:
    if isinstance(op, keras.Model):
        return [l for l in op.layers if not isinstance(l, keras.layers.InputLayer)]
    # A layer given as another's activation (Dense(256, activation=layers.ReLU())) is part of
    # that layer, not a layer of its own: the Dense is not a container.
    own = getattr(op, "activation", None)
    return [l for l in getattr(op, "_layers", []) if l is not own]


def describe_layer(op) -> dict[str, Any]:
    row: dict[str, Any] = {"name": getattr(op, "name", "?"), "class": type(op).__name__}
    if not isinstance(op, keras.layers.Layer):
        row["kind"] = "op"  # a raw keras.ops call recorded in a functional graph
        return row
    row["kind"] = "model" if isinstance(op, keras.Model) else "layer"
    if hasattr(op, "units"):
        row["units"] = int(op.units)
    act = activation_name(op)
    if act is not None:
        row["activation"] = act
    if hasattr(op, "use_bias"):
        row["use_bias"] = bool(op.use_bias)
    kernel = getattr(op, "kernel", None) if getattr(op, "built", False) else None
    if kernel is not None:
        row["kernel_shape"] = shape_list(kernel.shape)
    policy = getattr(op, "dtype_policy", None)
    if policy is not None:
        row["policy"] = getattr(policy, "name", str(policy))
        row["compute_dtype"] = str(getattr(op, "compute_dtype", ""))
        row["variable_dtype"] = str(getattr(op, "variable_dtype", ""))
    row["params"] = param_count(op)
    row["n_weights"] = len(unique_variables(op))
    return row


def call_graph(model, table: LayerTable) -> list[dict[str, Any]]:
    """Every call (node) on a path from the model's inputs to its outputs, parents first, with
    the model inputs each call depends on. Only functional graphs have this."""
    calls: dict[tuple[int, int], dict[str, Any]] = {}

    def visit(tensor) -> str:
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            return "?"
        op, node_index = history.operation, history.node_index
        key = (id(op), node_index)
        if key in calls:
            return calls[key]["id"]
        node = op._inbound_nodes[node_index]
        parents = [visit(t) for t in node.input_tensors]
        lid = table.add(op)
        cid = f"c{len(calls)}"
        deps: set[str] = set()
        for p in parents:
            deps.update(next((c["deps"] for c in calls.values() if c["id"] == p), []))
        if isinstance(op, keras.layers.InputLayer):
            deps = {op.name}
        out = node.output_tensors[0] if node.output_tensors else None
        calls[key] = {
            "id": cid, "layer": lid, "class": type(op).__name__, "name": op.name,
            "inputs": parents, "deps": sorted(deps),
            "expanded": table.expand(lid),
            "output_shape": shape_list(getattr(out, "shape", None)),
        }
        return cid

    for t in model.outputs:
        visit(t)
    return list(calls.values())


def summary_text(model) -> str:
    lines: list[str] = []
    try:
        model.summary(print_fn=lambda s, line_break=None: lines.append(s), line_length=90)
    except Exception as exc:  # an unbuilt subclassed model, for instance
        return f"(summary() failed: {strip_ansi(str(exc)).splitlines()[0]})"
    return strip_ansi("\n".join(lines))


def describe_model(model, var: str | None = None, *, graph: bool = True,
                   probe_input: Any = None) -> dict[str, Any]:
    """Everything the checks may want to know about one model, as plain data. With
    `probe_input`, each Dense row's `activation` is the one it effectively has (see
    effective_activations; its own is kept as `own_activation`)."""
    folded: dict[int, tuple[str, str]] = {}
    if probe_input is not None:
        try:
            folded = effective_activations(model, probe_input)
        except Exception:  # noqa: BLE001 - a model that cannot run is named by other checks
            folded = {}
    table = LayerTable(folded)
    kind = model_kind(model)
    desc: dict[str, Any] = {
        "var": var, "name": model.name, "class": type(model).__name__, "kind": kind,
        "built": bool(model.built),
        "params": param_count(model),
        "n_weights": len(unique_variables(model)),
        "n_trainable": len({id(v) for v in model.trainable_weights}),
        "n_non_trainable": len({id(v) for v in model.non_trainable_weights}),
        "policies": sorted({l.dtype_policy.name for l in _all_layers(model)
                            if getattr(l, "dtype_policy", None) is not None}),
        "summary": summary_text(model),
    }
    for layer in _sublayers(model):
        table.add(layer)
    if kind != "subclassed" and model.built:
        try:
            desc["inputs"] = [{"name": t._keras_history.operation.name,
                               "shape": shape_list(t.shape)[1:]} for t in model.inputs]
            desc["outputs"] = [{"shape": shape_list(t.shape)} for t in model.outputs]
            desc["calls"] = call_graph(model, table) if graph else []
        except (AttributeError, ValueError, IndexError):
            pass  # a Sequential built without an Input has no symbolic inputs
    desc["layers"] = table.rows
    desc["top_layers"] = [table.ids[id(l)] for l in _sublayers(model) if id(l) in table.ids]
    desc["dense_chain"] = dense_chain(model, folded)
    return desc


def _all_layers(model) -> list:
    out = []
    for l in _sublayers(model):
        out.append(l)
        if isinstance(l, keras.Model) or _has_sublayers(l):
            out.extend(_all_layers(l) if isinstance(l, keras.Model) else _sublayers(l))
    return out


def _fold(row: dict[str, Any], folded: tuple[str, str] | None) -> None:
    if folded is not None:
        row["own_activation"] = row.get("activation")
        row["activation"], row["activation_layer"] = folded


def dense_chain(model, folded: dict[int, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The Dense layers in data-flow order, found by chaining kernel shapes (in → out) rather
    than attribute order: a subclassed model that creates its head first in __init__ still
    computes 784 → 256 → 64 → 10. `folded`: see effective_activations."""
    dense = [l for l in _all_layers(model) if isinstance(l, keras.layers.Dense) and l.built
             and getattr(l, "kernel", None) is not None]
    rows = [{"name": l.name, "in": int(l.kernel.shape[0]), "units": int(l.units),
             "activation": activation_name(l), "use_bias": bool(l.use_bias)} for l in dense]
    for l, row in zip(dense, rows):
        _fold(row, (folded or {}).get(id(l)))
    ordered, remaining = [], rows[:]
    produced = {r["units"] for r in rows}
    start = next((r for r in remaining if r["in"] not in produced), remaining[0] if remaining else None)
    while start is not None:
        ordered.append(start)
        remaining.remove(start)
        start = next((r for r in remaining if r["in"] == start["units"]), None)
    return ordered + remaining


def _activation_layer(layer) -> str | None:
    """The activation a layer that only applies one computes (Activation, ReLU, Softmax), else
    None. ReLU's settings (max_value, negative_slope) are not read: this lesson has no use
    for a clipped or leaky relu."""
    if isinstance(layer, keras.layers.ReLU):
        return "relu"
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    if isinstance(layer, keras.layers.Activation):
        return activation_name(layer)
    return None


def effective_activations(model, inputs) -> dict[int, tuple[str, str]]:
    """{id(Dense layer): (activation, what applies it)} for each linear Dense whose output is
    only ever read through one activation: `Dense(256)` then `Activation("relu")` (or
    `ReLU()`) computes `Dense(256, activation="relu")`, and so does
    `keras.ops.relu(self.fc1(x))` in a PyTorch-style call(). Read from one forward pass on
    `inputs`, with every layer call recorded (the layer, the tensors it was given, the tensor it
    returned), so it follows the data, whatever the style: a functional graph whose two
    branches Keras runs interleaved, a Sequential, a subclassed call(), nested sub-models.

    A Dense whose one reader is an activation-only layer gets that layer's activation. A Dense
    no layer reads (a function was applied to its output between two layer calls) gets the
    function that turns its output into the tensor a later call was given (or the model
    returned), found by value: relu, sigmoid, softmax, … (see _ACTIVATION_FUNCTIONS). A Dense
    shared by several calls counts only if every call is followed the same way. Empty when no
    Dense is linear (the lesson's style costs no forward pass)."""
    dense = [l for l in _all_layers(model) if isinstance(l, keras.layers.Dense)]
    if not any(activation_name(l) == "linear" for l in dense):
        return {}
    calls: list[tuple[Any, list, Any]] = []  # the tensors are kept alive: identity is compared
    real = keras.layers.Layer.__call__

    def recording(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        given = args[0] if args else next(iter(kwargs.values()), None)
        calls.append((self, keras.tree.flatten(given) if given is not None else [], out))
        return out

    keras.layers.Layer.__call__ = recording  # Model and every layer inherit it
    try:
        model(inputs, training=False)
    finally:
        keras.layers.Layer.__call__ = real
    consumers: dict[int, list] = {}
    returned: set[int] = set()  # tensors a model or sub-model returned as they are
    for layer, given, out in calls:
        for t in given:
            consumers.setdefault(id(t), []).append(layer)
        if isinstance(layer, keras.Model):
            returned.update(id(t) for t in keras.tree.flatten(out))
    per_layer: dict[int, set] = {}
    for i, (layer, _, out) in enumerate(calls):
        if not isinstance(layer, keras.layers.Dense):
            continue
        folded = None
        if activation_name(layer) == "linear":
            readers = consumers.get(id(out), [])
            if len(readers) == 1 and (act := _activation_layer(readers[0])):
                folded = (act, readers[0].name)
            elif not readers and id(out) not in returned:
                act = _applied_function(out, calls[i + 1:])
                folded = (act, "") if act else None
        per_layer.setdefault(id(layer), set()).add(folded)
    return {lid: next(iter(f)) for lid, f in per_layer.items() if len(f) == 1 and None not in f}


def _np(t) -> Any:
    import numpy as np
    try:
        return np.asarray(keras.ops.convert_to_numpy(t), dtype="float64")
    except Exception:  # noqa: BLE001 - not a tensor of numbers
        return None


def _softmax(y):
    import numpy as np
    e = np.exp(y - y.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(y):
    import numpy as np
    return 1 / (1 + np.exp(-y))


def _gelu(y):
    import math

    import numpy as np
    return 0.5 * y * (1 + np.vectorize(math.erf)(y / math.sqrt(2)))


# Functions a student applies between two layer calls (keras.ops / keras.activations / tf.nn /
# a lambda), recognised by what they compute on the probe batch. Keras' own names.
_ACTIVATION_FUNCTIONS: tuple[tuple[str, Any], ...] = (
    ("relu", lambda y: y.clip(min=0)),
    ("sigmoid", _sigmoid),
    ("softmax", _softmax),
    ("tanh", lambda y: __import__("numpy").tanh(y)),
    ("relu6", lambda y: y.clip(0, 6)),
    ("leaky_relu", lambda y: __import__("numpy").where(y > 0, y, 0.2 * y)),
    ("elu", lambda y: __import__("numpy").where(y > 0, y, __import__("numpy").expm1(y))),
    ("selu", lambda y: 1.0507009873554805 * __import__("numpy").where(
        y > 0, y, 1.6732632423543772 * __import__("numpy").expm1(y))),
    ("softplus", lambda y: __import__("numpy").logaddexp(0, y)),
    ("silu", lambda y: y * _sigmoid(y)),
    ("gelu", _gelu),
)


def _applied_function(out, later: list[tuple[Any, list, Any]]) -> str | None:
    """The activation that turns `out` into a tensor a later call was given (or a model
    returned), matched by value on the probe batch; None when none does."""
    import numpy as np
    y = _np(out)
    if y is None or y.size == 0:
        return None
    shape = tuple(getattr(out, "shape", ()))
    for layer, given, result in later:
        candidates = list(given)
        if isinstance(layer, keras.Model):
            candidates += keras.tree.flatten(result)
        for t in candidates:
            if tuple(getattr(t, "shape", ())) != shape or t is out:
                continue
            x = _np(t)
            if x is None:
                continue
            # float16 (mixed precision) agrees to ~3 digits; float32 to ~6
            rtol, atol = (1e-2, 1e-3) if "16" in str(getattr(t, "dtype", "")) else (1e-4, 1e-5)
            if np.allclose(x, y, rtol=rtol, atol=atol):
                return None  # the output itself, passed on (a cast, an identity): linear
            for name, fn in _ACTIVATION_FUNCTIONS:
                with np.errstate(all="ignore"):
                    if np.allclose(x, fn(y), rtol=rtol, atol=atol):
                        return name
    return None


def inventory(namespace: dict[str, Any]) -> list[dict[str, str]]:
    """The Keras things a submission defined at top level, for 'model not found' messages."""
    found = []
    for name, obj in namespace.items():
        if name.startswith("_"):
            continue
        if isinstance(obj, keras.Model):
            found.append({"name": name, "type": f"{model_kind(obj)} model '{obj.name}'"})
        elif isinstance(obj, keras.layers.Layer):
            found.append({"name": name, "type": f"{type(obj).__name__} layer"})
        elif isinstance(obj, type) and issubclass(obj, keras.layers.Layer) and obj.__module__ == namespace.get("__name__"):
            found.append({"name": name, "type": f"class {obj.__name__}"})
        elif callable(obj) and getattr(obj, "__module__", None) == namespace.get("__name__") and not isinstance(obj, type):
            found.append({"name": name, "type": "function"})
    return found
