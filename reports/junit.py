"""JUnit XML, from a Result: one test case per check, for GitHub Classroom and CI test reporters.

The shape is the common ground of the JUnit schemas that CI tools read (Apache Ant's JUnit task
as captured in the Windy Road JUnit.xsd, Jenkins' junit-4.xsd, the junit-10.xsd pytest
validates against): `<testsuites>` holding one `<testsuite>` per exercise (plus `submission` for
submission-level problems) with `name`, `tests`, `failures`, `errors`, `skipped`; each
`<testcase name classname>` holds at most one `<failure message type>` (the check found a
mistake: message = the named mistake, type = its id), `<error message type>` (the check could
not run) or `<skipped message>`. A bonus check never fails: its mistake goes to `<system-out>`.

CI logs are read by students (GitHub Classroom), so checks the rubric does not make `visible`
are left out unless `include_hidden`; the suite says how many and its summary never claims that
all checks passed.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.findings import ExerciseResult, Finding, Result, Status
from grader.rubric import StudentView

# Characters XML 1.0 cannot carry, even escaped (a student's output may contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(result: Result, include_hidden: bool = False) -> str:
    view = StudentView.of(result)
    withheld = set() if include_hidden else {id(f) for _, f in view.withheld}
    root = ET.Element("testsuites", name="keras-exercise-grader",
                      time=f"{max(0.0, result.duration_s):.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    if result.problems:
        suite = _suite(root, "submission", [(p, "submission") for p in result.problems])
        _count(totals, suite)
    for ex in result.exercises:
        shown = [(f, ex.id) for f in ex.findings if id(f) not in withheld]
        hidden = len(ex.findings) - len(shown)
        suite = _suite(root, ex.id, shown, ex, hidden)
        _count(totals, suite)
    first = root.find("testsuite")
    if first is None:
        first = ET.SubElement(root, "testsuite", name="submission", tests="0", failures="0",
                              errors="0", skipped="0")
    ET.SubElement(first, "system-out").text = _clean(_summary_text(result, view, withheld))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, name: str, cases: list[tuple[Finding, str]],
           ex: ExerciseResult | None = None, hidden: int = 0) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=name)
    counts = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
    if ex is not None:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="title", value=_clean(ex.title))
        if hidden:
            ET.SubElement(props, "property", name="hidden_checks", value=str(hidden))
        else:  # with checks withheld, the exercise score would betray them
            ET.SubElement(props, "property", name="score", value=f"{ex.score:g}")
            ET.SubElement(props, "property", name="max_score", value=f"{ex.max_score:g}")
    for f, classname in cases:
        case = ET.SubElement(suite, "testcase", name=f.check if name != "submission"
                             else (f.mistake or f.check), classname=classname)
        if f.status is Status.PASS:
            continue
        if f.bonus:  # never fails: report what it found without failing the case
            ET.SubElement(case, "system-out").text = _clean(f"bonus check: {f.message}")
            continue
        if f.status is Status.SKIPPED:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=_clean(f.message or f.reason))
            continue
        is_error = f.status is Status.ERROR or f.mistake == "grader_error"
        counts["errors" if is_error else "failures"] += 1
        el = ET.SubElement(case, "error" if is_error else "failure",
                           message=_clean(f.message or f.title), type=f.mistake or "error")
        el.text = _clean(_details(f))
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _details(f: Finding) -> str:
    lines = [f.message or f.title]
    if f.location:
        lines.append(f"Where: {f.location}")
    if f.status is Status.FAIL and f.expected is not None and f.got is not None:
        lines += [f"Expected: {f.expected}", f"Got: {f.got}"]
    if f.hint:
        lines.append(f"Hint: {f.hint}")
    return "\n".join(lines)


def _summary_text(result: Result, view: StudentView, withheld: set[int]) -> str:
    if withheld:
        return view.summary(result)
    everything = StudentView([(ex, f) for ex in result.exercises for f in ex.findings], [])
    return everything.summary(result) + f" Score {result.score:g} / {result.max_score:g}."


def _count(totals: dict[str, int], suite: ET.Element) -> None:
    for key in totals:
        totals[key] += int(suite.get(key, "0"))


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", str(text))
