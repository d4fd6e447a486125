"""Formulas: checked at build time, typeset in the browser by MathJax 3 shipped with the site.

``pymdownx.arithmatex`` (generic mode) protects every ``$...$`` and ``$$...$$`` from Markdown and
leaves ``<span class="arithmatex">\\(...\\)</span>`` / ``<div class="arithmatex">\\[...\\]</div>``
in the HTML. :func:`render_math` checks each formula and leaves it for MathJax, which typesets it
with its own fonts (TeX's Computer Modern, shipped as woff files): the same layout in every
browser, whatever math fonts the reader's system has. Why MathJax and not browser MathML is shown
with screenshots on the site's "Typesetting" page.

MathJax itself comes from the ``django-static-mathjax`` package (MathJax 3.2.2's released files;
the package needs no Django): :func:`mathjax_files` lists the few files the site copies out of it.
Nothing is fetched from a CDN.

The check at build time: ``latex2mathml`` must parse the formula, its braces must balance, and
every command must be known to latex2mathml or defined in MathJax's macro tables (latex2mathml
prints an unknown ``\\foo`` as text rather than raising, which is caught here), so a typo in a
formula fails ``mkdocs build --strict`` instead of showing a red box to a reader. In the browser,
MathJax runs without ``noundefined``, so a command it does not know is an error node, which the
browser tests look for.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import importlib.resources
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from latex2mathml.converter import convert

INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)
_TEXT_NODE = re.compile(r">([^<]+)<")

# Where the site serves MathJax, and which of its released files it needs: the combined TeX
# component with every TeX extension (so no extension is loaded on demand) and its CHTML fonts.
MATHJAX_DIR = "mathjax"
MATHJAX_SCRIPT = "tex-chtml-full.js"
# loaded by MathJax itself (site/javascripts/gradproof.js, loader.load): formulas typeset near the screen
MATHJAX_COMPONENTS = ("ui/lazy.js",)
_MATHJAX_FONTS = "output/chtml/fonts/woff-v2"


class MathError(ValueError):
    """A formula that cannot be typeset; the message names the reason."""


@dataclass
class Problem:
    """One formula of a page that failed its check."""

    latex: str
    reason: str


@lru_cache(maxsize=8192)
def check(latex: str) -> None:
    """Raise :class:`MathError` unless ``latex`` is a formula made only of known commands."""
    source = latex.strip()
    if not source:
        raise MathError("empty formula")
    _check_braces(source)
    try:
        out = convert(source)
    except Exception as exc:  # latex2mathml raises a zoo of its own exception types
        raise MathError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    for text in _TEXT_NODE.findall(out):
        unknown = [c for c in _COMMAND.findall(html.unescape(text)) if not _mathjax_knows(c)]
        if unknown or (not _COMMAND.search(html.unescape(text)) and "\\" in html.unescape(text)):
            raise MathError(f"unknown command {html.unescape(text).strip()!r}")


_COMMAND = re.compile(r"\\([A-Za-z]+)")


@lru_cache(maxsize=1)
def _mathjax_macros() -> str:
    return (mathjax_root() / MATHJAX_SCRIPT).read_text(encoding="utf-8", errors="replace")


def _mathjax_knows(name: str) -> bool:
    """A command latex2mathml does not know (``\\arg``) is fine when MathJax's macro tables define it."""
    return re.search(rf"[{{,]{name}:", _mathjax_macros()) is not None


def _check_braces(source: str) -> None:
    """latex2mathml closes a group left open: MathJax would not, so an unbalanced brace is an error."""
    depth = 0
    escaped = False
    for ch in source:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise MathError("a } closes no group")
    if depth:
        raise MathError(f"{depth} {{ never closed")


def _error_html(latex: str, reason: str, display: bool) -> str:
    tag = "div" if display else "span"
    return (
        f'<{tag} class="gp-math-error" title="{html.escape(reason)}">'
        f"<code>{html.escape(latex)}</code></{tag}>"
    )


def _display_html(latex: str) -> str:
    """A displayed formula for MathJax, with a button that copies its LaTeX (site's script)."""
    source = html.escape(latex.strip())
    return (
        f'<div class="arithmatex gp-display">\\[{source}\\]'
        f'<button class="gp-copy" type="button" data-latex="{source}" title="Copy LaTeX" '
        f'aria-label="Copy the LaTeX of this formula"></button></div>'
    )


# Formulas that passed the check in an earlier build with the same checking code, latex2mathml and
# MathJax: most of a warm build's time would otherwise go to converting every formula again. Only
# passes are remembered, so a failing formula is checked (and reported) at every build.
_PASSED: dict[str, Any] = {"file": None, "hashes": set(), "new": False}


def _passed_file() -> Path:
    import gp_jobs

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(importlib.metadata.version("latex2mathml").encode())
    script = mathjax_root() / MATHJAX_SCRIPT
    h.update(f"{script.stat().st_size}:{script.stat().st_mtime_ns}".encode())
    return gp_jobs.cache_root() / "site" / f"formulas-{h.hexdigest()[:16]}.json"


def _passed_before(latex: str) -> tuple[bool, str]:
    """Whether ``latex`` passed the check in an earlier build, and its hash."""
    if _PASSED["file"] is None:
        try:
            _PASSED["file"] = _passed_file()
            _PASSED["hashes"] = set(json.loads(_PASSED["file"].read_text()))
        except (OSError, ValueError, MathError):
            _PASSED["hashes"] = set()
    digest = hashlib.sha256(latex.encode()).hexdigest()[:24]
    return digest in _PASSED["hashes"], digest


def save_passed() -> None:
    """Remember this build's passing formulas for the next build (called once, after the build)."""
    path = _PASSED["file"]
    if path is None or not _PASSED["new"]:
        return
    try:
        from checker.files import write_atomic  # the project is on the path once on_config ran

        write_atomic(path, json.dumps(sorted(_PASSED["hashes"])), durable=False)
        _PASSED["new"] = False
    except OSError:  # a read-only cache costs the next build the checks, nothing else
        pass


def render_math(page_html: str, on_problem: Callable[[Problem], None]) -> str:
    """Check every formula of a page; a failing one becomes a red box and is reported."""

    def replace(m: re.Match[str], display: bool) -> str:
        latex = html.unescape(m.group(1))
        try:
            known, digest = _passed_before(latex)
            if not known:
                check(latex)
                _PASSED["hashes"].add(digest)
                _PASSED["new"] = True
        except MathError as exc:
            on_problem(Problem(latex, str(exc)))
            return _error_html(latex, str(exc), display)
        if display:
            return _display_html(latex)
        return m.group(0)

    page_html = BLOCK.sub(lambda m: replace(m, True), page_html)
    return INLINE.sub(lambda m: replace(m, False), page_html)


# Where LaTeX cannot be: code, preformatted text, scripts and the formulas themselves are cut out
# of the page before looking for it.
_NOT_PROSE = re.compile(
    r"<(code|pre|script|style|textarea|button)\b.*?</\1>|<span class=\"arithmatex\">.*?</span>"
    r"|<div class=\"arithmatex gp-display\">.*?</div>|<[^>]+>", re.S)
_RAW_LATEX = re.compile(r"\$\$|\\\(|\\\[|\$\S|\^\{|_\{|\\[A-Za-z]{2,}")


def raw_latex(page_html: str) -> list[str]:
    """Pieces of LaTeX left in the prose of a rendered page (a ``$`` that did not open a formula)."""
    text = html.unescape(_NOT_PROSE.sub(" ", page_html))
    return [text[max(0, m.start() - 30):m.end() + 30].strip() for m in _RAW_LATEX.finditer(text)]


def mathjax_root() -> Path:
    """The released MathJax 3 files (``es5/``) of the installed ``django-static-mathjax`` package."""
    try:
        root = importlib.resources.files("mathjax") / "static" / "mathjax" / "es5"
    except ModuleNotFoundError:
        raise MathError("MathJax is not installed: pip install -e . installs django-static-mathjax") from None
    path = Path(str(root))
    if not (path / MATHJAX_SCRIPT).is_file():
        raise MathError(f"{path / MATHJAX_SCRIPT} is missing: reinstall django-static-mathjax")
    return path


def mathjax_files() -> Iterator[tuple[str, Path]]:
    """``(path in the site, file on disk)`` for every MathJax file the site serves."""
    root = mathjax_root()
    yield f"{MATHJAX_DIR}/{MATHJAX_SCRIPT}", root / MATHJAX_SCRIPT
    for component in MATHJAX_COMPONENTS:
        yield f"{MATHJAX_DIR}/{component}", root / component
    for font in sorted((root / _MATHJAX_FONTS).glob("*.woff")):
        yield f"{MATHJAX_DIR}/{_MATHJAX_FONTS}/{font.name}", font
