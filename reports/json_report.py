"""The JSON form of a result: the same object for `grade --format json`, report files and
batch results."""
from __future__ import annotations

from grader.durable import dumps
from grader.findings import Result


def render_json(result: Result, indent: int | None = 2) -> str:
    """Valid JSON whatever the result holds: no NaN or Infinity (null instead), and the bytes of
    a file name that is not UTF-8 written as `\\xff`."""
    return dumps(result.to_dict(), indent=indent)
