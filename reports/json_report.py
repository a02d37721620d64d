"""The JSON form of a result: the same object for `grade --format json`, report files and
batch results."""
from __future__ import annotations

import json

from grader.findings import Result


def render_json(result: Result, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), indent=indent, ensure_ascii=False, default=str)
