"""The model picture: a plain diagram (grader.diagram) laid out by Graphviz as inline SVG.

Graphviz's `dot` places every layer and routes every edge; nothing here picks coordinates. The
`graphviz` package writes the DOT source (quoting included) and `dot` runs as a subprocess with
a time limit, because a pathological student graph must not hang the report: one long-lived
`dot` for all the pictures (reports.dot_process), a one-shot run when that one fails. Without
`dot`, or when it fails, the figure carries no SVG and the report shows the same graph as text:
a missing system package costs the picture, never the grading.

Colours carry meaning: each model input has its own edge colour, so a layer shared by both
inputs receives one edge of each colour (and a double border), while two separate towers each
stay one colour. Layers that a failed finding points at (Finding.layers) are drawn in red.
"""
from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
from typing import Any, Iterable

import graphviz

from reports import dot_process

DOT_TIMEOUT_S = 10
MAX_NODES = 150  # beyond this a picture is unreadable anyway, and dot gets slow

PATH_COLOURS = ("#0969da", "#bc4c00", "#8250df", "#1a7f37", "#bf3989", "#0a7b83")
MERGED_COLOUR = "#57606a"
MISTAKE_COLOUR, MISTAKE_FILL = "#cf222e", "#ffebe9"
FONT = "Helvetica"  # graphviz writes "Helvetica,sans-Serif": a sans font in every browser

NO_DOT = ("The picture needs Graphviz, which is not installed where this report was made: "
          "here is the same graph as text.")


class DotUnavailable(RuntimeError):
    pass


# ---- what the template gets ------------------------------------------------------------------

def mistake_layers(findings: Iterable[dict[str, Any]]) -> set[str]:
    """Layer names that failed findings point at."""
    return {name for f in findings if f.get("status") in ("fail", "error")
            for name in f.get("layers") or []}


def figures(exercise: dict[str, Any]) -> list[dict[str, Any]]:
    """One figure per diagram of an exercise result (its `to_dict()` form): caption, inline SVG
    (None when it cannot be drawn), the text view, the legend and any note."""
    marked = mistake_layers(exercise.get("checks", []))
    out = []
    for i, diagram in enumerate(exercise.get("diagrams") or []):
        highlight = marked if diagram.get("role") == "submitted" else set()
        prefix = re.sub(r"[^A-Za-z0-9]", "_", f"g_{exercise.get('id', 'x')}_{i}")
        out.append(figure(diagram, highlight, prefix))
    return out


def figure(diagram: dict[str, Any], highlight: set[str], prefix: str) -> dict[str, Any]:
    fig = {"title": diagram.get("title", ""), "role": diagram.get("role", "submitted"),
           "params": diagram.get("params"), "note": diagram.get("note", ""),
           "rows": text_rows(diagram, highlight), "legend": legend(diagram),
           "marked": [n["name"] for n in diagram["nodes"] if _marked(n, highlight)],
           "svg": None, "width_pt": None, "problem": ""}
    if len(diagram["nodes"]) > MAX_NODES:
        fig["problem"] = (f"The model has {len(diagram['nodes'])} layers, too many to draw "
                          f"legibly (the limit is {MAX_NODES}): here it is as text.")
        return fig
    try:
        fig["svg"], fig["width_pt"] = svg(to_dot(diagram, highlight, prefix), label=fig["title"])
    except DotUnavailable:
        fig["problem"] = NO_DOT
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        fig["problem"] = f"The picture could not be drawn ({type(exc).__name__}): here is the graph as text."
    return fig


# ---- DOT -------------------------------------------------------------------------------------

def to_dot(diagram: dict[str, Any], highlight: set[str] = frozenset(), prefix: str = "g") -> str:
    """The DOT source of one diagram. Node ids are positions (n0, n1 …), never student names,
    and every SVG id carries `prefix`, so several pictures can share one HTML page."""
    colours = path_colours(diagram)
    g = graphviz.Digraph(name=prefix)
    g.attr(id=prefix, rankdir="TB", bgcolor="transparent", nodesep="0.25", ranksep="0.3",
           fontname=FONT)
    g.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="10",
           color="#8c959f", fillcolor="#ffffff", penwidth="1.2", margin="0.14,0.06")
    g.attr("edge", penwidth="1.6", arrowsize="0.7", color=MERGED_COLOUR)
    dot_id = {n["id"]: f"n{i}" for i, n in enumerate(diagram["nodes"])}
    for n in diagram["nodes"]:
        marked = _marked(n, highlight)
        classes = ["layer"] + ([n["kind"]] if n.get("kind", "layer") != "layer" else [])
        attrs: dict[str, str] = {}
        if n.get("kind") == "input" and n["name"] in colours:
            attrs.update(color=colours[n["name"]], penwidth="2", fillcolor="#f6f8fa")
        if n.get("calls", 0) > 1:
            classes.append("shared")
            attrs["peripheries"] = "2"
        if marked:
            classes.append("mistake")
            attrs.update(color=MISTAKE_COLOUR, fillcolor=MISTAKE_FILL, penwidth="2.4")
        g.node(dot_id[n["id"]], label=_label(n, marked), id=f"{prefix}_{dot_id[n['id']]}",
               **{"class": " ".join(classes)}, **attrs)
    inputs = [dot_id[n["id"]] for n in diagram["nodes"] if n.get("kind") == "input"]
    if len(inputs) > 1:
        with g.subgraph() as same:
            same.attr(rank="same")
            for i in inputs:
                same.node(i)
    for i, e in enumerate(diagram["edges"]):
        if e["source"] in dot_id and e["target"] in dot_id:
            g.edge(dot_id[e["source"]], dot_id[e["target"]], id=f"{prefix}_e{i}",
                   color=colours.get(e.get("via"), MERGED_COLOUR),
                   **{"class": f"path-{_css(e.get('via') or 'merged')}"})
    if not diagram.get("connected", True):  # a layer list: stack it, without claiming edges
        order = [dot_id[n["id"]] for n in diagram["nodes"]]
        for a, b in zip(order, order[1:]):
            g.edge(a, b, style="invis")
    return g.source


def path_colours(diagram: dict[str, Any]) -> dict[str, str]:
    """An edge colour per model input; with a single input, colour would say nothing."""
    inputs = diagram.get("inputs") or []
    if len(inputs) < 2:
        return {}
    return {name: PATH_COLOURS[i % len(PATH_COLOURS)] for i, name in enumerate(inputs)}


def _label(n: dict[str, Any], marked: bool) -> str:
    """An HTML-like Graphviz label: name, what the layer is, its output shape and parameters."""
    e = html.escape
    name = e(n["name"])
    head = (f'<FONT COLOR="{MISTAKE_COLOUR}"><B>✘ {name}</B></FONT>' if marked
            else f"<B>{name}</B>")
    lines = [f'<FONT POINT-SIZE="11">{head}</FONT>', e(describe(n))]
    for inner in n.get("inner") or []:
        lines.append(e(f"  {inner['name']}: {describe(inner)}"))
    shapes = output_shapes(n)
    lines.append(e(f"→ {shapes}") if shapes else "")
    lines.append(f'{n["params"]:,} params' if n.get("params") else "")
    if n.get("calls", 0) > 1:
        lines.append(f"<B>shared: called {n['calls']}×</B>")
    return "<" + "<BR/>".join(l for l in lines if l) + ">"


def describe(n: dict[str, Any]) -> str:
    """How the student would write the layer: Dense(256, relu), Concatenate, Input."""
    if n.get("kind") == "input" or n.get("class") == "InputLayer":
        return "Input"
    args = [str(a) for a in (n.get("units"), n.get("activation")) if a is not None]
    return f"{n.get('class', '?')}({', '.join(args)})" if args else str(n.get("class", "?"))


def output_shapes(n: dict[str, Any]) -> str:
    return " / ".join(_shape(s) for s in n.get("output_shapes") or [] if s is not None)


def shape_and_params(n: dict[str, Any]) -> str:
    shapes, params = output_shapes(n), n.get("params")
    parts = [f"→ {shapes}" if shapes else "", f"{params:,} params" if params else ""]
    return " · ".join(p for p in parts if p)


def _shape(shape: list) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def _marked(n: dict[str, Any], highlight: set[str]) -> bool:
    return n["name"] in highlight or any(i.get("name") in highlight for i in n.get("inner") or [])


def _css(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


# ---- SVG -------------------------------------------------------------------------------------

def dot_binary() -> str | None:
    return shutil.which("dot")


def svg(dot_source: str, label: str = "") -> tuple[str, float]:
    """Lay out with `dot`; return an <svg> element to inline in HTML (no XML prolog, comments
    or tooltips; it scales down to its container but never above its natural size) and its
    natural width in points."""
    return _inline(_layout(dot_source), label)


@functools.lru_cache(maxsize=64)  # the expected diagram is the same for every submission
def _layout(dot_source: str) -> str:
    exe = dot_binary()
    if exe is None:
        raise DotUnavailable("dot")
    answer = dot_process.shared(exe, DOT_TIMEOUT_S).layout(dot_source)
    if answer is not None:
        return answer
    # The long-lived dot could not lay it out: a one-shot run, whose error is the one reported.
    proc = subprocess.run([exe, "-Tsvg"], input=dot_source, capture_output=True, text=True,
                          timeout=DOT_TIMEOUT_S, check=True)
    return proc.stdout


_SVG_ROOT = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def _inline(raw: str, label: str) -> tuple[str, float]:
    start = raw.find("<svg")
    if start < 0:
        raise ValueError("dot returned no <svg> element")
    body = raw[start:]
    body = re.sub(r"<!--.*?-->\n?", "", body, flags=re.S)
    body = re.sub(r"<title>[^<]*</title>\n?", "", body)
    m = _SVG_ROOT.match(body)
    if m is None:
        raise ValueError("unexpected <svg> header from dot")
    width = float(m.group(1))
    body = (f'<svg class="model-graph" role="img" aria-label="{html.escape(label)}" '
            f'style="max-width: {width:g}pt"' + body[m.end():])
    return body.strip(), width


# ---- text ------------------------------------------------------------------------------------

def text_rows(diagram: dict[str, Any], highlight: set[str]) -> list[dict[str, Any]]:
    """The graph as a list a reader (or a screen reader) can follow: each layer once, what it
    is, its output shape and parameters, and where its inputs come from."""
    names = {n["id"]: n["name"] for n in diagram["nodes"]}
    sources: dict[str, list[str]] = {n["id"]: [] for n in diagram["nodes"]}
    for e in diagram["edges"]:
        if e["target"] in sources and e["source"] in names:
            via = f" ({e['via']} path)" if e.get("via") and e["via"] != names[e["source"]] else ""
            sources[e["target"]].append(names[e["source"]] + via)
    return [{"name": n["name"], "what": describe(n), "shape": shape_and_params(n),
             "inner": [f"{i['name']}: {describe(i)}" for i in n.get("inner") or []],
             "from": sources[n["id"]], "calls": n.get("calls", 0),
             "mistake": _marked(n, highlight)} for n in diagram["nodes"]]


def legend(diagram: dict[str, Any]) -> list[dict[str, str]]:
    if not diagram.get("connected", True):
        return []
    used = {e.get("via") for e in diagram["edges"]}
    items = [{"colour": c, "label": f"from {name}"} for name, c in path_colours(diagram).items()
             if name in used]
    if "" in used and items:
        items.append({"colour": MERGED_COLOUR, "label": "after the paths meet"})
    return items
