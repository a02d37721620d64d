"""The rubric: course staff's points, visibility and required exercises, applied to a Result.

A rubric file (TOML, checked into the course repository) overrides what the exercise modules
declare beside their checks; without one, `default_rubric` keeps the declared values. The rubric
is a separate stage after scoring (`apply_rubric`), so checks, the pipeline and the renderers never
learn about it:

    [assignment]
    name = "Week 2: models three ways"
    require = ["siamese"]            # the exercises this assignment grades (default: attempted ones)
    submission = ["siamese*.ipynb"]  # LMS hooks: which uploaded file to grade, if several

    [gradescope]
    output_format = "md"             # md | html: how check output is rendered for students
    stdout_visibility = "hidden"

    [exercises.siamese]
    visibility = "visible"           # default for this exercise's checks

    [exercises.siamese.checks]
    encoder_shared = { points = 4 }
    param_count = { points = 2, visibility = "after_due_date" }
    head_name = { bonus = true }     # shown, worth nothing, never fails the verdict

Visibility values are Gradescope's: `visible`, `hidden` (never shown to students),
`after_due_date`, `after_published`. Every mistake in a rubric file is reported with its line.
"""
from __future__ import annotations

import copy
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from grader.comments import strip_line_comment
from grader.findings import ExerciseResult, Finding, Result, Status, Verdict

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
OUTPUT_FORMATS = ("md", "html")


class RubricError(ValueError):
    """An invalid rubric; the message names the file and line for the course staff."""

    def __init__(self, message: str, source: str = "rubric", line: int | None = None):
        self.message, self.source, self.line = message, source, line
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class CheckRule:
    points: float
    visibility: str = "visible"
    bonus: bool = False

    @property
    def max_points(self) -> float:
        return 0.0 if self.bonus else self.points


@dataclass
class Rubric:
    # exercise id -> check id -> rule, for every check the grader knows (declared values merged
    # with the file's overrides), in declaration order.
    rules: dict[str, dict[str, CheckRule]]
    required: tuple[str, ...] | None = None
    name: str = ""
    submission: tuple[str, ...] = ()
    gradescope: dict[str, str] = field(
        default_factory=lambda: {"output_format": "md", "stdout_visibility": "hidden"})
    source: str = "(built-in default rubric)"

    def max_score(self, exercise_id: str) -> float:
        return sum(r.max_points for r in self.rules.get(exercise_id, {}).values())

    def graded_exercises(self) -> list[str]:
        return list(self.required) if self.required is not None else list(self.rules)


def default_rubric(exercises: dict[str, Any]) -> Rubric:
    """What the exercise modules declare: their points, visibility and bonus flags."""
    return Rubric({ex_id: {c.id: CheckRule(float(c.points), c.visibility, c.bonus)
                           for c in ex.checks}
                   for ex_id, ex in exercises.items()})


def load_rubric(path: str | Path | None, exercises: dict[str, Any]) -> Rubric:
    if path is None:
        return default_rubric(exercises)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(f"cannot read the rubric: {exc.strerror}", str(p)) from None
    except UnicodeDecodeError:
        raise RubricError("the rubric is not UTF-8 text", str(p)) from None
    return parse_rubric(text, exercises, source=str(p))


def parse_rubric(text: str, exercises: dict[str, Any], source: str = "rubric.toml") -> Rubric:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # Python 3.11 puts the place in the message only
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)", str(exc))
        if found is None:
            raise RubricError(f"not valid TOML: {exc}", source) from None
        message = str(exc)[:found.start()] + str(exc)[found.end():]
        raise RubricError(f"not valid TOML: {message} (column {found.group(2)})", source,
                          int(found.group(1))) from None
    return _Validator(text, exercises, source).build(data)


class _Validator:
    """Turns parsed TOML into a Rubric, naming the line of the first wrong key or value."""

    def __init__(self, text: str, exercises: dict[str, Any], source: str):
        self.text, self.exercises, self.source = text, exercises, source

    def error(self, path: tuple[str, ...], message: str) -> RubricError:
        return RubricError(message, self.source, line_of_key(self.text, path))

    def unknown(self, path: tuple[str, ...], what: str, known: Iterable[str]) -> RubricError:
        known = sorted(known)
        close = difflib.get_close_matches(path[-1], known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return self.error(path, f"unknown {what} {path[-1]!r}{hint} (known: {', '.join(known)})")

    def table(self, value: Any, path: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.error(path, f"{'.'.join(path)} must be a table")
        return value

    def build(self, data: dict) -> Rubric:
        rubric = default_rubric(self.exercises)
        rubric.source = self.source
        sections = ("assignment", "gradescope", "exercises", "limits")
        for key in data:
            if key not in sections:
                raise self.unknown((key,), "section", sections)
        if "limits" in data:  # sandbox limits, read by `--limits` (grader.settings)
            from grader.settings import LimitsError, convert_limits
            try:
                convert_limits(self.table(data["limits"], ("limits",)), "[limits]")
            except LimitsError as exc:
                raise self.error(("limits",), str(exc)) from None
        self._assignment(self.table(data.get("assignment", {}), ("assignment",)), rubric)
        self._gradescope(self.table(data.get("gradescope", {}), ("gradescope",)), rubric)
        for ex_id, ex_data in self.table(data.get("exercises", {}), ("exercises",)).items():
            path = ("exercises", ex_id)
            if ex_id not in self.exercises:
                raise self.unknown(path, "exercise", self.exercises)
            self._exercise(ex_id, self.table(ex_data, path), rubric)
        return rubric

    def _assignment(self, a: dict, rubric: Rubric) -> None:
        for key, value in a.items():
            path = ("assignment", key)
            if key == "name":
                rubric.name = self._string(value, path)
            elif key == "require":
                ids = self._strings(value, path)
                if not ids:
                    raise self.error(path, "require must name at least one exercise")
                for ex_id in ids:
                    if ex_id not in self.exercises:
                        raise self.unknown(path + (ex_id,), "exercise in require", self.exercises)
                if len(set(ids)) != len(ids):
                    raise self.error(path, "require names an exercise twice")
                rubric.required = tuple(ids)
            elif key == "submission":
                rubric.submission = tuple(self._strings(value, path))
            else:
                raise self.unknown(path, "key in [assignment]", ("name", "require", "submission"))

    def _gradescope(self, g: dict, rubric: Rubric) -> None:
        for key, value in g.items():
            path = ("gradescope", key)
            if key == "output_format":
                rubric.gradescope[key] = self._choice(value, path, OUTPUT_FORMATS)
            elif key == "stdout_visibility":
                rubric.gradescope[key] = self._choice(value, path, VISIBILITIES)
            else:
                raise self.unknown(path, "key in [gradescope]",
                                   ("output_format", "stdout_visibility"))

    def _exercise(self, ex_id: str, e: dict, rubric: Rubric) -> None:
        rules = rubric.rules[ex_id]
        default_visibility = None
        for key in e:
            if key not in ("visibility", "checks"):
                raise self.unknown(("exercises", ex_id, key), f"key in [exercises.{ex_id}]",
                                   ("visibility", "checks"))
        if "visibility" in e:
            default_visibility = self._choice(e["visibility"], ("exercises", ex_id, "visibility"),
                                              VISIBILITIES)
            for check_id, rule in rules.items():
                rules[check_id] = CheckRule(rule.points, default_visibility, rule.bonus)
        checks = self.table(e.get("checks", {}), ("exercises", ex_id, "checks"))
        for check_id, spec in checks.items():
            path = ("exercises", ex_id, "checks", check_id)
            if check_id not in rules:
                raise self.unknown(path, f"check of exercise {ex_id!r}", rules)
            rule = rules[check_id]
            if _is_number(spec):  # shorthand: `encoder_shared = 4`
                spec = {"points": spec}
            for key, value in self.table(spec, path).items():
                kpath = path + (key,)
                if key == "points":
                    if not _is_number(value) or value < 0 or not math.isfinite(value):
                        raise self.error(kpath, f"points of {ex_id}.{check_id} must be a number "
                                                f">= 0, not {value!r}")
                    rule = CheckRule(float(value), rule.visibility, rule.bonus)
                elif key == "visibility":
                    rule = CheckRule(rule.points, self._choice(value, kpath, VISIBILITIES),
                                     rule.bonus)
                elif key == "bonus":
                    if not isinstance(value, bool):
                        raise self.error(kpath, f"bonus must be true or false, not {value!r}")
                    rule = CheckRule(rule.points, rule.visibility, value)
                else:
                    raise self.unknown(kpath, "check setting", ("points", "visibility", "bonus"))
            rules[check_id] = rule

    def _string(self, value: Any, path: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"{path[-1]} must be a string, not {value!r}")
        return value

    def _strings(self, value: Any, path: tuple[str, ...]) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(path, f"{path[-1]} must be a list of strings, not {value!r}")
        return value

    def _choice(self, value: Any, path: tuple[str, ...], choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.error(path, f"{path[-1]} must be one of {', '.join(choices)}; "
                                   f"not {value!r}")
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def default_rubric_toml(exercises: dict[str, Any]) -> str:
    """The built-in rubric written out as a rubric file: a starting point for course staff,
    and what a bundle built without --rubric carries."""
    lines = [
        "# Rubric for keras-exercise-grader: points, visibility and bonus flag of every check.",
        "# Visibility: visible | hidden (never shown to students) | after_due_date |",
        "# after_published (Gradescope shows the test then; elsewhere it stays hidden).",
        "# Check: python -m grader.rubric rubric.toml",
        "",
        "[assignment]",
        'name = "Models three ways: Sequential, Functional, Subclassing"',
        f"# require = {_toml_list(sorted(exercises))}  # grade only these (default: attempted)",
        '# submission = ["*.ipynb"]  # which uploaded file to grade when there are several',
        "",
        "[gradescope]",
        'output_format = "md"  # md | html',
        'stdout_visibility = "hidden"',
    ]
    for ex_id, ex in exercises.items():
        lines += ["", f"# {ex.title}: {ex.max_score:g} points",
                  f"[exercises.{ex_id}.checks]"]
        width = max(len(c.id) for c in ex.checks)
        for c in ex.checks:
            setting = f"points = {c.points:g}, visibility = \"{c.visibility}\""
            if c.bonus:
                setting += ", bonus = true"
            lines.append(f"{c.id:<{width}} = {{ {setting} }}  # {c.title}")
    return "\n".join(lines) + "\n"


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


# -- finding a key's line in the TOML text ---------------------------------------------------
def line_of_key(text: str, path: tuple[str, ...]) -> int | None:
    """The 1-based line where the dotted key `path` is defined, or of its nearest defined parent.

    tomllib reports lines only for syntax errors, so semantic errors (an unknown check id) are
    located here: table headers and `key = value` lines are followed with their dotted keys;
    a key inside an inline table is found on the line of the inline table that holds it.
    """
    header: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (length of the matched prefix, line)
    for number, raw in enumerate(text.splitlines(), 1):
        line = strip_line_comment(raw).strip()
        if not line:
            continue
        if line.startswith("["):
            header = _split_key(line.strip("[]"))
            full = header
        elif "=" in line:
            full = header + _split_key(line.split("=", 1)[0])
        else:
            continue
        if full == path:
            return number
        if path[:len(full)] == full and len(full) < len(path):
            rest = path[len(full):]
            if "=" in line and not line.startswith("[") and all(_mentions(line, k) for k in rest):
                return number  # inside an inline table on this line
            if best is None or len(full) >= best[0]:
                best = (len(full), number)
        elif full[:len(path)] == path:  # a sub-key of the path, e.g. [exercises.x.checks]
            return number
    return best[1] if best else None


def _mentions(line: str, key: str) -> bool:
    return re.search(rf'(?<![\w-])"?{re.escape(key)}"?\s*=', line) is not None


def _split_key(key: str) -> tuple[str, ...]:
    parts, current, quote = [], "", None
    for ch in key.strip():
        if quote:
            if ch == quote:
                quote = None
            else:
                current += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return tuple(parts)


# -- the stage: apply a rubric to a scored Result ---------------------------------------------
def apply_rubric(result: Result, rubric: Rubric) -> Result:
    """A copy of `result` re-scored with the rubric's points, visibility, bonus flags and required
    exercises. The verdict is recomputed (a check made bonus no longer fails it), except that a
    submission that could not be graded stays `error`."""
    out = copy.deepcopy(result)
    if rubric.required is not None:
        out.exercises = [ex for ex in out.exercises if ex.id in rubric.required]
    for ex in out.exercises:
        rules = rubric.rules.get(ex.id, {})
        for f in ex.findings:
            rule = rules.get(f.check)
            if rule is None:
                continue
            f.visibility, f.bonus, f.max_points = rule.visibility, rule.bonus, rule.max_points
            f.points = f.max_points if f.status is Status.PASS else 0.0
        ex.score = sum(f.points for f in ex.findings)
        ex.max_score = rubric.max_score(ex.id) if rules else ex.max_score
    if out.exercises:
        out.max_score = sum(ex.max_score for ex in out.exercises)
    else:
        out.max_score = sum(rubric.max_score(e) for e in rubric.graded_exercises())
    tampered = any(p.mistake == "tampering" for p in out.problems)
    out.score = 0.0 if tampered else sum(ex.score for ex in out.exercises)
    if out.verdict is not Verdict.ERROR:
        failing = out.problems or any(f.status is not Status.PASS and not f.bonus
                                      for ex in out.exercises for f in ex.findings)
        out.verdict = Verdict.FAIL if failing else Verdict.PASS
    return out


def grade_with_rubric(grader: Any, path: str | Path, rubric: Rubric) -> Result:
    """Grade only the exercises the rubric requires (an absent one is then `model_not_found`),
    and apply the rubric to the result."""
    only = list(rubric.required) if rubric.required is not None else None
    return apply_rubric(grader.grade(path, only=only), rubric)


# -- what a student may see now ---------------------------------------------------------------
@dataclass
class StudentView:
    """The findings a student may see now, and what is withheld until its visibility allows.

    Only `visible` counts as "now": the LMS reveals `after_due_date` and `after_published` tests
    itself later (Gradescope), and text written now (a summary) cannot be taken back then.
    """

    shown: list[tuple[ExerciseResult, Finding]]
    withheld: list[tuple[ExerciseResult, Finding]]

    @classmethod
    def of(cls, result: Result) -> "StudentView":
        shown, withheld = [], []
        for ex in result.exercises:
            for f in ex.findings:
                (shown if f.visibility == "visible" else withheld).append((ex, f))
        return cls(shown, withheld)

    def summary(self, result: Result) -> str:
        """One paragraph for the top of a student's results. It never says that all checks
        passed while some are withheld, and never names a withheld check or its mistake."""
        if result.verdict is Verdict.ERROR:
            p = result.problems[0] if result.problems else None
            reason = p.message if p is not None and p.message else "it could not be run"
            return f"Your submission could not be graded: {reason}"
        parts = []
        graded = [(ex, f) for ex, f in self.shown if not f.bonus]
        ok = sum(1 for _, f in graded if f.status is Status.PASS)
        if graded and ok == len(graded) and not self.withheld:
            parts.append(f"All {len(graded)} checks passed.")
        elif graded and ok == len(graded):
            parts.append(f"All {len(graded)} visible checks passed.")
        elif graded:
            parts.append(f"{ok} of {len(graded)} {'visible ' if self.withheld else ''}checks "
                         f"passed.")
        mistakes = _unique(f.title if f.mistake is None else _mistake_title(f)
                           for _, f in graded if f.status in (Status.FAIL, Status.ERROR))
        if mistakes:
            parts.append("To fix: " + "; ".join(mistakes) + ".")
        for p in result.problems:
            parts.append(f"Problem: {p.message or p.title}.")
        if self.withheld:
            n = len(self.withheld)
            parts.append(f"{n} more check{'s are' if n != 1 else ' is'} graded but not shown "
                         f"yet, so this summary does not cover {'them' if n != 1 else 'it'}.")
        return " ".join(parts) or "Nothing was graded."


def _mistake_title(f: Finding) -> str:
    # f.message is "Mistake title: evidence"; the title alone names the mistake.
    return f.message.split(": ", 1)[0] if f.message else f.title


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def main(argv: list[str] | None = None) -> int:
    """`python -m grader.rubric FILE`: check a rubric file; exit 2 naming the line if invalid."""
    import sys
    from grader.exercise import load_exercises
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m grader.rubric RUBRIC.toml", file=sys.stderr)
        return 2
    try:
        rubric = load_rubric(args[0], load_exercises())
    except RubricError as exc:
        print(f"invalid rubric: {exc}", file=sys.stderr)
        return 2
    for ex_id in rubric.graded_exercises():
        rules = rubric.rules[ex_id]
        hidden = sum(1 for r in rules.values() if r.visibility != "visible")
        print(f"{ex_id}: {len(rules)} checks, {rubric.max_score(ex_id):g} points, "
              f"{hidden} not visible at once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
