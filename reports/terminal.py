"""The terminal summary (rich): verdict and score first, then what went wrong and the hint."""
from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.findings import Finding, Result, Status, Verdict

ICONS = {Status.PASS: ("✔", "green"), Status.FAIL: ("✘", "red"),
         Status.ERROR: ("!", "magenta"), Status.SKIPPED: ("–", "dim")}
VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.FAIL: "bold red", Verdict.ERROR: "bold magenta"}
VERDICT_TEXT = {Verdict.PASS: "PASS: every check passed", Verdict.FAIL: "FAIL: see the mistakes below",
                Verdict.ERROR: "ERROR: your submission could not be graded"}


def _score(value: float) -> str:
    return f"{value:g}"


def _finding_block(f: Finding) -> Group:
    icon, style = ICONS[f.status]
    parts = [Text.assemble((f"{icon} ", style), (f.message or f.title, "bold"))]
    if f.location and f.location not in (f.message or ""):  # the message may name it already
        parts.append(Text(f"  at {f.location}", style="cyan"))
    code = f.facts.get("code")
    if code:
        parts.append(Text(f"    {code}", style="yellow"))
    if f.hint:
        parts.append(Text(f"  Hint: {f.hint}", style="italic"))
    return Group(*parts)


def _row_text(f: Finding, said: set[str]) -> str:
    if f.status is Status.PASS or not f.mistake:
        return f.message or f.title
    if f.mistake in said:
        got = f"got {f.got:,}, " if isinstance(f.got, int) and not isinstance(f.got, bool) else ""
        return f"{f.title}: {got}the same mistake as above ({f.mistake})"
    said.add(f.mistake)
    return f.message or f.title


def render_terminal(result: Result, console: Console, report_paths: list[str] = ()) -> None:
    header = Text.assemble(
        (VERDICT_TEXT[result.verdict], VERDICT_STYLE[result.verdict]),
        f"   score {_score(result.score)} / {_score(result.max_score)}")
    console.print(Panel(header, title=result.submission, title_align="left", expand=False))
    for p in result.problems:
        console.print(_finding_block(p))
    for ex in result.exercises:
        table = Table(title=f"{ex.title}  —  {_score(ex.score)} / {_score(ex.max_score)}",
                      title_justify="left", show_header=False, box=None, padding=(0, 1))
        table.add_column(width=1)
        table.add_column()
        table.add_column(justify="right", style="dim")
        said: set[str] = set()  # one mistake failing several checks is told in full once
        for f in ex.findings:
            icon, style = ICONS[f.status]
            table.add_row(Text(icon, style=style), _row_text(f, said),
                          f"{_score(f.points)}/{_score(f.max_points)}")
        console.print(table)
        if ex.graded_object:
            console.print(Text(f"  graded: {ex.graded_object}", style="dim"))
        if ex.verification == "reported":
            console.print(Text(f"  measured by your code's own process only: "
                               f"{ex.verification_why}", style="dim"))
        for note in ex.notes:
            console.print(Text(f"  note: {note}", style="cyan"))
        wrong = [f for f in ex.findings if f.status in (Status.FAIL, Status.ERROR)]
        shown: set[str] = set()
        for f in wrong:
            if f.mistake in shown:
                continue
            shown.add(f.mistake or "")
            if f.hint:
                console.print(Text.assemble(("  Hint ", "bold"), (f"({f.mistake}): ", "dim"), f.hint))
    for note in result.notes:
        console.print(Text(f"note: {note}", style="cyan"))
    if result.mistakes:
        console.print(Text("mistakes: " + ", ".join(result.mistakes), style="dim"))
    level = result.sandbox.get("level")
    if level:
        measured = [ex for ex in result.exercises if ex.verification]
        clean = sum(ex.verification == "clean" for ex in measured)
        checked = f"   measured clean: {clean} of {len(measured)}" if measured else ""
        console.print(Text(f"sandbox: {level}{checked}   time: {result.duration_s:.1f} s",
                           style="dim"))
    for path in report_paths:
        console.print(Text(f"report: {path}", style="bold"))
