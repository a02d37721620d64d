"""Build the zip Gradescope expects: `setup.sh` and `run_autograder` at the root of the archive
(Gradescope's autograder specification), plus what they use: the rubric, the exact versions of
every dependency and of the build backend (`requirements.txt`, pinned from the environment
building the bundle, which is the one the test suite ran in) and the grader's own source tree,
which setup.sh installs with `pip install --no-deps --no-build-isolation` (a test does the same
from the unpacked zip and grades with what it installed).

Gradescope extracts the zip into /autograder/source, runs setup.sh once as root to build the
image, then runs /autograder/run_autograder for each submission.
"""
from __future__ import annotations

import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import grader

TEMPLATES = Path(__file__).parent / "templates"
PROJECT_DIR = "keras-exercise-grader"  # the grader's source tree inside the zip
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # every entry gets it: the same inputs give the same zip
SKIP = ("__pycache__", ".pyc", ".pyo", ".DS_Store")


class BundleError(Exception):
    pass


@dataclass
class BundleInfo:
    path: Path
    size: int
    entries: list[str]
    pins: list[str]
    unpinned: list[str] = field(default_factory=list)


def project_root() -> Path:
    root = Path(grader.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise BundleError(f"the grader's source tree (pyproject.toml) was not found at {root}; "
                          f"build the bundle from a checkout of the grader (pip install -e .)")
    return root


def build_gradescope_bundle(out: Path, rubric_text: str, extra_args: list[str]) -> BundleInfo:
    from packaging.requirements import Requirement
    root = project_root()
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    # setup.sh builds the grader with --no-build-isolation: its build backend is pinned too.
    build = [Requirement(r).name for r in pyproject.get("build-system", {}).get("requires", [])]
    pins, unpinned = pinned_requirements(pyproject["project"].get("dependencies", []) + build)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    files: dict[str, tuple[bytes, int]] = {
        "setup.sh": (render_template("setup.sh", python, extra_args), 0o755),
        "run_autograder": (render_template("run_autograder", python, extra_args), 0o755),
        "rubric.toml": (rubric_text.encode("utf-8"), 0o644),
        "requirements.txt": (_requirements_text(pins, unpinned, python).encode("utf-8"), 0o644),
    }
    for rel in _project_files(root, pyproject):
        files[f"{PROJECT_DIR}/{rel.as_posix()}"] = ((root / rel).read_bytes(), 0o644)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            data, mode = files[name]
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = (0o100000 | mode) << 16  # regular file + permission bits
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return BundleInfo(out, out.stat().st_size, sorted(files), pins, unpinned)


def render_template(name: str, python: str, extra_args: list[str]) -> bytes:
    import shlex
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    text = (text.replace("__PYTHON_VERSION__", python)
                .replace("__PROJECT_DIR__", PROJECT_DIR)
                .replace("__ARGS__", " ".join(shlex.quote(a) for a in extra_args)))
    return text.encode("utf-8")


def _project_files(root: Path, pyproject: dict) -> list[Path]:
    """pyproject.toml, the readme it names, and every file of its top-level packages."""
    setuptools = pyproject.get("tool", {}).get("setuptools", {})
    tops = sorted({p.split(".")[0] for p in setuptools.get("packages", [])}) or ["grader"]
    out = [Path("pyproject.toml")]
    readme = pyproject["project"].get("readme")
    if isinstance(readme, str) and (root / readme).is_file():
        out.append(Path(readme))
    for top in tops:
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(s in part for part in rel.parts for s in SKIP):
                out.append(rel)
    return out


def pinned_requirements(dependencies: list[str]) -> tuple[list[str], list[str]]:
    """`name==version` for every distribution the dependencies pull in, as installed here.

    Markers are evaluated for this interpreter and platform (the bundle should be built on
    Linux x86-64 with the Python it will run, as `make test` does). A dependency that is not
    installed here cannot be pinned and is returned apart, as written."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    unpinned: list[str] = []
    queue: list[tuple[str, frozenset[str]]] = [(d, frozenset()) for d in dependencies]
    extras_seen: dict[str, set[str]] = {}
    while queue:
        spec, parent_extras = queue.pop(0)
        req = Requirement(spec)
        if req.marker is not None and not any(
                req.marker.evaluate({"extra": e}) for e in (parent_extras or {""})):
            continue
        key = canonicalize_name(req.name)
        wanted = set(req.extras)
        if key in pins and wanted <= extras_seen.get(key, set()):
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            if str(req) not in unpinned:
                unpinned.append(str(req))
            continue
        pins[key] = f"{key}=={dist.version}"
        extras_seen.setdefault(key, set()).update(wanted)
        for sub in dist.requires or []:
            queue.append((sub, frozenset(wanted | {""})))
    return sorted(pins.values(), key=str.lower), unpinned


def _requirements_text(pins: list[str], unpinned: list[str], python: str) -> str:
    head = [f"# Exact versions the grader was tested with (Python {python}, "
            f"{sys.platform}); written by `grade bundle gradescope`."]
    tail = [f"# not installed where the bundle was built, so not pinned:\n{u}" for u in unpinned]
    return "\n".join(head + pins + tail) + "\n"
