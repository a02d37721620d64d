"""The self-contained HTML feedback report (Jinja2; CSS and SVG inline; nothing fetched to view it)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.findings import Result
from reports import graph
from reports.templating import environment
OUTPUT_SHOWN = 20_000  # characters of captured output shown in the report


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
    return environment().get_template("report.html.j2").render(
        r=result, d=d, output=output,
        output_clipped=clipped or result.stdout_truncated,
        pictures={ex["id"]: _pictures(ex) for ex in d["exercises"]},
        name=Path(result.submission).name)
