"""Tamper detection: what the grader relies on, snapshotted before the student's code runs and
compared (then restored) after it, before any evidence is collected.

A submission that replaces `keras.Model.count_params`, a Dense property, a NumPy function or
one of the grader's own functions is named (`tampering`) with what it changed; the originals
are put back so the evidence is collected with the real code. Parameter counts never come
from `count_params()` in the first place (see grader.introspect).
"""
from __future__ import annotations

import builtins
import math
import sys
import types
from dataclasses import dataclass
from typing import Any

_MISSING = object()


def _watched_namespaces() -> dict[str, Any]:
    import json

    import keras
    import numpy as np
    from keras.src.backend.common.variables import Variable
    from keras.src.backend.common.keras_tensor import KerasTensor
    from keras.src.models.functional import Functional
    from keras.src.ops.node import Node
    from keras.src.ops.operation import Operation

    import json.encoder

    from keras.src.backend import Variable as BackendVariable
    from keras.src.ops.function import Function
    from keras.src.trainers.trainer import Trainer

    spaces: dict[str, Any] = {
        "Trainer": Trainer, "Function": Function, "BackendVariable": BackendVariable,
        "json.encoder": json.encoder, "json.encoder.JSONEncoder": json.encoder.JSONEncoder,
        "keras.Model": keras.Model, "keras.Sequential": keras.Sequential,
        "keras.layers.Layer": keras.layers.Layer, "keras.layers.Dense": keras.layers.Dense,
        "keras.layers.InputLayer": keras.layers.InputLayer,
        "keras.layers.Concatenate": keras.layers.Concatenate,
        "Functional": Functional, "Operation": Operation, "Node": Node,
        "KerasTensor": KerasTensor, "Variable": Variable,
        "keras.mixed_precision": keras.mixed_precision, "keras.ops": keras.ops,
        "keras.activations": keras.activations,
        "numpy": np, "math": math, "json": json, "builtins": builtins,
    }
    for name in _our_module_names():
        module = sys.modules.get(name)
        if isinstance(module, types.ModuleType):
            spaces[name] = module
            # an exercise's declaration and its checks: their fields are what grading calls
            exercise = getattr(module, "EXERCISE", None)
            if exercise is not None and name.startswith("exercises."):
                spaces[f"{name}.EXERCISE"] = exercise
                for i, check in enumerate(getattr(exercise, "checks", ()) or ()):
                    spaces[f"{name}.EXERCISE.checks[{i}]"] = check
    # `grade FILE` runs grader.child as the __main__ module
    main = sys.modules.get("__main__")
    if isinstance(main, types.ModuleType) and getattr(main, "__spec__", None) is not None \
            and getattr(main.__spec__, "name", "") == "grader.child":
        spaces["__main__"] = main
    return spaces


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("grader", "exercises")


# (names of the grader's modules, the last name in sys.modules) when prepare() ran.
_prepared: tuple[list[str], str | None] | None = None


def prepare() -> None:
    """Run once in the warm server, after the grader's modules are imported. A forked child
    then finds the grader's modules without walking all of sys.modules: touching ~5,000
    modules the child shares with the server copies their memory pages (~15 ms a child)."""
    global _prepared
    _prepared = ([n for n in list(sys.modules) if _ours(n)], next(reversed(sys.modules), None))


def _our_module_names() -> list[str]:
    if _prepared is not None:
        names, last = _prepared
        # sys.modules keeps insertion order: what was imported since prepare() is at its end.
        added = []
        try:
            for name in reversed(sys.modules):
                if name == last:
                    return names + added
                if _ours(name):
                    added.append(name)
        except RuntimeError:  # changed while read (another thread importing): read it whole
            pass
    return [n for n in list(sys.modules) if _ours(n)]


def _entries(obj: Any) -> dict[str, Any]:
    try:
        return dict(vars(obj))
    except TypeError:
        return {}


# A function's insides: a function object left in place whose code or defaults were swapped
# (`relu.__code__ = identity.__code__`) is changed all the same.
_PARTS = ("__code__", "__defaults__", "__kwdefaults__")


@dataclass
class Snapshot:
    # each watched namespace: (the object, its entries)
    spaces: dict[str, tuple[Any, dict[str, Any]]]
    # each function among those entries: (the function, its _PARTS)
    functions: dict[str, tuple[Any, ...]]


def snapshot() -> Snapshot:
    spaces = {name: (obj, _entries(obj)) for name, obj in _watched_namespaces().items()}
    functions = {f"{name}.{key}": (value, *(getattr(value, p) for p in _PARTS))
                 for name, (_, entries) in spaces.items() for key, value in entries.items()
                 if isinstance(value, types.FunctionType)}
    return Snapshot(spaces, functions)


# Entries that legitimately change while code runs (caches, counters, the policy that
# grader.child records and resets itself).
_VOLATILE = {"__warningregistry__", "_global_dtype_policy", "__doc__", "_abc_impl",
             "__annotations__", "_"}


def changes(before: Snapshot) -> list[str]:
    """What the student's code replaced, added or deleted among the watched objects."""
    found = []
    for name, (fn, *parts) in before.functions.items():
        found += [f"{name}.{p}" for p, was in zip(_PARTS, parts) if getattr(fn, p) is not was]
    for name, (obj, entries) in before.spaces.items():
        now = _entries(obj)
        for key, value in entries.items():
            if key in _VOLATILE:
                continue
            if now.get(key, _MISSING) is not value:
                found.append(f"{name}.{key}" + (" (deleted)" if key not in now else ""))
        for key in now.keys() - entries.keys():
            # Lazily imported submodules (numpy.testing, grader.x) appear as new attributes.
            if key not in _VOLATILE and not key.startswith("__") \
                    and not isinstance(now[key], types.ModuleType):
                found.append(f"{name}.{key} (added)")
        if sys.modules.get(name, obj) is not obj and _ours(name):
            found.append(f"sys.modules[{name!r}] (replaced)")
    return sorted(found)


def restore(before: Snapshot) -> None:
    for fn, *parts in before.functions.values():
        for p, was in zip(_PARTS, parts):
            if getattr(fn, p) is not was:
                try:
                    setattr(fn, p, was)
                except (AttributeError, TypeError, ValueError):
                    pass
    for name, (obj, entries) in before.spaces.items():
        now = _entries(obj)
        for key, value in entries.items():
            if now.get(key, _MISSING) is not value:
                try:
                    setattr(obj, key, value)
                except (AttributeError, TypeError):
                    pass
        for key in now.keys() - entries.keys():
            if not key.startswith("__") and not isinstance(now[key], types.ModuleType):
                try:
                    delattr(obj, key)
                except (AttributeError, TypeError):
                    pass
        if isinstance(obj, types.ModuleType) and sys.modules.get(name) is not obj \
                and _ours(name):
            sys.modules[name] = obj
