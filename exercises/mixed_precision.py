"""The lesson's dtype-policy example: `mp_model` under mixed_float16.

Expected (from the lesson):
    keras.mixed_precision.set_global_policy("mixed_float16")
    mp_model = keras.Sequential([Input(784), Dense(256, relu), Dense(64, relu),
                                 Dense(10, softmax, dtype="float32")], name="mlp_mixed")
    keras.mixed_precision.set_global_policy("float32")   # reset

so the hidden layers store float32 variables and compute in float16, the softmax head computes
in float32, and the global policy is float32 again at the end. grader.child records the global
policy after the submission ran and resets it before the grader builds anything, so a leaked
policy is a fact in the evidence (`global_policy`), and the models the student built while it
was on carry it in their layers' policies.

Graded only when the student built `mp_model` (or a look-alike under no other section's name
that has mixed layers): a file that only switches mixed precision on elsewhere is the siamese or
MLP exercise's `leaked_mixed_precision`, not this section.
"""
from __future__ import annotations

import re
from typing import Any

from exercises._common import LEAKED_MIXED_PRECISION, find_model, layer_activation
from exercises._lesson_models import claimed_elsewhere, error_text, find_lines, top_level_models
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

INPUT_DIM = 784
VARIABLE_DTYPE = "float32"          # storage: precise optimizer updates
COMPUTE_DTYPES = ("float16", "bfloat16")  # mixed_float16 (GPU Tensor Cores), mixed_bfloat16 (TPU/CPU)
HEAD_DTYPE = "float32"              # softmax near 0 and 1, where float16 is grainy
# float16 tops out at 65,504 (≈ 6.5 × 10^4) and its step just below 1.0 is 2^-11 ≈ 0.00049:
# a probability of 0.9997 rounds to 0.9995 or 1.0, and log(1.0) = 0 hides the loss.
FLOAT16_MAX = (2 - 2 ** -10) * 2 ** 15
assert FLOAT16_MAX == 65_504

# keras.mixed_precision.set_global_policy, or Keras 3's keras.config.set_dtype_policy; the
# policy as a string or as Policy("mixed_float16")
POLICY_LINE = r"\b(set_global_policy|set_dtype_policy)\s*\("
MIXED_LINE = r"\b(set_global_policy|set_dtype_policy)\s*\(.*['\"]mixed_"

MISTAKES = (
    Mistake("head_left_float16", "The softmax head computes in float16",
            "Under mixed_float16 every layer computes in float16 unless told otherwise. float16 "
            "tops out around 6.5 × 10^4 and is grainy near 0 and 1 (its step just below 1.0 "
            "is about 0.0005), exactly where softmax probabilities and their logs live. The "
            "lesson keeps the last layer in float32.",
            "Give the head layer its own dtype, overriding the global policy.",
            "`{head}` has policy {policy} (computes in {compute}); the model returns {out_dtype}"),
    Mistake("policy_set_after_model", "The mixed policy was set after the model was built",
            "set_global_policy() changes the layers created after it, never the ones that "
            "already exist. mp_model was built first, so all its layers are plain float32: "
            "storage and math both float32, no speed-up, nothing mixed.",
            "Look at the order of your lines: the policy has to be in force when the layers "
            "are created.",
            "`{model}` built at {model_line}, mixed policy set at {policy_line}: its layers are "
            "{policies}"),
    Mistake("mixed_policy_missing", "The hidden layers are not mixed precision",
            "mixed_float16 stores each layer's variables in float32 (variable_dtype) and computes "
            "in float16 (compute_dtype). The hidden Dense(256) and Dense(64) of mp_model should "
            "show exactly that; plain float32 has no float16 math, and a pure float16 policy "
            "stores the weights in float16 too, where small optimizer updates are lost.",
            "Print each layer's dtype_policy, variable_dtype and compute_dtype, as the lesson "
            "does for the first layer.",
            "hidden layers: {hidden}"),
    LEAKED_MIXED_PRECISION,
)


# ---- child side ----------------------------------------------------------------------------

def _mixed(model) -> bool:
    from grader.introspect import _all_layers
    return any(getattr(getattr(l, "dtype_policy", None), "name", "").startswith("mixed_")
               for l in _all_layers(model))


def _layer_row(layer) -> dict[str, Any]:
    from grader.introspect import activation_name
    return {"name": layer.name, "class": type(layer).__name__,
            "units": getattr(layer, "units", None), "activation": activation_name(layer),
            "policy": layer.dtype_policy.name, "compute": str(layer.compute_dtype),
            "variable": str(layer.variable_dtype),
            "stored": sorted({str(v.dtype) for v in layer.weights})}


def _final_layer(model):
    """The layer producing the model's (first) output: a Sequential's last layer, the operation
    behind a functional model's output."""
    import keras
    if isinstance(model, keras.Sequential):
        return model.layers[-1] if model.layers else None
    try:
        return model.outputs[0]._keras_history.operation
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


def collect(namespace: dict, probe) -> dict[str, Any]:
    import keras
    import numpy as np
    from grader.introspect import _all_layers, dense_chain, describe_model

    model, var, note = find_model(
        namespace, ("mp_model",),
        lambda m: not claimed_elsewhere(namespace, m, "mixed_precision") and _mixed(m),
        "mixed-precision model")
    if model is None:
        return {"attempted": False}
    ev: dict[str, Any] = {"attempted": True, "graded_object": var,
                          "notes": [note] if note else []}
    if not model.built:
        model(probe.batch(2, INPUT_DIM))
    desc = describe_model(model, var, graph=False)
    ev["summaries"] = {var: desc.pop("summary")}
    dense = [l for l in _all_layers(model) if isinstance(l, keras.layers.Dense)]
    # In data-flow order, as the checks read it (hidden layers first, the head last): a
    # subclassed model may create its float32 head first in __init__, which is the order Keras
    # tracks its layers in.
    flow = {row["name"]: i for i, row in enumerate(dense_chain(model))}
    dense.sort(key=lambda l: flow.get(l.name, len(flow)))
    ev["model"] = {"var": var, "name": model.name, "kind": desc["kind"],
                   "params": desc["params"], "policies": desc["policies"],
                   "dense": [_layer_row(l) for l in dense]}
    final = _final_layer(model)
    if final is not None and getattr(final, "dtype_policy", None) is not None:
        ev["model"]["final"] = _layer_row(final)
    try:
        out = model(probe.batch(4, INPUT_DIM), training=False)
        out = out[0] if isinstance(out, (list, tuple)) else out
        ev["forward"] = {"ok": True, "dtype": keras.backend.standardize_dtype(out.dtype),
                         "shape": list(np.asarray(out).shape)}
    except Exception as exc:  # noqa: BLE001
        ev["forward"] = {"ok": False, "error": error_text(exc)}
    # Where the code builds the model and sets the policy, in the order it ran.
    name = var[:-2] if var.endswith("()") else var
    ev["model_lines"] = find_lines(namespace, rf"^\s*{re.escape(name)}\s*=")
    ev["policy_lines"] = find_lines(namespace, POLICY_LINE)
    ev["mixed_lines"] = find_lines(namespace, MIXED_LINE)
    # The student's other models, with the policies their layers were created under.
    ev["other_models"] = [{"var": name, "name": m.name,
                           "policies": sorted({l.dtype_policy.name for l in _all_layers(m)})}
                          for name, m in top_level_models(namespace, decides=False)
                          if m is not model]
    return ev


# ---- parent side ---------------------------------------------------------------------------

def _dense(ev) -> list[dict]:
    return ev["model"]["dense"]


def _is_mixed(row: dict) -> bool:
    return row["variable"] == VARIABLE_DTYPE and row["compute"] in COMPUTE_DTYPES


def _shown(rows: list[dict]) -> str:
    return ", ".join(f"`{r['name']}` ({r['policy']}: variables {r['variable']}, compute "
                     f"{r['compute']})" for r in rows)


def check_hidden_mixed(ev) -> Finding:
    rows = _dense(ev)
    if len(rows) < 2:
        return skipped("hidden_layers_mixed", "the model has no hidden Dense layer")
    hidden = rows[:-1]
    expected = "variables float32, compute float16"
    if all(_is_mixed(r) for r in hidden):
        return passed("hidden_layers_mixed", expected=expected + " (or bfloat16)",
                      got=_shown(hidden))
    plain = all(r["policy"] == "float32" for r in rows)
    model_line = (ev.get("model_lines") or [None])[0]
    later = [p for p in ev.get("mixed_lines", [])
             if model_line is not None and p["order"] > model_line["order"]]
    if plain and later and not [p for p in ev.get("mixed_lines", []) if p not in later]:
        return failed("hidden_layers_mixed", "policy_set_after_model", expected=expected,
                      got="float32", model=ev["model"]["var"],
                      model_line=f"{model_line['where']}", policy_line=f"{later[0]['where']} "
                      f"(`{later[0]['code']}`)", policies="float32 only",
                      layers=[r["name"] for r in hidden])
    return failed("hidden_layers_mixed", "mixed_policy_missing", expected=expected,
                  got=", ".join(sorted({r["policy"] for r in hidden})), hidden=_shown(hidden),
                  layers=[r["name"] for r in hidden if not _is_mixed(r)])


def check_head_float32(ev) -> Finding:
    rows = _dense(ev)
    if not rows:
        return skipped("head_float32", "the model has no Dense layer")
    head = rows[-1]
    out = ev.get("forward", {})
    out_dtype = out.get("dtype", "?") if out.get("ok") else "nothing (the forward pass failed)"
    # Where the softmax is computed is what counts (the part that is grainy in float16): the
    # head Dense's own activation, or a softmax layer after it. The TensorFlow mixed-precision
    # guide's spelling is a linear Dense computing the logits in float16 and the model ending
    # in its own softmax layer in float32; Dense(10, dtype="float32") followed by a softmax
    # layer left in float16 is the same mistake as a float16 head.
    final = ev["model"].get("final") or {}
    if final.get("name") != head["name"] and layer_activation(final) == "softmax":
        if final.get("compute") == HEAD_DTYPE:
            return passed("head_float32", expected=HEAD_DTYPE,
                          got=f"`{head['name']}` computes the logits in {head['compute']}, "
                              f"`{final['name']}` the softmax in {final['compute']}; "
                              f"output {out_dtype}")
        return failed("head_float32", "head_left_float16", expected=HEAD_DTYPE,
                      got=final.get("compute"), head=final["name"], policy=final.get("policy"),
                      compute=final.get("compute"), out_dtype=out_dtype, layers=[final["name"]])
    if head["compute"] == HEAD_DTYPE:
        return passed("head_float32", expected=HEAD_DTYPE,
                      got=f"`{head['name']}` computes in {head['compute']}; output {out_dtype}")
    return failed("head_float32", "head_left_float16", expected=HEAD_DTYPE, got=head["compute"],
                  head=head["name"], policy=head["policy"], compute=head["compute"],
                  out_dtype=out_dtype, layers=[head["name"]])


def check_policy_reset(ev) -> Finding:
    policy = ev.get("global_policy", "float32")
    if policy == "float32":
        return passed("policy_reset", expected="float32", got="float32")
    others = [m for m in ev.get("other_models", []) if set(m["policies"]) - {"float32"}]
    affected = ", ".join(f"`{m['var']}` ({', '.join(m['policies'])})" for m in others) or \
        "none of yours yet, but every model built after your code (the grader's too) would be"
    return failed("policy_reset", "leaked_mixed_precision", expected="float32", got=policy,
                  global_policy=policy, affected=affected,
                  policies=", ".join(sorted({p for m in others for p in m["policies"]})))


EXERCISE = Exercise(
    id="mixed_precision",
    title="Dtype policy: mixed precision with a float32 head",
    looks_for=("mp_model",),
    collect=collect,
    checks=(
        # mixed_bfloat16 (float32 variables, bfloat16 math) is the same technique for CPUs and
        # TPUs, and passes too: the title names both
        Check("hidden_layers_mixed", "Hidden layers store float32 and compute in float16 "
              "(or bfloat16)",
              check_hidden_mixed, points=2),
        Check("head_float32", "The softmax head computes in float32", check_head_float32,
              points=2),
        Check("policy_reset", "Global policy reset to float32 afterwards", check_policy_reset),
    ),
    mistakes=MISTAKES,
)
