"""Index notation translated into explicit sympy: ``Σ_k W_{kj} δ_k σ'(z_j)`` as a matrix over its
free index letters, entry by entry.

A component formula is a scalar-valued expression whose free index letters name the entries of
a matrix or vector. At concrete sizes every free letter takes each of its values in turn, a sum
``Σ_k`` becomes the explicit sum over k, ``δ_ij`` is 1 or 0, and an ``Entry`` picks the entry of
the matrix the ordinary translation gives. The free letters, in alphabetical order, are (row,
column): the same reading as the grader's NumPy evaluation of index notation. A case split on
index letters (``i = j`` / ``i ≠ j``, written ``δ_ij = 1`` / ``δ_ij ≠ 1``) is decided by the
letters' values, so each case is proved where it applies.

The derivative of an entry with respect to a matrix, ``∂z_k/∂W_{ij}``, is sympy's own
differentiation of the explicit entry with respect to the symbol standing for ``W_{ij}``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from derivations.expr import (
    Add,
    Cond,
    Deriv,
    Div,
    Entry,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    Mul,
    Neg,
    Piecewise,
    Pow,
    ShapeContext,
    Sym,
    children,
    free_indices,
    has_indices,
    shape_of,
)

_RELATIONS = {">": sp.Gt, "<": sp.Lt, ">=": sp.Ge, "<=": sp.Le, "==": sp.Eq, "!=": sp.Ne}


def index_matrix(e: Expr, translator) -> sp.Matrix:  # noqa: ANN001 - a symbolic._Translator
    """The component formula ``e`` as an explicit matrix over its free letters (at most two)."""
    ctx = ShapeContext()
    shape_of(e, ctx)
    sizes = {letter: translator.env.dim(dim) for letter, dim in ctx.index_dims.items()}
    _paired_by_deltas(e, sizes)
    free = free_indices(e)
    for letter in free:
        if letter not in sizes:
            raise ValueError(f"the index {letter} indexes no symbol, so it has no range")
    if len(free) > 2:
        raise ValueError(f"{len(free)} free indices ({', '.join(free)}): at most two (row, column)")
    entries = _Entries(translator, sizes)
    if not free:
        return sp.Matrix([[entries.value(e, {})]])
    rows = sizes[free[0]]
    if len(free) == 1:
        return sp.Matrix(rows, 1, lambda i, _: entries.value(e, {free[0]: i}))
    return sp.Matrix(rows, sizes[free[1]], lambda i, j: entries.value(e, {free[0]: i, free[1]: j}))


def _paired_by_deltas(e: Expr, sizes: dict[str, int]) -> None:
    """A letter that occurs only in δ_ki runs over the range of its partner k (δ_ki a_j: i as k)."""
    deltas, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, KDelta):
            deltas.append(node)
        stack.extend(children(node))
    changed = True
    while changed:
        changed = False
        for d in deltas:
            for known, other in ((d.i, d.j), (d.j, d.i)):
                if known in sizes and other not in sizes:
                    sizes[other] = sizes[known]
                    changed = True


class _Entries:
    """The value of a component formula at one assignment of its letters, as a sympy scalar."""

    def __init__(self, translator, sizes: Mapping[str, int]) -> None:  # noqa: ANN001
        self.tr, self.sizes = translator, sizes

    def value(self, e: Expr, at: Mapping[str, int]) -> sp.Expr:  # noqa: C901 - one case per node kind
        if not has_indices(e):
            m = self.tr.run(e)
            if m.shape != (1, 1):
                raise ValueError(
                    f"a {m.shape[0]}×{m.shape[1]} matrix inside a component formula needs its indices"
                )
            return m[0, 0]
        match e:
            case Entry(arg, row, col):
                return self._entry(arg, row, col, at)
            case KDelta(i, j):
                return sp.Integer(1 if at[i] == at[j] else 0)
            case IndexSum(index, body):
                return sp.Add(*(self.value(body, {**at, index: k}) for k in range(self.sizes[index])))
            case Add(terms):
                return sp.Add(*(self.value(t, at) for t in terms))
            case Neg(a):
                return -self.value(a, at)
            case Mul(a, b) | Hadamard(a, b):
                return self.value(a, at) * self.value(b, at)
            case Div(a, b):
                return self.value(a, at) / self.value(b, at)
            case Pow(a, b):
                return self.value(a, at) ** self.value(b, at)
            case Max(a, b):
                return sp.Max(self.value(a, at), self.value(b, at))
            case Fn(name, a, d):
                return self.tr.function(name, d, self.value(a, at))
            case Indicator(c):
                return sp.Piecewise((1, self._relation(c, at)), (0, True))
            case Piecewise(cases):
                return self._cases(cases, at)
            case Deriv(f, wrt) if wrt.shape == (1, 1):
                return self._derivative(f, wrt, (0, 0), at)
        raise ValueError(f"{type(e).__name__} cannot take part in a component formula")

    def _entry(self, arg: Expr, row: str, col: str | None, at: Mapping[str, int]) -> sp.Expr:
        if isinstance(arg, Deriv) and has_indices(arg.f):
            if col is None and arg.wrt.cols != 1:
                raise ValueError("an entry of a derivative by a matrix needs two indices")
            return self._derivative(arg.f, arg.wrt, (at[row], at[col] if col else 0), at)
        if has_indices(arg):
            raise ValueError("an indexed expression cannot be indexed again")
        m = self.tr.run(arg)
        if col is not None:
            return m[at[row], at[col]]
        if m.shape[1] == 1:
            return m[at[row], 0]
        if m.shape[0] == 1:
            return m[0, at[row]]
        raise ValueError(f"a {m.shape[0]}×{m.shape[1]} matrix needs two indices")

    def _derivative(self, f: Expr, wrt: Sym, where: tuple[int, int], at: Mapping[str, int]) -> sp.Expr:
        """∂f/∂wrt_{where}: f (an entry) explicit with ``wrt`` held as symbols, then differentiated."""
        fx = _Entries(self.tr.holding(wrt), self.sizes).value(f, at)
        x = self.tr.env.entries(wrt)[where]
        out = sp.diff(fx, x)
        if wrt in self.tr.env.definitions and wrt not in self.tr.frozen:
            xs, value = self.tr.env.entries(wrt), self.tr.run(wrt)
            out = out.subs(dict(zip(list(xs), list(value), strict=True)), simultaneous=True)
        return out

    def _relation(self, c: Cond, at: Mapping[str, int]) -> sp.Basic:
        return _RELATIONS[c.op](self.value(c.lhs, at), self.value(c.rhs, at))

    def _cases(self, cases: tuple[tuple[Expr, Cond | None], ...], at: Mapping[str, int]) -> sp.Expr:
        pieces = []
        for value, cond in cases:
            holds = sp.true if cond is None else self._relation(cond, at)
            if holds is sp.false:
                continue  # a case on index letters that does not apply at these letters
            pieces.append((self.value(value, at), holds))
            if holds is sp.true:
                break
        if not pieces:
            raise ValueError("no case of the formula applies")
        return pieces[0][0] if pieces[0][1] is sp.true else sp.Piecewise(*pieces)
