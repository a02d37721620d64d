"""The self-contained HTML feedback report (Jinja2; CSS inline; nothing fetched to view it)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from grader.findings import Result

TEMPLATES = Path(__file__).parent / "templates"
OUTPUT_SHOWN = 20_000  # characters of captured output shown in the report


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v: (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool)
                                    else f"{v:g}" if isinstance(v, float) else
                                    "" if v is None else str(v))
    return env


def render_html(result: Result) -> str:
    output = result.stdout
    clipped = len(output) > OUTPUT_SHOWN
    if clipped:
        output = output[-OUTPUT_SHOWN:]
    return _env().get_template("report.html.j2").render(
        r=result, d=result.to_dict(), output=output,
        output_clipped=clipped or result.stdout_truncated,
        name=Path(result.submission).name)
