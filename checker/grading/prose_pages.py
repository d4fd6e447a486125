r"""The formulas typed by hand into the site's pages (templates and Markdown), checked like prose.

A derivation's prose is checked in that derivation's notation (:mod:`checker.grading.prose`). The
pages around the derivations (the Notation page, the numerical-check and errata pages, the
instructor's guide) have formulas of their own, typed into a template or a Markdown file. Each is
read the same way, in the course's notation (every symbol of :mod:`derivations.notation`, with
the catalogue's definitions of them, so that ``z^{(l)} = W^{(l)} a^{(l-1)}`` is false), and gets
the same verdicts; the same marks say what else it is: ``$\wrong{…}$`` (false on purpose) and
``$\unchecked{…}$`` (not machine-checked: the page shows a †).

Which formulas are the page's own:

- code (fenced blocks, ``` `` ``` spans) shows LaTeX, it is no formula;
- a formula made only of template expressions (``${{ s.latex }}$``, or ``$= {{ tex }}$``) is
  generated from a checked object and is not checked again here;
- a formula that mixes typed text and template expressions (``$h = {{ grid.h | power }}$``) is
  checked as the page shows it, with the values filled in (``render``); one that cannot be filled
  in (an expression of a loop) is reported, so that it is generated or marked instead.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from derivations import get
from derivations.expr import Expr, Sym
from derivations.prose import Formula, formulas

if TYPE_CHECKING:  # the checker is imported by check_page only: reading a page's formulas needs no grader
    from checker.grading.prose import ProseCheck

_CODE = re.compile(r"```.*?```|~~~.*?~~~|``.+?``|`[^`\n]+`", re.S)
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TYPED = re.compile(r"[A-Za-z0-9\\]")


def _without_code(text: str) -> str:
    """``text`` with its code blanked out (same length, so that positions stay)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def page_formulas(text: str) -> list[Formula]:
    """The inline formulas of a page's source, outside code (a misplaced mark raises ValueError)."""
    return formulas(_without_code(text))


def is_generated(latex: str) -> bool:
    """Whether a template's formula is made of template expressions only (around ``=`` or spaces)."""
    return bool(_TEMPLATE.search(latex)) and not _TYPED.search(_TEMPLATE.sub("", latex))


@cache
def course_notation() -> tuple[tuple[Sym, ...], tuple[tuple[Sym, Expr], ...]]:
    """Every symbol of the course's notation, and the catalogue's definitions of them."""
    from derivations import all_derivations, notation

    symbols = tuple(v for v in vars(notation).values() if isinstance(v, Sym))
    definitions = tuple(pair for d in all_derivations().values() for pair in d.definitions)
    return symbols, definitions


def check_page(text: str, where: str, render: Callable[[str], str | None] | None = None,
               derivation: str = "") -> list[ProseCheck]:
    """Every hand-typed formula of one page's source (a template or a Markdown file), checked in
    the course's notation, or in the notation of ``derivation`` (its id) when the text speaks of it.

    ``render`` fills in the template expressions of a formula that mixes them with typed text; it
    raises (any exception) when it cannot, and the formula is then a failure (verdict
    ``not-rendered``). It returns None for a formula whose values this build does not have (a
    piece not measured yet): that formula is on no page of the build, and is not checked."""
    from checker.grading.prose import ProseCheck, check_derivation, check_notation_text

    try:
        found = page_formulas(text)
    except ValueError as err:
        return [ProseCheck(where, "page", text[:80], "", "bad-mark", str(err))]
    course, definitions = course_notation()
    typed, out = [], []
    for f in found:
        latex = f.latex
        if _TEMPLATE.search(latex):
            if is_generated(latex):
                continue
            try:
                filled = render(latex) if render is not None else ""
            except Exception as err:  # noqa: BLE001 - a template error of any kind: the formula is reported
                out.append(ProseCheck(where, "page", f.latex, f.mark, "not-rendered", str(err)))
                continue
            if filled is None:
                continue
            latex = filled
            if not latex or _TEMPLATE.search(latex):
                out.append(ProseCheck(where, "page", f.latex, f.mark, "not-rendered",
                                      "its template expressions cannot be filled in here"))
                continue
        typed.append("$" + (f"\\{f.mark}{{{latex}}}" if f.mark else latex) + "$")
    if typed and derivation:
        d = get(derivation)
        mine = dataclasses.replace(d, context=" ".join(typed), mistakes=(), notes="")
        checks = [c for c in check_derivation(mine) if c.place == "context"]
        out += [ProseCheck(where, "page", c.latex, c.mark, c.verdict, c.detail) for c in checks]
    elif typed:
        checks = check_notation_text(" ".join(typed), [], list(course), definitions)
        out += [ProseCheck(where, "page", c.latex, c.mark, c.verdict, c.detail) for c in checks]
    return out


__all__ = ["check_page", "course_notation", "is_generated", "page_formulas"]
