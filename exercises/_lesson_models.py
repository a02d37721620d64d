"""Child-side helpers for the exercises that grade one section of the lesson each (two heads,
weights and `trainable`, mixed precision, Sequential surgery), and parent-side helpers they
share. Not an exercise (the registry skips `_` modules).

Two questions every such exercise must answer before it grades anything:

* *Which object is the student's?* The lesson names its models (`fn_model`, `two_headed`,
  `mp_model` …). An exercise that falls back to a look-alike must not pick up a model the
  lesson gives to another section: `mp_model` is a 784 → 256 → 64 → 10 Sequential, exactly
  what the MLP exercise's fallback looks for.
* *Was the section attempted at all?* Some sections leave no trace in the live objects: a layer
  frozen and unfrozen again is indistinguishable from one never touched. For those, the
  submission's own code is the evidence: `grader.child` registers every chunk it executes in
  `linecache` under the chunk's filename (the file's name, or "name [cell N]" in a notebook),
  so the code is read back from there, never from disk.
"""
from __future__ import annotations

import os
import re
from typing import Any

from grader.comments import blank_code_strings, strip_line_comment

# Names the lesson gives to its models, by section. A look-alike fallback skips every object
# bound to another section's name.
LESSON_MODEL_NAMES = {
    "mlp_three_ways": ("make_sequential", "seq_model", "fn_model", "MLP", "sub_model"),
    "two_headed": ("two_headed",),
    "mixed_precision": ("mp_model",),
    "siamese": ("siamese", "siamese_model", "siamese_mlp"),
}


# ---- child side ----------------------------------------------------------------------------

def claimed_elsewhere(namespace: dict, obj: Any, section: str) -> bool:
    """True when `obj` is bound to a name the lesson gives to a model of another section."""
    return any(namespace.get(name) is obj
               for other, names in LESSON_MODEL_NAMES.items() if other != section
               for name in names)


def instance_named(namespace: dict, name: str, cls: type) -> Any:
    """`namespace[name]` when it is a `cls`, else None. In the verifier's clean namespace a
    name it lacks then counts as needed only if the submission bound a `cls` to it (a subclassed
    MLP is no Sequential, whatever the surgery's search asks; see grader.verifier)."""
    ask = getattr(namespace, "instance", None)
    if ask is not None:
        return ask(name, cls)
    obj = namespace.get(name)
    return obj if isinstance(obj, cls) else None


def top_level_models(namespace: dict, decides: bool = True) -> list[tuple[str, Any]]:
    """(name, model) for every keras.Model bound at the top level, each object once.

    `decides=False`: a model missing from the list can only hide a mistake, never make one
    (the verifier's clean process lacks the models of the student's own classes, and a check
    must then also pass as the child measured it; see grader.verification). Such a listing does
    not make the clean measurement incomplete."""
    from grader.introspect import is_model

    seen: set[int] = set()
    out = []
    for name, obj in (namespace.items() if decides else dict.items(namespace)):
        if name.startswith("_") or not is_model(obj) or id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append((name, obj))
    return out


def submission_chunks(namespace: dict) -> list[tuple[str, str]]:
    """(filename, code) of each chunk of the submission, in execution order."""
    import linecache

    base = os.path.basename(str(namespace.get("__file__") or ""))
    if not base:
        return []
    found = []
    for key, entry in list(linecache.cache.items()):
        if not isinstance(key, str) or len(entry) != 4:
            continue
        if key == base or key.startswith(base + " [cell "):
            cell = re.search(r"\[cell (\d+)\]$", key)
            found.append((int(cell.group(1)) if cell else 0, key, "".join(entry[2])))
    return [(key, code) for _, key, code in sorted(found)]


def parsed_chunks(namespace: dict) -> list[tuple[str, Any]]:
    """(filename, ast.Module) of each chunk of the submission that parses (it ran, so all do,
    but for code too deep for the parser), in execution order."""
    import ast

    out = []
    for filename, code in submission_chunks(namespace):
        try:
            out.append((filename, ast.parse(code)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return out


def code_lines(namespace: dict) -> list[tuple[str, int, str, str]]:
    """(filename, line number, text, code) of every line of the submission, comments removed, in
    the order the child ran them; `code` is the text with its string literals blanked (see
    find_lines)."""
    out = []
    for filename, code in submission_chunks(namespace):
        blanked = blank_code_strings(code).splitlines()
        for number, line in enumerate(code.splitlines(), start=1):
            text = strip_line_comment(line)
            if text.strip():
                seen = strip_line_comment(blanked[number - 1]) if number <= len(blanked) else text
                out.append((filename, number, text, seen))
    return out


def find_lines(namespace: dict, pattern: str, code_only: bool = False) -> list[dict[str, Any]]:
    """Where the submission's code matches `pattern`: [{"where", "order", "code"}], in the order
    the code ran (order is the position among all lines of all chunks). `code_only`: match the
    line with its string literals blanked, for a pattern that is code and never text."""
    rx = re.compile(pattern)
    out = []
    for order, (filename, number, text, code) in enumerate(code_lines(namespace)):
        if rx.search(code if code_only else text):
            out.append({"where": _where(filename, number), "order": order, "line": number,
                        "code": text.strip()[:160], "file": filename})
    return out


def _where(filename: str, number: int) -> str:
    cell = re.search(r"\[cell (\d+)\]$", filename)
    return f"cell {cell.group(1)}, line {number}" if cell else f"line {number}"


def error_text(exc: BaseException, limit: int = 300) -> str:
    """`Type: message` in one line. Keras wraps an error raised inside call() as "Exception
    encountered when calling X.call()." + a blank line + the real message + the arguments: the
    real message is the line worth showing (and the one checks look into)."""
    from grader.terminal_text import strip_ansi

    lines = [l.strip() for l in strip_ansi(str(exc)).strip().splitlines() if l.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    return f"{type(exc).__name__}: {lines[0][:limit] if lines else ''}".rstrip(": ")


def frozen_parts(model) -> list[dict[str, Any]]:
    """Layers of `model` (nested ones included) whose `trainable` flag is off, and kernels or
    biases switched off one by one. BatchNormalization's moving statistics are non-trainable by
    design and are not reported."""
    import keras

    out = []
    if not model.trainable:
        out.append({"layer": model.name, "class": type(model).__name__, "whole_model": True,
                    "variables": len(model.weights)})
        return out

    def walk(layer, index: int | None) -> None:
        if not isinstance(layer, keras.layers.Layer):
            return
        if not layer.trainable:
            out.append({"layer": layer.name, "class": type(layer).__name__, "index": index,
                        "units": getattr(layer, "units", None),
                        "variables": len(layer.weights)})
            return
        off = [v.path for v in getattr(layer, "_trainable_variables", [])
               if not v.trainable and v.path.rsplit("/", 1)[-1] in ("kernel", "bias")]
        if off:
            out.append({"layer": layer.name, "class": type(layer).__name__, "index": index,
                        "units": getattr(layer, "units", None), "variables": len(off),
                        "only": off})
        for sub in getattr(layer, "_layers", []):
            walk(sub, None)

    for i, layer in enumerate(model.layers):
        walk(layer, i)
    return out


# ---- parent side ---------------------------------------------------------------------------

def code_ref(rows: list[dict] | None) -> str:
    """'line 12 (`fn_model.layers[1].trainable = False`)' for the first match, or ''."""
    if not rows:
        return ""
    r = rows[0]
    return f"{r['where']} (`{r['code']}`)"
