"""Child side of verification: the student's models as data, for a process that never runs
student code to measure again (grader.verifier).

After the student's code has run, and before collection calls into anything the student made
(a factory, a subclassed call()), the child writes one `.npz` file: a manifest (JSON) and every
weight array.
Each model at the top level of the submission that Keras alone can rebuild ("portable": a
Functional or Sequential model made of Keras' own layers) goes in as its configuration, its
weights, each variable's `trainable` flag and its compile configuration. A top-level layer that
lives inside an exported model goes in as a reference to it. Every other top-level name is
listed as missing, with what it is: the verifier then knows which of its own measurements are
complete.

Nothing here is trusted by the parent. The file is written by the student's process, so it is
a claim; what makes it worth having is that a clean process rebuilds the models from it and
measures them itself, and a claim that does not describe a model measuring like the one graded
cannot earn marks (see grader.verification).
"""
from __future__ import annotations

import io
import json
import types
from typing import Any

# Layer classes Keras can rebuild from their configuration only by running code that came with
# the submission: a Lambda carries a Python function (refused by Keras' safe mode).
UNSAFE_CLASSES = ("Lambda",)
MANIFEST_KEY = "manifest"
# Weights copied in all: the result channel carries 64 MiB (grader.runner.ResultReader), and the
# lesson's models hold under 1 MB each (218,058 float32 parameters: 872 KB). A larger model is
# listed as missing, and its exercise graded as the child reported it.
BUDGET_BYTES = 32 * 2**20


def _is_keras_class(cls: type, unsafe: tuple = UNSAFE_CLASSES) -> bool:
    return (cls.__module__ or "").startswith("keras.") and cls.__name__ not in unsafe


def own_class(model) -> bool:
    """A model of a class the student wrote (not Functional, Sequential or Model itself)."""
    import keras
    from keras.src.models.functional import Functional
    return type(model) not in (Functional, keras.Sequential, keras.Model)


def layer_policies(model) -> list[str]:
    """The dtype policy of the model and of each layer in it, depth first: the export records
    it for a model of the student's own class and the clean copy must match it."""
    return [str(layer.dtype_policy.name)
            for layer in model._flatten_layers(include_self=True, recursive=True)]


def layer_configs(model) -> list | None:
    """The configuration of each layer inside a model, depth first, as JSON data, without the
    names (numbered per instance), trainable flags and dtype policies (recorded apart): the
    clean copy of a model of the student's own class must match them (`MLP(activation="relu")`
    and `MLP()` have the same weight shapes). None when one is not JSON."""
    try:
        return _unnamed(json.loads(json.dumps(
            [layer.get_config()
             for layer in model._flatten_layers(include_self=False, recursive=True)])))
    except Exception:  # noqa: BLE001 - a layer of the student's own that cannot say
        return None


def _unnamed(value: Any) -> Any:
    """A configuration without names, trainable flags and dtype policies, at any depth (a
    Sequential inside a model holds its layers' configurations)."""
    if isinstance(value, dict):
        return {k: _unnamed(v) for k, v in value.items()
                if k not in ("name", "trainable", "dtype")}
    if isinstance(value, list):
        return [_unnamed(v) for v in value]
    return value


def _compile_config(model) -> dict | None:
    """How a model was compiled, as JSON-able data (a TypeError if it is not), or None."""
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    json.dumps(config)
    return config


def unportable_reason(model, namespace: dict | None = None) -> str | None:
    """Why Keras could not rebuild `model` from its configuration alone, or None."""
    return portability(model, namespace)[0]


def portability(model, namespace: dict | None = None) -> tuple[str | None, dict[str, Any]]:
    """(why Keras could not rebuild `model` from its configuration, or None; what the clean
    process needs from the source to rebuild it). Keras cannot rebuild a layer or model of a
    class the student wrote, nor a Lambda of a Python lambda; the clean process can, reading
    them from the source (grader.interpret), when the class is defined at the top level of the
    submission (`encoder = Encoder()` shared by the siamese's two inputs) and the lambda
    closes over nothing (`Lambda(lambda t: ops.relu(t))`). Such a model is exported like the
    others, with `own_classes` (the classes' names), `lambdas` (each Lambda layer's name →
    the file and line of its lambda) and `activations` (each layer's name → where its
    activation function of the student's own is: `Dense(64, activation=swish)`)."""
    import keras
    from keras.src.models.functional import Functional

    needs: dict[str, Any] = {"own_classes": [], "lambdas": {}, "activations": {}}
    if own_class(model):
        return f"built from your own class `{type(model).__name__}`", needs
    own = needs["own_classes"]
    stack = [model]
    seen: set[int] = set()
    names: dict[str, int] = {}  # how many layers of the model have each name
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        names[getattr(op, "name", "")] = names.get(getattr(op, "name", ""), 0) + 1
        cls = type(op)
        plain = cls in (Functional, keras.Sequential, keras.Model)
        if isinstance(op, keras.layers.Lambda) and _is_keras_class(cls, ()):
            where = _lambda_source(op, namespace)
            if isinstance(where, str):
                return where, needs
            if where is not None:
                needs["lambdas"][op.name] = where
        elif not plain and (not _is_keras_class(cls) or isinstance(op, keras.Model)):
            if not _defined_in(cls, namespace):
                if isinstance(op, keras.Model) and _is_keras_class(cls):
                    return f"uses the model class `{cls.__name__}`", needs
                return f"uses `{cls.__name__}`, a layer Keras cannot rebuild on its own", needs
            if cls.__name__ not in own:
                own.append(cls.__name__)
        inner = getattr(op, "operations", None) if isinstance(op, Functional) else None
        stack.extend(inner if inner is not None else getattr(op, "_layers", []) or [])
        activation = getattr(op, "activation", None)
        if isinstance(activation, keras.layers.Layer):
            stack.append(activation)
        elif _own_activation(op) is not None:
            where = _activation_source(activation, namespace)
            if where is None or needs["activations"].get(op.name, where) != where:
                return "uses an activation function of your own", needs
            needs["activations"][op.name] = where
    # The clean process finds the layers a function is read for by name in the configuration:
    # a name two layers share (a nested model's layer named like one outside it) is ambiguous.
    for name in list(needs["lambdas"]) + list(needs["activations"]):
        if names.get(name, 0) > 1:
            return f"uses a function of your own in a layer whose name `{name}` two layers " \
                   f"share", needs
    return None, needs


def _own_activation(layer) -> Any:
    """The layer's activation when it is a function that is not Keras' or TensorFlow's own (by
    identity: grader.introspect.keras_function), else None. Keras records such a function by
    its bare name, so a rebuilt layer would get Keras' function of that name instead."""
    import keras

    from grader.introspect import keras_function
    activation = getattr(layer, "activation", None)
    if callable(activation) and not isinstance(activation, keras.layers.Layer) and \
            not keras_function(activation):
        return activation
    return None


def _activation_source(fn, namespace: dict | None) -> dict | None:
    """Where the clean process can read a layer's activation function of the student's own:
    a function defined once at the top level under its name ({"function": name}), or a lambda
    that closes over nothing ({"lambda": [filename, line]}); None for any other."""
    import types

    if not isinstance(fn, types.FunctionType) or namespace is None or \
            fn.__globals__ is not namespace or fn.__closure__ is not None or \
            fn.__module__ != namespace.get("__name__"):
        return None
    if fn.__name__ == "<lambda>":
        if fn.__defaults__ is None and not fn.__kwdefaults__:
            return {"lambda": [fn.__code__.co_filename, fn.__code__.co_firstlineno]}
        return None
    if namespace.get(fn.__name__) is fn and fn.__qualname__ == fn.__name__:
        return {"function": fn.__name__}
    return None


def _lambda_source(layer, namespace: dict | None) -> list | str | None:
    """Where the Python lambda of a Lambda layer is in the source ([filename, line]), None
    when its function is Keras' or TensorFlow's own (Keras rebuilds it by name), or why the
    clean process cannot have it: a function of the student's own that is not a lambda, a
    lambda with defaults or a closure, or one of another module."""
    import types

    fn = layer.function
    if (getattr(fn, "__module__", "") or "").startswith(("keras.", "tensorflow.")) \
            and not callable(layer._output_shape) and not callable(layer.mask):
        return None
    ok = isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>" and \
        namespace is not None and fn.__globals__ is namespace and fn.__closure__ is None and \
        fn.__defaults__ is None and not fn.__kwdefaults__ and \
        not callable(layer._output_shape) and not callable(layer.mask)
    if not ok:
        return "uses `Lambda`, a layer Keras cannot rebuild on its own"
    return [fn.__code__.co_filename, fn.__code__.co_firstlineno]


def _defined_in(cls: type, namespace: dict | None) -> bool:
    """A class the submission defines at its top level under its own name (a class Keras
    cannot rebuild, but the clean process may read from the source)."""
    return namespace is not None and namespace.get(cls.__name__) is cls and \
        getattr(cls, "__module__", None) == namespace.get("__name__") and \
        getattr(cls, "__qualname__", None) == cls.__name__


def unportable_reason_layer(layer) -> str | None:
    if not _is_keras_class(type(layer)):
        return f"`{type(layer).__name__}`, a layer Keras cannot rebuild on its own"
    if _own_activation(layer) is not None:
        # a layer of a model is rebuilt with the function read from the source (portability);
        # a layer on its own is not
        return "a layer with an activation function of your own"
    return None


def _weights_and_flags(obj) -> tuple[list, list[bool]]:
    """A model's or layer's weight arrays, and each variable's `trainable` flag, in order."""
    import numpy as np
    return [np.asarray(w) for w in obj.get_weights()], [bool(v.trainable) for v in obj.weights]


def _standalone(layer, name: str, manifest: dict, arrays: dict, budget: dict) -> bool:
    """A top-level Keras layer that no exported model holds (the lesson's own demo
    `dense = layers.Dense(256)`), written on its own: configuration, build shape, weights."""
    if unportable_reason_layer(layer) is not None or layer._layers:
        return False
    try:
        from keras.saving import serialize_keras_object
        config = serialize_keras_object(layer)
        build = layer.get_build_config() if layer.built else None
        weights, flags = _weights_and_flags(layer)
        json.dumps([config, build])
    except Exception:  # noqa: BLE001
        return False
    size = sum(w.nbytes for w in weights)
    if size > budget["left"]:
        return False
    budget["left"] -= size
    key = f"layer_{len(manifest['standalone'])}"
    for j, w in enumerate(weights):
        arrays[f"{key}_w{j}"] = w
    manifest["standalone"][name] = {"key": key, "config": config, "build": build,
                                    "n_weights": len(weights), "trainable": flags}
    return True


def _bases(obj: Any) -> list[str]:
    """The names of the classes `obj` is an instance of (a class: of itself and its bases)."""
    cls = obj if isinstance(obj, type) else type(obj)
    try:
        return [c.__name__ for c in cls.__mro__]
    except (AttributeError, TypeError):
        return [cls.__name__]


def _nbytes(model) -> int:
    """The size of a model's weights, without copying them (a model of the student's own
    class is sorted among the others by it)."""
    import numpy as np
    try:
        return sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in model.weights)
    except Exception:  # noqa: BLE001
        return 0


def _state(model, key: str, arrays: dict, budget: dict) -> dict[str, Any]:
    """Everything about a model the export cannot copy as a configuration (a model of the
    student's own class) that the clean process needs to bring the copy it reads from the
    source (grader.interpret) to the same state: whether it was built and with what input,
    its weights (values too, within the budget, under `key`), the trainable flag of each layer
    and each variable, the dtype policy of each layer, and how it was compiled."""
    try:
        weights, flags = _weights_and_flags(model)
        state = {"own_class": own_class(model),
                 "built": bool(model.built),
                 "weight_shapes": [[int(d) for d in w.shape] for w in weights],
                 "trainable": flags,
                 "trainable_layers": [bool(layer.trainable) for layer in
                                      model._flatten_layers(include_self=True, recursive=True)],
                 "policies": layer_policies(model),
                 "compile": _compile_config(model),
                 "layer_configs": layer_configs(model)}
    except Exception:  # noqa: BLE001 - a class of the student's own: whatever it does
        return {}
    size = sum(w.nbytes for w in weights)
    if size <= budget["left"]:
        budget["left"] -= size
        for j, w in enumerate(weights):
            arrays[f"{key}_w{j}"] = w
        state["weights_key"] = key
    try:  # the input it was built with ({"input_shape": (1, 784)} after one call)
        state["input_shape"] = _shapes((model.get_build_config() or {}).get("input_shape"))
    except Exception:  # noqa: BLE001 - none recorded, or of a form not written here
        state["input_shape"] = None
    return state


def _shapes(shape: Any) -> Any:
    """The input shape(s) a model was built with, as JSON: one shape ([None, 784]), a list of
    shapes (called on [left, right]) or a dict of them (called on {"pixels": ..., ...})."""
    def one(s: Any) -> list:
        return [None if d is None else int(d) for d in s]
    if isinstance(shape, dict):
        return {str(k): one(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and \
            all(isinstance(s, (list, tuple)) for s in shape):
        return [one(s) for s in shape]
    return one(shape)


def _qualname(obj: Any) -> str | None:
    name = getattr(obj, "__qualname__", None)
    return name if isinstance(name, str) else None


def _kind(obj: Any) -> str:
    import keras
    if isinstance(obj, keras.Model):
        return "model"
    if isinstance(obj, keras.layers.Layer):
        return "layer"
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def export(namespace: dict, global_policy: str = "float32") -> bytes:
    """The submission's top-level models as one .npz file's bytes. Never raises: a model that
    cannot be written is listed as missing, with the reason; if the whole export fails, the
    file says so (`error`), and the exercises are graded as the child reported them."""
    import numpy as np
    try:
        return _export(namespace, global_policy)
    except Exception as exc:  # noqa: BLE001
        buffer = io.BytesIO()
        text = json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        np.savez(buffer, **{MANIFEST_KEY: np.frombuffer(text.encode(), dtype=np.uint8)})
        return buffer.getvalue()


def _export(namespace: dict, global_policy: str) -> bytes:
    import numpy as np

    from grader.introspect import _all_layers, is_model

    manifest: dict[str, Any] = {"models": {}, "aliases": {}, "layers": {}, "missing": {},
                                "standalone": {}, "inert": [],
                                "module_name": namespace.get("__name__"),
                                "global_policy": global_policy}
    arrays: dict[str, np.ndarray] = {}
    # id of each layer of an exported model → [model name, index] among its layers (depth
    # first, as grader.introspect._all_layers lists them)
    layer_paths: dict[int, list] = {}
    budget = {"left": BUDGET_BYTES}
    # Each model once (a second name for it is an alias), described first and copied after:
    # the smallest first, so that a large model of the student's own experiments cannot use up
    # the budget of the lesson's small ones.
    first_name: dict[int, str] = {}
    described: list[tuple[str, Any, str | None, dict]] = []
    for name, obj in list(namespace.items()):
        if name.startswith("__") or not is_model(obj):
            continue
        if id(obj) in first_name:
            manifest["aliases"][name] = first_name[id(obj)]
            continue
        first_name[id(obj)] = name
        (why, needs), data = portability(obj, namespace), {}
        if why is None:
            try:
                weights, flags = _weights_and_flags(obj)
                data = {"config": obj.to_json(), "weights": weights, "trainable": flags,
                        "compile": _compile_config(obj), "needs": needs}
            except Exception as exc:  # noqa: BLE001 - Keras could not write it: not portable
                why = f"Keras could not write it ({type(exc).__name__})"
        described.append((name, obj, why, data))
    size = {name: (sum(w.nbytes for w in data["weights"]) if data else _nbytes(obj))
            for name, obj, _, data in described}
    for name, obj, why, data in sorted(described, key=lambda d: size[d[0]]):
        if why is None and size[name] > budget["left"]:
            why = (f"too large for the grader to copy ({size[name] / 2**20:.0f} MB of weights; "
                   f"{BUDGET_BYTES // 2**20} MB in all)")
        if why is not None:
            manifest["missing"][name] = {"kind": "model", "why": why, "bases": _bases(obj),
                                         **_state(obj, f"o{len(manifest['missing'])}", arrays,
                                                  budget)}
            continue
        budget["left"] -= size[name]
        index = len(manifest["models"])
        for j, w in enumerate(data["weights"]):
            arrays[f"m{index}_w{j}"] = w
        manifest["models"][name] = {"index": index, "config": data["config"],
                                    "n_weights": len(data["weights"]),
                                    "trainable": data["trainable"], "compile": data["compile"],
                                    "built": bool(obj.built),
                                    **{k: v for k, v in data["needs"].items() if v}}
    for name, obj, _, _ in described:  # in the file's order: the first model holding a layer
        if name in manifest["models"]:
            for i, inner in enumerate(_all_layers(obj)):
                layer_paths.setdefault(id(inner), [name, i])
    for name, target in list(manifest["aliases"].items()):
        if target in manifest["missing"]:  # the same object, not copied: missing as well
            manifest["missing"][name] = dict(manifest["missing"][target], alias_of=target)
            del manifest["aliases"][name]
    for name, obj in list(namespace.items()):
        if name.startswith("__") or name in manifest["models"] or name in manifest["aliases"] \
                or name in manifest["missing"]:
            continue
        kind = _kind(obj)
        path = layer_paths.get(id(obj)) if kind == "layer" else None
        if path is not None:
            manifest["layers"][name] = path
        elif kind == "layer" and _standalone(obj, name, manifest, arrays, budget):
            pass
        elif kind in ("data", "module"):
            # Collectors look for models, layers and the student's functions and classes;
            # a number, an array or an imported module reads the same as no name at all.
            manifest["inert"].append(name)
        else:
            why = unportable_reason_layer(obj) if kind == "layer" else None
            manifest["missing"][name] = {"kind": kind, "bases": _bases(obj),
                                         **({"why": why} if why else {}),
                                         **({"qualname": _qualname(obj)}
                                            if kind in ("class", "function") else {})}
    buffer = io.BytesIO()
    arrays[MANIFEST_KEY] = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    np.savez(buffer, **arrays)
    return buffer.getvalue()
