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
import math
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
# key -> (least, most, unit): what a course may set. The least keeps TensorFlow alive (its
# threads, files and address space); the most keeps the number a real limit the kernel accepts.
RANGES: dict[str, tuple[float, float, str]] = {
    "timeout": (0.0, 86_400, "seconds"),        # exclusive 0: a day is more than any lesson
    "memory_gib": (MIN_MEMORY_GIB, 1024, "GiB"),
    "output_mib": (0.0, 1024, "MiB"),
    "file_mib": (0.0, 65_536, "MiB"),
    "open_files": (16, 1_048_576, ""),
    "processes": (16, 4_194_304, ""),           # the kernel's pid_max ceiling
}
MAX_TIMEOUT_S = RANGES["timeout"][1]
COMMAND_LINE = "the command line"
CLI_NAMES = {"timeout": "--timeout", "memory_gib": "--memory", "output_mib": "--output-limit"}


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
    values.update(convert_limits({k: v for k, v in cli.items() if v is not None}, COMMAND_LINE))
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
        check_range(key, value, where)
        out[field] = kind(value * factor)
    return out


def check_range(key: str, value: float, where: str) -> None:
    """A limit must be a finite number in its range; the message names the range."""
    least, most, unit = RANGES[key]
    name = CLI_NAMES.get(key, key) if where == COMMAND_LINE else f"{where}: {key}"
    if least == 0:
        ok = math.isfinite(value) and 0 < value <= most
        span = f"above 0 and at most {most:g} {unit}"
    else:
        ok = math.isfinite(value) and least <= value <= most
        why = (" (TensorFlow aborts below that)" if key == "memory_gib" else
               " (TensorFlow needs its threads and files)")
        unit = f" {unit}" if unit else ""
        span = f"at least {least:g}{unit}{why} and at most {most:g}{unit}"
    if not ok:
        raise LimitsError(f"{name} must be {span}, not {value:g}")


def seconds(text: str) -> float:
    """argparse type of a time limit: a finite number of seconds above 0, at most a day."""
    return _seconds(text, allow_zero=False)


def seconds_or_zero(text: str) -> float:
    """argparse type of a deadline: as `seconds`, and 0 turns it off."""
    return _seconds(text, allow_zero=True)


def _seconds(text: str, allow_zero: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not (0 <= value if allow_zero else 0 < value) \
            or value > MAX_TIMEOUT_S:
        low = "0 (none) or more" if allow_zero else "above 0"
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds {low} and at most {MAX_TIMEOUT_S:g}, not {text!r}")
    return value
