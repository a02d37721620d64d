"""PrairieLearn's external-grader results.json, from a Result.

Follows PrairieLearn's external grading docs (docs/externalGrading.md, "Grading results"):
`score` is a float in [0, 1]; `gradable: false` marks input that could not be graded (a syntax
error, a file that is not a notebook), so the attempt is not counted, with the reasons in
`format_errors`; `message`, `output` and `tests` (each with `name`, `description`, `points`,
`max_points`, `message`, `output`) are rendered by <pl-external-grader-results>; the file should
stay under 1 MB.

PrairieLearn has no per-test visibility, so checks the rubric does not make `visible` are never
listed by name: they are folded into one "Hidden checks" entry that carries their points only.
"""
from __future__ import annotations

from typing import Any

from grader.durable import dumps
from grader.findings import Finding, Result, Status, Verdict
from grader.rubric import StudentView

# Submission-level problems a student fixes without it being a wrong answer, plus the grader's
# own failures: these results are `gradable: false`, so the attempt does not count.
UNGRADABLE = frozenset({"syntax_error", "unreadable_submission", "no_submission",
                        "several_submissions", "module_not_available", "grader_error",
                        "grader_timeout", "misconfigured"})
MAX_BYTES = 1_000_000  # PrairieLearn: "this file should be limited to 1 MB"
MAX_PRINTED = 32_000   # characters of the student's own printed output kept in `output`


def render_prairielearn(result: Result) -> dict[str, Any]:
    view = StudentView.of(result)
    message = view.summary(result)
    first = result.problems[0] if result.problems else None
    if result.verdict is Verdict.ERROR and (first is None or first.mistake in UNGRADABLE):
        errors = [p.message or p.title for p in result.problems] or ["it could not be graded"]
        if first is not None and first.hint:
            errors.append(f"Hint: {first.hint}")
        return _fit({"gradable": False, "score": 0.0, "message": message,
                     "format_errors": errors, "output": "", "tests": []})
    tests = [_test(f"Submission: {p.title or p.check}", "The submission as a whole", p)
             for p in result.problems]
    tests += [_test(f.title or f.check, ex.title, f) for ex, f in view.shown]
    if view.withheld:
        n = len(view.withheld)
        tests.append({
            "name": "Hidden checks",
            "description": f"{n} check{'s' if n != 1 else ''} graded but not shown",
            "points": _num(sum(f.points for _, f in view.withheld)),
            "max_points": _num(sum(f.max_points for _, f in view.withheld)),
            "message": "These checks count towards your score; their details are not shown.",
            "output": "",
        })
    score = result.score / result.max_score if result.max_score else (
        1.0 if result.verdict is Verdict.PASS else 0.0)
    return _fit({
        "gradable": True,
        "score": round(min(1.0, max(0.0, score)), 6),
        "message": message,
        "output": _printed(result),
        "format_errors": [],
        "tests": tests,
    })


def _test(name: str, description: str, f: Finding) -> dict[str, Any]:
    return {"name": name + (" (bonus)" if f.bonus else ""), "description": description,
            "points": _num(f.points), "max_points": _num(f.max_points),
            "message": f.message or f.title, "output": _details(f)}


def _details(f: Finding) -> str:
    if f.status is Status.PASS:
        return ""
    lines = []
    if f.location:
        lines.append(f"Where: {f.location}")
    code = f.facts.get("code") if isinstance(f.facts, dict) else None
    if code:
        lines.append(f"Code: {str(code).strip()}")
    if f.status is Status.FAIL and f.expected is not None and f.got is not None:
        lines += [f"Expected: {f.expected}", f"Got: {f.got}"]
    if f.explanation:
        lines.append(f"Why: {f.explanation}")
    if f.hint:
        lines.append(f"Hint: {f.hint}")
    if f.bonus:
        lines.append("Bonus check: worth no points, never fails your submission.")
    return "\n".join(lines)


def _printed(result: Result) -> str:
    if not result.stdout:
        return ""
    text = result.stdout[-MAX_PRINTED:]
    cut = len(result.stdout) > MAX_PRINTED or result.stdout_truncated
    return ("What your code printed" + (" (the end of it)" if cut else "") + ":\n" + text)


def _fit(results: dict[str, Any], cap: int = MAX_BYTES) -> dict[str, Any]:
    """Shorten the longest free-text fields until the JSON is under the cap."""
    def size() -> int:  # as the hooks write it (grader.lms.common.write_json_atomic): indented
        return len(dumps(results, indent=1).encode("utf-8"))
    while size() > cap:
        fields = [(results, "output"), (results, "message")] + \
                 [(t, k) for t in results.get("tests", []) for k in ("output", "message")]
        holder, key = max(fields, key=lambda hk: len(hk[0].get(hk[1], "")))
        text = holder[key]
        if len(text) < 200:  # nothing long is left to cut; drop tests from the end
            if results.get("tests"):
                results["tests"].pop()
                continue
            break
        holder[key] = text[: len(text) // 2] + "\n… (cut to stay under PrairieLearn's 1 MB limit)"
    return results


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 4)
