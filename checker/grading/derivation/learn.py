r"""Names a student introduces: new names defined in the derivation, and other names for the network's.

- ``Let u = W^T \delta`` (or ``u = …`` on a line of its own) defines ``u``: it is added to the
  vocabulary for the lines after it and stands for its definition wherever it is used.
- ``p_j = e^{o_j} / \sum_k e^{o_k}``, after prose that says "let o_k denote the input of the
  softmax", uses a name the question does not know for one it does. The grader tries each of
  the question's names in its place; the one that makes the relation hold is learnt (o is z),
  the feedback says so, and the lines after it are read with it.
"""

from __future__ import annotations

import dataclasses
import re

from checker.grading.derivation.state import Grading
from checker.grading.derivation.steps import Side, looks_like_new_name
from checker.grading.readers import AnswerError
from checker.grading.readers.latex_reader import spelling_key
from derivations.expr import Expr, ShapeError, Sym, shape_of

_UNKNOWN = re.compile(r"unknown symbol `([^`]+)`")
MAX_CANDIDATES = 16


def apply_aliases(g: Grading, text: str) -> str:
    """``text`` with every learnt alias replaced by the question's spelling."""
    for name, spelling in g.aliases.items():
        text = re.sub(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z])", lambda _m, s=spelling: s, text)
    return text


def define(g: Grading, left: Side, right: Side) -> str:
    """Learn ``left`` (a new name) as ``right``; the note for the report, or "" if it cannot be."""
    if right.expr is None or not looks_like_new_name(left.text):
        return ""
    try:
        rows, cols = shape_of(right.expr)
        key = spelling_key(left.text)
    except (ShapeError, ValueError, AnswerError, TypeError):
        return ""
    sym = Sym(f"user:{key}", rows, cols, left.text.strip())
    g.local[sym] = right.expr
    g.vocab = dataclasses.replace(g.vocab, symbols={**g.vocab.symbols, key: sym})
    left.expr = sym
    return f"${left.text.strip()}$ is defined here and read as its definition in the lines after it."


def unknown_base(sides: list[Side]) -> str | None:
    """The base letter of the first unknown symbol in a relation (``o`` for ``o_j``), if any."""
    for side in sides:
        m = _UNKNOWN.search(side.error or "")
        if m:
            name = re.sub(r"^e\^\{(.*)\}$", r"\1", m.group(1))  # e^{o_j}: the unknown is o
            base = re.match(r"\\?[A-Za-z]+", name)
            if base and len(base.group(0)) <= 8:
                return base.group(0)
    return None


def alias(g: Grading, texts: list[str], read, holds) -> tuple[str, str] | None:  # noqa: ANN001
    """(name, spelling) that makes a relation with an unknown name hold, if exactly one does.

    ``read`` reads a text into a :class:`Side`; ``holds`` says whether read sides are all equal.
    """
    base = unknown_base([read(t) for t in texts])
    if base is None or base in g.aliases:
        return None
    found = []
    for spelling in g.vocab.shown[:MAX_CANDIDATES]:
        head = re.match(r"\\?[A-Za-z]+(?:\^\{[^{}]*\})?", spelling)
        if head is None or head.group(0) == base:
            continue
        pattern = rf"(?<![A-Za-z\\]){re.escape(base)}(?![A-Za-z])"
        name = head.group(0)
        trial = [re.sub(pattern, lambda _m, s=name: s, t) for t in texts]
        sides = [read(t) for t in trial]
        if all(s.expr is not None for s in sides) and holds(sides):
            found.append(head.group(0))
    if len(set(found)) != 1:
        return None
    return base, found[0]


def substitute_local(g: Grading, e: Expr) -> Expr:
    """``e`` with every name the student defined replaced by its definition."""
    from checker.grading.mistakes import substitute

    for _ in range(len(g.local) + 1):
        before = e
        for sym, definition in g.local.items():
            e = substitute(e, sym, definition)
        if e == before:
            break
    return e
