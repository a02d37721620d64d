"""Generated reports opened in a real browser (headless Chromium driven by Playwright), read as
a student would: the visible score, mistake title and hint, the model picture actually drawn
with the marked layers in red, nothing fetched from the network, and a layout that fits a
phone. Screenshots land in tests/artifacts/ (desktop and 390 px wide) for a person to look at.

Needs Debian's `chromium` and Graphviz (`make install` adds both when it runs as root) and the
`playwright` package (test extra). Locally a missing piece skips these tests with the reason;
under CI (CI=true) it fails them, because there `.ci/run` installs everything.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reports.html import render_html

TESTS = Path(__file__).parent
ZOO = TESTS / "zoo"
ARTIFACTS = TESTS / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright cannot download its own browser here: it drives the system Chromium.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP, PHONE = {"width": 1000, "height": 900}, {"width": 390, "height": 844}
MISTAKE_RED = "rgb(207, 34, 46)"  # reports.graph.MISTAKE_COLOUR

SUBMISSIONS = {
    "passing": ZOO / "correct" / "siamese_lesson.py",
    "duplicated_encoder": ZOO / "siamese" / "duplicated_encoder.py",
    "syntax_error": ZOO / "errors" / "syntax_error.py",
    "notebook": ZOO / "correct" / "siamese_notebook.ipynb",
}


def _missing() -> list[str]:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("Chromium is not installed (Debian: apt-get install chromium)")
    if shutil.which("dot") is None:
        missing.append("Graphviz's dot is not installed (Debian: apt-get install graphviz)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (pip install -e '.[test]')")
    return missing


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        why = "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test, but {why}", pytrace=False)
        pytest.skip(f"browser test skipped: {why}")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(browser, grader):
    """Grade each submission once (three real runs; the syntax error is found before any) and
    write its report where the screenshots go."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = {}
    for name, path in SUBMISSIONS.items():
        result = grader.grade(path)
        html = ARTIFACTS / f"{name}.report.html"
        html.write_text(render_html(result), encoding="utf-8")
        out[name] = (result, html)
    return out


def open_report(browser, html: Path, viewport: dict, shot: str):
    page = browser.new_page(viewport=viewport)
    fetched: list[str] = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith("file:")
                                      else (fetched.append(route.request.url), route.abort())))
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    assert fetched == [], f"the report fetched {fetched}: it must be self-contained"
    return page


def visible(page, text: str) -> bool:
    loc = page.get_by_text(text, exact=False)
    return loc.count() > 0 and loc.first.is_visible()


def check_score(page, result):
    score = page.locator("#score .big").inner_text()
    assert score == f"{result.score:g} / {result.max_score:g}"


def pictures(page):
    """The drawn pictures: each SVG's rendered box and its layer nodes' names."""
    out = []
    for svg in page.locator("svg.model-graph").all():
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, box
        names = [n.locator("text").first.text_content().replace("✘", "").strip()
                 for n in svg.locator("g.node").all()]
        marked = [n.locator("text").first.text_content().replace("✘", "").strip()
                  for n in svg.locator("g.node.mistake").all()]
        out.append({"box": box, "names": names, "marked": marked, "svg": svg})
    return out


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_passing_report(browser, reports, viewport, label):
    result, html = reports["passing"]
    page = open_report(browser, html, viewport, f"passing-{label}")
    check_score(page, result)
    assert visible(page, "Pass — every check passed")
    student, expected = pictures(page)
    assert {"left", "right", "enc_dense_1", "enc_dense_2", "same_digit"} <= set(student["names"])
    assert student["marked"] == [] and expected["marked"] == []
    assert student["svg"].locator("g.node.shared").count() == 2
    fits_the_screen(page, viewport)
    page.close()


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_duplicated_encoder_report(browser, reports, viewport, label):
    result, html = reports["duplicated_encoder"]
    page = open_report(browser, html, viewport, f"duplicated_encoder-{label}")
    check_score(page, result)
    finding = next(f for f in result.exercises[0].findings if f.mistake == "duplicated_encoder")
    assert visible(page, "Two encoders instead of one shared encoder")
    assert visible(page, finding.hint.replace("`", "")[:60])
    student, expected = pictures(page)
    assert sorted(student["marked"]) == ["dense", "dense_1", "dense_2", "dense_3"]
    assert student["svg"].locator("g.node.shared").count() == 0
    assert expected["marked"] == [] and expected["svg"].locator("g.node.shared").count() == 2
    # the marked layers are drawn red, not merely classed so
    stroke = student["svg"].locator("g.node.mistake path").first.evaluate(
        "e => getComputedStyle(e).stroke")
    assert stroke == MISTAKE_RED
    assert visible(page, "In red:")
    if viewport is DESKTOP:  # side by side, drawn at the same scale
        assert abs(student["box"]["y"] - expected["box"]["y"]) < 40
    else:  # stacked
        assert expected["box"]["y"] > student["box"]["y"] + student["box"]["height"]
    fits_the_screen(page, viewport)
    page.close()


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_syntax_error_report(browser, reports, viewport, label):
    result, html = reports["syntax_error"]
    page = open_report(browser, html, viewport, f"syntax_error-{label}")
    check_score(page, result)
    (problem,) = result.problems
    assert visible(page, "Could not be graded")
    assert visible(page, "Python could not parse your code")
    assert visible(page, problem.hint[:60])
    assert page.locator("svg.model-graph").count() == 0
    fits_the_screen(page, viewport)
    page.close()


def test_notebook_report(browser, reports):
    result, html = reports["notebook"]
    page = open_report(browser, html, PHONE, "notebook-phone")
    check_score(page, result)
    assert result.verdict.value == "pass" and visible(page, "Pass — every check passed")
    student, expected = pictures(page)
    assert student["svg"].locator("g.node.shared").count() == 2 and student["marked"] == []
    fits_the_screen(page, PHONE)
    page.close()


def fits_the_screen(page, viewport):
    """Nothing forces sideways scrolling of the page (wide <pre> blocks scroll inside
    themselves), and every picture fits the width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide in a {viewport['width']}px screen"
    for svg in page.locator("svg.model-graph").all():
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
