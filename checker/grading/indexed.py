"""Index notation evaluated with NumPy: ``Σ_j W_{ji} δ_j σ'(z_i)`` as an array over its indices.

A component formula is a scalar-valued expression whose free index letters name the entries of
a matrix or vector. It is evaluated by broadcasting: every sub-expression becomes an array with
one axis per index letter it depends on (axes kept in alphabetical order), products and sums
broadcast over those axes, and ``Σ_k`` sums an axis away. The free indices of the whole answer,
in alphabetical order, are (row, column): ``δ_j a_k`` and ``a_k δ_j`` are both entry (j, k).

Sub-expressions without index letters (``(W^T δ)_i`` has the matrix product inside the entry)
are evaluated by :mod:`checker.proof.evaluate`; nothing here ever executes text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from checker.proof.evaluate import EvaluationError, NumEnv, apply_function, evaluate
from derivations.expr import (
    SCALAR,
    Add,
    Cond,
    Dim,
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
    Num,
    Piecewise,
    Pow,
    Shape,
    ShapeContext,
    ShapeError,
    children,
    free_indices,
    has_indices,
    shape_of,
)

__all__ = [
    "Tensor",
    "concrete_index_sizes",
    "evaluate_indexed",
    "free_indices",
    "has_indices",
    "index_shape",
    "is_place",
    "places",
]


def is_place(letter: str) -> bool:
    """Whether an index of δ is a fixed place (``3`` in δ_{i3}, an entry written out) not a letter."""
    return letter.isdigit()


def places(e: Expr) -> dict[str, int]:
    """The furthest fixed place each index letter is compared with (δ_{i3}: i reaches 3)."""
    out: dict[str, int] = {}
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, KDelta) and is_place(node.i) != is_place(node.j):
            letter, number = (node.j, node.i) if is_place(node.i) else (node.i, node.j)
            out[letter] = max(out.get(letter, 0), int(number))
        stack.extend(children(node))
    return out


def index_shape(e: Expr) -> tuple[Shape, dict[str, Dim]]:
    """The symbolic shape of a component formula and the dimension each index letter runs over.

    Raises :class:`ShapeError` for inconsistent indices, a sum over a letter that indexes
    nothing, more than two free indices, or a letter tied to no dimension.
    """
    ctx = ShapeContext()
    shape_of(e, ctx)
    _tie_kronecker(e, ctx.index_dims)
    _check_sums(e, ctx.index_dims)
    free = free_indices(e)
    for letter in free:
        if letter not in ctx.index_dims:
            raise ShapeError(f"the index {letter} is not tied to any dimension (it indexes no symbol)")
    if len(free) > 2:
        raise ShapeError(
            f"{len(free)} free indices ({', '.join(free)}): an answer has at most two (row, column)"
        )
    if not free:
        return SCALAR, ctx.index_dims
    if len(free) == 1:
        return (ctx.index_dims[free[0]], 1), ctx.index_dims
    return (ctx.index_dims[free[0]], ctx.index_dims[free[1]]), ctx.index_dims


def _tie_kronecker(e: Expr, dims: dict[str, Dim]) -> None:
    """δ_{ij} runs its two letters over one dimension: a letter that indexes nothing else
    (``Σ_i δ_i δ_{ij} a_k``: j) takes its partner's."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, KDelta):
            if node.i in dims and node.j not in dims:
                dims[node.j] = dims[node.i]
            elif node.j in dims and node.i not in dims:
                dims[node.i] = dims[node.j]
        stack.extend(children(node))


def _check_sums(e: Expr, dims: Mapping[str, Dim]) -> None:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, IndexSum) and node.index not in dims:
            raise ShapeError(f"\\sum_{node.index} sums over an index that no symbol carries")
        if isinstance(node, KDelta):
            for letter in (node.i, node.j):
                if letter not in dims and not is_place(letter):
                    raise ShapeError(f"the index {letter} of δ_{{{node.i}{node.j}}} indexes no symbol")
        stack.extend(children(node))


@dataclass(frozen=True)
class Tensor:
    """A value over named index axes (``axes`` sorted; ``data.ndim == len(axes)``)."""

    axes: tuple[str, ...]
    data: np.ndarray


def evaluate_indexed(e: Expr, env: NumEnv, index_sizes: Mapping[str, int]) -> np.ndarray:
    """The value of a component formula as a 2-D array (free indices sorted = row, column)."""
    t = _Indexed(env, index_sizes).run(e)
    if len(t.axes) == 0:
        return t.data.reshape(1, 1)
    if len(t.axes) == 1:
        return t.data.reshape(-1, 1)
    if len(t.axes) == 2:
        return t.data
    raise EvaluationError(f"{len(t.axes)} free indices: at most two")


def _align(a: Tensor, b: Tensor) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    axes = tuple(sorted(set(a.axes) | set(b.axes)))
    return axes, _expand(a, axes), _expand(b, axes)


def _expand(t: Tensor, axes: tuple[str, ...]) -> np.ndarray:
    """``t.data`` with size-1 axes inserted for the letters it does not carry."""
    shape = [t.data.shape[t.axes.index(a)] if a in t.axes else 1 for a in axes]
    return t.data.reshape(shape)


class _Indexed:
    def __init__(self, env: NumEnv, index_sizes: Mapping[str, int]) -> None:
        self.env, self.sizes = env, index_sizes

    def size(self, letter: str) -> int:
        if letter not in self.sizes:
            raise EvaluationError(f"no size for the index {letter}")
        return self.sizes[letter]

    def binary(self, a: Expr, b: Expr, op) -> Tensor:  # noqa: ANN001
        ta, tb = self.run(a), self.run(b)
        axes, x, y = _align(ta, tb)
        with np.errstate(all="ignore"):
            return Tensor(axes, op(x, y))

    def cond(self, c: Cond) -> Tensor:
        ops = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
               "==": np.equal, "!=": np.not_equal}
        return self.binary(c.lhs, c.rhs, ops[c.op])

    def run(self, e: Expr) -> Tensor:  # noqa: C901 - one case per node kind
        if not has_indices(e):
            value = evaluate(e, self.env)
            if value.shape != (1, 1):
                raise EvaluationError(
                    "a matrix or vector inside a component formula needs its indices "
                    f"(it is {value.shape[0]}×{value.shape[1]})"
                )
            return Tensor((), value.reshape(()))
        match e:
            case Entry(arg, row, col):
                if has_indices(arg):
                    raise EvaluationError("an indexed expression cannot be indexed again")
                m = evaluate(arg, self.env)
                if col is None:
                    if m.shape[1] != 1 and m.shape[0] != 1:
                        raise EvaluationError("a matrix needs two indices")
                    return Tensor((row,), m.reshape(-1))
                if row == col:
                    return Tensor((row,), np.diagonal(m).copy())
                return Tensor((row, col), m) if row < col else Tensor((col, row), m.T)
            case KDelta(i, j):
                if i == j:
                    return Tensor((), np.array(1.0))
                if is_place(i) or is_place(j):
                    return self.place(i, j)
                n = self.size(i)
                if self.size(j) != n:
                    raise EvaluationError(f"δ_{{{i}{j}}} pairs indices that run over different sizes")
                return Tensor(tuple(sorted((i, j))), np.eye(n))
            case IndexSum(index, body):
                t = self.run(body)
                if index not in t.axes:
                    # Σ_k of something without k: n copies of it
                    return Tensor(t.axes, t.data * self.size(index))
                k = t.axes.index(index)
                return Tensor(t.axes[:k] + t.axes[k + 1:], t.data.sum(axis=k))
            case Add(terms):
                out = self.run(terms[0])
                for term in terms[1:]:
                    axes, x, y = _align(out, self.run(term))
                    out = Tensor(axes, x + y)
                return out
            case Neg(a):
                t = self.run(a)
                return Tensor(t.axes, -t.data)
            case Mul(a, b) | Hadamard(a, b):
                return self.binary(a, b, np.multiply)
            case Div(a, b):
                return self.binary(a, b, np.divide)
            case Max(a, b):
                return self.binary(a, b, np.maximum)
            case Pow(a, b):
                return self.binary(a, b, np.power)
            case Fn(name, a, d):
                t = self.run(a)
                return Tensor(t.axes, apply_function(name, d, t.data, self.env.generic_as))
            case Indicator(c):
                t = self.cond(c)
                return Tensor(t.axes, t.data.astype(float))
            case Piecewise(cases):
                return self.piecewise(cases)
            case Num(value):
                return Tensor((), np.array(float(value)))
        raise EvaluationError(f"{type(e).__name__} cannot take part in a component formula")

    def place(self, i: str, j: str) -> Tensor:
        """δ_{i3}: 1 where the index i is 3 (a fixed place, numbered from 1), else 0."""
        if is_place(i) and is_place(j):
            return Tensor((), np.array(float(i == j)))
        letter, number = (j, int(i)) if is_place(i) else (i, int(j))
        hot = np.zeros(self.size(letter))
        if 1 <= number <= hot.size:
            hot[number - 1] = 1.0
        return Tensor((letter,), hot)

    def piecewise(self, cases: tuple[tuple[Expr, Cond | None], ...]) -> Tensor:
        result: Tensor | None = None
        for value, c in reversed(cases):
            v = self.run(value)
            if result is None:
                result = v
                continue
            mask = Tensor((), np.array(True)) if c is None else self.cond(c)
            axes = tuple(sorted(set(v.axes) | set(mask.axes) | set(result.axes)))
            m, x, r = _expand(mask, axes), _expand(v, axes), _expand(result, axes)
            result = Tensor(axes, np.where(m, x, r).astype(float))
        assert result is not None
        return result


def concrete_index_sizes(letters: Mapping[str, Dim], dims: Mapping[str, int]) -> dict[str, int]:
    """Concrete sizes of index letters from the concrete sizes of dimension names."""
    return {k: (d if isinstance(d, int) else dims[d]) for k, d in letters.items()}
