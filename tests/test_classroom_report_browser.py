"""report.html in a real browser (Debian chromium, Playwright): phone width, dark mode, sorting, filtering.

The report of a small class with an assignment is served on 127.0.0.1; the page must load with no
console error, no failed request (the favicon included) and nothing fetched from elsewhere.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.commands.main import main

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CLASS = """student,question,answer
ada,hidden-delta,((W^{(l+1)})^T \\delta^{(l+1)}) \\odot \\sigma'(z^{(l)})
ada,softmax-ce-gradient,p - y
ben,hidden-delta,W^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})
ben,softmax-ce-gradient,y - p
cleo,softmax-ce-gradient,p - y
dan,sigmoid-derivative,\\sigma(z)(1-\\sigma(z))
""" + (  # a derivation whose third step drops a transpose
    'dan,hidden-delta,"\\delta^{(l)} = \\frac{\\partial L}{\\partial z^{(l)}} = '
    "W^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\"\n"
)
ASSIGNMENT = """title = "Homework 3"
[[question]]
id = "hidden-delta"
points = 4
partial = { missing-transpose = 0.25 }
derivation-credit = 0.5
[[question]]
id = "softmax-ce-gradient"
points = 2
[roster]
students = ["ada", "ben", "cleo", "dan", "zoe"]
"""
POINTS = {"ada": 6, "ben": 1, "cleo": 2, "dan": 1.33, "zoe": 0}


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("report")
    (root / "class.csv").write_text(CLASS, encoding="utf-8")
    (root / "hw.toml").write_text(ASSIGNMENT, encoding="utf-8")
    out = root / "out"
    args = ["grade-batch", str(root / "class.csv"), "--out", str(out), "--jobs", "1"]
    assert main([*args, "--assignment", str(root / "hw.toml")]) == 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: the browser tests must run under CI")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def open_report(browser: Any, url: str, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    problems: list[str] = []
    local = url + "/"
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

    def route(r: Any) -> None:
        if r.request.url.startswith((local, "data:")):
            r.continue_()
        else:
            problems.append(f"off-site request {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.goto(f"{url}/report.html", wait_until="load")
    page.wait_for_timeout(300)  # a favicon request, if any, comes after load
    return ctx, page, problems


def student_order(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#students tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].firstChild.textContent.trim())"
    )


def test_loads_cleanly_and_says_it_right(browser: Any, report_url: str) -> None:
    ctx, page, problems = open_report(browser, report_url, viewport={"width": 1280, "height": 900})
    text = page.inner_text("body")
    ctx.close()
    assert problems == []
    assert "1 answer:" in text and "1 answers" not in text and "3 answers:" in text
    assert "1 student on the roster handed nothing in" in text and "zoe" in text


def test_fits_a_phone(browser: Any, report_url: str) -> None:
    ctx, page, problems = open_report(browser, report_url, viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True, device_scale_factor=2)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    wrap = "document.querySelector('#students').parentElement"
    table_scrolls = page.evaluate(f"getComputedStyle({wrap}).overflowX")
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    ctx.close()
    assert problems == [] and page_width <= 390 and table_scrolls == "auto" and font >= 14


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_follows_dark_mode(browser: Any, report_url: str, scheme: str) -> None:
    ctx, page, problems = open_report(browser, report_url, color_scheme=scheme)
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    fg = page.evaluate("getComputedStyle(document.body).color")
    ctx.close()
    assert problems == []
    if scheme == "dark":
        assert _luminance(bg) < 0.2 and _luminance(fg) > 0.7
    else:
        assert _luminance(bg) > 0.9 and _luminance(fg) < 0.3


def test_sorts_and_filters(browser: Any, report_url: str) -> None:
    ctx, page, problems = open_report(browser, report_url)
    assert student_order(page) == ["ada", "ben", "cleo", "dan", "zoe"]
    points = page.locator("#students th", has_text="points")
    points.click()
    ascending = student_order(page)
    points.click()
    descending = student_order(page)
    page.locator("#students th", has_text="student").click()
    page.locator("#students th", has_text="student").click()
    by_name_down = student_order(page)
    page.fill("#student-filter", "DA")
    filtered = student_order(page)
    said = page.inner_text("#student-count")
    ctx.close()
    assert problems == []
    assert ascending == sorted(POINTS, key=lambda s: (POINTS[s], ascending.index(s)))
    assert [POINTS[s] for s in descending] == sorted(POINTS.values(), reverse=True) and descending[0] == "ada"
    assert by_name_down == ["zoe", "dan", "cleo", "ben", "ada"]
    assert filtered == ["dan", "ada"] and said == "2 students shown"


def test_prints_without_controls(browser: Any, report_url: str) -> None:
    ctx, page, problems = open_report(browser, report_url)
    page.emulate_media(media="print")
    shown = page.evaluate("getComputedStyle(document.querySelector('.controls')).display")
    ctx.close()
    assert problems == [] and shown == "none"



def test_row_lines_run_straight_under_the_sticky_name_column(browser: Any, report_url: str) -> None:
    """The name column is sticky, painted on a layer of its own and snapped to whole pixels.

    With collapsed borders, or rows of fractional height, its row lines drift a pixel away from the
    rest of the row's (seen on a 300-student report at 390 px): separate borders and whole-pixel rows.
    """
    ctx, page, problems = open_report(browser, report_url, viewport={"width": 390, "height": 844})
    collapse = page.evaluate("getComputedStyle(document.querySelector('#students')).borderCollapse")
    heights = page.eval_on_selector_all("#students tr",
                                        "rows => rows.map(r => r.getBoundingClientRect().height)")
    ctx.close()
    assert problems == [] and collapse == "separate"
    assert len(heights) >= 6 and all(h == int(h) for h in heights), heights
