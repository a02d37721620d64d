"""The lesson's "Under the hood: weights" section: the three variable lists of fn_model, and
freezing / unfreezing its first Dense.

Expected (from the lesson):
    len(fn_model.weights)                → 6   3 kernels + 3 biases
    len(fn_model.trainable_weights)      → 6   what the optimizer updates
    len(fn_model.non_trainable_weights)  → 0
    fn_model.layers[1].trainable = False → 4   the first Dense's kernel and bias move over
    fn_model.layers[1].trainable = True  → 6   back again

Freezing and unfreezing again leaves no trace in the live model, so the submission's own code
(read back from linecache, see exercises._lesson_models) says whether the section was attempted
and which layer it froze; the grader then replays the lesson's experiment on that very layer of
the live model and puts every flag back as it found it. Only the live model decides whether a
layer was left frozen: a freeze line in a function never called freezes nothing.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from exercises._common import describe_chain
from exercises._lesson_models import code_ref, find_lines, frozen_parts
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

# fn_model: Dense 256, Dense 64, Dense 10, each a kernel and a bias.
DENSE_LAYERS = 3
EXPECTED_WEIGHTS = DENSE_LAYERS * 2                 # 3 kernels + 3 biases = 6
EXPECTED_TRAINABLE, EXPECTED_NON_TRAINABLE = 6, 0   # nothing frozen: all 6 are trainable
MOVED_BY_FREEZE = 2                                 # the first Dense: its kernel and its bias
AFTER_FREEZE = EXPECTED_TRAINABLE - MOVED_BY_FREEZE
assert (EXPECTED_WEIGHTS, AFTER_FREEZE) == (6, 4)

FREEZE = r"\.trainable\s*=\s*False\b"
UNFREEZE = r"\.trainable\s*=\s*True\b"
# `layer.trainable = flag` in a helper, `setattr(layer, "trainable", False)`: may freeze, and the
# grader cannot tell what (the value or the layer is only known when the line runs).
# The first is matched in code only: `print(f"enc1.trainable = {enc1.trainable}")` freezes
# nothing (it once made a siamese-only file fail this section for want of fn_model); the second
# needs its string.
MAYBE_FREEZE = r"\.trainable\s*=(?!=)(?!\s*(True|False)\b)"
MAYBE_SETATTR = r"\bsetattr\s*\(.*['\"]trainable['\"]\s*,(?!\s*True\b)"
# Lines that bind a name, to tell what a bare name in a freeze line (`layer.trainable = False`)
# stood for when that line ran: its value now may come from a later loop or assignment.
ASSIGNS = r"^\s*{name}\s*(?::[^=]+)?=(?!=)\s*(?P<value>.+)$"   # `first: Layer = …` too
# the iterable runs to the loop's own colon, not one inside brackets (`fn_model.layers[1:2]:`)
LOOPS = r"^\s*(?:async\s+)?for\s+(?P<targets>.+?)\s+in\s+(?P<value>(?:\[[^\]]*\]|\([^)]*\)|[^:\[(])+):"
# Reading fn_model's lists is attempting the section too; reading another model's
# (`siamese.non_trainable_weights` in the siamese task's own checks) is not.
# (`fn_model.weights` alone is not: a three-ways file compares weight shapes with it.)
READS = r"\bfn_model\.(trainable_weights|non_trainable_weights)\b"

MISTAKES = (
    Mistake("freeze_missing", "No layer was frozen",
            "The section freezes the first Dense of fn_model (`trainable = False`) to watch its "
            "kernel and bias move from trainable_weights to non_trainable_weights: 6 trainable "
            "become 4, and 0 non-trainable become 2. That list is exactly what an optimizer "
            "updates, which is what freezing layers for transfer learning relies on.",
            "Set `trainable` to False on the layer, print the three lengths again, then set it "
            "back to True.",
            "your code reads the weight lists but never sets `.trainable = False`"),
    Mistake("froze_wrong_layer", "The layer you froze is not the first Dense",
            "In a functional model, `layers[0]` is the InputLayer, which owns no variables: "
            "freezing it moves nothing and trainable_weights stays at 6. Freezing the whole "
            "model moves all 6. The first Dense (`layers[1]` of fn_model) owns a 784×256 kernel "
            "and a 256 bias: freezing it moves exactly those 2, leaving 6 − 2 = 4.",
            "Print `fn_model.layers` and count: which index is the first Dense?",
            "{target} {what}, at {where}"),
    Mistake("froze_one_variable", "One variable was frozen, not the layer",
            "`trainable` on a variable (`layer.kernel.trainable = False`) moves that variable "
            "alone: trainable_weights goes 6 → 5. The lesson freezes the layer, which moves its "
            "kernel and its bias together: 6 → 4, the way transfer learning freezes whole "
            "layers.",
            "Set `trainable` on the layer itself rather than on one of its weights.",
            "{target}: trainable {got}, at {where}"),
    Mistake("layer_left_frozen", "A layer is still frozen at the end",
            "`trainable = False` stays until you set it back. The lesson unfreezes the first "
            "Dense straight away (back to 6 trainable weights); left frozen, its 784×256 kernel "
            "and 256 bias are never updated by fit() or by an optimizer given "
            "model.trainable_weights, and the model trains only 16,448 + 650 of its 218,058 "
            "parameters.",
            "After printing the frozen count, set `trainable` back to True on the same layer and "
            "check that len(trainable_weights) is 6 again.",
            "{frozen} frozen in `{model}`: {trainable} trainable / {non_trainable} non-trainable "
            "weights where 6 / 0 were expected{code}"),
)


# ---- child side ----------------------------------------------------------------------------

def _resolve(expr: str, namespace: dict) -> Any:
    """The object `expr` names, for the shapes a freeze line takes (`fn_model.layers[1]`,
    `fn_model.get_layer("dense")`, `fn_model`, `enc1`), without running the student's code."""
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None

    def value(n) -> Any:
        if isinstance(n, ast.Name):
            return namespace.get(n.id)
        if isinstance(n, ast.Attribute) and n.attr == "layers":
            base = value(n.value)
            return list(base.layers) if base is not None and hasattr(base, "layers") else None
        if isinstance(n, ast.Attribute) and n.attr in ("kernel", "bias"):
            # `fn_model.layers[1].kernel.trainable = False`: one variable, not the layer
            import keras
            base = value(n.value)
            return getattr(base, n.attr, None) if isinstance(base, keras.layers.Layer) else None
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice):  # layers[1:2]
            base, bounds = value(n.value), (n.slice.lower, n.slice.upper, n.slice.step)
            lo, hi, step = (None if b is None else _int_literal(b) for b in bounds)
            written = [b is None or i is not None for b, i in zip(bounds, (lo, hi, step))]
            if not isinstance(base, list) or not all(written) or step == 0:
                return None
            return base[lo:hi:step]
        if isinstance(n, ast.Subscript):
            base, i = value(n.value), _int_literal(n.slice)
            if isinstance(base, list) and i is not None and -len(base) <= i < len(base):
                return base[i]
            return None
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr == "get_layer" and len(n.args) == 1 \
                and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str):
            base = value(n.func.value)
            try:
                return base.get_layer(n.args[0].value) if base is not None else None
            except (ValueError, AttributeError):
                return None
        return None

    return value(node)


def _int_literal(node) -> int | None:
    """The integer a literal index or slice bound is written as (`1`, `-1`), or None."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, int) else None


def _function_scopes(namespace: dict) -> list[tuple[str, int, int, set[str]]]:
    """(file, first line, last line, the names it binds: parameters, assignments, loop targets)
    of each function of the submission."""
    from exercises._lesson_models import parsed_chunks

    scopes = []
    for filename, tree in parsed_chunks(namespace):
        for f in ast.walk(tree):
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                a = f.args
                names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
                names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
                names |= {n.id for n in ast.walk(f) if isinstance(n, ast.Name)
                          and isinstance(n.ctx, ast.Store)}
                scopes.append((filename, f.lineno, f.end_lineno or f.lineno, names))
    return scopes


def _local_name(scopes: list[tuple[str, int, int, set[str]]], row: dict, name: str) -> bool:
    """Whether `name` on this line is a function's own (a parameter or a local of a function
    the line is in), not the file's top-level name."""
    return any(row.get("file") == file and first <= row["line"] <= last and name in names
               for file, first, last, names in scopes)


def _local_target(scopes: list[tuple[str, int, int, set[str]]], row: dict, expr: str) -> bool:
    """Whether the name `expr` starts from (`model` in `model.layers[1]`) is a function's own
    on this line (_local_name): a line the grader cannot follow."""
    root = re.match(r"[A-Za-z_]\w*", expr)
    return bool(root) and _local_name(scopes, row, root.group(0))


def _binding(namespace: dict, name: str, before: int) -> dict[str, Any] | None:
    """The last line before position `before` that binds `name` (`name = …` or `for name in …`):
    {"kind": "assign" | "loop", "value": the right-hand side or the iterable, "rebound": whether
    a later line binds it again}."""
    import re

    assign = re.compile(ASSIGNS.format(name=re.escape(name)))
    loop = re.compile(LOOPS)
    found = None
    for row in find_lines(namespace, rf"\b{re.escape(name)}\b"):
        if m := assign.match(row["code"]):
            kind = "assign"
        elif (m := loop.match(row["code"])) and name in re.findall(r"\w+", m["targets"]):
            kind = "loop"
        else:
            continue
        if row["order"] > before:
            if found:
                found["rebound"] = True
            break
        found = {"kind": kind, "value": m["value"].strip(), "rebound": False}
    return found


def _target(namespace: dict, expr: str, order: int) -> tuple[Any, list[str] | None]:
    """What a freeze line's expression froze, and the names of the models it may belong to
    (None: any). A bare name is read as it was bound before the line: the value of `first` in
    `first = fn_model.layers[1]`, and for a loop variable (`for layer in fn_model.layers[1:2]`)
    its value now only if no later line rebinds it and it is a layer of the model looped over;
    otherwise None (unknown)."""
    import re

    import keras

    target = _resolve(expr, namespace)
    if not re.fullmatch(r"[A-Za-z_]\w*", expr) or isinstance(target, keras.Model):
        return target, None
    bound = _binding(namespace, expr, order)
    if bound is None:
        return target, None
    models = [n for n in re.findall(r"[A-Za-z_]\w*", bound["value"])
              if isinstance(namespace.get(n), keras.Model)]
    if bound["kind"] == "assign" and (value := _resolve(bound["value"], namespace)) is not None:
        return value, models or None
    if bound["kind"] == "loop":
        # Its value now is the last one the loop reached, which is the layer frozen only when
        # the loop runs over that one layer (`for layer in fn_model.layers[1:2]`): a loop over
        # all the layers that freezes the one matching a condition ends on the head.
        looped = _resolve(bound["value"], namespace)
        if isinstance(looped, list) and len(looped) == 1 and not bound["rebound"]:
            return looped[0], models or None
        return None, None
    if bound["rebound"]:
        return None, None   # its value now may not be the one the line froze
    return target, models or None


def _maybe_elsewhere(namespace: dict, scopes, row: dict) -> bool:
    """A line that may freeze (`x.trainable = flag`) whose targets (`enc1.trainable =
    enc2.trainable = flag`) are each a layer of another section's model, or a name local to a
    function (a siamese builder's own `enc1`): in a file with no fn_model, no attempt at this
    section."""
    import keras
    parts = [p.strip() for p in row["code"].split("=")[:-1]]
    if not parts or not all(p.endswith(".trainable") for p in parts):
        return False
    for part in parts:
        expr = part[: -len(".trainable")].strip()
        if _local_target(scopes, row, expr):
            continue
        layer, only = _target(namespace, expr, row["order"])
        if not isinstance(layer, keras.layers.Layer):
            return False
        _, owner = _owner(namespace, expr, layer, only)
        if owner is None or not _of_another_section(namespace, owner):
            return False
    return True


def _of_another_section(namespace: dict, model) -> bool:
    """`model` is bound to a name the lesson gives another section's model, or is part of one
    (the siamese model's shared `encoder`)."""
    import keras

    from exercises._lesson_models import LESSON_MODEL_NAMES
    if isinstance(model, keras.Model) and _several_ends(model):
        return True  # the two-headed model or the siamese, under a name of the student's own
    return any(isinstance(other, keras.Model)
               and any(l is model for l in other._flatten_layers(include_self=True,
                                                                 recursive=True))
               for section, names in LESSON_MODEL_NAMES.items() if section != "mlp_three_ways"
               for other in (namespace.get(name) for name in names))


def _several_ends(model) -> bool:
    """Several inputs or several outputs: no MLP of the lesson's."""
    try:
        return len(model.inputs) > 1 or len(model.outputs) > 1
    except (AttributeError, ValueError):  # a subclassed model has no symbolic ends
        return False


def _owner(namespace: dict, expr: str, layer,
           only: list[str] | None = None) -> tuple[str | None, Any]:
    """The top-level model the frozen object belongs to: the name the expression starts from,
    else fn_model, else any top-level model that contains it (only the models named `only`,
    when given)."""
    import keras

    from exercises._lesson_models import top_level_models

    def owns(model) -> bool:
        return isinstance(model, keras.Model) and (model is layer or any(
            l is layer for l in model._flatten_layers(include_self=False, recursive=True)))

    root = expr.split(".", 1)[0].split("[", 1)[0]
    if only is not None:
        return next(((n, namespace.get(n)) for n in only if owns(namespace.get(n))),
                    (None, None))
    # the likely owners first; all models are listed only when neither holds the layer
    for name in (root, "fn_model"):
        if owns(namespace.get(name)):
            return name, namespace[name]
    return next(((n, m) for n, m in top_level_models(namespace) if owns(m)), (None, None))


def _describe(layer, model) -> dict[str, Any]:
    row = {"name": layer.name, "class": type(layer).__name__, "whole_model": layer is model,
           "units": getattr(layer, "units", None)}
    if layer is not model:
        row["index"] = next((i for i, l in enumerate(model.layers) if l is layer), None)
    return row


def _counts(model) -> list[int]:
    return [len({id(v) for v in model.weights}), len({id(v) for v in model.trainable_weights}),
            len({id(v) for v in model.non_trainable_weights})]


def _replay(model, target) -> dict[str, Any]:
    """The lesson's experiment on the student's model, from a state with nothing frozen; every
    `trainable` flag (layers and variables) is put back afterwards."""
    layers = list(model._flatten_layers(include_self=True, recursive=True))  # parents first
    flags = [(l, l.trainable) for l in layers]
    variables = [(v, v.trainable) for v in model.weights]
    try:
        # Setting `trainable` on a functional model does not reach its layers (Keras 3.15):
        # unfreeze each one.
        for layer, _ in flags:
            layer.trainable = True
        unfrozen = _counts(model)
        target.trainable = False
        after_freeze = _counts(model)[1]
        target.trainable = True
        after_unfreeze = _counts(model)[1]
    finally:
        for layer, flag in flags:
            layer.trainable = flag
        for v, flag in variables:
            v.trainable = flag
    return {"unfrozen": unfrozen, "after_freeze": after_freeze, "after_unfreeze": after_unfreeze,
            "moved": unfrozen[1] - after_freeze}


def _first_dense(model):
    """The first Dense the data goes through, nested sub-models included (Keras'
    _flatten_layers walks nested layers in reverse)."""
    import keras
    from grader.introspect import _all_layers
    return next((l for l in _all_layers(model) if isinstance(l, keras.layers.Dense)), None)


def collect(namespace: dict, probe) -> dict[str, Any]:
    import keras

    freezes = find_lines(namespace, FREEZE, code_only=True)
    maybe = sorted(find_lines(namespace, MAYBE_FREEZE, code_only=True) +
                   find_lines(namespace, MAYBE_SETATTR), key=lambda r: r["order"])
    unfreezes = find_lines(namespace, UNFREEZE, code_only=True)
    reads = find_lines(namespace, READS, code_only=True)
    if not (freezes or maybe or unfreezes or reads):
        return {"attempted": False}
    ev: dict[str, Any] = {"attempted": True, "notes": [], "freeze_lines": [],
                          "unfreeze_lines": unfreezes, "reads": reads[:3]}
    var, model = None, None
    scopes = _function_scopes(namespace)
    for row in freezes:
        expr = row["code"].split(".trainable", 1)[0].strip()
        if _local_target(scopes, row, expr):
            # `model.layers[1].trainable = False` in def freeze_first_dense(model): the name is
            # the helper's own, whatever the file's `model` is; a line the grader cannot follow
            ev["freeze_lines"].append(dict(row, target=expr))
            continue
        target, only = _target(namespace, expr, row["order"])
        entry = dict(row, target=expr)
        layer = target
        if isinstance(target, keras.Variable):  # a kernel or bias frozen on its own
            layer = _resolve(expr.rsplit(".", 1)[0], namespace)
        if isinstance(layer, keras.layers.Layer):
            name, owner = _owner(namespace, expr, layer, only)
            if owner is not None:
                resolved = dict(_describe(layer, owner), first_dense=layer is _first_dense(owner))
                if layer is not target:
                    resolved["variable"] = expr.rsplit(".", 1)[1]
                entry.update(model=name, resolved=resolved, replay=_replay(owner, target))
                # the first model a freeze line touches; the lesson's fn_model over any other
                # (a freeze demo on the two-headed model earlier in the file)
                if model is None or name == "fn_model" and var != "fn_model":
                    var, model = name, owner
        ev["freeze_lines"].append(entry)
    # Not followed (no replay): they count as an attempt the grader cannot check.
    ev["freeze_lines"] += [dict(row, target=row["code"].split(".trainable", 1)[0].strip())
                           for row in maybe]
    if model is None and not freezes and not unfreezes and not reads and maybe \
            and not isinstance(namespace.get("fn_model"), keras.Model) \
            and all(_maybe_elsewhere(namespace, scopes, row) for row in maybe):
        # `enc1.trainable = enc2.trainable = train_encoder` in a siamese-only file: a choice
        # the siamese task's own checks judge, not an attempt at this section
        return {"attempted": False}
    if model is None and isinstance(namespace.get("fn_model"), keras.Model):
        var, model = "fn_model", namespace["fn_model"]
    if model is not None and var != "fn_model" and not reads \
            and not isinstance(namespace.get("fn_model"), keras.Model) \
            and _of_another_section(namespace, model):
        # `enc1.trainable = False` (or `encoder.trainable = False`, the encoder inside the
        # siamese model) in a file with no fn_model: a choice the siamese task's own checks
        # judge, not an attempt at this section
        return {"attempted": False}
    if model is None:
        ev["model"] = None
        return ev
    ev["graded_object"] = var
    first = _first_dense(model)
    from grader.introspect import dense_chain, param_count
    ev["model"] = {"var": var, "name": model.name, "as_left": _counts(model),
                   "params": param_count(model), "dense_chain": dense_chain(model),
                   "first_dense": _describe(first, model) if first is not None else None}
    # The lesson's numbers, replayed on the first Dense: shown when no freeze line resolved.
    if first is not None:
        ev["lesson_replay"] = _replay(model, first)
    # Everything left frozen, in the graded model and in any model a freeze line touched.
    owners = {var: model}
    owners.update({e["model"]: namespace.get(e["model"]) for e in ev["freeze_lines"]
                   if e.get("model")})
    ev["left_frozen"] = {name: frozen_parts(m) for name, m in owners.items()
                         if isinstance(m, keras.Model) and frozen_parts(m)}
    ev["as_left"] = {name: _counts(m) for name, m in owners.items() if isinstance(m, keras.Model)}
    return ev


# ---- parent side ---------------------------------------------------------------------------

def _model(ev) -> dict | None:
    return ev.get("model")


def _target_text(resolved: dict | None, expr: str) -> str:
    if not resolved:
        return f"`{expr}`"
    if resolved.get("whole_model"):
        return f"`{expr}` (the whole model)"
    kind = resolved["class"] + (f" {resolved['units']}" if resolved.get("units") else "")
    if resolved.get("variable"):
        return f"`{expr}` (only the {resolved['variable']} of {resolved['name']}, a {kind})"
    return f"`{expr}` ({kind})"


def check_weight_counts(ev) -> Finding:
    m = _model(ev)
    if not m:
        return failed("weight_counts", "model_not_found",
                      found="no `fn_model` (and no model your `.trainable` lines point at)")
    replay = ev.get("lesson_replay") or next(
        (e["replay"] for e in ev.get("freeze_lines", []) if e.get("replay")), None)
    counts = replay["unfrozen"] if replay else m["as_left"]
    expected = [EXPECTED_WEIGHTS, EXPECTED_TRAINABLE, EXPECTED_NON_TRAINABLE]
    shown = " / ".join(map(str, counts))
    if counts != expected:
        # The lists follow the architecture: 6 only for the lesson's three Dense layers.
        return failed("weight_counts", "wrong_mlp_architecture", role="functional",
                      params=m["params"], expected="784 → 256 relu → 64 relu → 10 softmax",
                      got=describe_chain(m["dense_chain"]) + f"; weights {shown}",
                      layers=[d["name"] for d in m["dense_chain"]])
    return passed("weight_counts", expected="6 / 6 / 0", got=f"{shown} (weights / trainable / "
                  "non-trainable, with nothing frozen)")


def check_freeze(ev) -> Finding:
    m = _model(ev)
    if not m:
        return skipped("freeze_first_dense", "no model was found")
    lines = ev.get("freeze_lines", [])
    if not lines:
        return failed("freeze_first_dense", "freeze_missing", expected="6 → 4 trainable",
                      got="nothing frozen")
    resolved = [e for e in lines if e.get("replay")]
    # The lesson freezes the first Dense; freezing the head Dense(10) moves 2 variables too,
    # but it is another experiment than the one asked for.
    good = [e for e in resolved if e["replay"]["moved"] == MOVED_BY_FREEZE
            and e["resolved"].get("first_dense", True)]
    if good:
        e = good[0]
        r = e["replay"]
        return passed("freeze_first_dense", expected="6 → 4 → 6",
                      got=f"{_target_text(e.get('resolved'), e['target'])}: trainable "
                          f"{r['unfrozen'][1]} → {r['after_freeze']} → {r['after_unfreeze']}")
    if resolved:
        e = resolved[0]
        r = e["replay"]
        if e["resolved"].get("variable"):
            return failed("freeze_first_dense", "froze_one_variable", expected="6 → 4",
                          got=f"{r['unfrozen'][1]} → {r['after_freeze']}",
                          target=_target_text(e["resolved"], e["target"]), where=code_ref([e]),
                          layers=[e["resolved"]["name"]])
        if r["moved"] == MOVED_BY_FREEZE:
            first = (m.get("first_dense") or {}) if e.get("model") == m["var"] else {}
            named = f" (`{first['name']}`)" if first.get("name") else ""
            what = (f"is not the first Dense{named}: it owns 2 variables as well, so trainable "
                    f"goes {r['unfrozen'][1]} → {r['after_freeze']}, but the lesson's "
                    f"experiment freezes the first Dense")
        else:
            what = (f"moves {r['moved']} variable(s) where 2 were expected (trainable "
                    f"{r['unfrozen'][1]} → {r['after_freeze']}, not 6 → 4)")
        return failed("freeze_first_dense", "froze_wrong_layer", expected="6 → 4",
                      got=f"{r['unfrozen'][1]} → {r['after_freeze']}",
                      target=_target_text(e.get("resolved"), e["target"]), moved=r["moved"],
                      what=what, where=code_ref([e]),
                      layers=[e["resolved"]["name"]] if e.get("resolved") else [])
    # Only shapes of code the grader cannot follow (a loop variable, a helper): not a mistake.
    return passed("freeze_first_dense", expected="6 → 4 → 6",
                  got=f"{code_ref(lines)} (the grader could not tell which layer this freezes)")


def check_unfrozen(ev) -> Finding:
    m = _model(ev)
    if not m:
        return skipped("unfreeze_restores", "no model was found")
    # The lesson's model only: another model frozen on purpose (a pretrained backbone kept
    # fixed, the idea the lesson points at for Day 8) is another experiment, and could never
    # show fn_model's numbers anyway.
    left = {k: v for k, v in (ev.get("left_frozen") or {}).items() if k == m["var"]}
    if not left:
        counts = (ev.get("as_left") or {}).get(m["var"], m["as_left"])
        return passed("unfreeze_restores", expected="6 trainable",
                      got=f"{counts[1]} trainable, nothing left frozen")
    name, parts = next(iter(left.items()))
    counts = (ev.get("as_left") or {}).get(name, m["as_left"])
    frozen = ", ".join(
        "the whole model" if p.get("whole_model") else
        f"`{p['layer']}` ({p['class']}" + (f" {p['units']}" if p.get("units") else "") +
        (f", layers[{p['index']}]" if p.get("index") is not None else "") + ")"
        for p in parts)
    lines = [e for e in ev.get("freeze_lines", []) if e.get("model") == name] or \
        ev.get("freeze_lines", [])
    code = f", frozen at {code_ref(lines)}" if lines else ""
    return failed("unfreeze_restores", "layer_left_frozen", expected="6 / 0",
                  got=f"{counts[1]} / {counts[2]}", frozen=frozen, model=name,
                  trainable=counts[1], non_trainable=counts[2], code=code,
                  layers=[p["layer"] for p in parts])


EXERCISE = Exercise(
    id="weights_and_trainable",
    title="Weights, trainable_weights and freezing a layer",
    looks_for=("fn_model",),
    collect=collect,
    checks=(
        Check("weight_counts", "fn_model: 6 weights = 6 trainable + 0 non-trainable",
              check_weight_counts),
        Check("freeze_first_dense", "Freezing the first Dense moves its kernel and bias: "
              "6 → 4 trainable", check_freeze, points=2),
        Check("unfreeze_restores", "Unfrozen again: back to 6 trainable weights",
              check_unfrozen),
    ),
    mistakes=MISTAKES,
)
