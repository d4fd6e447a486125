"""LaTeX → MathML at build time, so that no page needs a script, a CDN or the network for math.

``pymdownx.arithmatex`` (generic mode) protects every ``$...$`` and ``$$...$$`` from Markdown and
leaves ``<span class="arithmatex">\\(...\\)</span>`` / ``<div class="arithmatex">\\[...\\]</div>``
in the HTML; :func:`render_math` replaces each with the MathML that ``latex2mathml`` makes of it.

Browsers implement MathML Core, which is narrower than what latex2mathml writes. Two gaps are
closed here rather than left to chance:

* ``mathvariant`` (bold, double-struck, ...) is ignored by MathML Core: the letters are rewritten to
  the Unicode mathematical alphanumerics (𝟙, 𝐖, ℝ) that mean the same thing;
* ``<menclose notation="box">`` (from ``\\boxed``) does not exist in MathML Core: it becomes an
  ``<mrow class="gp-boxed">`` that the site's stylesheet draws a border around.

latex2mathml does not raise on an unknown command: it prints ``\\foo`` as an identifier. Such a
formula is reported as an error, like one latex2mathml cannot parse at all.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from latex2mathml.converter import convert

INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)
_TOKEN_WITH_VARIANT = re.compile(
    r'<(mi|mn|mo|mtext)((?:\s+[\w-]+="[^"]*")*?)\s+mathvariant="([a-z-]+)"((?:\s+[\w-]+="[^"]*")*)>([^<]*)</\1>'
)
_TEXT_NODE = re.compile(r">([^<]+)<")

# MathML mathvariant -> the prefix of the Unicode names of its letters and digits, and the older
# names of the few letters that live in the Letterlike Symbols block instead (ℝ, ℕ, ℭ, ...).
_VARIANT_PREFIX = {
    "bold": ("MATHEMATICAL BOLD", ""),
    "italic": ("MATHEMATICAL ITALIC", ""),
    "bold-italic": ("MATHEMATICAL BOLD ITALIC", ""),
    "double-struck": ("MATHEMATICAL DOUBLE-STRUCK", "DOUBLE-STRUCK"),
    "script": ("MATHEMATICAL SCRIPT", "SCRIPT"),
    "bold-script": ("MATHEMATICAL BOLD SCRIPT", ""),
    "fraktur": ("MATHEMATICAL FRAKTUR", "BLACK-LETTER"),
    "bold-fraktur": ("MATHEMATICAL BOLD FRAKTUR", ""),
    "sans-serif": ("MATHEMATICAL SANS-SERIF", ""),
    "bold-sans-serif": ("MATHEMATICAL SANS-SERIF BOLD", ""),
    "sans-serif-italic": ("MATHEMATICAL SANS-SERIF ITALIC", ""),
    "monospace": ("MATHEMATICAL MONOSPACE", ""),
}


class MathError(ValueError):
    """A formula that cannot be shown as MathML; the message names the formula and the reason."""


@dataclass
class Problem:
    """One formula of a page that could not be converted."""

    latex: str
    reason: str


def _styled_char(ch: str, variant: str) -> str:
    prefix, legacy = _VARIANT_PREFIX[variant]
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return ch
    if name.startswith("LATIN CAPITAL LETTER "):
        tail = "CAPITAL " + name.rsplit(" ", 1)[1]
    elif name.startswith("LATIN SMALL LETTER "):
        tail = "SMALL " + name.rsplit(" ", 1)[1]
    elif name.startswith("DIGIT "):
        tail = name
    elif name.startswith("GREEK CAPITAL LETTER ") or name.startswith("GREEK SMALL LETTER "):
        tail = name.replace("GREEK ", "").replace(" LETTER", "")
    else:
        return ch
    for candidate in (f"{prefix} {tail}", f"{legacy} {tail}" if legacy else ""):
        if candidate:
            try:
                return unicodedata.lookup(candidate)
            except KeyError:
                continue
    return ch


def _apply_variant(m: re.Match[str]) -> str:
    tag, before, variant, after, text = m.groups()
    if variant not in _VARIANT_PREFIX:
        return m.group(0)
    styled = "".join(_styled_char(c, variant) for c in html.unescape(text))
    # "normal" stops the browser from italicising a single-letter <mi> a second time
    keep = ' mathvariant="normal"' if tag == "mi" else ""
    return f"<{tag}{before}{keep}{after}>{html.escape(styled, quote=False)}</{tag}>"


def _for_browsers(mathml: str) -> str:
    mathml = _TOKEN_WITH_VARIANT.sub(_apply_variant, mathml)
    mathml = mathml.replace('<menclose notation="box">', '<mrow class="gp-boxed">')
    return mathml.replace("</menclose>", "</mrow>")


@lru_cache(maxsize=8192)
def to_mathml(latex: str, display: bool = False) -> str:
    """MathML for one formula; :class:`MathError` when latex2mathml cannot convert it faithfully."""
    source = latex.strip()
    if not source:
        raise MathError("empty formula")
    try:
        out = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a zoo of its own exception types
        raise MathError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    for text in _TEXT_NODE.findall(out):
        if "\\" in html.unescape(text):
            raise MathError(f"unknown command {html.unescape(text).strip()!r}")
    return _for_browsers(out)


def _error_html(latex: str, reason: str, display: bool) -> str:
    tag = "div" if display else "span"
    return (
        f'<{tag} class="gp-math-error" title="{html.escape(reason)}">'
        f"<code>{html.escape(latex)}</code></{tag}>"
    )


def render_math(page_html: str, on_problem: Callable[[Problem], None]) -> str:
    """Replace every arithmatex placeholder of a page by MathML; report each failure."""

    def replace(m: re.Match[str], display: bool) -> str:
        latex = html.unescape(m.group(1))
        try:
            mathml = to_mathml(latex, display)
        except MathError as exc:
            on_problem(Problem(latex, str(exc)))
            return _error_html(latex, str(exc), display)
        if display:
            return f'<div class="arithmatex gp-display">{mathml}</div>'
        return f'<span class="arithmatex">{mathml}</span>'

    page_html = BLOCK.sub(lambda m: replace(m, True), page_html)
    return INLINE.sub(lambda m: replace(m, False), page_html)
