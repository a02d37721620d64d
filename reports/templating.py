"""The one Jinja2 environment every HTML renderer uses, built once per process: building it
per report re-parsed and re-compiled the templates (~80 ms a report, most of a batch parent's
time). Jinja2 environments are safe to share between the batch's worker threads."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from grader.findings import shown

TEMPLATES = Path(__file__).parent / "templates"


def code(text: Any) -> Markup:
    """Escape, then show the catalogue's `backticked` names as code."""
    return Markup(re.sub(r"`([^`\n]+)`", r"<code>\1</code>", str(escape(text))))


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = shown
    env.filters["code"] = code
    env.filters["pct"] = lambda v: f"{100 * v:.0f}%"
    return env
