"""Plain-data descriptions of live Keras objects. Runs only inside the sandboxed child.

Nothing here is a verdict: it records what the model *is* (layers, variables, how calls connect,
which input each call depends on) so that checks in the parent can decide what it means.
Parameter counts are computed from the variables' shapes, not from `count_params()`, which a
submission could have replaced.
"""
from __future__ import annotations

import math
import operator
from typing import Any

import keras
import numpy as np
from keras.src.models.functional import Functional

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
    if not keras_function(act):
        # a function of the student's own is not taken at its name (`def relu(t): return t`,
        # even with `relu.__module__ = "keras..."` set): marked so, it is read from what the
        # layer computes (activation_report)
        return name + OWN_FUNCTION
    return ACTIVATION_ALIASES.get(name, name)


_KERAS_FUNCTIONS: set[int] = set()


def keras_function(fn: Any) -> bool:
    """True for one of Keras' or TensorFlow's own functions an activation may be (by identity,
    not by the `__module__` a function says it has): keras.activations, keras.ops, tf.nn,
    tf.math."""
    if not _KERAS_FUNCTIONS:
        import tensorflow as tf
        for space in (keras.activations, keras.ops, tf.nn, tf.math):
            for n in dir(space):
                if not n.startswith("_"):
                    _KERAS_FUNCTIONS.add(id(getattr(space, n)))
    return id(fn) in _KERAS_FUNCTIONS


OWN_FUNCTION = " (own function)"  # the mark activation_name puts on a student's function


class LayerTable:
    """Gives each distinct layer/operation object a stable id ("L0", "L1", …) for this model, and
    its description. Auto-generated names (dense_7) come from process-wide counters, so ids, not
    names, tell layers apart."""

    def __init__(self, folded: dict[int, tuple[str, str]] | None = None,
                 applies: dict[int, str | None] | None = None,
                 dense_like: dict[int, dict[str, Any]] | None = None) -> None:
        self.ids: dict[int, str] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self._keep: list = []  # keep objects alive so id() stays unique
        self.folded = folded or {}
        self.applies = applies or {}
        self.dense_like = dense_like or {}

    def add(self, op, parent: str | None = None) -> str:
        if id(op) in self.ids:
            return self.ids[id(op)]
        lid = f"L{len(self.ids)}"
        self.ids[id(op)] = lid
        self._keep.append(op)
        row = describe_layer(op)
        row.update(id=lid, parent=parent)
        if id(op) in self.dense_like:  # a layer of the student's own computing a Dense
            row.update(self.dense_like[id(op)], written_class=row["class"], **{"class": "Dense"})
        _fold(row, self.folded.get(id(op)))
        if id(op) in self.applies:  # what a weightless node computes, read by value
            row["applies"] = self.applies[id(op)]
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
        inner = [l for l in op.layers if not isinstance(l, keras.layers.InputLayer)]
        # A functional or Sequential model lists its layers in graph order; a subclassed one in
        # the order its __init__ created them, which need not be the order data flows through.
        return inner if isinstance(op, (Functional, keras.Sequential)) else _flow_order(inner)
    # A layer given as another's activation (Dense(256, activation=layers.ReLU())) is part of
    # that layer, not a layer of its own: the Dense is not a container.
    own = getattr(op, "activation", None)
    return _flow_order([l for l in getattr(op, "_layers", []) if l is not own])


def _flow_order(layers: list) -> list:
    """Dense layers a subclassed block created in any order (its Dense(64) before its
    Dense(256)), in the order data flows through them, chained by kernel shapes; any other
    mix of layers as created."""
    kernels = [getattr(l, "kernel", None) if isinstance(l, keras.layers.Dense) else None
               for l in layers]
    if len(layers) < 2 or any(getattr(k, "shape", None) is None for k in kernels):
        return layers
    fan = {id(l): (int(k.shape[0]), int(k.shape[1])) for l, k in zip(layers, kernels)}
    outs = [fan[id(l)][1] for l in layers]
    first = [l for l in layers if fan[id(l)][0] not in outs]
    if len(first) != 1:
        return layers
    ordered, rest = first, [l for l in layers if l is not first[0]]
    while rest:
        following = [l for l in rest if fan[id(l)][0] == fan[id(ordered[-1])][1]]
        if len(following) != 1:
            return layers
        ordered.append(following[0])
        rest.remove(following[0])
    return ordered


def _as_int(value: Any) -> int | None:
    """`value` as an int when it is an integer (int, numpy integer), else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def describe_layer(op) -> dict[str, Any]:
    row: dict[str, Any] = {"name": getattr(op, "name", "?"), "class": type(op).__name__}
    if not isinstance(op, keras.layers.Layer):
        row["kind"] = "op"  # a raw keras.ops call recorded in a functional graph
        return row
    row["kind"] = "model" if isinstance(op, keras.Model) else "layer"
    if _own_class(op):
        row["own"] = True
    # Keras' own layers hold an int `units` and a bool `use_bias`; a student's layer or model
    # may hold anything under those names (`self.units = (256, 64)` for a block of layers,
    # kept for get_config()): read them only when they mean what Dense means by them.
    units = _as_int(getattr(op, "units", None))
    if units is not None:
        row["units"] = units
    act = activation_name(op)
    if act is not None:
        row["activation"] = act
    if isinstance(getattr(op, "use_bias", None), (bool, int, np.bool_, np.integer)):
        row["use_bias"] = bool(op.use_bias)
    kernel = getattr(op, "kernel", None) if getattr(op, "built", False) else None
    if getattr(kernel, "shape", None) is not None:
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
        lid = table.add(op)  # its row's class: Dense for a layer of the student's own read as one
        cid = f"c{len(calls)}"
        deps: set[str] = set()
        for p in parents:
            deps.update(next((c["deps"] for c in calls.values() if c["id"] == p), []))
        if isinstance(op, keras.layers.InputLayer):
            deps = {op.name}
        out = node.output_tensors[0] if node.output_tensors else None
        calls[key] = {
            "id": cid, "layer": lid, "class": table.rows[lid]["class"], "name": op.name,
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
    activation_report; its own is kept as `own_activation`), and each weightless node's row
    says what it `applies`."""
    report = ActivationReport()
    if probe_input is not None:
        try:
            report = activation_report(model, probe_input)
        except Exception:  # noqa: BLE001 - a model that cannot run is named by other checks
            report = ActivationReport()
    folded = report.folded
    table = LayerTable(folded, report.applies, report.dense_like)
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
            struct = getattr(model, "_outputs_struct", None)
            if isinstance(struct, dict):  # outputs={"same_digit": …}: the names fit() uses
                desc["output_names"] = [str(k) for k in struct]
            desc["calls"] = call_graph(model, table) if graph else []
        except (AttributeError, ValueError, IndexError):
            pass  # a Sequential built without an Input has no symbolic inputs
    desc["layers"] = table.rows
    desc["top_layers"] = [table.ids[id(l)] for l in _sublayers(model) if id(l) in table.ids]
    desc["dense_chain"] = dense_chain(model, folded, report.dense_like)
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


def dense_chain(model, folded: dict[int, tuple[str, str]] | None = None,
                dense_like: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The Dense layers in data-flow order, found by chaining kernel shapes (in → out) rather
    than attribute order: a subclassed model that creates its head first in __init__ still
    computes 784 → 256 → 64 → 10. `folded`, `dense_like`: see activation_report."""
    dense, rows = [], []
    for l in _all_layers(model):
        if isinstance(l, keras.layers.Dense) and l.built and getattr(l, "kernel", None) is not None:
            rows.append({"name": l.name, "in": int(l.kernel.shape[0]), "units": int(l.units),
                         "activation": activation_name(l), "use_bias": bool(l.use_bias)})
        elif id(l) in (dense_like or {}):
            like = dense_like[id(l)]
            rows.append({"name": l.name, "in": like["kernel_shape"][0], "units": like["units"],
                         "activation": like["activation"], "use_bias": like["use_bias"]})
        else:
            continue
        dense.append(l)
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


class ActivationReport:
    """What one model computes between its layers, read from forward passes (see
    activation_report): `folded` maps id(Dense) to (activation, what applies it) for each
    linear Dense whose output only ever goes through one activation; `applies` maps id(node)
    to the activation a weightless one-input node computes ("linear" for an identity such as
    Dropout at inference; None when it is none the grader knows, e.g. softmax over the batch
    axis)."""

    def __init__(self) -> None:
        self.folded: dict[int, tuple[str, str]] = {}
        self.applies: dict[int, str | None] = {}
        # id(layer) → how a layer of the student's own class computes a Dense (units,
        # activation, use_bias, kernel_shape), read by value: a hand-written Dense
        self.dense_like: dict[int, dict[str, Any]] = {}


# A Dense whose own activation is one of these is taken at its word; any other (a lambda, a
# function without a Keras name) is read from what the layer computes.
NAMED_ACTIVATIONS = frozenset({"relu", "sigmoid", "softmax", "tanh"})

# How much the second probe pass scales the inputs: large enough that pre-activations leave
# [0, 6) (relu and relu6 then differ), small enough for float16.
SECOND_PASS_SCALE = 25.0


def _record_calls(model, inputs) -> list[tuple[Any, list, Any]]:
    """One forward pass with every layer call and every raw keras.ops operation of a functional
    graph recorded: (node, the tensors it was given, the tensor it returned). The tensors are
    kept alive, so identity can be compared."""
    from keras.src.ops.operation import Operation
    calls: list[tuple[Any, list, Any]] = []
    real_layer, real_op = keras.layers.Layer.__call__, Operation.__call__

    def record(self, args, kwargs, out):
        given = args[0] if args else next(iter(kwargs.values()), None)
        calls.append((self, keras.tree.flatten(given) if given is not None else [], out))

    def layer_call(self, *args, **kwargs):
        out = real_layer(self, *args, **kwargs)
        record(self, args, kwargs, out)
        return out

    def op_call(self, *args, **kwargs):
        out = real_op(self, *args, **kwargs)
        if not isinstance(self, keras.layers.Layer):  # a layer was recorded by layer_call
            record(self, args, kwargs, out)
        return out

    keras.layers.Layer.__call__, Operation.__call__ = layer_call, op_call
    try:
        model(inputs, training=False)
    finally:
        keras.layers.Layer.__call__, Operation.__call__ = real_layer, real_op
    return calls


def _scaled(inputs) -> Any:
    return keras.tree.map_structure(
        lambda a: np.asarray(a) * SECOND_PASS_SCALE
        if np.issubdtype(np.asarray(a).dtype, np.floating) else a, inputs)


def activation_report(model, inputs) -> ActivationReport:
    """Two forward passes (the probe batch, then the same scaled up), every call recorded.
    Nothing is run when no Dense is linear or unusual and no weightless layer or operation
    could apply an activation (the lesson's style costs no forward pass)."""
    report = ActivationReport()
    layers = _all_layers(model)
    dense = [l for l in layers if isinstance(l, keras.layers.Dense)]
    if all(activation_name(l) in NAMED_ACTIVATIONS for l in dense) and \
            not any(_activation_layer(l) or isinstance(l, keras.layers.Lambda) for l in layers) \
            and not _has_ops(model) and not any(_own_dense_weights(l) for l in layers):
        return report
    first = _record_calls(model, inputs)
    try:
        second = _record_calls(model, _scaled(inputs))
    except Exception:  # noqa: BLE001 - the scaled pass is a refinement, not a requirement
        second = []
    if len(second) != len(first) or any(a[0] is not b[0] for a, b in zip(first, second)):
        second = [None] * len(first)  # not the same calls: judge by the first pass alone
    for (node, given, out), other in zip(first, second):
        if _weightless(node) and len(given) == 1 and id(node) not in report.applies:
            pairs = [(given[0], out)] + ([(other[1][0], other[2])] if other and len(other[1]) == 1 else [])
            report.applies[id(node)] = _which_function(pairs)
    _read_dense_like(first, second, report)
    _fold_dense(first, second, report)
    return report


def _own_class(op) -> bool:
    """A layer of a class of the student's own (in the clean process, read from the source):
    not one of Keras' own."""
    return type(op).__module__.split(".")[0] != "keras"


def _own_dense_weights(layer) -> tuple[Any, Any] | None:
    """(kernel, bias or None) of a layer of the student's own class (no Keras class, no model,
    no layers inside) whose weights are one 2-D kernel (in, units) and at most one bias
    (units,): what may compute a Dense. None for any other layer."""
    if isinstance(layer, keras.Model) or not _own_class(layer) \
            or _has_sublayers(layer) or not getattr(layer, "built", False):
        return None
    weights = unique_variables(layer)
    kernels = [w for w in weights if len(w.shape) == 2]
    biases = [w for w in weights if len(w.shape) == 1]
    if len(kernels) != 1 or len(biases) > 1 or len(kernels) + len(biases) != len(weights):
        return None
    kernel, bias = kernels[0], (biases[0] if biases else None)
    if bias is not None and tuple(bias.shape) != (kernel.shape[1],):
        return None
    return kernel, bias


def _read_dense_like(first, second, report: ActivationReport) -> None:
    """A layer of the student's own computing activation(x @ kernel + bias) on every call, in
    both probe passes, is read as the Dense it computes (a hand-written Dense made with
    add_weight): the checks then see Dense(units, activation), not an unknown layer."""
    per_layer: dict[int, list] = {}
    for i, (layer, given, out) in enumerate(first):
        weights = _own_dense_weights(layer)
        if weights is None:
            continue
        kernel, bias = weights
        k, b = _np(kernel), (_np(bias) if bias is not None else None)
        pairs, terms = [], []
        for call in (first[i], second[i]):
            if call is None:
                continue
            _, x, y = call
            xs = _np(x[0]) if len(x) == 1 else None
            if xs is None or k is None or bias is not None and b is None or xs.ndim < 1 \
                    or xs.shape[-1] != k.shape[0]:
                pairs = []
                break
            pre, size = _product(xs, k, b)
            pairs.append((pre, y))
            terms.append(size)
        act = _which_function(pairs, terms=terms) if pairs else None
        per_layer.setdefault(id(layer), [weights]).append(act)
    for lid, (weights, *acts) in per_layer.items():
        if None not in acts and len(set(acts)) == 1:
            kernel, bias = weights
            report.dense_like[lid] = {"units": int(kernel.shape[1]), "activation": acts[0],
                                      "use_bias": bias is not None,
                                      "kernel_shape": shape_list(kernel.shape)}


def _has_ops(model) -> bool:
    """A functional graph holding raw keras.ops operations (keras.ops.relu(x) on a symbolic
    tensor becomes an operation node, not a layer)."""
    from keras.src.ops.operation import Operation
    try:
        return any(isinstance(op, Operation) and not isinstance(op, keras.layers.Layer)
                   for op in getattr(model, "_operations", []))
    except Exception:  # noqa: BLE001
        return False


def _weightless(node) -> bool:
    return not isinstance(node, keras.Model) and not getattr(node, "weights", None)


def _fold_dense(first, second, report: ActivationReport) -> None:
    consumers: dict[int, list] = {}
    returned: set[int] = set()  # tensors a model or sub-model returned as they are
    for k, (node, given, out) in enumerate(first):
        for t in given:
            consumers.setdefault(id(t), []).append((k, node, out))
        if isinstance(node, keras.Model):
            returned.update(id(t) for t in keras.tree.flatten(out))
    per_layer: dict[int, set] = {}
    for i, (layer, given, out) in enumerate(first):
        if isinstance(layer, keras.layers.Dense):
            own = activation_name(layer)
        elif id(layer) in report.dense_like:  # its activation was read by value already
            own = report.dense_like[id(layer)]["activation"]
        else:
            continue
        folded = None
        if own == "linear":
            folded = _follow(i, first, second, consumers, returned, report)
        elif own not in NAMED_ACTIVATIONS and given and isinstance(layer, keras.layers.Dense):
            # activation=lambda t: ops.relu(t), or a function the grader has no name for:
            # read it from the layer's own input and output
            # in both probe passes: on the first alone relu and relu6 (or a relu capped at 6)
            # agree, the scaled second pass leaves [0, 6)
            passes = [(given, out)]
            if second[i] is not None and second[i][0] is layer and second[i][1]:
                passes.append((second[i][1], second[i][2]))
            products = [_pre_activation(layer, g[0]) for g, _ in passes]
            if all(p is not None for p in products):
                act = _which_function([(p[0], o) for p, (_, o) in zip(products, passes)],
                                      terms=[p[1] for p in products])
                # "linear" from one of Keras' own (an elu whose probe inputs were all positive)
                # would misname it; a student's function that computes nothing is linear
                folded = (act, "") if act and (act != "linear" or own.endswith(OWN_FUNCTION)) \
                    else None
        per_layer.setdefault(id(layer), []).append(folded)
    # a shared Dense counts when every call goes through the same activation (each call may
    # have its own activation node: keras.ops.relu on each branch)
    report.folded = {lid: f[0] for lid, f in per_layer.items()
                     if None not in f and len({x[0] for x in f}) == 1}


def _follow(i: int, first, second, consumers, returned, report, hops: int = 3):
    """The activation the output of the linear Dense called at first[i] goes through: through
    its one reader (an activation layer or operation; past identities such as Dropout at
    inference), or, when only weightless operations or none recorded read it, through a
    function applied between two calls, found by value."""
    k, out = i, first[i][2]
    for _ in range(hops):
        readers = consumers.get(id(out), [])
        if len(readers) != 1:
            break
        k_node, node, node_out = readers[0]
        applies = report.applies.get(id(node), "?")
        if applies == "linear":  # Dropout at inference, a cast: look past it
            k, out = k_node, node_out
            continue
        if applies not in (None, "?"):
            return applies, getattr(node, "name", type(node).__name__)
        break
    if id(out) in returned or any(not _weightless(node) or isinstance(node, keras.Model)
                                  for _, node, _ in consumers.get(id(out), [])):
        return None  # a layer with weights (a Dense) reads it as it is: linear
    scaled = (second[k][2], second[k + 1:]) if second[k] is not None else None
    act = _applied_function(out, first[k + 1:], scaled)
    return (act, "") if act else None


def _pre_activation(layer, x) -> tuple[Any, Any] | None:
    """A Dense's inputs @ kernel + bias, recomputed in float64, with the size of its terms
    (see _product); None when it cannot be."""
    try:
        return _product(_np(x), _np(layer.kernel), _np(layer.bias) if layer.use_bias else None)
    except Exception:  # noqa: BLE001
        return None


def _product(x, kernel, bias) -> tuple[Any, Any]:
    """x @ kernel + bias in float64, and |x| @ |kernel| + |bias|: the size of the terms summed
    into each element, which bounds the rounding of Keras' own float32 sum (_which_function)."""
    pre, terms = x @ kernel, np.abs(x) @ np.abs(kernel)
    if bias is not None:
        pre, terms = pre + bias, terms + np.abs(bias)
    return pre, terms


def _np(t) -> Any:
    try:
        return np.asarray(keras.ops.convert_to_numpy(t), dtype="float64")
    except Exception:  # noqa: BLE001 - not a tensor of numbers
        return None


def _softmax(y):
    e = np.exp(y - y.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(y):
    return 1 / (1 + np.exp(-y))


def _gelu(y):
    return 0.5 * y * (1 + np.vectorize(math.erf)(y / math.sqrt(2)))


# Functions a student applies between two layer calls (keras.ops / keras.activations / tf.nn /
# a lambda), recognised by what they compute on the probe batch. Keras' own names. A leaky
# relu, of any slope, is recognised apart (see _which_function).
_ACTIVATION_FUNCTIONS: tuple[tuple[str, Any], ...] = (
    ("relu", lambda y: y.clip(min=0)),
    ("sigmoid", _sigmoid),
    ("softmax", _softmax),
    ("tanh", np.tanh),
    ("relu6", lambda y: y.clip(0, 6)),
    ("elu", lambda y: np.where(y > 0, y, np.expm1(y))),
    ("selu", lambda y: 1.0507009873554805 * np.where(y > 0, y, 1.6732632423543772 * np.expm1(y))),
    ("softplus", lambda y: np.logaddexp(0, y)),
    ("silu", lambda y: y * _sigmoid(y)),
    ("gelu", _gelu),
)


def _which_function(pairs: list[tuple[Any, Any]], terms: list[Any] | None = None) -> str | None:
    """The activation f with f(x) == y for every (x, y) pair (tensors or arrays), "linear" for
    the identity, None when no known one fits them all. `terms`: where x is the grader's own
    float64 recomputation of a product (x = inputs @ kernel + bias, see _product), the size
    of the terms summed into each element of x (|inputs| @ |kernel| + |bias|), which bounds
    how far Keras' float32 sum may honestly be from it: a sum of 784 terms that comes out near
    0 is not more exact than its terms, and a tolerance relative to the result alone failed
    ~2% of honest hand-written Dense layers (and, the child and the clean process failing on
    different ones, named them tampering)."""
    arrays = []
    for i, (x, y) in enumerate(pairs):
        a, b = _np(x), _np(y)
        if a is None or b is None or a.shape != b.shape or a.size == 0:
            return None
        # float16 (mixed precision) agrees to ~3 digits; float32 to ~6
        low = any("16" in str(getattr(t, "dtype", "")) for t in (x, y))
        rtol, atol = (1e-2, 1e-3) if low else (1e-4, 1e-5)
        if terms is not None:
            # each activation moves an error at most ~2x (selu's slope is 1.76)
            atol = atol + 2 * rtol * np.asarray(terms[i], dtype="float64")
            if atol.shape != a.shape:
                return None
        arrays.append((a, b, (rtol, atol)))
    for name, fn in (("linear", lambda v: v),) + _ACTIVATION_FUNCTIONS:
        with np.errstate(all="ignore"):
            if all(np.allclose(b, fn(a), rtol=rtol, atol=atol) for a, b, (rtol, atol) in arrays):
                return name
    # a leaky relu of any slope: unchanged above 0, one slope below (ReLU(negative_slope=0.1))
    slopes = set()
    for a, b, (rtol, atol) in arrays:
        pos = a >= 0
        # the ratio from clearly negative inputs only (beyond any rounding of the product)
        neg = a < -np.maximum(1e-3, 100 * np.asarray(atol))
        if not np.allclose(b[pos], a[pos], rtol=rtol, atol=np.broadcast_to(atol, a.shape)[pos]) \
                or not neg.any():
            return None
        ratio = b[neg] / a[neg]
        if not np.allclose(ratio, ratio.mean(), rtol=1e-2, atol=1e-3) or not 0 < ratio.mean() < 1:
            return None
        slopes.add(round(float(ratio.mean()), 2))
    return "leaky_relu" if len(slopes) == 1 else None


def _applied_function(out, later, scaled=None) -> str | None:
    """The activation that turns `out` into a tensor a later call was given (or a model
    returned), matched by value on the probe pass and, where it ran, the scaled one; None when
    none does. `scaled`: (`out` in the scaled pass, the calls of `later` in that pass)."""
    shape = tuple(getattr(out, "shape", ()))
    second_out, later_second = scaled if scaled else (None, None)
    for k, (layer, given, result) in enumerate(later):
        candidates = list(given) + (keras.tree.flatten(result) if isinstance(layer, keras.Model) else [])
        other = later_second[k] if later_second and k < len(later_second) else None
        others = (list(other[1]) + (keras.tree.flatten(other[2]) if isinstance(layer, keras.Model) else [])
                  if other else [])
        for j, t in enumerate(candidates):
            if tuple(getattr(t, "shape", ())) != shape or t is out:
                continue
            pairs = [(out, t)]
            if second_out is not None and j < len(others):
                pairs.append((second_out, others[j]))
            act = _which_function(pairs)
            if act is None:
                continue
            return None if act == "linear" else act  # "linear": the output itself, passed on
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
