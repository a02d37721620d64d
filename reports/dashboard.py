"""The class dashboard (index.html): score distribution, how many submissions hit each mistake,
the pass rate of each check, links to every report, the slowest submissions, and what needs the
instructor's eye.

It is rendered from batch records: the JSON object of each result (`Result.to_dict()`) with its
`batch` key (id, graded file, content hashes), exactly the lines of results.jsonl, so it can be
rebuilt from that file alone. Self-contained: inline CSS and SVG, a few lines of optional inline
script for sorting; nothing is fetched, so it works offline and from a zip.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from grader.gradebook import reported_exercises
from reports.templating import environment

VERDICTS = ("pass", "fail", "error")
SLOWEST_SHOWN = 10
# The chart, in SVG user units (it scales to the page width).
CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 250, 26, 50, 40
LABELS_ON_A_PHONE = 11  # at most this many x labels on a narrow screen (the rest are hidden)


def _report_href(student_id: str) -> str:
    from grader.gradebook import report_href
    return report_href(student_id)


def class_summary(records: Iterable[dict[str, Any]],
                  titles: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain data (the template only lays it out)."""
    records = sorted(records, key=lambda r: _id(r).lower())
    titles = titles or {}
    n = len(records)
    verdicts = Counter(r.get("verdict", "error") for r in records)
    fractions = [_fraction(r) for r in records]
    rows = [{
        "id": _id(r), "href": _report_href(_id(r)), "verdict": r.get("verdict", "error"),
        "score": r.get("score", 0), "max_score": r.get("max_score", 0),
        "percent": round(100 * f), "mistakes": r.get("mistakes", []),
        "duration_s": r.get("duration_s", 0.0), "file": r.get("batch", {}).get("file", ""),
        "ambiguous": bool(r.get("batch", {}).get("ambiguous")),
        "grader_failed": bool(r.get("batch", {}).get("grader_failed")),
    } for r, f in zip(records, fractions)]
    maxes = {r.get("max_score", 0) for r in records}
    return {
        "n": n,
        "verdicts": {v: verdicts.get(v, 0) for v in VERDICTS},
        "pass_rate": verdicts.get("pass", 0) / n if n else 0.0,
        "mean_percent": 100 * statistics.fmean(fractions) if n else 0.0,
        "median_percent": 100 * statistics.median(fractions) if n else 0.0,
        "max_score": maxes.pop() if len(maxes) == 1 else None,
        "chart": score_chart(records),
        "mistakes": mistake_counts(records, titles),
        "exercises": check_pass_rates(records),
        "slowest": sorted(rows, key=lambda row: -row["duration_s"])[:SLOWEST_SHOWN],
        "attention": attention(records, titles),
        "measured": measured_clean(records),
        "rows": rows,
    }


def measured_clean(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per exercise, how many gradings a clean process measured again and how many rest on the
    submission's own process's report (grader.verification), with the most common reason."""
    clean: Counter = Counter()
    reported: Counter = Counter()
    why: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        for ex in r.get("exercises", []):
            v = ex.get("verification") or {}
            if v.get("measured") == "clean":
                clean[ex["id"]] += 1
            elif v.get("measured") == "reported":
                reported[ex["id"]] += 1
                why[ex["id"]][v.get("why") or ""] += 1
    return [{"id": ex, "clean": clean[ex], "reported": reported[ex],
             "why": why[ex].most_common(1)[0][0] if why[ex] else ""}
            for ex in sorted(set(clean) | set(reported))]


def _id(r: dict[str, Any]) -> str:
    return r.get("batch", {}).get("id") or Path(r.get("submission", "?")).stem


def _fraction(r: dict[str, Any]) -> float:
    top = r.get("max_score") or 0
    return min(max((r.get("score") or 0) / top, 0.0), 1.0) if top else 0.0


# -- the score distribution -------------------------------------------------------------------
def score_bins(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bin per possible score when every submission has the same small whole-number maximum
    (the usual case: 0 … 8 points); else ten bins of 10 % plus one for full marks. Each bin
    counts submissions per verdict, so a stacked bar shows errors (score 0) apart from fails."""
    maxes = {r.get("max_score", 0) for r in records}
    top = maxes.pop() if len(maxes) == 1 else None
    whole = all(float(r.get("score", 0)).is_integer() for r in records)
    if top and float(top).is_integer() and top <= 30 and whole:
        bins = [{"label": f"{s}", "short": f"{s}", "counts": Counter()}
                for s in range(int(top) + 1)]
        for r in records:
            bins[min(max(int(r.get("score", 0)), 0), int(top))]["counts"][r.get("verdict")] += 1
    else:
        bins = [{"label": f"{10 * i}–{10 * i + 9}%", "short": f"{10 * i}", "counts": Counter()}
                for i in range(10)] + [{"label": "100%", "short": "100", "counts": Counter()}]
        for r in records:
            bins[min(int(_fraction(r) * 100) // 10, 10)]["counts"][r.get("verdict")] += 1
    return [{"label": b["label"], "short": b["short"],
             **{v: b["counts"].get(v, 0) for v in VERDICTS},
             "total": sum(b["counts"].values())} for b in bins]


def score_chart(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the stacked bar chart: the template draws one <rect> per segment."""
    bins = score_bins(records)
    peak = max((b["total"] for b in bins), default=0) or 1
    plot_w = CHART_W - CHART_LEFT - 8
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM
    step = plot_w / max(len(bins), 1)
    bar_w = step * 0.78
    every = -(-len(bins) // LABELS_ON_A_PHONE)  # ceil: label every n-th bin on a phone
    bars = []
    for i, b in enumerate(bins):
        x = CHART_LEFT + i * step + (step - bar_w) / 2
        y = CHART_TOP + plot_h
        segments = []
        for v in ("error", "fail", "pass"):  # errors at the bottom: they sit at score 0
            h = plot_h * b[v] / peak
            if h:
                y -= h
                segments.append({"verdict": v, "y": round(y, 1), "h": round(h, 1), "n": b[v]})
        bars.append({"x": round(x, 1), "w": round(bar_w, 1), "cx": round(x + bar_w / 2, 1),
                     "top": round(y, 1), "label": b["label"], "short": b["short"],
                     "minor": i % every != 0 and i != len(bins) - 1,
                     "total": b["total"], "segments": segments})
    ticks = sorted({0, peak, *(round(peak * k / 4) for k in range(1, 4))})
    return {
        "w": CHART_W, "h": CHART_H, "left": CHART_LEFT, "right": CHART_W - 8,
        "base": CHART_TOP + plot_h, "label_y": CHART_TOP + plot_h + 20,
        "bars": bars, "small_labels": len(bins) > 12,
        "ticks": [{"n": t, "y": round(CHART_TOP + plot_h - plot_h * t / peak, 1)} for t in ticks],
        "caption": ("points" if bins and "%" not in bins[0]["label"] else "score (% of maximum)"),
    }


# -- what the class got wrong -----------------------------------------------------------------
def mistake_counts(records: list[dict[str, Any]],
                   titles: dict[str, str]) -> list[dict[str, Any]]:
    """How many submissions hit each mistake id (once per submission), most frequent first."""
    who: dict[str, list[str]] = defaultdict(list)
    for r in records:
        for m in dict.fromkeys(r.get("mistakes", [])):
            who[m].append(_id(r))
    n = len(records) or 1
    return [{"id": m, "title": titles.get(m) or _title_from_records(records, m) or m,
             "count": len(ids), "share": len(ids) / n, "students": sorted(ids, key=str.lower)}
            for m, ids in sorted(who.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _title_from_records(records: list[dict[str, Any]], mistake: str) -> str:
    """A title for a mistake the catalogue does not know (an older grader's id)."""
    for r in records:
        for f in r.get("problems", []) + [c for ex in r.get("exercises", [])
                                          for c in ex.get("checks", [])]:
            if f.get("mistake") == mistake and f.get("message"):
                return f["message"].split(":", 1)[0]
    return ""


def check_pass_rates(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each exercise, each check: how many of the submissions that reached it passed.
    A check is counted where the exercise was graded (not for a submission that could not run)."""
    exercises: dict[str, dict[str, Any]] = {}
    for r in records:
        for ex in r.get("exercises", []):
            e = exercises.setdefault(ex["id"], {"id": ex["id"], "title": ex.get("title", ex["id"]),
                                                "graded": 0, "checks": {}})
            e["graded"] += 1
            for c in ex.get("checks", []):
                row = e["checks"].setdefault(c["check"], {
                    "id": c["check"], "title": c.get("title") or c["check"],
                    "bonus": bool(c.get("bonus")), "pass": 0, "fail": 0, "error": 0,
                    "skipped": 0})
                status = c.get("status")
                row[status if status in (*VERDICTS, "skipped") else "error"] += 1
    out = []
    for e in exercises.values():
        checks = []
        for row in e["checks"].values():
            total = row["pass"] + row["fail"] + row["error"] + row["skipped"]
            checks.append(dict(row, total=total, rate=row["pass"] / total if total else 0.0))
        out.append(dict(e, checks=checks))
    return out


def attention(records: list[dict[str, Any]], titles: dict[str, str]) -> dict[str, list]:
    """What the instructor should look at by hand."""
    failed, guessed, ungraded, reported = [], [], [], []
    by_content: dict[str, list[str]] = defaultdict(list)
    for r in records:
        meta = r.get("batch", {})
        sid = _id(r)
        entry = {"id": sid, "href": _report_href(sid), "file": meta.get("file", "")}
        own = reported_exercises(r)
        if own and r.get("verdict") != "error":
            reported.append(dict(entry, exercises=own, score=r.get("score", 0),
                                 max=r.get("max_score", 0)))
        if meta.get("grader_failed"):
            failed.append(entry)
        elif r.get("verdict") == "error":
            why = [p.get("mistake") for p in r.get("problems", []) if p.get("mistake")]
            ungraded.append(dict(entry, why=", ".join(titles.get(m, m) for m in why)))
        if meta.get("ambiguous"):
            guessed.append(dict(entry, note=next((n for n in r.get("notes", [])
                                                  if "Could not tell" in n), "")))
        if meta.get("content"):
            by_content[meta["content"]].append(sid)
    identical = [sorted(ids, key=str.lower) for ids in by_content.values() if len(ids) > 1]
    return {"grader_failed": failed, "guessed": guessed, "ungraded": ungraded,
            "identical": sorted(identical), "reported": reported}


# -- rendering --------------------------------------------------------------------------------
def render_dashboard(records: Iterable[dict[str, Any]], *, title: str = "",
                     options: dict[str, Any] | None = None, titles: dict[str, str] | None = None,
                     grader_version: str = "", generated_at: str | None = None,
                     folder_notes: Iterable[str] = ()) -> str:
    """`folder_notes`: what finding the submissions said (files not graded and why, a folder
    of student folders); shown under "Needs a look"."""
    summary = class_summary(records, titles)
    summary["attention"]["folder"] = list(folder_notes)
    generated_at = generated_at or datetime.now(timezone.utc).astimezone().strftime(
        "%Y-%m-%d %H:%M %Z")
    return environment().get_template("dashboard.html.j2").render(
        s=summary, title=title, options=options or {}, grader_version=grader_version,
        generated_at=generated_at)
