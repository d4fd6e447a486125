"""The built handbook in a real browser: headless Debian chromium, driven by Playwright.

The site is built once per session (``site_build``) and served by ``python -m http.server`` on
127.0.0.1. Every page must load without a console error and without a request leaving localhost,
and every formula must be typeset by MathJax (served by the site) without an error. axe-core (from
npm) checks every page against the WCAG 2 A/AA rules at desktop and phone width, light and dark.
These tests never skip under CI: a missing chromium or axe-core is a failure there, and a skip
only on a developer's machine. What a page is checked for is shared with the same tests in Firefox
ESR (tests/test_site_firefox.py) through tests/site_checks.py.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_checks import (
    FAULTY_PAGE,
    PROBE,
    RAW_MATH,
    SWITCH_PALETTE,
    TYPESET,
    TYPESET_ALL,
    assert_probe_saw_the_faults,
    is_local,
    page_problems,
    page_url,
    sample_pages,
    site_pages,
    unavailable,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
CHROMIUM_FIX = "apt-get install -y chromium"
SCREENSHOT = Path(__file__).resolve().parent.parent / "assets" / "derivation-page.png"
# axe-core (npm), installed by .ci/run into .ci-node (or by hand into node_modules, or anywhere
# $AXE_CORE_JS names).
AXE_PLACES = (".ci-node/node_modules/axe-core/axe.min.js", "node_modules/axe-core/axe.min.js")
# The WCAG 2.0 and 2.1 A and AA rules, and heading-order (a best practice: no h1 → h3).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "rules": {"heading-order": {"enabled": True}}, "resultTypes": ["violations"]}
# The rules whose verdict can change with the theme: checked again in the dark theme.
AXE_COLOUR_OPTIONS = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                      "resultTypes": ["violations"]}
_AXE_RUN = "async (options) => (await axe.run(document, options)).violations.map((v) => ({id: v.id, " \
    "help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary)}))"

VARIANTS = {"phone-light": ({"width": 390, "height": 844}, "light"),
            "phone-dark": ({"width": 390, "height": 844}, "dark"),
            "desktop-dark": ({"width": 1280, "height": 800}, "dark")}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium (never a downloaded one)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing", CHROMIUM_FIX)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed", CHROMIUM_FIX)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _axe_source() -> str | None:
    """The text of axe.min.js (``$AXE_CORE_JS``, else the first of :data:`AXE_PLACES`), or None."""
    repo = Path(__file__).resolve().parent.parent
    given = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    for path in [*given, *(repo / place for place in AXE_PLACES)]:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script; missing, a failure under CI and a skip elsewhere."""
    source = _axe_source()
    if source is None:
        unavailable("axe-core is not installed", "npm install --prefix .ci-node axe-core, as .ci/run does")
    return source


def axe_violations(page: Any, source: str, options: dict | None = None) -> list[str]:
    """The violations axe-core finds in the page as it is now (of :data:`AXE_OPTIONS`), one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    found = page.evaluate(_AXE_RUN, options or AXE_OPTIONS)
    return [f"{v['id']} ({v['help']}): {'; '.join(v['nodes'])}" for v in found]


class Visit:
    """One browser page that records console errors and every request, and blocks off-site ones."""

    def __init__(self, browser: Any, base_url: str, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r: Any) -> None:
            url = r.request.url
            if is_local(url, base_url):
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        self.page.route("**/*", route)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    v = Visit(browser, base_url, viewport={"width": 1280, "height": 800})
    yield v
    v.close()


def _read(visit: Visit, url: str) -> dict:
    """One page loaded and typeset: what it logged and requested, and what the probe read."""
    visit.errors.clear()
    visit.outside.clear()
    response = visit.page.goto(url, wait_until="load")
    visit.page.wait_for_function(TYPESET, timeout=15_000)
    visit.page.evaluate(TYPESET_ALL)
    probe = visit.page.evaluate(PROBE)
    return {"url": url, "mkdocs": True, "status": response.status if response else None,
            "errors": list(visit.errors), "outside": list(visit.outside),
            "raw": RAW_MATH.findall(probe.pop("text")), **probe}


@pytest.fixture(scope="module")
def reports(site_build: Any, base_url: str, visit: Visit) -> dict[str, dict]:
    """Every page of the site visited once (desktop, light theme)."""
    out = {}
    for rel in site_pages(site_build.site_dir):
        out[rel] = _read(visit, page_url(base_url, rel))
    # pages that are not MkDocs pages (no formulas of ours), loaded all the same
    for rel in ("404.html", "questions/example-report.html"):
        if not (site_build.site_dir / rel).is_file():
            continue
        visit.errors.clear()
        visit.outside.clear()
        response = visit.page.goto(f"{base_url}/{rel}", wait_until="load")
        out[rel] = {"url": f"{base_url}/{rel}", "mkdocs": False,
                    "status": response.status if response else None,
                    "errors": list(visit.errors), "outside": list(visit.outside)}
    return out


def test_every_page_loads_cleanly_with_every_formula_typeset(reports: dict[str, dict]) -> None:
    assert len(reports) > 10
    problems = [f"{r['url']}: {p}" for r in reports.values() for p in page_problems(r)]
    assert not problems, "\n".join(problems)
    assert sum(r["formulas"]["containers"] for r in reports.values() if r["mkdocs"]) > 500


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_pages_at_phone_width_and_in_the_dark_theme(
    variant: str, browser: Any, base_url: str, site_build: Any
) -> None:
    """Every page at phone width (light theme), and the sample pages in the other variants."""
    viewport, scheme = VARIANTS[variant]
    v = Visit(browser, base_url, viewport=viewport, color_scheme=scheme)
    problems = []
    pages = site_pages(site_build.site_dir) if variant == "phone-light" else sample_pages(site_build.site_dir)
    try:
        for rel in pages:
            r = _read(v, page_url(base_url, rel))
            assert r["scheme"] == ("slate" if scheme == "dark" else "default")
            problems += [f"{r['url']}: {p}" for p in page_problems(r)]
            if r["wide"] > 0:  # wide formulas and tables scroll inside their box, never the page
                problems.append(f"{r['url']}: the page scrolls sideways by {r['wide']} px")
            if r["exampleScrolls"]:  # a worked example's numbers fit the width, stacked on a phone
                problems.append(f"{r['url']}: worked-example formulas scroll: {r['exampleScrolls'][:3]}")
    finally:
        v.close()
    assert not problems, "\n".join(problems)


def _axe_pass(browser: Any, base_url: str, pages: list[str], source: str, viewport: dict) -> list[str]:
    """axe-core's violations on each of ``pages`` at one width: every rule in the light theme, then
    the rules that depend on colour in the dark one.

    The dark theme is switched in place as Material's toggle does it (``data-md-color-scheme`` on
    the body), which spares a second load and typesetting of every page.
    """
    v = Visit(browser, base_url, viewport=viewport, color_scheme="light")
    problems = []
    try:
        for rel in pages:
            url = page_url(base_url, rel)
            v.page.goto(url, wait_until="load")
            v.page.wait_for_function(TYPESET, timeout=15_000)
            v.page.evaluate(TYPESET_ALL)
            problems += [f"{url} light: {p}" for p in axe_violations(v.page, source)]
            v.page.evaluate(SWITCH_PALETTE, "slate")
            problems += [f"{url} dark: {p}" for p in axe_violations(v.page, source, AXE_COLOUR_OPTIONS)]
    finally:
        v.close()
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_meets_wcag_2_aa_by_axe_core(
    width: int, browser: Any, base_url: str, site_build: Any, axe: str
) -> None:
    """axe-core on every page at desktop width, light and dark: colour contrast, heading order,
    alternative text, names of links and buttons, and the other A/AA rules; at phone width on the
    sample pages (one of each kind). Colours do not change with the width, and every page's phone
    layout is read by :func:`test_pages_at_phone_width_and_in_the_dark_theme`: a second sweep of
    every page would double the browser tests' time for the drawer and the stacked columns alone."""
    pages = site_pages(site_build.site_dir) if width >= 600 else sample_pages(site_build.site_dir)
    viewport = {"width": width, "height": 844 if width < 600 else 800}
    problems = _axe_pass(browser, base_url, pages, axe, viewport)
    assert not problems, f"{len(problems)} violation(s):\n" + "\n".join(problems[:40])


def test_axe_core_catches_low_contrast_and_a_missing_alternative_text(browser: Any, axe: str) -> None:
    """A page with faint text, an image with no alt, an empty link and skipped heading levels."""
    page = browser.new_page(viewport={"width": 600, "height": 800})
    try:
        page.set_content("""<html lang="en"><head><title>faults</title></head><body><main>
          <h1>Title</h1><h3>skipped a level</h3>
          <p style="color:#aaaaaa;background:#ffffff">faint grey text, 2.3 : 1</p>
          <p style="color:#767676;background:#ffffff">grey text at 4.5 : 1 passes</p>
          <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">
          <a href="#x"></a></main></body></html>""")
        found = {line.split(" ", 1)[0]: line for line in axe_violations(page, axe)}
    finally:
        page.close()
    assert {"color-contrast", "image-alt", "link-name", "heading-order"} <= set(found), found
    assert "faint grey" in found["color-contrast"] or "p:nth-child(3)" in found["color-contrast"]
    assert "4.5 : 1 passes" not in found["color-contrast"]


def test_derivation_pages_show_a_typeset_formula_per_step(reports: dict[str, dict]) -> None:
    from derivations import all_derivations

    for d in all_derivations().values():
        r = reports[f"derivations/{d.id}"]
        assert len(r["mathsPerStep"]) == d.step_count, d.id
        assert all(n >= 1 for n in r["mathsPerStep"]), (d.id, r["mathsPerStep"])
        assert r["mathsInResult"] == 1, d.id


def test_the_theme_toggle_switches_the_palette(base_url: str, visit: Visit) -> None:
    visit.page.goto(f"{base_url}/")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    before = visit.page.evaluate(scheme)
    visit.page.locator("form[data-md-component=palette] label:visible").first.click()
    visit.page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') !== '{before}'")
    after = visit.page.evaluate(scheme)
    assert {before, after} == {"default", "slate"}
    visit.page.locator("form[data-md-component=palette] label:visible").first.click()
    visit.page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') === '{before}'")


def test_search_finds_a_derivation_by_a_word_of_its_title(base_url: str, visit: Visit) -> None:
    from derivations import all_derivations

    items = all_derivations()
    d = items.get("hidden-delta") or next(iter(items.values()))
    word = max(re.findall(r"[A-Za-z]+", d.title), key=len)
    visit.page.goto(f"{base_url}/")
    box = visit.page.locator("input[data-md-component=search-query]")
    link = visit.page.locator(f".md-search-result a[href*='derivations/{d.id}/']")
    # the index loads in a web worker: a query typed before it is ready finds nothing, so type again
    deadline = time.monotonic() + 20
    while link.count() == 0 and time.monotonic() < deadline:
        box.click()
        box.fill("")
        box.type(word.lower(), delay=20)
        try:
            link.first.wait_for(state="attached", timeout=2_000)
        except Exception:  # playwright's TimeoutError: not yet
            continue
    assert link.count() >= 1, f"searching {word!r} did not list derivations/{d.id}/"


def test_screenshot_of_a_derivation_page(base_url: str, browser: Any) -> None:
    """The README's picture: the hidden-delta page, steps and result in view (a viewport, PNG)."""
    v = Visit(browser, base_url, viewport={"width": 1100, "height": 840}, color_scheme="light")
    try:
        v.page.goto(f"{base_url}/derivations/hidden-delta/")
        v.page.wait_for_function(TYPESET)
        v.page.evaluate(TYPESET_ALL)
        # one scroll down: scrolling back up would bring out Material's "back to top" button
        v.page.evaluate("() => window.scrollTo(0, document.querySelector('#derivation').offsetTop - 64)")
        v.page.wait_for_timeout(600)  # the header's title swap on scroll is animated
        png = v.page.screenshot(animations="disabled")
        assert not v.errors and not v.outside
    finally:
        v.close()
    assert len(png) > 10_000
    # a test run leaves the checkout alone (the bytes differ a little from run to run); the README's
    # picture is refreshed on request: GRADPROOF_UPDATE_SCREENSHOT=1 pytest -k screenshot_of
    if os.environ.get("GRADPROOF_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(png)


def test_the_probe_sees_each_fault_it_looks_for(browser: Any) -> None:
    """A page made of the faults the tests above look for: the probe must report every one."""
    page = browser.new_page(viewport={"width": 600, "height": 800})
    try:
        page.set_content(f'<body style="background:#fff">{FAULTY_PAGE}</body>')
        r = page.evaluate(PROBE)
    finally:
        page.close()
    assert_probe_saw_the_faults(r)


def test_formulas_off_screen_wait_for_the_lazy_extension_then_all_get_typeset(
    base_url: str, browser: Any
) -> None:
    """The longest page: MathJax's lazy extension is loaded (from the site), the first screen is typeset
    when data-gp-math says done, and gpTypesetAll() leaves no formula waiting."""
    v = Visit(browser, base_url, viewport={"width": 1280, "height": 800})
    try:
        v.page.goto(f"{base_url}/derivations/row-backprop/")
        v.page.wait_for_function(TYPESET)
        assert v.page.evaluate("() => typeof MathJax.startup.document.lazyTypesetAll") == "function"
        on_screen = v.page.evaluate("""() => [...document.querySelectorAll('.arithmatex')].filter((el) => {
            const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })
            .every((el) => el.querySelector('mjx-math') && !el.querySelector('mjx-lazy'))""")
        assert on_screen
        v.page.evaluate(TYPESET_ALL)
        r = v.page.evaluate(PROBE)
        assert r["formulas"]["waiting"] == 0 and r["formulas"]["typeset"] == r["formulas"]["formulas"] > 200
        assert v.page.evaluate("() => document.documentElement.getAttribute('data-gp-math-all')") == "done"
        assert not v.errors and not v.outside
    finally:
        v.close()
