"""What the browser tests check on a page of the built handbook, whichever browser reads it.

Chromium (tests/test_site_browser.py, Playwright) and Firefox ESR (tests/test_site_firefox.py,
WebDriver BiDi) load the same pages and evaluate the same probe (tests/site_probes.js) in them; the
verdict on what the probe read is made here, once, so both browsers are held to the same rules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# What each test reads from a page once MathJax has typeset it: a JavaScript function of no
# arguments that returns plain data.
PROBE = (Path(__file__).resolve().parent / "site_probes.js").read_text(encoding="utf-8")

# True once site/javascripts/gradproof.js has seen MathJax typeset the formulas on screen; the others
# are typeset by MathJax's lazy extension near the screen or when the browser is idle, and
# gpTypesetAll() typesets them at once: the tests call it, then read every formula.
TYPESET = "() => document.documentElement.getAttribute('data-gp-math') === 'done'"
TYPESET_ALL = "() => window.gpTypesetAll().then(() => true)"

# Switches a page's palette in place ("slate" dark, "default" light), as Material's toggle does
# (``data-md-color-scheme`` on the body): the same page in the other theme without a second load and
# typesetting. Material fades colours in over 125 ms or more; switched without transitions, the
# colours read next are the final ones.
SWITCH_PALETTE = """(palette) => {
  const still = document.createElement("style");
  still.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
  document.head.append(still);
  document.body.setAttribute("data-md-color-scheme", palette);
}"""

# Text left in a page (outside code and formulas) that means LaTeX reached the reader raw.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|\$\\|\^\{|_\{|\\[A-Za-z]{2,}")

# The pages read again at phone width and in the dark theme (every page is read at desktop width in
# the light theme): one of each kind, the widest formulas and tables among them.
SAMPLE = ("", "notation", "derivations/softmax-ce-gradient", "derivations/central-difference",
          "derivations/row-backprop", "questions", "questions/hidden-delta", "mlp", "gradcheck",
          "experiments/digits")

# A page made of every fault the probe looks for (see :func:`assert_probe_saw_the_faults`).
FAULTY_PAGE = """<article>
  <h1>Title</h1><h3>skipped a level</h3>
  <p>raw: W^{(l)} and \\delta here</p>
  <p class="gp-ok" style="color:#66bb6a">verified</p>
  <div class="arithmatex gp-display">
    <mjx-container style="display:block;height:40px"></mjx-container></div>
  <div class="gp-reason" style="margin-top:-20px">the reason</div>
  <details class="gp-solution" open><summary>Show solution</summary>x</details>
  <p><span class="arithmatex"><mjx-container><mjx-lazy></mjx-lazy></mjx-container></span></p>
</article>"""


def unavailable(reason: str, fix: str) -> None:
    """A browser or tool the tests need is missing: a failure under CI, a skip anywhere else."""
    if IN_CI:
        pytest.fail(f"{reason}: the browser tests must run under CI ({fix})")
    pytest.skip(reason)


def site_pages(site_dir: Path) -> list[str]:
    """Every page of the built site, as its directory relative to the root ("" for the home page)."""
    rels = (p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    return sorted("" if r == "." else r for r in rels)


def sample_pages(site_dir: Path) -> list[str]:
    """The pages of :data:`SAMPLE` that this build has."""
    return [rel for rel in SAMPLE if (site_dir / rel / "index.html").is_file()]


def page_url(base_url: str, rel: str) -> str:
    """The address of the page ``rel`` (as :func:`site_pages` names it) on the served site."""
    return f"{base_url}/{rel}/" if rel else f"{base_url}/"


def is_local(url: str, base_url: str) -> bool:
    """Whether a request stays on the served site (or inside the page, for data: and blob:)."""
    return url.startswith(base_url + "/") or url.startswith(("data:", "blob:"))


def page_problems(r: dict) -> list[str]:
    """Everything wrong with one page as a browser test read it.

    ``r`` holds ``status`` (HTTP), ``errors`` (console), ``outside`` (requests off the site) and
    ``mkdocs`` (a page of ours, with formulas); for those, the probe's findings with ``raw`` (the
    :data:`RAW_MATH` matches in its text) in place of the text.
    """
    found = []
    if r["status"] != 200:
        found.append(f"HTTP {r['status']}")
    if r["errors"]:
        found.append(f"console errors {r['errors']}")
    if r["outside"]:
        found.append(f"requests off localhost {r['outside']}")
    if not r["mkdocs"]:
        return found
    if r["raw"]:
        found.append(f"raw LaTeX in the text: {r['raw'][:5]}")
    f = r["formulas"]
    if f["errors"] or f["typeset"] != f["formulas"]:
        found.append(f"formulas not typeset: {f}")
    if r["overlaps"]:
        found.append(f"a formula runs into the next line: {r['overlaps'][:3]}")
    if r["jumps"]:
        found.append(f"headings skip a level: {r['jumps']}")
    if r["lowContrast"]:
        found.append(f"contrast below 4.5:1: {r['lowContrast'][:4]}")
    if r["openSolutions"]:
        found.append(f"{r['openSolutions']} solution(s) open on load")
    return found


def assert_probe_saw_the_faults(r: dict) -> None:
    """The probe, run on :data:`FAULTY_PAGE`, reported each of its faults."""
    assert RAW_MATH.findall(r["text"]) == ["^{", "\\delta"]
    assert r["jumps"] == ["1>3"]
    assert any("verified" in c for c in r["lowContrast"])
    assert len(r["overlaps"]) == 1 and "gp-reason" in r["overlaps"][0]
    assert r["openSolutions"] == 1
    # a formula the lazy extension has not drawn yet (and the fake one with no math) is not typeset
    assert r["formulas"]["formulas"] == 2 and r["formulas"]["typeset"] == 0 and r["formulas"]["waiting"] == 1
