r"""Formulas in prose: the ``$…$`` of a derivation's context, reasons, mistakes and notes.

Every formula in the prose of a derivation is checked against the derivation itself
(``checker.grading.prose``): it is read by the grader's LaTeX reader in the derivation's notation,
and a relation (``=``, ``<``, ``\le``, …) must hold on random instances of the derivation's
quantities. Two marks, written around the formula inside its dollars, say what else it is:

- ``$\wrong{…}$``: a relation that is false on purpose (a common mistake); the check proves it
  false, so a mistake that is in fact right fails the build;
- ``$\unchecked{…}$``: not machine-checked (a condition such as ``i = j``, a sketch with
  ``\ldots``, notation the reader does not evaluate); the page shows a marker that says so.

This module only finds formulas and marks: it reads nothing and checks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from derivations.base import Derivation

MARKS = ("wrong", "unchecked")
"""The marks a formula may carry, as the names of their LaTeX commands."""

_FORMULA = re.compile(r"(?<![\\$])\$(?!\$)([^$]+?)\$")
_MARKED = re.compile(r"^\s*\\(" + "|".join(MARKS) + r")\s*\{")


@dataclass(frozen=True)
class Formula:
    """One ``$…$`` of a text: its LaTeX (mark removed), its mark (``""`` when none) and its span."""

    latex: str
    mark: str
    start: int
    end: int


def _unmark(body: str) -> tuple[str, str]:
    """``\\unchecked{X}`` as (``X``, ``"unchecked"``); a formula without a mark as (itself, "")."""
    m = _MARKED.match(body)
    if not m:
        return body, ""
    depth, i = 1, m.end()
    while i < len(body) and depth:
        depth += {"{": 1, "}": -1}.get(body[i], 0) if body[i - 1] != "\\" else 0
        i += 1
    if depth or body[i:].strip():
        raise ValueError(f"the mark \\{m.group(1)}{{…}} must enclose the whole formula: ${body}$")
    return body[m.end() : i - 1], m.group(1)


def formulas(text: str) -> list[Formula]:
    """The inline formulas of ``text``, in order."""
    out = []
    for m in _FORMULA.finditer(text):
        latex, mark = _unmark(m.group(1))
        out.append(Formula(latex, mark, m.start(), m.end()))
    return out


def render(text: str, show: Callable[[Formula], str]) -> str:
    """``text`` with every formula replaced by ``show(formula)`` (the site's way to draw marks)."""
    parts, last = [], 0
    for f in formulas(text):
        parts.append(text[last : f.start])
        parts.append(show(f))
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


def plain(text: str) -> str:
    """``text`` with the marks removed, every formula kept as ``$…$``."""
    return render(text, lambda f: f"${f.latex}$")


def places(d: Derivation) -> Iterator[tuple[str, str]]:
    """Every piece of prose of ``d``, as (where it is, the text): context, reasons, mistakes, notes."""
    yield "context", d.context
    several = len(d.chains) > 1
    for ci, chain in enumerate(d.chains):
        for si, step in enumerate(chain.steps):
            where = f"chain {chain.name or ci + 1}, step {si + 1}" if several else f"step {si + 1}"
            yield f"{where} (reason)", step.reason
    for k, mistake in enumerate(d.mistakes):
        yield f"mistake {k + 1}", mistake
    if d.notes:
        yield "notes", d.notes
