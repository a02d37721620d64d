"""The lesson's MLP built three ways (Sequential, Functional, subclassed keras.Model), proved
to be the same function by copying weights between them and comparing outputs.

Two more facts about the subclassed build, measured on fresh instances of the student's class:

* `training` reaches the layers that care (Dropout, BatchNormalization). Measured with keras
  3.15.1: omitting `training=` on `self.dropout(x)` inside a `call(self, inputs, training=False)`
  is harmless, because Layer.__call__ passes the outer call's flag down through the call context
  (`model(x, training=True)` and `fit()` both switch the dropout on). Two things do break it:
  an explicit `self.dropout(x, training=False)` (the dropout never runs in training mode), and a
  `call(self, inputs)` with no `training` parameter at all: `model(x, training=True)` still
  works, but `fit()`'s train_step calls `self(x, training=True)` only when `call()` declares
  `training` and `self(x)` otherwise, so during fit() the dropout gets training=False and a
  BatchNormalization gets no flag (inference mode, moving statistics never updated). The grader
  therefore calls the model the way train_step does and records the flag each such layer
  receives; only a layer that runs in inference mode during that call is named.
* `get_config()` / `from_config()` round-trip (a bonus, worth no points): the lesson says saving
  a subclassed model needs the class plus get_config() for clean round-trips.
"""
from __future__ import annotations

import copy
from typing import Any

from exercises._common import (LEAKED_MIXED_PRECISION, MODEL_NOT_FLOAT32, describe_chain,
                               dtype_policy_check, find_model, model_outputs)
from exercises._lesson_models import claimed_elsewhere, error_text
from grader import diagram
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

INPUT_DIM = 784
# (in, units, activation) in data-flow order.
EXPECTED_CHAIN = [(784, 256, "relu"), (256, 64, "relu"), (64, 10, "softmax")]
# 784×256 + 256 = 200,960;  256×64 + 64 = 16,448;  64×10 + 10 = 650;  total 218,058
EXPECTED_PARAMS = 784 * 256 + 256 + 256 * 64 + 64 + 64 * 10 + 10
assert EXPECTED_PARAMS == 218_058
RTOL = 1e-6  # the lesson's assert_allclose tolerance
ROLES = ("sequential", "functional", "subclassed")
ROLE_NAMES = {"sequential": "make_sequential() / seq_model", "functional": "fn_model",
              "subclassed": "MLP / sub_model"}

# The model all three builds compute, drawn beside the student's three in the report; the layer
# names are descriptive (the lesson lets Keras number them).
EXPECTED_LAYER_NAMES = ("hidden_1", "hidden_2", "head")
EXPECTED_DIAGRAM = diagram.declare(
    "Expected: 784 → 256 relu → 64 relu → 10 softmax (each build)",
    layers=[diagram.layer("pixels", "InputLayer", (None, INPUT_DIM))] + [  # the lesson's fn_model input
        diagram.layer(name, "Dense", (None, units), units=units, activation=act,
                      params=n_in * units + units)  # 200,960 / 16,448 / 650
        for name, (n_in, units, act) in zip(EXPECTED_LAYER_NAMES, EXPECTED_CHAIN)],
    chains=[" > ".join(("pixels",) + EXPECTED_LAYER_NAMES)])

MISTAKES = (
    Mistake("sequential_not_built", "The Sequential model is not built",
            "Without keras.Input(shape=(784,)) as its first entry, a Sequential model stays "
            "lazy: it has no weights until it first sees data, summary() shows 0 parameters "
            "and count_params() raises.",
            "Start the list you give keras.Sequential with an Input of the right shape.",
            "`{source}` returned a model with no weights (built=False)"),
    Mistake("wrong_mlp_architecture", "The MLP's layers are not 784 → 256 → 64 → 10",
            "The lesson's MLP is Dense(256, relu) → Dense(64, relu) → Dense(10, softmax) on a "
            "784-value input: 784×256+256 = 200,960, 256×64+64 = 16,448, 64×10+10 = 650, "
            "218,058 parameters in total.",
            "Compare each Dense layer's units and activation with the lesson's list.",
            "the {role} model computes {got} ({params:,} params) where {expected} (218,058 "
            "params) was expected"),
    Mistake("missing_softmax_head", "The classifier head has no softmax",
            "The last Dense(10) must turn scores into class probabilities that sum to 1: that "
            "is softmax. Without it the model outputs raw scores (logits).",
            "Look at the activation of the last layer in each of the three builds.",
            "head activation of the {roles} model(s): {got}"),
    Mistake("layers_created_in_call", "The subclassed model creates its layers in call()",
            "Layers created inside call() are new objects on every forward pass: the model "
            "tracks no weights (or Keras refuses to add them once built), outputs change every "
            "call, and nothing can ever be trained or copied into it.",
            "Create every layer once in __init__ (assigned to self), and only *use* them in "
            "call().",
            "{detail}"),
    Mistake("weights_not_transferable", "Weights cannot be copied between the three models",
            "get_weights()/set_weights() copy a list of arrays in order. It works only when "
            "both models create the same variables in the same order: kernel and bias of the "
            "256 layer, then the 64 layer, then the head.",
            "Create the layers in the same order in all three builds (the subclassed model "
            "tracks them in the order you assign them in __init__).",
            "copying {source}'s weights into the {target} model failed: {error}"),
    Mistake("outputs_differ", "The three models give different outputs for the same weights",
            "With identical weights, the three builds are the same function, so their outputs "
            "on the same input must agree to rtol 1e-6.",
            "Look for anything one build does that the others do not (dropout active at "
            "inference, an extra operation, a different activation).",
            "{target} vs {source}: largest relative difference {max_rel:.3g} (allowed {rtol:g})"),
    LEAKED_MIXED_PRECISION,
    MODEL_NOT_FLOAT32,
    Mistake("subclass_call_failed", "The subclassed model raised an error when called",
            "The grader created a fresh instance of your class and called it on a (4, 784) "
            "batch of random values, as the lesson does with np.zeros((1, 784)).",
            "Call `MLP()(np.zeros((1, 784), dtype=\"float32\"))` yourself and read the error.",
            "{detail}"),
    Mistake("training_not_forwarded", "call() does not pass `training` on to the layers that use it",
            "Dropout and BatchNormalization behave differently in training and at inference, and "
            "they learn which one from the `training` flag. fit() calls your model with "
            "training=True only if call() declares a `training` parameter, and Keras hands the "
            "flag down to the layers inside (so `self.dropout(x)` is enough). A layer called with "
            "training=False written out, or a call() without a `training` parameter, runs in "
            "inference mode during fit(): the dropout never drops anything (a Dropout(0.5) should "
            "zero about half of the 256 activations and double the rest), and BatchNormalization "
            "never uses batch statistics or updates its moving mean and variance.",
            "Give call() a `training` parameter and let it reach every layer that has a training "
            "mode: either pass it on yourself or leave the argument out so Keras passes it for "
            "you, but never write a fixed value there.",
            "the grader called {cls} as fit() does ({how}); {detail}"),
    Mistake("config_round_trip_failed", "The subclassed model does not survive get_config() / from_config()",
            "Saving a subclassed model stores its get_config() and rebuilds it later with "
            "from_config(config), which calls your __init__ with those values. Keras records "
            "plain __init__ arguments (numbers, strings, tuples) for you; an argument it cannot "
            "serialise (a layer or a function), or a get_config() whose keys __init__ does not "
            "accept, breaks the round trip, and a config that leaves out an argument rebuilds a "
            "different model (the lesson's MLP must come back as 784 → 256 → 64 → 10, 218,058 "
            "parameters).",
            "Try `MLP.from_config(model.get_config())` yourself: each key of the config must be "
            "an argument of your __init__, and every __init__ argument must be in the config.",
            "{stage}: {detail}"),
    Mistake("model_missing", "One of the three builds is missing",
            "The exercise builds the same MLP three ways: make_sequential(), fn_model and the "
            "MLP class.",
            "Keep the lesson's names: make_sequential, fn_model, MLP (and sub_model).",
            "no {role} model found (looked for {names})"),
)


# ---- child side ----------------------------------------------------------------------------

def _is_mlp(model) -> bool:
    from grader.introspect import dense_chain
    inputs = getattr(model, "inputs", None) or []
    chain = dense_chain(model) if model.built else []
    return len(inputs) <= 1 and bool(chain) and chain[0]["in"] == INPUT_DIM and chain[-1]["units"] == 10


def collect(namespace: dict, probe) -> dict[str, Any]:
    import keras
    from grader.introspect import describe_model, model_kind

    # Attempted: the subclassed build, which only this exercise has, or two of its builds. The
    # Sequential alone (`make_sequential()`, `seq_model`) is how the surgery section starts and
    # `fn_model` alone the weights section: a file handing in one of those sections is not a
    # three-ways attempt missing two builds.
    sequential = any(n in namespace for n in ("make_sequential", "seq_model"))
    if not any(n in namespace for n in ("MLP", "sub_model")) and \
            not (sequential and "fn_model" in namespace):
        return {"attempted": False}
    ev: dict[str, Any] = {"attempted": True, "notes": [], "summaries": {}, "roles": {}}
    x = probe.batch(4, INPUT_DIM)
    models: dict[str, Any] = {}

    # Sequential: a fresh one from the factory (the lesson's seq_model has been through pop/add).
    seq, var, note = find_model(namespace, ("make_sequential", "seq_model"),
                                lambda m: model_kind(m) == "sequential" and _is_mlp(m)
                                and not claimed_elsewhere(namespace, m, "mlp_three_ways"),
                                "Sequential MLP")
    if seq is not None:
        role = {"source": var, "built_as_written": bool(seq.built)}
        if not seq.built:
            seq(x)  # build it so the rest can still be graded
        models["sequential"] = seq
        ev["roles"]["sequential"] = role
        if note:
            ev["notes"].append(note)

    fn, var, note = find_model(namespace, ("fn_model",),
                               lambda m: model_kind(m) == "functional" and _is_mlp(m)
                               and not claimed_elsewhere(namespace, m, "mlp_three_ways"),
                               "functional MLP")
    if fn is not None:
        models["functional"] = fn
        ev["roles"]["functional"] = {"source": var, "built_as_written": bool(fn.built)}
        if note:
            ev["notes"].append(note)

    cls = namespace.get("MLP")
    student_sub = namespace.get("sub_model")
    if not (isinstance(cls, type) and issubclass(cls, keras.Model)) and isinstance(student_sub, keras.Model):
        cls = type(student_sub)
    if isinstance(cls, type) and issubclass(cls, keras.Model):
        role: dict[str, Any] = {"source": cls.__name__}
        if isinstance(student_sub, keras.Model):
            role["student_instance"] = {"built": bool(student_sub.built),
                                        "n_weights": len(student_sub.weights)}
        fresh = _fresh_instances(cls, student_sub, role)
        sub = fresh() if fresh else (student_sub if isinstance(student_sub, keras.Model) else None)
        if sub is not None:
            # A dummy forward pass builds a subclassed model properly (build(input_shape) alone
            # leaves the lesson's MLP with 0 weights in Keras 3.15).
            first = None
            try:
                first = model_outputs(sub, x)
                if fresh is not None and _built_otherwise(sub, student_sub):
                    # `sub_model = MLP(hidden=(256, 64))` where MLP()'s defaults build another
                    # model (or one made under mixed_float16): the model the student built is
                    # the one graded, as the lesson's sub_model
                    sub, fresh = student_sub, None
                    role["graded_instance"] = True
                    first = model_outputs(sub, x)
                second = model_outputs(sub, x)
                role.update(call_ok=True, repeat_equal=bool((first == second).all()))
                if not role["repeat_equal"]:  # a Dropout always on, or layers made in call()
                    role["made_in_call"] = _layers_made_in_call(sub, x)
            except Exception as exc:  # noqa: BLE001
                role.update(call_ok=False, call_error=error_text(exc))
            role["weights_after_call"] = len(sub.weights)
            models["subclassed"] = sub
            if role.get("call_ok"):
                # the round trip first: the experiment may run on `sub` itself, and a call with
                # training=True moves BatchNormalization's statistics
                role["config"] = _config_round_trip(cls, sub, x, first, role["repeat_equal"])
                role["training"] = _training_experiment(fresh, x, built=sub)
        ev["roles"]["subclassed"] = role
        if role.get("fresh_from") == "from_config":
            ev["notes"].append(
                f"`{cls.__name__}()` needs arguments ({role['init_error']}), so the grader made its "
                f"fresh instances with `{cls.__name__}.from_config(sub_model.get_config())`.")
        if role.get("graded_instance"):
            ev["notes"].append(
                f"`{cls.__name__}()` with its default arguments builds another model than your "
                f"`sub_model` (other weight shapes or dtype policies), so the grader graded "
                f"`sub_model` itself.")
        inst = role.get("student_instance")
        if inst and inst["built"] and inst["n_weights"] == 0:
            ev["notes"].append(
                "Your `sub_model` is marked built but owns 0 weights: in Keras 3 "
                "`build(input_shape=...)` does not create the layers' weights for a model "
                "without its own build() method, although the lesson calls it equivalent. "
                "You are not at fault: the grader built a fresh MLP() with a dummy forward "
                "pass, as the lesson's first option does.")

    for name, model in models.items():
        # The call graph only where Keras has one: a subclassed call() is opaque Python. The
        # forward pass on x folds Dense(256) + Activation("relu") into Dense(256, relu).
        d = describe_model(model, ev["roles"][name].get("source"), graph=name == "functional",
                           probe_input=x)
        ev["summaries"][f"{name}: {ev['roles'][name].get('source')}"] = d.pop("summary")
        ev["roles"][name]["model"] = d

    ev["transfers"] = _transfers(models, ev["roles"], x)
    return ev


def _layers_made_in_call(model, x) -> list[str]:
    """The classes of the layers one forward pass calls that the model does not own: made in
    call() (or by a helper it calls), anew at every call."""
    import keras

    from grader.introspect import _record_calls
    owned = {id(l) for l in model._flatten_layers(include_self=True, recursive=True)}
    try:
        calls = _record_calls(model, x)
    except Exception:  # noqa: BLE001 - it ran twice already; a third failure says nothing
        return []
    return [type(l).__name__ for l, _, _ in calls
            if isinstance(l, keras.layers.Layer) and id(l) not in owned]


def _built_otherwise(fresh, student_sub) -> bool:
    """True when the student's own instance, built with weights, differs from a fresh one
    (built) in its weight shapes, its layers' dtype policies or their configurations
    (`sub_model = MLP(activation="relu")` where MLP()'s default is None: the same weights,
    but another function)."""
    import keras
    if not isinstance(student_sub, keras.Model) or type(student_sub) is not type(fresh) \
            or not student_sub.weights:
        return False

    def shape(m):
        layers = list(m._flatten_layers(include_self=False, recursive=True))
        return ([tuple(w.shape) for w in m.weights],
                [layer.dtype_policy.name for layer in layers],
                # names are numbered per instance; a frozen sub_model is the same model
                [{k: v for k, v in layer.get_config().items() if k not in ("name", "trainable")}
                 for layer in layers])
    try:
        return shape(fresh) != shape(student_sub)
    except Exception:  # noqa: BLE001 - the student's class: keep the fresh instance
        return False


def _fresh_instances(cls, student_sub, role: dict) -> Any:
    """How to make a fresh instance of the student's class, or None: `cls()` as the lesson
    does, else (an __init__ with a required argument, `MLP(config)`) from the configuration of
    the student's own instance, `cls.from_config(sub_model.get_config())`. What failed is
    recorded in `role`."""
    import keras
    try:
        cls()
        return cls
    except Exception as exc:  # noqa: BLE001
        role["init_error"] = error_text(exc)
    if not isinstance(student_sub, keras.Model):
        return None
    try:
        config = student_sub.get_config()
        cls.from_config(copy.deepcopy(config))
    except Exception:  # noqa: BLE001 - the student's instance itself is graded, as before
        return None
    role["fresh_from"] = "from_config"
    # a copy each time: a from_config() that pops its keys (`units = config.pop("units")`)
    return lambda: cls.from_config(copy.deepcopy(config))


# Layers whose output depends on `training` (Keras 3.15: the spatial dropouts subclass Dropout).
TRAINING_AWARE = ("Dropout", "GaussianDropout", "GaussianNoise", "AlphaDropout",
                  "BatchNormalization")


def _has_training_mode(layer) -> bool:
    import keras

    kinds = tuple(getattr(keras.layers, n) for n in TRAINING_AWARE)
    if not isinstance(layer, kinds):
        return False
    if isinstance(layer, keras.layers.BatchNormalization):
        return bool(layer.trainable)  # a frozen BatchNormalization runs in inference mode by design
    rate = getattr(layer, "rate", None)
    if rate is None:
        rate = getattr(layer, "stddev", 1.0)
    return float(rate) > 0


def _flag(value) -> Any:
    return value if value in (True, False, None) else str(value)


def _name_in(shown, model, layer) -> str:
    """The name `layer` of `model` (a fresh instance) has in `shown`, the instance the report
    pictures: Keras numbers the layers of every new instance anew (`dropout_4` in the fresh one
    is `dropout_2` in the picture), so the finding names the layer the student sees, matched by
    position among the layers of the same structure."""
    if shown is None or shown is model:
        return layer.name
    mine = list(model._flatten_layers(include_self=False, recursive=True))
    theirs = list(shown._flatten_layers(include_self=False, recursive=True))
    if [type(l) for l in mine] != [type(l) for l in theirs]:
        return layer.name
    return theirs[next(i for i, l in enumerate(mine) if l is layer)].name


def _training_experiment(make, x, built=None) -> dict[str, Any]:
    """On a fresh instance: which `training` value each Dropout/BatchNormalization receives when
    the model is called at inference and when it is called the way fit() calls it. `built`, an
    instance already called once, saves the experiment (four forward passes) when it holds no
    such layer: the lesson's MLP has none."""
    import inspect

    import numpy as np

    if built is not None and not any(_has_training_mode(l) for l in
                                     built._flatten_layers(include_self=False, recursive=True)):
        return {"ok": True, "call_has_training": "training" in inspect.signature(built.call).parameters,
                "layers": [], "inference_repeatable": True, "fit_mode_equals_inference": True}
    try:
        # No fresh instance to be had (an __init__ with required arguments and no get_config):
        # the student's own, already built; the spies below are taken off again.
        model = make() if make is not None else built
        first = model_outputs(model, x)  # builds the layers
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": error_text(exc)}
    aware = [l for l in model._flatten_layers(include_self=False, recursive=True)
             if _has_training_mode(l)]
    rows = [{"name": _name_in(built, model, l), "class": type(l).__name__, "inference": [],
             "fit_mode": []} for l in aware]
    phase = {"now": "inference"}

    def spy(layer, row):
        real = layer.call

        def call(*args, **kwargs):
            row[phase["now"]].append(_flag(kwargs.get("training", "not passed")))
            return real(*args, **kwargs)
        return call

    for layer, row in zip(aware, rows):
        layer.call = spy(layer, row)
    # keras' train_step: `self(x, training=True)` if call() declares `training`, else `self(x)`.
    has_arg = "training" in inspect.signature(model.call).parameters
    try:
        again = model_outputs(model, x)
        phase["now"] = "fit_mode"
        out = model(x, training=True) if has_arg else model(x)
        if isinstance(out, (list, tuple)):
            out = out[0]
        fit_out = np.asarray(out)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": error_text(exc)}
    finally:
        for layer in aware:
            try:
                del layer.call  # the spy was an instance attribute over the class's call
            except AttributeError:
                pass
    return {"ok": True, "call_has_training": has_arg, "layers": rows,
            "inference_repeatable": bool(np.array_equal(first, again)),
            "fit_mode_equals_inference": bool(fit_out.shape == again.shape and
                                              np.array_equal(fit_out, again))}


def _config_round_trip(cls, model, x, ref, repeatable: bool) -> dict[str, Any]:
    """get_config() → JSON → from_config() of `model`, a fresh instance the grader built and
    called (its outputs on `x` are `ref`): same layers, same outputs once the weights are
    copied. The model's weights never change here; the clone is the only new model."""
    import json

    import numpy as np
    from grader.introspect import dense_chain, param_count

    stage = "get_config()"
    try:
        config = model.get_config()
        stage = "json.dumps(get_config())"
        json.dumps(config)
        stage = "from_config()"
        clone = cls.from_config(copy.deepcopy(config))  # its keys, as get_config() gave them
        model_outputs(clone, x)  # builds it
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "stage": stage, "error": error_text(exc)}
    a, b = dense_chain(model), dense_chain(clone)
    shape = lambda chain: [(d["in"], d["units"], d["activation"]) for d in chain]  # noqa: E731
    if shape(a) != shape(b) or param_count(model) != param_count(clone):
        return {"ok": False, "stage": "rebuilt model",
                "error": f"{describe_chain(b)} ({param_count(clone):,} params) where the "
                         f"original is {describe_chain(a)} ({param_count(model):,} params)",
                "keys": sorted(map(str, config))}
    try:
        clone.set_weights(model.get_weights())
        # A model that is random at inference (dropout left on) cannot be compared this way; the
        # outputs_equal check names that.
        same = not repeatable or bool(np.allclose(model_outputs(clone, x), ref, rtol=RTOL, atol=0))
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "stage": "set_weights()", "error": error_text(exc)}
    if not same:
        return {"ok": False, "stage": "outputs", "error": "with the same weights the rebuilt "
                "model gives different outputs"}
    return {"ok": True, "keys": sorted(map(str, config)), "params": param_count(clone)}


def _transfers(models: dict, roles: dict, x) -> list[dict[str, Any]]:
    """Copy the weights of one build into the others and compare outputs on the same input."""
    import numpy as np

    source = "functional" if "functional" in models else "sequential"
    if source not in models:
        return []
    src = models[source]
    out = []
    a = None  # the source's outputs: its weights never change here, so computed once
    for target in ROLES:
        if target == source or target not in models:
            continue
        row: dict[str, Any] = {"source": source, "target": target}
        try:
            models[target].set_weights(src.get_weights())
            if a is None:
                a = model_outputs(src, x)
            b = model_outputs(models[target], x)
            denom = np.maximum(np.abs(a), 1e-12)
            rel = float(np.max(np.abs(a - b) / denom)) if a.shape == b.shape else float("inf")
            row.update(ok=True, max_rel=rel, allclose=bool(a.shape == b.shape and
                                                           np.allclose(b, a, rtol=RTOL, atol=0)))
        except Exception as exc:  # noqa: BLE001
            row.update(ok=False, error=error_text(exc))
        out.append(row)
    return out


# ---- parent side ---------------------------------------------------------------------------

def _role(ev, name) -> dict | None:
    return ev.get("roles", {}).get(name)


def _subclass_broken(ev) -> str | None:
    """Why the subclassed model cannot be graded further, or None."""
    r = _role(ev, "subclassed")
    if not r:
        return None
    if r.get("call_ok") is False and "add new elements of state" in r.get("call_error", ""):
        return f"calling it raised {r['call_error']}"
    if r.get("call_ok") and r.get("weights_after_call") == 0:
        return ("after a forward pass it owns 0 weights" +
                ("" if r.get("repeat_equal", True) else ", and two calls on the same input "
                 "gave different outputs"))
    if r.get("call_ok") and r.get("repeat_equal") is False and r.get("made_in_call"):
        # some layers made in __init__ (it owns weights), others made anew in each call (a
        # helper returning layers.Dense(units)(x)), whose weights are new at every call
        made = r["made_in_call"]
        return (f"a forward pass calls {len(made)} layer(s) it does not own "
                f"({', '.join(dict.fromkeys(made))}), made anew in each call, and two calls on "
                f"the same input gave different outputs")
    return None


def check_sequential_built(ev) -> Finding:
    r = _role(ev, "sequential")
    if not r:
        return failed("sequential_built", "model_missing", role="Sequential",
                      names="make_sequential, seq_model")
    if not r["built_as_written"]:
        return failed("sequential_built", "sequential_not_built", expected="built",
                      got="not built", source=r["source"])
    return passed("sequential_built", got="built")


def _architecture_check(role: str):
    check_id = f"{role}_architecture"

    def check(ev) -> Finding:
        r = _role(ev, role)
        if not r:
            return failed(check_id, "model_missing", role=role, names=ROLE_NAMES[role])
        if role == "subclassed" and (why := _subclass_broken(ev)):
            return skipped(check_id, f"the subclassed model cannot be measured: {why}")
        if "model" not in r:
            return skipped(check_id, f"the {role} model could not be built: "
                                     f"{r.get('init_error') or r.get('call_error', '?')}")
        m = r["model"]
        chain = [(d["in"], d["units"]) for d in m["dense_chain"]]
        hidden_acts = [d["activation"] for d in m["dense_chain"][:-1]]
        expected = [(i, u) for i, u, _ in EXPECTED_CHAIN]
        if chain != expected or hidden_acts != ["relu", "relu"] or m["params"] != EXPECTED_PARAMS:
            # The report's picture marks each Dense layer that differs from the lesson's list.
            hidden = [(i, u, "relu") for i, u, _ in EXPECTED_CHAIN[:-1]] + [EXPECTED_CHAIN[-1][:2]]
            differs = [d["name"] for k, d in enumerate(m["dense_chain"])
                       if k >= len(hidden) or (d["in"], d["units"], d["activation"])[:len(hidden[k])]
                       != hidden[k]]
            return failed(check_id, "wrong_mlp_architecture", role=role, params=m["params"],
                          expected=describe_chain([{"in": 784, "units": u, "activation": a}
                                                   for _, u, a in EXPECTED_CHAIN]),
                          got=describe_chain(m["dense_chain"]), layers=differs)
        return passed(check_id, expected=EXPECTED_PARAMS, got=m["params"])
    return check


def check_softmax_heads(ev) -> Finding:
    heads = {}
    for role in ROLES:
        r = _role(ev, role)
        if r and "model" in r and r["model"]["dense_chain"] and not (role == "subclassed" and _subclass_broken(ev)):
            heads[role] = r["model"]["dense_chain"][-1]
    if not heads:
        return skipped("softmax_heads", "no model could be measured")
    wrong = {k: v for k, v in heads.items() if v["activation"] != "softmax"}
    if wrong:
        return failed("softmax_heads", "missing_softmax_head", expected="softmax",
                      got=", ".join(sorted({v["activation"] for v in wrong.values()})),
                      roles=", ".join(wrong), layers=[v["name"] for v in wrong.values()])
    return passed("softmax_heads", got="softmax")


def check_layers_in_init(ev) -> Finding:
    r = _role(ev, "subclassed")
    if not r:
        return failed("subclassed_layers_in_init", "model_missing", role="subclassed",
                      names=ROLE_NAMES["subclassed"])
    if why := _subclass_broken(ev):
        return failed("subclassed_layers_in_init", "layers_created_in_call",
                      expected="layers created once in __init__", got=why,
                      detail=f"a fresh {r['source']}(): {why}")
    if r.get("call_ok") is False:
        return failed("subclassed_layers_in_init", "subclass_call_failed",
                      detail=r.get("call_error", "?"))
    return passed("subclassed_layers_in_init", got=f"{r['weights_after_call']} weights tracked")


def check_weights_transfer(ev) -> Finding:
    rows = ev.get("transfers", [])
    if not rows:
        return skipped("weights_transfer", "fewer than two of the three models were found")
    bad = [t for t in rows if not t["ok"]]
    if not bad:
        return passed("weights_transfer", got=", ".join(f"{t['source']} → {t['target']}" for t in rows))
    t = bad[0]
    if t["target"] == "subclassed" and (why := _subclass_broken(ev)):
        return failed("weights_transfer", "layers_created_in_call",
                      detail=f"weights cannot be copied into it: {why}")
    # Builds of different architectures cannot exchange weights: name the architecture (an
    # extra layer), not the order the layers were created in.
    if arch := _architecture_mistake(ev, (t["source"], t["target"])):
        return failed("weights_transfer", arch.mistake, expected=arch.expected, got=arch.got,
                      **arch.facts)
    return failed("weights_transfer", "weights_not_transferable", source=t["source"],
                  target=t["target"], error=t.get("error", "?"), got=t.get("error"))


def _architecture_mistake(ev, roles: tuple[str, ...]) -> Finding | None:
    """The failed architecture check of the first of `roles` whose build differs from the
    lesson's, or None."""
    for role in roles:
        arch = _architecture_check(role)(ev)
        if arch.mistake:
            return arch
    return None


def check_outputs_equal(ev) -> Finding:
    rows = [t for t in ev.get("transfers", []) if t["ok"]]
    if not rows:
        return skipped("outputs_equal", "no weights could be copied between two builds")
    bad = [t for t in rows if not t["allclose"]]
    if not bad:
        # Say which builds were compared: a build whose weights could not be copied was not.
        pairs = ", ".join(f"{t['source']} → {t['target']}" for t in rows)
        return passed("outputs_equal", expected=f"rtol {RTOL:g}",
                      got=f"{pairs}: max relative difference {max(t['max_rel'] for t in rows):.2g}")
    t = bad[0]
    models = [r["model"] for r in ev.get("roles", {}).values() if "model" in r]
    from exercises._common import leaked_policy, policy_mistake
    if leak := leaked_policy(ev, models):
        return failed("outputs_equal", policy_mistake(leak), got=leak["global_policy"], **leak)
    # A different architecture already explains different outputs: name that, not a new one.
    if arch := _architecture_mistake(ev, (t["source"], t["target"])):
        return failed("outputs_equal", arch.mistake, expected=arch.expected, got=arch.got,
                      **arch.facts)
    heads = check_softmax_heads(ev)
    if heads.mistake:
        return failed("outputs_equal", heads.mistake, expected="softmax", got=heads.got,
                      **heads.facts)
    return failed("outputs_equal", "outputs_differ", source=t["source"], target=t["target"],
                  max_rel=t["max_rel"], rtol=RTOL, expected=f"rtol {RTOL:g}",
                  got=f"{t['max_rel']:.3g}")


def check_training_forwarded(ev) -> Finding:
    r = _role(ev, "subclassed")
    if not r:
        return skipped("training_forwarded", "no subclassed model was found")
    if why := _subclass_broken(ev):
        return skipped("training_forwarded", f"the subclassed model cannot be measured: {why}")
    t = r.get("training")
    if not t or not t.get("ok"):
        why = "; ".join(e for e in (r.get("init_error"), (t or {}).get("error")) if e)
        return skipped("training_forwarded", "a fresh instance of your class could not be run"
                       + (f" ({why})" if why else ""))
    used = [row for row in t["layers"] if row["fit_mode"]]
    if not used:
        return passed("training_forwarded", expected="training reaches Dropout/BatchNormalization",
                      got="call() uses no layer with a training mode")
    if not t["inference_repeatable"]:
        # Dropout switched on at inference: the outputs_equal check names that (outputs_differ).
        return skipped("training_forwarded", "your model gives different outputs on the same "
                       "input at inference, so its training mode cannot be told apart")
    off = [row for row in used if any(v is not True for v in row["fit_mode"])]
    how = "model(x, training=True)" if t["call_has_training"] else \
        "model(x): call() has no `training` parameter, so fit() passes none"
    if off:
        got = ", ".join(f"`{row['name']}` ({row['class']}) got training="
                        f"{', '.join(map(str, sorted(set(map(str, row['fit_mode'])))))}"
                        for row in off)
        detail = got + (" and the output equals the inference output"
                        if t["fit_mode_equals_inference"] else "")
        return failed("training_forwarded", "training_not_forwarded", expected="training=True",
                      got=got, cls=r.get("source", "MLP"), how=how, detail=detail,
                      layers=[row["name"] for row in off])
    return passed("training_forwarded", expected="training=True",
                  got=", ".join(f"`{row['name']}` got training=True" for row in used))


def check_config_round_trip(ev) -> Finding:
    r = _role(ev, "subclassed")
    if not r:
        return skipped("config_round_trip", "no subclassed model was found")
    if why := _subclass_broken(ev):
        return skipped("config_round_trip", f"the subclassed model cannot be measured: {why}")
    c = r.get("config")
    if not c:
        return skipped("config_round_trip", "a fresh instance of your class could not be run")
    if not c["ok"]:
        return failed("config_round_trip", "config_round_trip_failed", expected="the same model",
                      got=c.get("error"), stage=c.get("stage", "?"), detail=c.get("error", "?"))
    return passed("config_round_trip", expected="the same model",
                  got=f"from_config(get_config()) rebuilds {c['params']:,} params "
                      f"(config keys: {', '.join(c['keys'])})")


def _all_models(ev) -> list[dict]:
    return [r["model"] for r in ev.get("roles", {}).values() if "model" in r]


EXERCISE = Exercise(
    id="mlp_three_ways",
    title="One MLP three ways (Sequential, Functional, subclassed)",
    looks_for=("make_sequential", "seq_model", "fn_model", "MLP", "sub_model"),
    collect=collect,
    expected_diagram=EXPECTED_DIAGRAM,
    checks=(
        Check("sequential_built", "Sequential model built (keras.Input first)",
              check_sequential_built),
        Check("sequential_architecture", "Sequential: 784 → 256 relu → 64 relu → 10, 218,058 "
              "params", _architecture_check("sequential")),
        Check("functional_architecture", "Functional: 784 → 256 relu → 64 relu → 10, 218,058 "
              "params", _architecture_check("functional")),
        Check("subclassed_architecture", "Subclassed: 784 → 256 relu → 64 relu → 10, 218,058 "
              "params", _architecture_check("subclassed")),
        Check("softmax_heads", "Every head ends in softmax", check_softmax_heads),
        Check("subclassed_layers_in_init", "Subclassed layers created in __init__, not call()",
              check_layers_in_init, points=2),
        Check("weights_transfer", "Weights copy between the builds (get/set_weights)",
              check_weights_transfer, points=2),
        Check("outputs_equal", "Same weights give the same outputs (rtol 1e-6)",
              check_outputs_equal, points=2),
        Check("training_forwarded", "Subclassed call() lets `training` reach Dropout and "
              "BatchNormalization", check_training_forwarded),
        Check("dtype_policy", "float32 policy (no mixed precision left on)",
              dtype_policy_check(_all_models)),
        Check("config_round_trip", "Subclassed model survives get_config() / from_config()",
              check_config_round_trip, bonus=True),
    ),
    mistakes=MISTAKES,
)
