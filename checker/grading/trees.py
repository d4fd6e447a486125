"""Tree surgery on expressions: rebuild a node, rewrite one node at a time, substitute.

The mistake families (:mod:`checker.grading.mistakes`), the repairs of an answer and the
re-readings of index notation all edit trees of :mod:`derivations.expr` with these few tools.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace

from derivations.expr import (
    SCALAR,
    Add,
    BigO,
    Cond,
    Deriv,
    Diag,
    Div,
    Entry,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    Max,
    Mul,
    Neg,
    Norm,
    Piecewise,
    Pow,
    ShapeError,
    Softmax,
    Sym,
    T,
    children,
    shape_of,
    shape_tex,
)


def rebuild(node: Expr, kids: tuple[Expr, ...]) -> Expr:
    """``node`` with its children (in the order of :func:`children`) replaced by ``kids``."""
    match node:
        case Add():
            return Add(kids)
        case Neg() | T() | Fn() | Softmax() | Diag() | Norm() | BigO() | Entry():
            return replace(node, arg=kids[0])
        case Mul() | Hadamard() | Max():
            return replace(node, left=kids[0], right=kids[1])
        case Div():
            return Div(kids[0], kids[1])
        case Pow():
            return Pow(kids[0], kids[1])
        case Deriv():
            return replace(node, f=kids[0])
        case IndexSum():
            return replace(node, body=kids[0])
        case Indicator(c):
            return Indicator(Cond(kids[0], c.op, kids[1]))
        case Piecewise(cases):
            out, k = [], 0
            for _, cond in cases:
                value = kids[k]
                k += 1
                if cond is not None:
                    cond = Cond(kids[k], cond.op, kids[k + 1])
                    k += 2
                out.append((value, cond))
            return Piecewise(tuple(out))
    return node


def rewrites(e: Expr, rule: Callable[[Expr], Iterable[Expr]]) -> Iterator[tuple[Expr, Expr, Expr]]:
    """Every tree made by replacing one node of ``e`` by one of ``rule(node)``.

    Yields (new tree, the node replaced, its replacement).
    """
    for new in rule(e):
        yield new, e, new
    kids = children(e)
    for i, kid in enumerate(kids):
        for tree, old, new in rewrites(kid, rule):
            yield rebuild(e, kids[:i] + (tree,) + kids[i + 1:]), old, new


def substitute(e: Expr, old: Expr, new: Expr) -> Expr:
    """``e`` with every occurrence of ``old`` replaced by ``new``."""
    if e == old:
        return new
    kids = children(e)
    if not kids:
        return e
    return rebuild(e, tuple(substitute(k, old, new) for k in kids))


def substitute_all(e: Expr, table: Mapping[Expr, Expr]) -> Expr:
    """``e`` with every key of ``table`` replaced by its value, in one pass (no re-substitution)."""
    if e in table:
        return table[e]
    kids = children(e)
    return rebuild(e, tuple(substitute_all(k, table) for k in kids)) if kids else e


def nodes(e: Expr) -> Iterator[Expr]:
    """Every node of ``e``, ``e`` first (depth first)."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


def contains(e: Expr, pred: Callable[[Expr], bool], through: Mapping[Sym, Expr] | None = None) -> bool:
    """Whether some node of ``e`` satisfies ``pred``; with ``through``, also inside the definitions
    of the symbols it uses, and theirs (each definition walked once)."""
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if pred(node):
            return True
        if through and isinstance(node, Sym) and node in through and node not in seen:
            seen.add(node)
            stack.append(through[node])
        stack.extend(children(node))
    return False


def size(e: Expr) -> int:
    """The number of nodes of ``e``."""
    return sum(1 for _ in nodes(e))


def mul_factors(e: Expr) -> list[Expr]:
    """The factors of a chain of matrix products, left to right."""
    if isinstance(e, Mul):
        return mul_factors(e.left) + mul_factors(e.right)
    return [e]


def chain(factors: list[Expr]) -> Expr:
    """The left-associated product of ``factors``."""
    out = factors[0]
    for f in factors[1:]:
        out = Mul(out, f)
    return out


def is_scalar(e: Expr) -> bool:
    """Whether ``e`` fits and is 1 × 1."""
    try:
        return shape_of(e) == SCALAR
    except ShapeError:
        return False


def shape_text(e: Expr) -> str:
    """``e``'s shape for a message, or a phrase saying it does not fit."""
    try:
        return shape_tex(shape_of(e))
    except ShapeError:
        return "of a shape that does not fit"


def inline(e: Expr, definitions: Mapping[Sym, Expr]) -> Expr:
    """``e`` with each defined symbol replaced by its definition (once, not recursively)."""
    return substitute_all(e, dict(definitions)) if definitions else e
