"""The self-contained HTML feedback report (Jinja2; CSS and SVG inline; nothing fetched to view it)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from grader.findings import Result
from reports import graph

TEMPLATES = Path(__file__).parent / "templates"
OUTPUT_SHOWN = 20_000  # characters of captured output shown in the report


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v: (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool)
                                    else f"{v:g}" if isinstance(v, float) else
                                    "" if v is None else str(v))
    env.filters["code"] = _code
    return env


def _code(text: Any) -> Markup:
    """Escape, then show the catalogue's `backticked` names as code."""
    return Markup(re.sub(r"`([^`\n]+)`", r"<code>\1</code>", str(escape(text))))


def _pictures(exercise: dict[str, Any]) -> list[dict[str, Any]]:
    """The model pictures of one exercise. A picture is a courtesy: if drawing fails in a way
    graph.figure does not already turn into a text view, the report goes without it."""
    try:
        return graph.figures(exercise)
    except Exception:  # noqa: BLE001
        return []


def render_html(result: Result) -> str:
    output = result.stdout
    clipped = len(output) > OUTPUT_SHOWN
    if clipped:
        output = output[-OUTPUT_SHOWN:]
    d = result.to_dict()
    return _env().get_template("report.html.j2").render(
        r=result, d=d, output=output,
        output_clipped=clipped or result.stdout_truncated,
        pictures={ex["id"]: _pictures(ex) for ex in d["exercises"]},
        name=Path(result.submission).name)
