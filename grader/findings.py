"""The plain data that flows between stages: findings, exercise results, the whole result.

Everything here is JSON-able and free of TensorFlow, so the parent can build, score and render
it without importing Keras, and a result can cross a process boundary (batch workers, LMS hooks)
as a dict.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


def shown(value: Any) -> str:
    """A fact as a student reads it, in every format: 217537 → "217,537", 0.30000001 → "0.3",
    True → "True", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"      # the check could not run (the submission broke the experiment)
    SKIPPED = "skipped"  # a precondition failed; the reason says which


class Verdict(str, Enum):
    PASS = "pass"    # every check passed
    FAIL = "fail"    # graded, and at least one check failed or a mistake was found
    ERROR = "error"  # could not be graded at all


@dataclass
class Finding:
    """What one check concluded. Checks fill `check`, `status`, `mistake` and the facts;
    the catalogue turns the mistake id and facts into prose later (see grader.mistakes)."""

    check: str
    status: Status
    mistake: str | None = None
    expected: Any = None
    got: Any = None
    facts: dict[str, Any] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)  # layer names the finding points at
    reason: str = ""  # for SKIPPED/ERROR: why the check did not run
    # Filled in by scoring, from the exercise's declaration and the catalogue:
    title: str = ""
    points: float = 0.0
    max_points: float = 0.0
    message: str = ""
    explanation: str = ""
    hint: str = ""
    location: str = ""
    visibility: str = "visible"  # visible | hidden | after_due_date | after_published
    bonus: bool = False  # a bonus check never fails a submission and is worth no points

    def to_dict(self) -> dict[str, Any]:
        # `id` first: what LMS hooks and the README call a check; `check` stays for old readers.
        d = {"id": self.check, **asdict(self)}
        d["status"] = self.status.value
        return d


def passed(check: str, **facts: Any) -> Finding:
    return Finding(check=check, status=Status.PASS, facts=facts,
                   expected=facts.pop("expected", None), got=facts.pop("got", None))


def failed(check: str, mistake: str, *, expected: Any = None, got: Any = None,
           layers: list[str] | None = None, **facts: Any) -> Finding:
    return Finding(check=check, status=Status.FAIL, mistake=mistake, expected=expected,
                   got=got, layers=list(layers or []), facts=facts)


def skipped(check: str, reason: str) -> Finding:
    return Finding(check=check, status=Status.SKIPPED, reason=reason)


@dataclass
class ExerciseResult:
    id: str
    title: str
    findings: list[Finding]
    score: float = 0.0
    max_score: float = 0.0
    graded_object: str | None = None  # which of the student's names was graded
    notes: list[str] = field(default_factory=list)
    summaries: dict[str, str] = field(default_factory=dict)  # model name -> summary() text
    # Pictures of the student's models and the expected one, as plain graphs (grader.diagram).
    diagrams: list[dict[str, Any]] = field(default_factory=list)
    # What the verdict rests on (grader.verification): "clean" (measured again by a process
    # that never ran student code), "reported" (the submission's process only, `why`), or ""
    # (no real run: hand-made evidence).
    verification: str = ""
    verification_why: str = ""
    # measured clean: the checks whose finding is the child's (it saw a failure the export
    # cannot carry, or the clean process could not tell)
    from_child: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "score": self.score,
            "max_score": self.max_score, "graded_object": self.graded_object,
            "notes": self.notes, "summaries": self.summaries,
            "checks": [f.to_dict() for f in self.findings],
            "diagrams": self.diagrams,
            "verification": {"measured": self.verification or None,
                             "why": self.verification_why or None,
                             "from_child": self.from_child},
        }


@dataclass
class Result:
    submission: str
    verdict: Verdict
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    problems: list[Finding] = field(default_factory=list)  # submission-level: syntax, timeout …
    notes: list[str] = field(default_factory=list)
    stdout: str = ""
    stdout_truncated: bool = False
    sandbox: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    # Where the child's time went (seconds): sandbox set-up, the submission's own code, the
    # grader's examination of its models, per exercise too. Empty when nothing ran.
    timings: dict[str, Any] = field(default_factory=dict)
    grader_version: str = ""

    @property
    def mistakes(self) -> list[str]:
        """Every mistake id found, in the order first found, once each."""
        seen: dict[str, None] = {}
        for f in self.problems + [f for ex in self.exercises for f in ex.findings]:
            if f.mistake and f.status in (Status.FAIL, Status.ERROR) and not f.bonus:
                seen.setdefault(f.mistake, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "verdict": self.verdict.value,
            "score": self.score,
            "max_score": self.max_score,
            "mistakes": self.mistakes,
            "problems": [f.to_dict() for f in self.problems],
            "exercises": [ex.to_dict() for ex in self.exercises],
            "notes": self.notes,
            "output": {"text": self.stdout, "truncated": self.stdout_truncated},
            "sandbox": self.sandbox,
            "duration_s": round(self.duration_s, 3),
            "timings": self.timings,
            "grader_version": self.grader_version,
        }
