"""Gradescope's results.json, from a Result.

Follows the autograder specification (gradescope-autograders.readthedocs.io/en/latest/specs/):
top-level `score`, `execution_time` (seconds), `output` with `output_format`, `visibility` and
`stdout_visibility`, and one entry in `tests` per check with `name`, `number`, `score`,
`max_score`, `status` (passed | failed), `output` with its `output_format`, `tags` and
`visibility` (visible | hidden | after_due_date | after_published). Gradescope itself withholds a
test until its visibility allows; the top-level `output` is shown at once, so it is written from
the student's view (grader.rubric.StudentView) and names no withheld check.

The student-facing output of a test is the named mistake, where it is, what was expected and
got, and the hint: never a traceback.
"""
from __future__ import annotations

import html
from typing import Any

from grader.findings import Finding, Result, Status, Verdict, shown
from grader.rubric import StudentView

FORMATS = ("md", "html", "text")
MAX_TEST_OUTPUT = 8_000  # characters; a named mistake is a few hundred


def render_gradescope(result: Result, output_format: str = "md",
                      stdout_visibility: str = "hidden") -> dict[str, Any]:
    if output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {FORMATS}, not {output_format!r}")
    view = StudentView.of(result)
    tests: list[dict[str, Any]] = []
    for i, p in enumerate(result.problems, 1):
        tests.append({
            "name": f"Submission: {p.title or p.check}",
            "number": f"0.{i}",
            "score": 0.0,
            "max_score": 0.0,
            "status": "failed",
            "output": feedback(p, output_format),
            "output_format": output_format,
            "tags": _tags("submission", p),
            "visibility": "visible",
        })
    for e, ex in enumerate(result.exercises, 1):
        for c, f in enumerate(ex.findings, 1):
            tests.append({
                "name": f"{ex.id}: {f.title or f.check}" + (" (bonus)" if f.bonus else ""),
                "number": f"{e}.{c}",
                "score": _num(f.points),
                "max_score": _num(f.max_points),
                "status": "passed" if f.status is Status.PASS else "failed",
                "output": feedback(f, output_format),
                "output_format": output_format,
                "tags": _tags(ex.id, f),
                "visibility": f.visibility,
            })
    return {
        "score": _num(result.score),
        "execution_time": max(0, round(result.duration_s)),
        "output": _summary(result, view, output_format),
        "output_format": output_format,
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": stdout_visibility,
        # Not the verdict: with every visible check passed, "fail" would betray a hidden one.
        # `reported`: exercises graded from the submission's own report, not measured again by
        # the clean process (grader.verification); the ones to look at if a grade is disputed.
        "extra_data": {"max_score": _num(result.max_score),
                       "grader_version": result.grader_version,
                       "reported": [ex.id for ex in result.exercises
                                    if ex.verification == "reported"]},
        "tests": tests,
    }


def feedback(f: Finding, fmt: str) -> str:
    """What a student reads for one check: the named mistake with evidence, where, expected and
    got, the explanation and the hint; for a pass, what was confirmed."""
    if f.status is Status.PASS:
        lines = [("✔ ", f.message or f.title)]
        return _join(lines, fmt)
    icon = "✘ " if f.status is Status.FAIL else ("– " if f.status is Status.SKIPPED else "! ")
    lines: list[tuple[str, str]] = [(icon, f.message or f.title)]
    if f.location:
        lines.append(("Where: ", f.location))
    code = f.facts.get("code") if isinstance(f.facts, dict) else None
    if code:
        lines.append(("Code: ", str(code).strip()))
    if f.status is Status.FAIL and f.expected is not None and f.got is not None:
        lines.append(("Expected: ", shown(f.expected)))
        lines.append(("Got: ", shown(f.got)))
    if f.explanation:
        lines.append(("Why: ", f.explanation))
    if f.hint:
        lines.append(("Hint: ", f.hint))
    if f.bonus:
        lines.append(("", "This is a bonus check: it is worth no points and does not fail "
                          "your submission."))
    return _join(lines, fmt)[:MAX_TEST_OUTPUT]


def _join(lines: list[tuple[str, str]], fmt: str) -> str:
    if fmt == "html":
        return "".join(f"<p><strong>{html.escape(label)}</strong>{html.escape(text)}</p>"
                       if label.strip() not in ("✔", "✘", "–", "!", "") else
                       f"<p>{html.escape(label)}{html.escape(text)}</p>"
                       for label, text in lines)
    if fmt == "md":
        out = []
        for label, text in lines:
            text = _md_safe(text)
            if label.strip() in ("✔", "✘", "–", "!", ""):
                out.append(f"{label}{text}")
            else:
                out.append(f"**{label.strip()}** {text}")
        return "\n\n".join(out)
    return "\n".join(f"{label}{text}" for label, text in lines)


def _md_safe(text: str) -> str:
    # Facts quote the student's own names (layer names, code); Gradescope renders markdown and
    # some HTML, so <, > and & are escaped outside `code spans` (inside them markdown shows
    # them literally, and an entity would show as "&lt;").
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans to keep
        return html.escape(text, quote=False)
    return "`".join(p if i % 2 else html.escape(p, quote=False) for i, p in enumerate(parts))


def _summary(result: Result, view: StudentView, fmt: str) -> str:
    text = view.summary(result)
    if result.verdict is Verdict.ERROR and result.problems and result.problems[0].hint:
        text += f"\n\nHint: {result.problems[0].hint}"
    if fmt == "html":
        return "".join(f"<p>{html.escape(par)}</p>" for par in text.split("\n\n"))
    if fmt == "md":
        return _md_safe(text)
    return text


def _tags(exercise: str, f: Finding) -> list[str]:
    tags = [exercise, f.check]
    if f.mistake and f.status is not Status.PASS:
        tags.append(f.mistake)
    if f.bonus:
        tags.append("bonus")
    return tags


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 4)
