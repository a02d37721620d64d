"""The pipeline, one direction: load → run in sandbox → checks → score → Result.

Checks run here, in the parent, as pure functions of the evidence the child sent; the student's
process never sees them. Renderers take the Result from here and never look at a model.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__
from grader.diagram import exercise_diagrams
from grader.durable import display_path
from grader.exercise import Exercise, load_exercises
from grader.findings import (ExerciseResult, Finding, Result, Status, Verdict, failed, shown,
                             skipped)
from grader.mistakes import Mistake, catalogue, render_evidence
from grader.runner import Limits, RunOutcome, Runner, SubprocessRunner
from grader.submission import UnreadableSubmission, find_syntax_error, load_submission
from grader.verification import (CleanMeasurement, Verifier, reported_reason,
                                 wants_verification)


@dataclass
class Ran:
    """A submission between Grader.run and Grader.finish: its run's outcome, or the result it
    already has (unreadable, a syntax error: nothing to run)."""

    path: str | Path
    only: list[str] | None
    start: float
    source: Any = None
    outcome: RunOutcome | None = None
    result: Result | None = None


class Grader:
    def __init__(self, runner: Runner | None = None, limits: Limits | None = None,
                 exercises: dict[str, Exercise] | None = None,
                 verifier: Verifier | None = None):
        self.runner = runner or SubprocessRunner()
        # The clean process that measures the exported models again (grader.verification);
        # started only when a real run needs it.
        self.verifier = verifier or Verifier(launcher=getattr(self.runner, "launch_verifier",
                                                              None))
        self.limits = limits or Limits()
        self.exercises = exercises if exercises is not None else load_exercises()
        self.mistakes = catalogue(self.exercises.values())

    # -- the pipeline ---------------------------------------------------------------------
    def grade(self, path: str | Path, only: list[str] | None = None) -> Result:
        return self.finish(self.run(path, only))

    def run(self, path: str | Path, only: list[str] | None = None) -> "Ran":
        """The first half: load the submission and run it in its sandbox. A batch runs these in
        its workers, and finishes each in a thread of its own, so a worker starts its next
        submission while the clean process measures the last one."""
        start = time.monotonic()
        ran = Ran(path, only, start)
        try:
            source = load_submission(str(path))
        except UnreadableSubmission as exc:
            ran.result = self._error(str(path), only, failed(
                "submission", "unreadable_submission", detail=str(exc)))
            return ran
        except OSError as exc:
            ran.result = self._error(str(path), only, failed(
                "submission", "unreadable_submission",
                detail=f"could not read the file: {exc.strerror}"))
            return ran
        syntax = find_syntax_error(source)
        if syntax is not None:
            f = failed("submission", "syntax_error", message=syntax.message, where=syntax.where,
                       code=syntax.text, line=syntax.line, cell=syntax.cell)
            f.location = syntax.where
            ran.result = self._error(str(path), only, f, notes=source.notes)
            return ran
        self.verifier.spawn()  # its start overlaps the submission's run
        ran.source, ran.outcome = source, self.runner.run(source, only, self.limits)
        return ran

    def finish(self, ran: "Ran") -> Result:
        """The second half: the clean measurement, then evidence → findings → score."""
        result = ran.result
        if result is None:
            source, outcome, only = ran.source, ran.outcome, ran.only
            clean = None
            if wants_verification(outcome):
                # What the child found attempted: an exercise it did not is not graded, so
                # there is nothing to hold its report to.
                reported = (outcome.evidence or {}).get("exercises")
                attempted = sorted(k for k, v in reported.items() if isinstance(v, dict)
                                   and v.get("attempted")) if isinstance(reported, dict) else []
                if outcome.export_cut:
                    clean = CleanMeasurement(error="the description of the models was larger "
                                                   "than the result channel carries")
                else:
                    clean = self.verifier.measure(
                        source.to_dict(), outcome.seed or 0,
                        [e for e in attempted if not only or e in only], outcome.export,
                        self.limits.timeout_s)
            result = self.assemble(str(ran.path), outcome, only, source_notes=source.notes,
                                   clean=clean)
        result.submission = display_path(ran.path)  # text for every report; files keep the path
        result.duration_s = time.monotonic() - ran.start
        result.grader_version = __version__
        return result

    def failure(self, path: str | Path, detail: str, only: list[str] | None = None,
                duration_s: float = 0.0) -> Result:
        return grader_failure(self.exercises, path, detail, only, duration_s)

    # -- evidence → findings → score ------------------------------------------------------
    def assemble(self, path: str, outcome: RunOutcome, only: list[str] | None,
                 source_notes: list[str] | None = None,
                 clean: CleanMeasurement | None = None) -> Result:
        ev = outcome.evidence
        notes = list(source_notes or [])
        base = dict(stdout=outcome.output, stdout_truncated=outcome.output_truncated,
                    sandbox=outcome.sandbox)
        if ev is None:
            return self._error(path, only, self._run_problem(outcome), notes=notes, **base)
        notes += ev.get("notes", [])
        base["timings"] = _timings(ev)
        if clean is not None and clean.verify_s:
            base["timings"]["verify_s"] = round(clean.verify_s, 3)
        problems: list[Finding] = []
        if ev.get("problem"):
            p = ev["problem"]
            f = failed("submission", p["kind"], exception=p.get("exception"),
                       where=p.get("where"), code=p.get("code"), line=p.get("line"),
                       cell=p.get("cell"), detail=p.get("detail", p.get("exception")),
                       traceback=p.get("traceback"))
            f.location = p.get("where", "")
            problems.append(f)

        if ev.get("tampering"):
            changed = ev["tampering"]
            problems.append(failed("submission", "tampering", got=len(changed),
                                   changed=", ".join(changed[:12]) +
                                   (f" and {len(changed) - 12} more" if len(changed) > 12 else "")))

        results: list[ExerciseResult] = []
        verifying = wants_verification(outcome)
        reported = ev.get("exercises", {}) if isinstance(ev.get("exercises"), dict) else {}
        measured = clean.exercises if clean is not None and not clean.error else {}
        forged: list[str] = []
        policy = ev.get("global_policy", "float32")
        for ex_id, exercise in self.exercises.items():
            if ex_id not in reported and ex_id not in measured:
                continue
            child = dict(reported.get(ex_id) or {"attempted": False}, global_policy=policy)
            why = reported_reason(clean, ex_id) if verifying else None
            if not verifying or why is not None:
                if not child.get("attempted") and not (only and ex_id in only):
                    continue
                result = self._grade_exercise(exercise, child, ev.get("inventory", []))
                if verifying:
                    result.verification, result.verification_why = "reported", why
                results.append(result)
                continue
            fresh = dict(measured[ex_id], global_policy=policy)
            if not (child.get("attempted") or fresh.get("attempted") or (only and ex_id in only)):
                continue
            result = self._grade_exercise(exercise, fresh, ev.get("inventory", []))
            if child.get("attempted"):
                forged += self._hold_to_both(result, self._grade_exercise(
                    exercise, child, ev.get("inventory", [])))
            result.verification = "clean"
            results.append(result)
        if clean is not None and clean.unreadable:
            problems.append(failed("submission", "tampering", got=1, changed=clean.unreadable))
        if forged:
            problems.append(failed(
                "submission", "tampering", got=len(forged),
                changed="what your code's process reported about your model: "
                        + "; ".join(forged[:6]) + (f" and {len(forged) - 6} more"
                                                   if len(forged) > 6 else "")))

        if not results:
            if problems:
                return self._finish(path, [], problems, notes, force_error=True, **base)
            problems.append(failed("submission", "model_not_found",
                                   found=_describe_inventory(ev.get("inventory", []))))
        return self._finish(path, results, problems, notes, **base)

    def _grade_exercise(self, exercise: Exercise, evidence: dict[str, Any],
                        inventory: list[dict]) -> ExerciseResult:
        findings: list[Finding] = []
        if not evidence.get("attempted"):
            findings = [failed(exercise.checks[0].id, "model_not_found",
                               found=_describe_inventory(inventory))]
            findings += [skipped(c.id, "no model for this exercise was found")
                         for c in exercise.checks[1:]]
        elif evidence.get("collect_error"):
            findings = [Finding(c.id, Status.ERROR, "grader_error",
                                facts={"detail": evidence["collect_error"]},
                                reason="the grader could not examine your model")
                        for c in exercise.checks]
        else:
            for check in exercise.checks:
                try:
                    finding = check.fn(evidence)
                except Exception as exc:  # a bug in a check must show, not crash the grading
                    finding = Finding(check.id, Status.ERROR, "grader_error",
                                      facts={"detail": f"{type(exc).__name__}: {exc}"},
                                      reason="this check failed inside the grader")
                finding.check = check.id
                findings.append(finding)
        by_id = {c.id: c for c in exercise.checks}
        for f in findings:
            check = by_id[f.check]
            f.title = check.title
            f.bonus, f.visibility = check.bonus, check.visibility
            f.max_points = 0.0 if check.bonus else check.points
            f.points = f.max_points if f.status is Status.PASS else 0.0
            self._explain(f)
        return ExerciseResult(
            exercise.id, exercise.title, findings,
            score=sum(f.points for f in findings), max_score=exercise.max_score,
            graded_object=evidence.get("graded_object"), notes=evidence.get("notes", []),
            summaries=evidence.get("summaries", {}), diagrams=_diagrams(exercise, evidence))

    @staticmethod
    def _hold_to_both(result: ExerciseResult, child: ExerciseResult) -> list[str]:
        """A check passes only if it passes measured clean and as the child measured it: the
        export cannot carry everything the live objects show (a layer's call history), and the
        child's report can be forged. Returns the checks the child reported passing that fail
        measured clean: the submission's process described a model it did not build."""
        theirs = {f.check: f for f in child.findings}
        forged = []
        for i, f in enumerate(result.findings):
            other = theirs.get(f.check)
            if other is None:
                continue
            if f.status is Status.PASS and other.status is not Status.PASS:
                # failed, or not examined (the child's collection crashed, the check was
                # skipped on what the live objects showed): never a pass on the clean
                # measurement alone, or making the child crash would pass any reading the
                # clean process got wrong
                result.findings[i] = other
                result.from_child.append(f.check)
            elif f.status is Status.FAIL and other.status is Status.PASS:
                forged.append(f"`{f.check}` passed, but measured clean it is "
                              f"{f.mistake or 'a fail'}")
            elif f.status in (Status.ERROR, Status.SKIPPED) and other.status is Status.PASS:
                result.findings[i] = other  # the clean process could not tell: the child did
                result.from_child.append(f.check)
        result.score = sum(f.points for f in result.findings)
        return forged

    def _explain(self, f: Finding) -> None:
        """Fill the prose of a finding from the catalogue, keyed by its mistake id."""
        mistake: Mistake | None = self.mistakes.get(f.mistake) if f.mistake else None
        facts = dict(f.facts, expected=f.expected, got=f.got)
        if mistake is not None and f.status in (Status.FAIL, Status.ERROR):
            evidence = render_evidence(mistake, facts)
            f.message = f"{mistake.title}: {evidence}" if evidence else mistake.title
            f.explanation, f.hint = mistake.explanation, mistake.hint
            if not f.title:
                f.title = mistake.title
        elif f.status is Status.SKIPPED:
            f.message = f"Not checked: {f.reason}"
        elif f.status is Status.ERROR:
            f.message = f.reason or "could not be checked"
        else:
            f.message = f.title + (f" ({shown(f.got)})" if f.got is not None else "")

    def _run_problem(self, outcome: RunOutcome) -> Finding:
        reason = outcome.killed_for or "crashed"
        facts = {"detail": outcome.detail, "limit_s": shown(outcome.sandbox.get("timeout_s")),
                 "limit_bytes": outcome.sandbox.get("output_bytes")}
        if reason == "crashed":
            return failed("submission", "runtime_error", exception=outcome.detail,
                          where="(the process died)", detail=outcome.detail)
        if reason == "tampering":
            return failed("submission", "tampering", changed=outcome.detail)
        if reason == "memory_limit" and not outcome.detail:
            facts["detail"] = "the process ran out of memory and was stopped"
        return failed("submission", reason, **facts)

    def _error(self, path: str, only: list[str] | None, problem: Finding,
               notes: list[str] | None = None, **base: Any) -> Result:
        return self._finish(path, [], [problem], notes or [], force_error=True,
                            max_score=self._max_score(only), **base)

    def _max_score(self, only: list[str] | None) -> float:
        return sum(ex.max_score for ex_id, ex in self.exercises.items() if not only or ex_id in only)

    def _finish(self, path: str, results: list[ExerciseResult], problems: list[Finding],
                notes: list[str], force_error: bool = False, max_score: float | None = None,
                **base: Any) -> Result:
        for p in problems:
            p.title = self.mistakes[p.mistake].title if p.mistake in self.mistakes else p.check
            self._explain(p)
        if force_error:
            verdict = Verdict.ERROR
        elif problems or any(f.status is not Status.PASS and not f.bonus
                             for r in results for f in r.findings):
            verdict = Verdict.FAIL
        else:
            verdict = Verdict.PASS
        if max_score is None:
            max_score = sum(r.max_score for r in results) or self._max_score(None)
        score = sum(r.score for r in results)
        if any(p.mistake == "tampering" for p in problems):
            score = 0.0  # nothing measured in a process that rewrote the grader earns marks
        return Result(path, verdict, score=score, max_score=max_score,
                      exercises=results, problems=problems, notes=notes, **base)


def grader_failure(exercises: dict[str, Exercise], path: str | Path, detail: str,
                   only: list[str] | None = None, duration_s: float = 0.0) -> Result:
    """The Result of a submission the grader itself crashed on: an error verdict that names the
    grader, not the student, with every key a Result has and the exercises' points as the
    maximum (as for any submission that could not be graded)."""
    m = catalogue(exercises.values()).get("grader_error")
    f = Finding("submission", Status.ERROR, "grader_error", facts={"detail": detail},
                title=m.title if m else "grader_error",
                message=f"{m.title}: {detail}" if m else detail,
                explanation=m.explanation if m else "", hint=m.hint if m else "")
    max_score = sum(ex.max_score for i, ex in exercises.items() if not only or i in only)
    return Result(display_path(path), Verdict.ERROR, 0.0, max_score, [], problems=[f],
                  duration_s=duration_s, grader_version=__version__)


def _diagrams(exercise: Exercise, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Pictures are a courtesy: a graph the diagram code cannot read costs the picture, never
    the grading."""
    if not evidence.get("attempted") or evidence.get("collect_error"):
        return []
    try:
        return exercise_diagrams(evidence, exercise.expected_diagram)
    except Exception:  # noqa: BLE001
        return []


def _describe_inventory(inventory: list[dict]) -> str:
    if not inventory:
        return "no Keras models, layers or model classes at the top level of your file"
    return ", ".join(f"`{i['name']}` ({i['type']})" for i in inventory[:12])


def _timings(ev: dict[str, Any]) -> dict[str, Any]:
    """The child's own clock readings, as numbers only (the evidence crossed a trust boundary)."""
    def num(v: Any) -> float | None:
        return round(float(v), 3) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    raw = ev.get("timings") if isinstance(ev.get("timings"), dict) else {}
    out: dict[str, Any] = {k: v for k in ("sandbox_s", "run_s", "export_s", "collect_s")
                           if (v := num(raw.get(k))) is not None}
    per = {ex: v for ex, e in ev.get("exercises", {}).items() if isinstance(e, dict)
           and e.get("attempted") and (v := num(e.get("collect_s"))) is not None}
    if per:
        out["collect_by_exercise_s"] = per
    return out
