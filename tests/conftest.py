import tomllib
from pathlib import Path

import pytest

ZOO = Path(__file__).parent / "zoo"
# tests/zoo/MANIFEST.toml, plus one MANIFEST.toml per exercise folder that wants its own;
# every key is a path relative to tests/zoo.
MANIFEST: dict = {}
for _manifest in sorted(ZOO.rglob("MANIFEST.toml")):
    for _key, _entry in tomllib.loads(_manifest.read_text(encoding="utf-8")).items():
        assert _key not in MANIFEST, f"{_key} is listed twice"
        MANIFEST[_key] = _entry


@pytest.fixture(scope="session")
def runner():
    """One warm fork server per test worker (a fresh interpreter per run where fork is unsafe)."""
    from grader.forkserver import make_runner
    r, _ = make_runner(pool=True)
    yield r
    if hasattr(r, "close"):
        r.close()


@pytest.fixture(scope="session")
def grader(runner):
    from grader.grading import Grader
    from grader.runner import Limits
    return Grader(runner=runner, limits=Limits(timeout_s=90))


@pytest.fixture(scope="session")
def fast_grader(runner):
    """Short limits for submissions that are meant to hit them."""
    from grader.grading import Grader
    from grader.runner import Limits
    return Grader(runner=runner, limits=Limits(timeout_s=12, output_bytes=256 * 1024))



def needs_tool(tool: str, package: str):
    """Skip a test whose system tool is missing on a developer's machine; under CI (CI=true),
    where `make test` installs it, never skip: the test runs and fails, so a missing install
    step cannot pass as a skipped check."""
    import os
    import shutil
    missing = shutil.which(tool) is None and os.environ.get("CI") != "true"
    return pytest.mark.skipif(missing, reason=f"{tool} is not installed (Debian: apt-get install "
                                              f"{package}; make test installs it as root)")
