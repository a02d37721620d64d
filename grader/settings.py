"""The sandbox limits a course sets, from a TOML file and the command line (the command line
wins), shared by `grade FILE` and `grade FOLDER`.

A limits file (or the `[limits]` table of a rubric file):

    [limits]
    timeout = 60          # wall-clock seconds per submission
    memory_gib = 4        # address space; TensorFlow aborts below ~2 GiB
    output_mib = 1        # what the submission may print
    file_mib = 64         # the largest file it may write
    open_files = 1024
    processes = 128       # processes and threads, where a pids cgroup exists
    sandbox = "strict"    # strict: namespaces, Landlock, seccomp where available; basic: rlimits
"""
from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from grader.runner import GiB, Limits

MiB = 1024 ** 2
SANDBOX_LEVELS = ("strict", "basic")
# key in the file -> (Limits field, factor from the file's unit to the field's, field type)
FILE_KEYS: dict[str, tuple[str, int, type]] = {
    "timeout": ("timeout_s", 1, float),
    "memory_gib": ("memory_bytes", GiB, int),
    "output_mib": ("output_bytes", MiB, int),
    "file_mib": ("file_bytes", MiB, int),
    "open_files": ("open_files", 1, int),
    "processes": ("processes", 1, int),
    "sandbox": ("sandbox", 1, str),
}
MIN_MEMORY_GIB = 2  # below this TensorFlow aborts at import: refuse it up front


class LimitsError(ValueError):
    pass


def add_limit_options(parser: argparse.ArgumentParser, what: str = "the submission") -> None:
    g = parser.add_argument_group("sandbox limits (override --limits FILE)")
    g.add_argument("--limits", metavar="FILE",
                   help="TOML file with a [limits] table (a rubric file may hold it too)")
    g.add_argument("--timeout", type=float, metavar="S",
                   help=f"wall-clock seconds {what} may run (default 60)")
    g.add_argument("--memory", type=float, metavar="GIB",
                   help="address-space limit in GiB (default 4; TensorFlow needs at least 2)")
    g.add_argument("--output-limit", type=float, metavar="MIB",
                   help="how much it may print, in MiB (default 1)")
    g.add_argument("--sandbox", choices=SANDBOX_LEVELS,
                   help="strict (default): Linux namespaces, Landlock and seccomp where "
                        "available; basic: rlimits and a process group only")


def limits_from_args(args: argparse.Namespace) -> Limits:
    """Defaults, then the file, then the command line. Raises LimitsError with the reason."""
    values: dict[str, Any] = {}
    if getattr(args, "limits", None):
        values.update(read_limits_file(args.limits))
    cli = {"timeout": args.timeout, "memory_gib": args.memory,
           "output_mib": getattr(args, "output_limit", None), "sandbox": getattr(args, "sandbox", None)}
    values.update(convert_limits({k: v for k, v in cli.items() if v is not None}, "the command line"))
    limits = Limits(**values)
    if limits.timeout_s <= 0:
        raise LimitsError("the timeout must be positive")
    if limits.memory_bytes < MIN_MEMORY_GIB * GiB:
        raise LimitsError(f"the memory limit must be at least {MIN_MEMORY_GIB} GiB "
                          f"(TensorFlow aborts below that)")
    if limits.output_bytes <= 0 or limits.file_bytes <= 0 or limits.open_files < 16 \
            or limits.processes < 16:
        raise LimitsError("output and file limits must be positive; open_files and processes "
                          "at least 16 (TensorFlow needs its threads and files)")
    return limits


def read_limits_file(path: str | Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LimitsError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LimitsError(f"{path} is not valid TOML: {exc}") from None
    table = data.get("limits")
    if not isinstance(table, dict):
        raise LimitsError(f"{path} has no [limits] table")
    return convert_limits(table, str(path))


def convert_limits(table: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in FILE_KEYS:
            raise LimitsError(f"{where}: unknown limit {key!r}; known: {', '.join(FILE_KEYS)}")
        field, factor, kind = FILE_KEYS[key]
        if kind is str:
            if value not in SANDBOX_LEVELS:
                raise LimitsError(f"{where}: sandbox must be one of {', '.join(SANDBOX_LEVELS)}")
            out[field] = value
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LimitsError(f"{where}: {key} must be a number, not {value!r}")
        out[field] = kind(value * factor)
    return out
