"""What an exercise declares, and the registry that finds exercise modules.

An exercise module (one file under `exercises/`) exposes `EXERCISE = Exercise(...)`. The core
knows nothing about siamese networks or MLPs: it runs the exercise's `collect` inside the
sandboxed child, then its checks in the parent, and scores them with the declared points.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.findings import Finding
from grader.mistakes import Mistake

Evidence = dict[str, Any]
# A check is a pure function of the exercise's evidence: no TensorFlow, no I/O, no prose.
CheckFn = Callable[[Evidence], "Finding | list[Finding]"]


@dataclass(frozen=True)
class Check:
    id: str
    title: str          # what is checked, in the student's terms
    fn: CheckFn
    points: float = 1.0
    visibility: str = "visible"
    bonus: bool = False  # shown to the student, worth no points, never fails the verdict


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    # Lesson names tried first; a collector may fall back to look-alikes and say so.
    looks_for: tuple[str, ...]
    # Runs in the sandboxed child with the student's namespace; returns plain data.
    # Signature: collect(namespace: dict, probe: grader.probe.Probe) -> Evidence
    collect: Callable[..., Evidence]
    checks: tuple[Check, ...]
    mistakes: tuple[Mistake, ...] = field(default_factory=tuple)
    # The model the task asks for, drawn beside the student's (grader.diagram.declare); optional.
    expected_diagram: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks if not c.bonus)


EXERCISE_PACKAGE = "exercises"


def load_exercises(package: str = EXERCISE_PACKAGE) -> dict[str, Exercise]:
    """Every `EXERCISE` declared by a module of the exercises package, by id."""
    pkg = importlib.import_module(package)
    found: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if isinstance(exercise, Exercise):
            if exercise.id in found:
                raise ValueError(f"two exercises declare the id {exercise.id!r}")
            found[exercise.id] = exercise
    return found
