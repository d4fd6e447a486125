"""The built handbook in Debian's Firefox ESR, driven over WebDriver BiDi (tests/bidi_firefox.py).

The same rules as the Chromium tests (tests/site_checks.py, tests/site_probes.js): every page
loads without a console error and without a request leaving localhost, every formula is typeset by
MathJax without an error node, no raw LaTeX is left in the text, no displayed formula runs into the
line below it, solutions are closed on load, and nothing makes the page scroll sideways.

The sample pages (one of each kind, the widest formulas and tables among them) are read at 1280 px
in a Firefox whose system prefers the light scheme and at 390 px in one that prefers the dark (the
palette must follow it); each page is then switched in place to the other theme, as Material's
toggle does, and read again. Each load costs one to two seconds, most of it MathJax typesetting:
every page is read in Chromium, and all hundred-odd in Firefox too would add three minutes or more
for pages made from the same templates as the sample's.

Each Firefox reads all its pages in one tab; the site is the session's one build (``site_build``).
A missing firefox-esr or websockets package is a failure under CI and a skip anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bidi_firefox import FIREFOX, Firefox
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
    unavailable,
)

pytestmark = pytest.mark.browser

FIREFOX_FIX = "apt-get install -y firefox-esr; pip install -e '.[test]'"
VIEWPORTS = {1280: 800, 390: 844}  # width: height, in CSS pixels
PALETTES = {"light": "default", "dark": "slate"}  # Material's palette for each colour scheme
# The pages that are not MkDocs pages (no formulas of ours), loaded all the same.
OTHER_PAGES = ("404.html", "questions/example-report.html")

# Resolves to true once MathJax has typeset the page, or to false after ``ms`` milliseconds.
WAIT_TYPESET = f"""(ms) => new Promise((done) => {{
  const typeset = {TYPESET};
  const end = Date.now() + ms;
  const poll = () => typeset() ? done(true) : Date.now() > end ? done(false) : setTimeout(poll, 50);
  poll();
}})"""


def _firefox(dark: bool) -> Iterator[Firefox]:
    if not FIREFOX.exists():
        unavailable(f"{FIREFOX} is missing", FIREFOX_FIX)
    try:
        import websockets  # noqa: F401 - the BiDi client's transport
    except ImportError:
        unavailable("the websockets package is not installed", FIREFOX_FIX)
    with Firefox(dark=dark) as ff:
        yield ff


@pytest.fixture(scope="module")
def firefox() -> Iterator[Firefox]:
    """Headless Debian Firefox ESR; its pages see a system that prefers the light scheme."""
    yield from _firefox(dark=False)


@pytest.fixture(scope="module")
def firefox_dark() -> Iterator[Firefox]:
    """Headless Debian Firefox ESR; its pages see a system that prefers the dark scheme."""
    yield from _firefox(dark=True)


def _seen(ff: Firefox, base_url: str, url: str) -> dict:
    """What the page at ``url`` logged and requested, as Firefox reported it since the last clear."""
    errors, outside, status = [], [], None
    for event in ff.events:
        params, requested = event["params"], event["params"].get("request", {}).get("url")
        if event["method"] == "log.entryAdded" and params.get("level") == "error":
            errors.append(params.get("text"))
        elif event["method"] == "network.beforeRequestSent" and not is_local(requested, base_url):
            outside.append(requested)
        elif event["method"] == "network.responseCompleted" and requested == url:
            # a page read again (at another width) is revalidated from Firefox's cache: 304 is its 200
            status = 200 if params["response"]["status"] == 304 else params["response"]["status"]
    return {"url": url, "status": status, "errors": errors, "outside": outside}


def _probe(ff: Firefox, base_url: str, url: str, scheme: str, typeset: bool) -> dict:
    """The probe's reading of the page as it is now, with what Firefox saw it log and request."""
    probe = ff.call(PROBE)
    return {**_seen(ff, base_url, url), "mkdocs": True, "typesetDone": typeset, "expected": scheme,
            "raw": RAW_MATH.findall(probe.pop("text")), **probe}


def read(ff: Firefox, base_url: str, rel: str) -> list[dict]:
    """One page loaded and typeset, read as the Chromium tests read it in the scheme the profile
    prefers, then switched in place to the other theme and read again."""
    url = page_url(base_url, rel)
    ff.events.clear()
    ff.goto(url)
    typeset = ff.call(WAIT_TYPESET, 15_000) and ff.call(TYPESET_ALL)
    reports = [_probe(ff, base_url, url, ff.scheme, typeset)]
    other = "light" if ff.scheme == "dark" else "dark"
    ff.call(SWITCH_PALETTE, PALETTES[other])
    return [*reports, _probe(ff, base_url, url, other, typeset)]


def firefox_problems(r: dict) -> list[str]:
    """:func:`page_problems` and what Firefox adds: typesetting never done, the wrong palette, the
    page scrolling sideways."""
    found = page_problems(r)
    if not r["mkdocs"]:
        return found
    if not r["typesetDone"]:
        found.append("MathJax did not finish typesetting within 15 s")
    palette = PALETTES[r["expected"]]
    if r["scheme"] != palette:
        found.append(f"the page shows the {r['scheme']} palette, not {palette}")
    if r["wide"] > 0:  # wide formulas and tables scroll inside their box, never the page
        found.append(f"the page scrolls sideways by {r['wide']} px")
    return found


def _assert_clean(reports: list[dict], where: str) -> None:
    problems = [f"{r['url']} ({r.get('expected', 'light')}): {p}"
                for r in reports for p in firefox_problems(r)]
    assert not problems, f"Firefox, {where}:\n" + "\n".join(problems)
    assert sum(r["formulas"]["containers"] for r in reports if r["mkdocs"]) > 100


def test_sample_pages_in_firefox_at_desktop_width_light_then_dark(firefox: Firefox, base_url: str,
                                                                 site_build: Any) -> None:
    """The sample pages at 1280 px, loaded light, then dark; and the pages that are not MkDocs'."""
    firefox.set_viewport(1280, VIEWPORTS[1280])
    pages = sample_pages(site_build.site_dir)
    assert len(pages) > 5
    reports = [r for rel in pages for r in read(firefox, base_url, rel)]
    for rel in OTHER_PAGES:
        if (site_build.site_dir / rel).is_file():
            firefox.events.clear()
            firefox.goto(f"{base_url}/{rel}")
            reports.append({**_seen(firefox, base_url, f"{base_url}/{rel}"), "mkdocs": False})
    _assert_clean(reports, "1280 px")


def test_sample_pages_in_firefox_on_a_phone_that_prefers_dark(firefox_dark: Firefox, base_url: str,
                                                              site_build: Any) -> None:
    """The sample pages at 390 px in a Firefox whose system prefers the dark scheme: loaded dark (the
    palette follows the system), then switched to light."""
    firefox_dark.set_viewport(390, VIEWPORTS[390])
    pages = sample_pages(site_build.site_dir)
    assert len(pages) > 5
    _assert_clean([r for rel in pages for r in read(firefox_dark, base_url, rel)], "390 px")


def test_firefox_reports_each_fault_the_tests_look_for(firefox: Firefox, base_url: str) -> None:
    """A page made of the faults the probe looks for, a console error and a request off the machine:
    the probe and the recorded events must show every one (in Firefox's layout, not Chromium's)."""
    firefox.set_viewport(600, 800)
    firefox.events.clear()
    firefox.goto("about:blank")
    firefox.call("""(html) => {
      document.body.style.background = "#fff";
      document.body.innerHTML = html;
      const img = document.createElement("img");
      img.src = "http://example.invalid/tracker.png";
      document.body.append(img);
      console.error("a fault on purpose");
      return new Promise((done) => { img.onerror = img.onload = () => done(true); });
    }""", FAULTY_PAGE)
    r = firefox.call(PROBE)
    assert_probe_saw_the_faults(r)
    seen = _seen(firefox, base_url, "about:blank")
    assert seen["errors"] == ["a fault on purpose"]
    assert seen["outside"] == ["http://example.invalid/tracker.png"]
