"""The lesson's Sequential surgery ("Way 1"): a Sequential behaves like a Python list.

Expected (from the lesson):

    seq_model.pop()                                        # remove the softmax head
    seq_model.add(layers.Dense(10, activation="softmax"))  # put a fresh one back
    print(len(seq_model.layers))                           # 3

so `seq_model` ends as Dense(256, relu) → Dense(64, relu) → Dense(10, softmax): 3 layers,
218,058 parameters, output (None, 10).

*Attempted?* A model freshly built by make_sequential() and a model after a correct surgery are
the same architecture, so the live object cannot say whether the section was done. The
submission's code says it: a `.pop()` (or `.layers.pop()`) on a name bound to a Sequential, or
an `.add()` on `seq_model` once it already holds more layers than `.add()` calls built it
(adding a head to a finished model rather than building it layer by layer).
"""
from __future__ import annotations

import re
from typing import Any

from exercises._common import layer_activation
from exercises._lesson_models import code_ref, find_lines, instance_named
from grader.exercise import Check, Exercise
from grader.findings import Finding, failed, passed, skipped
from grader.mistakes import Mistake

LESSON_NAME = "seq_model"
INPUT_DIM = 784
HIDDEN = [(256, "relu"), (64, "relu")]   # the body the surgery must leave alone
HEAD = (10, "softmax")                   # the fresh head put back
EXPECTED_LAYERS = 3                      # len(seq_model.layers) after pop() then add()
# 784×256 + 256 = 200,960;  256×64 + 64 = 16,448;  64×10 + 10 = 650;  total 218,058
EXPECTED_PARAMS = (784 * 256 + 256) + (256 * 64 + 64) + (64 * 10 + 10)
assert EXPECTED_PARAMS == 218_058
# pop() without add(): the head's 650 are gone, the output is the 64-wide hidden layer.
POP_ONLY_PARAMS = EXPECTED_PARAMS - 650
assert POP_ONLY_PARAMS == 217_408
# add() without pop(): a second Dense(10) reads the first head's 10 probabilities, 10×10 + 10.
ADD_ONLY_PARAMS = EXPECTED_PARAMS + 10 * 10 + 10
assert ADD_ONLY_PARAMS == 218_168
# pop() twice, add() once: the head reads the 256-wide layer, 256×10 + 10 = 2,570.
POPPED_TWICE_PARAMS = (784 * 256 + 256) + (256 * 10 + 10)
assert POPPED_TWICE_PARAMS == 203_530

# `name.pop(`, `name.layers.pop(`, `name.add(`: the name is checked against the live namespace.
POP = r"\b([A-Za-z_]\w*)\s*\.\s*pop\s*\("
LAYERS_POP = r"\b([A-Za-z_]\w*)\s*\.\s*layers\s*\.\s*pop\s*\("
ADD = r"\b([A-Za-z_]\w*)\s*\.\s*add\s*\("

MISTAKES = (
    Mistake("surgery_pop_without_add", "The head was removed but no new head was added",
            "pop() removes the last layer, the Dense(10, softmax) head (64×10 + 10 = 650 "
            "parameters). Without the add() that follows it, the model ends at the Dense(64) "
            "hidden layer: 2 layers, 218,058 − 650 = 217,408 parameters, and an output of shape "
            "(None, 64) that is not a class prediction.",
            "The lesson's surgery has two steps; check that both ran on the same model.",
            "`{model}` has {n_layers} layers ({listing}), {params:,} params, output {output}"),
    Mistake("surgery_add_without_pop", "A head was added on top of the old head",
            "add() appends; it does not replace. Without pop() first, the fresh Dense(10) reads "
            "the old head's 10 probabilities: 4 layers, 218,058 + 10×10 + 10 = 218,168 "
            "parameters. The output is still (None, 10), so only the layer count shows it.",
            "Which call takes the old head off before the new one goes on?",
            "`{model}` has {n_layers} layers ({listing}), {params:,} params"),
    Mistake("surgery_layers_list_pop", "`.layers.pop()` did not remove anything from the model",
            "`model.layers` returns a new Python list each time you read it: popping from that "
            "list changes the list, not the model (older Keras answers online still show this "
            "trick). The model kept its head, so the add() that follows stacks a second head: "
            "4 layers, 218,058 + 110 = 218,168 parameters.",
            "Call pop() on the Sequential model itself, the way you call add() on it.",
            "{code}; `{model}` has {n_layers} layers ({listing})"),
    Mistake("surgery_popped_too_many", "More layers were popped than the head",
            "Only the softmax head is replaced: one pop(), one add(). Each extra pop() removes a "
            "hidden layer too, e.g. popping twice drops Dense(64) and the new head reads the "
            "256-wide layer: 2 layers, 200,960 + 256×10 + 10 = 203,530 parameters.",
            "Count the pop() calls that run on the model (a notebook cell run twice counts "
            "twice) and compare with len(seq_model.layers).",
            "`{model}` has {n_layers} layers ({listing}), {params:,} params"),
    Mistake("surgery_steps_reversed", "add() ran before pop()",
            "The surgery is pop() then add(): the old head comes off, a fresh one goes on. The "
            "other way round, add() stacks the new head on the old one and pop() takes the new "
            "one off again: the model ends with 3 layers and 218,058 parameters as if nothing "
            "had happened, its original head still in place.",
            "Look at the order of your pop() and add() lines.",
            "the last call on `{model}` is {code}: the head left is the one it was built with"),
    Mistake("surgery_head_not_fresh", "The popped head was put back",
            "pop() returns the layer it removes. Adding that same layer back restores the old "
            "head with its old weights: nothing was replaced. The lesson adds a new "
            "Dense(10, softmax) layer.",
            "What does your add() receive: a new layer, or the one pop() gave you?",
            "{code}: the layer pop() removed is the layer add() puts back"),
    Mistake("surgery_body_changed", "The hidden layers did not survive the surgery",
            "The surgery only swaps the head: Dense(256, relu) → Dense(64, relu) must stay as "
            "they were (200,960 + 16,448 parameters), with the fresh Dense(10, softmax) after "
            "them.",
            "Compare the first two layers of seq_model.summary() after the surgery with the "
            "ones before it.",
            "hidden layers {got} where {expected} were expected"),
    Mistake("surgery_wrong_head_units", "The new head does not have 10 units",
            "The fresh head replaces a ten-class classifier: Dense(10), 64×10 + 10 = 650 "
            "parameters, output (None, 10), one probability per digit.",
            "How many classes does the model predict?",
            "new head {head} where Dense(10, softmax) was expected; output {output}"),
    Mistake("surgery_head_without_bias", "The new head has no bias",
            "`use_bias=False` drops the head's 10 biases: 64×10 = 640 parameters instead of 650, "
            "218,048 in all. Each class loses the offset that lets the model prefer it "
            "whatever the input; the head the model was built with had one.",
            "Compare the arguments of the layer you add() with those of the head you popped.",
            "new head {head} where Dense(10, softmax) with its bias was expected"),
    Mistake("surgery_wrong_head_activation", "The new head has no softmax",
            "The head turns ten scores into class probabilities that sum to 1: that is softmax. "
            "A Dense(10) without it outputs raw scores (logits), and a sigmoid gives ten "
            "independent yes/no values that do not sum to 1.",
            "Look at the activation of the layer you add().",
            "new head {head} where Dense(10, softmax) was expected"),
)


# ---- child side ----------------------------------------------------------------------------

def _sequential_calls(namespace: dict) -> dict[str, list[dict]]:
    """Every pop / layers.pop / add call in the code whose receiver is a live Sequential, by
    receiver name, in the order the code ran. A list's pop() or a set's add() is not one."""
    import keras

    from grader.comments import blank_strings

    calls: dict[str, list[dict]] = {}
    # In `seq_model.layers.pop()` the POP pattern's receiver is `layers` (the keras.layers
    # module, not a Sequential), so the two pop patterns never claim the same call.
    for op, pattern in (("layers_pop", LAYERS_POP), ("pop", POP), ("add", ADD)):
        for row in find_lines(namespace, pattern, code_only=True):
            for name in re.findall(pattern, blank_strings(row["code"])):
                if instance_named(namespace, name, keras.Sequential) is None:
                    continue
                calls.setdefault(name, []).append(dict(row, op=op))
    for name, rows in _helper_calls(namespace).items():
        calls.setdefault(name, []).extend(rows)
    for rows in calls.values():
        rows.sort(key=lambda r: r["order"])
    return calls


def _helper_calls(namespace: dict) -> dict[str, list[dict]]:
    """Surgery done inside a helper (`def replace_head(model): model.pop(); model.add(…)`, then
    `seq_model = replace_head(seq_model)`): the helper's pop/add lines on its parameter, under
    the name of the live Sequential a top-level call passes for that parameter."""
    import ast

    import keras

    from exercises._lesson_models import _where, code_lines, parsed_chunks

    trees = parsed_chunks(namespace)
    helpers: dict[str, tuple[str, ast.AST]] = {
        n.name: (filename, n) for filename, tree in trees for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    # (helper, parameter) → [(Sequential's name, where the call is: file, line)]
    passed_as: dict[tuple[str, str], list[tuple[str, tuple[str, int]]]] = {}
    for filename, tree in trees:
        for node in ast.walk(tree):
            # `seq_model = with_fresh_head(make_sequential())`: the helper returns the model
            # it was given, and that is what seq_model names
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and instance_named(namespace, node.targets[0].id,
                                       keras.Sequential) is not None \
                    and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                    and node.value.func.id in helpers:
                helper = helpers[node.value.func.id][1]
                params = {a.arg for a in helper.args.posonlyargs + helper.args.args}
                returned = {r.value.id for r in ast.walk(helper)
                            if isinstance(r, ast.Return) and isinstance(r.value, ast.Name)}
                for param in returned & params:  # a model it was given, not one it built
                    passed_as.setdefault((node.value.func.id, param), []).append(
                        (node.targets[0].id, (filename, node.lineno)))
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in helpers):
                continue
            args = helpers[node.func.id][1].args
            params = [a.arg for a in args.posonlyargs + args.args]
            for param, arg in list(zip(params, node.args)) + [(k.arg, k.value) for k in node.keywords]:
                if isinstance(arg, ast.Name) \
                        and instance_named(namespace, arg.id, keras.Sequential) is not None:
                    passed_as.setdefault((node.func.id, param), []).append(
                        (arg.id, (filename, node.lineno)))
    out: dict[str, list[dict]] = {}
    lines = code_lines(namespace)
    position = {(f, n): i for i, (f, n, _, _) in enumerate(lines)}
    for (helper, param), uses in passed_as.items():
        filename, node = helpers[helper]
        for name, call_site in uses:
            # A helper's lines run when it is called: they take the call's place in the order
            # (remove_head(seq_model) then add_fresh_head(seq_model), whatever order the two
            # helpers are defined in), one after the other.
            at = position.get(call_site)
            if at is None:
                continue
            step = 0
            for file, number, text, seen in lines:
                if file != filename or not node.lineno <= number <= (node.end_lineno or node.lineno):
                    continue
                for op, pattern in (("layers_pop", LAYERS_POP), ("pop", POP), ("add", ADD)):
                    if param in re.findall(pattern, seen):
                        step += 1
                        out.setdefault(name, []).append(
                            {"where": _where(file, number), "order": at + step / 1000,
                             "line": number, "code": text.strip()[:160], "op": op})
    return out


def _adds_popped(namespace: dict, call: dict) -> bool:
    """Whether an add() line puts back a layer pop() returned: `seq_model.add(seq_model.pop())`,
    or `seq_model.add(head)` where the last line to bind `head` before it is
    `head = seq_model.pop()` (not when `head` was bound again to a new layer in between)."""
    from grader.comments import blank_strings

    code = blank_strings(call["code"])
    if re.search(POP, code.split(".add", 1)[-1]):
        return True
    arg = re.search(r"\.\s*add\s*\(\s*([A-Za-z_]\w*)\s*\)", code)
    if arg is None:
        return False
    binds = [r for r in find_lines(namespace, rf"^\s*{re.escape(arg.group(1))}\s*(:[^=]+)?=(?!=)",
                                   code_only=True) if r["order"] < call["order"]]
    if not binds:
        return False
    bound = blank_strings(binds[-1]["code"])
    # `head = layers.Dense.from_config(seq_model.pop().get_config())`: a new layer, configured
    # like the popped one, with fresh weights
    return re.search(POP, bound) is not None and re.search(r"\bfrom_config\s*\(", bound) is None


def _receiver(namespace: dict, calls: dict[str, list[dict]]) -> str | None:
    """The Sequential the surgery was done on: the lesson's `seq_model` first."""
    def is_surgery(name: str) -> bool:
        ops = [c["op"] for c in calls.get(name, [])]
        if "pop" in ops or "layers_pop" in ops:
            return True
        # add() alone is how many people build a Sequential; it is surgery only when the model
        # holds more layers than the add() calls that could have built it.
        return name == LESSON_NAME and 0 < ops.count("add") < len(namespace[name].layers)

    names = [LESSON_NAME] + sorted((n for n in calls if n != LESSON_NAME),
                                   key=lambda n: calls[n][0]["order"])
    return next((n for n in names if n in calls and is_surgery(n)), None)


def collect(namespace: dict, probe) -> dict[str, Any]:
    from grader.introspect import describe_layer, param_count, shape_list

    every = _sequential_calls(namespace)
    name = _receiver(namespace, every)
    if name is None:
        return {"attempted": False}
    model = namespace[name]
    calls = every[name]
    ev: dict[str, Any] = {"attempted": True, "graded_object": name, "notes": [],
                          "calls": [{k: c[k] for k in ("op", "where", "code", "order")}
                                    for c in calls]}
    for c in ev["calls"]:
        if c["op"] == "add":
            c["adds_popped"] = _adds_popped(namespace, c)
    built_as_written = bool(model.built)
    output: list | None = None
    try:
        x = probe.batch(4, INPUT_DIM)
        out = model(x, training=False)  # also builds a lazy Sequential
        output = [None] + list(shape_list(out.shape) or [])[1:]
    except Exception as exc:  # noqa: BLE001 - a model left unusable by the surgery
        from exercises._lesson_models import error_text
        ev["forward_error"] = error_text(exc)
    applies: dict[int, str | None] = {}
    if output is not None:
        from grader.introspect import activation_report
        try:  # what each weightless layer computes, by value (a Softmax over the wrong axis)
            applies = activation_report(model, x).applies
        except Exception:  # noqa: BLE001 - the class names stand in
            applies = {}
    rows = []
    for layer in model.layers:
        row = {k: v for k, v in describe_layer(layer).items()
               if k in ("name", "class", "units", "activation", "use_bias", "params",
                        "kernel_shape")}
        if id(layer) in applies:
            row["applies"] = applies[id(layer)]
        rows.append(row)
    ev["model"] = {
        "var": name, "name": model.name, "built_as_written": built_as_written,
        "layers": rows,
        "params": param_count(model), "output_shape": output,
    }
    ev["summaries"] = {name: _summary(model)}
    return ev


def _summary(model) -> str:
    from grader.introspect import summary_text
    return summary_text(model)


# ---- parent side ---------------------------------------------------------------------------

def _layers(ev) -> list[dict]:
    """The Sequential's layers as they compute: an activation-only layer right after a linear
    Dense is that Dense's activation, so `add(Dense(10))` + `add(Activation("softmax"))` is the
    lesson's fresh Dense(10, activation="softmax") head (4 layers as written, 3 as computed)."""
    out: list[dict] = []
    for row in ev["model"]["layers"]:
        act = layer_activation(row)
        if act is None and row.get("applies", "linear") is None:
            # a weightless layer that computes no activation the grader knows (a Softmax over
            # the batch axis): still the head's activation, and a wrong one
            act = f"{row.get('class')} (no known activation)"
        prev = out[-1] if out else None
        if act and prev and prev.get("class") == "Dense" and prev.get("activation") == "linear" \
                and not prev.get("activation_layer"):
            out[-1] = dict(prev, activation=act, activation_layer=row.get("name"))
            continue
        out.append(row)
    return out


def _as_computed(ev) -> str:
    """How the folded layers were written, for a message; empty when nothing was folded."""
    folded = [r for r in _layers(ev) if r.get("activation_layer")]
    return "".join(f" (`{r['name']}` + `{r['activation_layer']}` counted as one "
                   f"Dense({r.get('units')}, {r['activation']}))" for r in folded)


def _spec(row: dict | None) -> str:
    if row is None:
        return "nothing"
    if row.get("class") != "Dense":
        return f"{row.get('class')}"
    bias = "" if row.get("use_bias", True) else ", no bias"
    return f"Dense({row.get('units')}, {row.get('activation')}{bias})"


def _listing(rows: list[dict]) -> str:
    return " → ".join(_spec(r) for r in rows) or "no layers"


def _output(ev) -> str:
    shape = ev["model"].get("output_shape")
    return "(" + ", ".join(map(str, shape)) + ")" if shape else "unknown"


def _ops(ev, op: str) -> list[dict]:
    return [c for c in ev.get("calls", []) if c["op"] == op]


def count_problem(ev) -> tuple[str, dict] | None:
    """Which surgery step went wrong, read from how many layers are left and what ends the model."""
    rows = _layers(ev)
    n = len(rows)
    if n == EXPECTED_LAYERS:
        return None
    facts = {"model": ev["model"]["var"], "n_layers": n, "listing": _listing(rows),
             "params": ev["model"]["params"], "output": _output(ev),
             "layers_named": [r["name"] for r in rows]}
    if n > EXPECTED_LAYERS:
        if layers_pop := _ops(ev, "layers_pop"):
            return "surgery_layers_list_pop", dict(facts, code=code_ref(layers_pop))
        return "surgery_add_without_pop", facts
    last = rows[-1] if rows else None
    if last is not None and last.get("units") == HEAD[0]:
        return "surgery_popped_too_many", facts
    return "surgery_pop_without_add", facts


def fresh_head_problem(ev) -> tuple[str, dict] | None:
    """Whether the head left is a new layer, read from the code: the last surgery call must be
    an add(), and what it adds must not be the layer a pop() returned (`head = seq_model.pop()`
    then `seq_model.add(head)`, or `seq_model.add(seq_model.pop())`)."""
    calls = [c for c in ev.get("calls", []) if c["op"] in ("pop", "add")]
    ops = [c["op"] for c in calls]
    rows = _layers(ev)
    facts = {"model": ev["model"]["var"], "layers_named": [rows[-1]["name"]] if rows else []}
    # reversed: every pop() after the last add(). An add() and a pop() after a surgery done in
    # order (showing that a Sequential is a list) change nothing; the layers left are judged
    # on their own.
    if "pop" in ops and "add" in ops and ops.index("pop") > len(ops) - 1 - ops[::-1].index("add"):
        return "surgery_steps_reversed", dict(facts, code=code_ref(calls[-1:]))
    for c in calls:
        if c["op"] == "add" and c.get("adds_popped"):
            return "surgery_head_not_fresh", dict(facts, code=code_ref([c]))
    return None


def _fail(check_id: str, found: tuple[str, dict], expected: Any, got: Any) -> Finding:
    mistake, facts = found
    names = facts.pop("layers_named", [])
    return failed(check_id, mistake, expected=expected, got=got, layers=names, **facts)


def check_layer_count(ev) -> Finding:
    n = len(_layers(ev))
    if found := count_problem(ev):
        return _fail("layer_count", found, EXPECTED_LAYERS, n)
    # `add(head, rebuild=False)`: the right layers, the head without weights until the model's
    # first call (the count shows 217,408 then, not 218,058); said, not failed
    unbuilt = [r["name"] for r in _layers(ev) if r.get("class") == "Dense" and not r.get("params")]
    later = (f"; `{unbuilt[0]}` has no weights yet: added with rebuild=False, it is built on the "
             f"model's first call, with {EXPECTED_PARAMS:,} params then") if unbuilt else ""
    return passed("layer_count", expected=EXPECTED_LAYERS,
                  got=f"{n} layers, {ev['model']['params']:,} params{_as_computed(ev)}{later}")


def _after_count(check_id: str, ev) -> Finding | None:
    if count_problem(ev):
        return skipped(check_id, f"the model has {len(_layers(ev))} layers, not 3")
    return None


def check_hidden_kept(ev) -> Finding:
    if skip := _after_count("hidden_layers_kept", ev):
        return skip
    body = _layers(ev)[:-1]
    got = [(r.get("units"), r.get("activation")) for r in body]
    expected = "Dense(256, relu) → Dense(64, relu)"
    if got != HIDDEN or any(r.get("class") != "Dense" or r.get("use_bias") is False for r in body):
        return failed("hidden_layers_kept", "surgery_body_changed", expected=expected,
                      got=_listing(body), layers=[r["name"] for r in body])
    return passed("hidden_layers_kept", got=expected)


def check_head_units(ev) -> Finding:
    if skip := _after_count("head_units", ev):
        return skip
    head = _layers(ev)[-1]
    if head.get("class") != "Dense" or head.get("units") != HEAD[0]:
        return failed("head_units", "surgery_wrong_head_units", expected="Dense(10)",
                      got=_spec(head), head=_spec(head), output=_output(ev), layers=[head["name"]])
    if head.get("use_bias") is False:
        return failed("head_units", "surgery_head_without_bias", expected="Dense(10)",
                      got=_spec(head), head=_spec(head), layers=[head["name"]])
    return passed("head_units", got=f"Dense(10), output {_output(ev)}")


def check_head_activation(ev) -> Finding:
    if skip := _after_count("head_activation", ev):
        return skip
    head = _layers(ev)[-1]
    # a Softmax layer added on its own (after a Dense that has an activation already) is the
    # head, and it does apply softmax: its row has no `activation`, its class or value says it
    act = head.get("activation") or layer_activation(head)
    if act != HEAD[1]:
        return failed("head_activation", "surgery_wrong_head_activation", expected=HEAD[1],
                      got=act, head=_spec(head), layers=[head["name"]])
    return passed("head_activation", got=HEAD[1])


def check_head_fresh(ev) -> Finding:
    if skip := _after_count("head_is_fresh", ev):
        return skip
    if found := fresh_head_problem(ev):
        return _fail("head_is_fresh", found, "pop(), then add() of a new layer", found[0])
    return passed("head_is_fresh", got="pop(), then add() of a new layer")


EXERCISE = Exercise(
    id="sequential_surgery",
    title="Sequential surgery: pop() the head, add() a fresh one",
    looks_for=(LESSON_NAME,),
    collect=collect,
    checks=(
        Check("layer_count", "3 layers after pop() then add() (218,058 params)",
              check_layer_count, points=2),
        Check("hidden_layers_kept", "Hidden layers kept: Dense(256, relu) → Dense(64, relu)",
              check_hidden_kept),
        Check("head_units", "Fresh head has 10 units: output (None, 10)", check_head_units),
        Check("head_activation", "Fresh head uses softmax", check_head_activation),
        Check("head_is_fresh", "The head is a new layer, added after pop()", check_head_fresh),
    ),
    mistakes=MISTAKES,
)
