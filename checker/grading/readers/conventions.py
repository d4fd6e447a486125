r"""The other weight convention (UFLDL, as in seed 000): ``z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}``.

There W^{(l)} and b^{(l)} are what the course calls W^{(l+1)} and b^{(l+1)}; z, a and δ keep their
numbers. An answer in UFLDL's notation (the activation written f, as there) whose products do
not fit in the course's convention but fit once its W^{(l)}, b^{(l)} are read as UFLDL's is read
that way, and a note says so. Otherwise — σ written as σ, shapes that fit as written, a
course-only weight beside it, or strict notation — the course's convention is read, and
(W^{(l)})ᵀ δ^{(l+1)} stays the wrong-layer mistake it is there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from derivations.expr import Cond, Expr, ShapeCache, Sym, symbols_of

UFLDL_NOTE = (
    r"Read in the UFLDL convention, where $W^{(l)}$ and $b^{(l)}$ map layer $l$ to $l+1$ "
    r"($z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}$), the only one in which the shapes fit."
)


def ufldl_shift(symbols: Mapping[str, Sym]) -> dict[Sym, Sym]:
    """The course's symbol each UFLDL weight and bias stands for: W^{(l)} → W^{(l+1)}, b^{(l)} → b^{(l+1)}."""
    shift: dict[Sym, Sym] = {}
    for base in ("W", "b"):
        own, next_one = symbols.get(f"{base}^{{l}}"), symbols.get(f"{base}^{{l+1}}")
        if own is not None and next_one is not None:
            shift[own] = next_one
    return shift


def read_as_ufldl(expr: Expr, symbols: Mapping[str, Sym]) -> Expr | None:
    """``expr`` with UFLDL's W^{(l)}, b^{(l)} renamed, if only that reading fits; else None."""
    shift = ufldl_shift(symbols)
    used = symbols_of(expr)
    if not used & shift.keys() or used & set(shift.values()):
        return None  # no UFLDL weight, or the course's W^{(l+1)} beside it: conventions mixed
    shapes = ShapeCache()
    if shapes(expr) is not None:
        return None
    renamed = _rename(expr, shift)
    return renamed if shapes(renamed) is not None else None


def _rename(e: object, shift: Mapping[Sym, Sym]) -> object:
    """``e`` with every symbol of ``shift`` replaced (the tree's depth is bounded by the readers)."""
    if isinstance(e, Sym):
        return shift.get(e, e)
    if isinstance(e, tuple):
        return tuple(_rename(x, shift) for x in e)
    if isinstance(e, Expr | Cond) and dataclasses.is_dataclass(e):
        changes = {f.name: _rename(getattr(e, f.name), shift) for f in dataclasses.fields(e)}
        return dataclasses.replace(e, **changes)
    return e
