import tomllib
from pathlib import Path

import pytest

ZOO = Path(__file__).parent / "zoo"
MANIFEST = tomllib.loads((ZOO / "MANIFEST.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def grader():
    from grader.grading import Grader
    from grader.runner import Limits
    return Grader(limits=Limits(timeout_s=90))


@pytest.fixture(scope="session")
def fast_grader():
    """Short limits for submissions that are meant to hit them."""
    from grader.grading import Grader
    from grader.runner import Limits
    return Grader(limits=Limits(timeout_s=12, output_bytes=256 * 1024))
