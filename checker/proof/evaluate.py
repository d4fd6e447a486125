"""Numbers: the expression tree evaluated with NumPy at concrete values.

Every value is a 2-D float64 array (a column vector is n×1, a scalar 1×1). A generic σ is read
as a concrete activation named in ``generic_as`` so that the same formula can be tried with
several activations (a sigmoid-only answer then fails for tanh). A derivative node is computed
by central differences, which is how derivation steps are checked numerically.
Nothing here ever executes text: it walks a tree that a parser built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from derivations.expr import (
    Add,
    BigO,
    Cond,
    Corr,
    Deriv,
    Diag,
    Div,
    Entry,
    Expr,
    Flip,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    MaxOf,
    Mul,
    Neg,
    Norm,
    Num,
    Ones,
    Pad,
    Piecewise,
    Pow,
    Softmax,
    Sym,
    T,
    symbols_of,
)

Array = np.ndarray


class EvaluationError(ValueError):
    """An expression that cannot be evaluated (unknown symbol, bad shapes, no numeric form)."""


def _sig(x: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free logistic


def _step(x: Array) -> Array:
    return (x > 0).astype(float)


# name -> derivatives of order 0, 1, 2, 3 (None where the order has no numeric form)
DERIVATIVES: dict[str, tuple[Callable[[Array], Array], ...]] = {
    "sigmoid": (
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
        lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
        lambda x: _sig(x) * (1 - _sig(x)) * (1 - 6 * _sig(x) + 6 * _sig(x) ** 2),
    ),
    "tanh": (
        np.tanh,
        lambda x: 1 - np.tanh(x) ** 2,
        lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
        lambda x: (1 - np.tanh(x) ** 2) * (6 * np.tanh(x) ** 2 - 2),
    ),
    "softplus": (
        lambda x: np.logaddexp(0.0, x),
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
        lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    ),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "relu": (lambda x: np.maximum(x, 0.0), _step, np.zeros_like, np.zeros_like),
    "leaky_relu": (
        lambda x: np.maximum(0.1 * x, x),
        lambda x: np.where(x > 0, 1.0, 0.1),
        np.zeros_like,
        np.zeros_like,
    ),
    "elu": (
        lambda x: np.where(x >= 0, x, np.expm1(np.minimum(x, 0.0))),
        lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0))),
        lambda x: np.where(x > 0, 0.0, np.exp(np.minimum(x, 0.0))),
        lambda x: np.where(x > 0, 0.0, np.exp(np.minimum(x, 0.0))),
    ),
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3),
    "sign": (np.sign, np.zeros_like, np.zeros_like, np.zeros_like),
    "abs": (np.abs, np.sign, np.zeros_like, np.zeros_like),
    "step": (_step, np.zeros_like, np.zeros_like, np.zeros_like),
    "sech": (
        lambda x: 1 / np.cosh(x),
        lambda x: -np.tanh(x) / np.cosh(x),
        lambda x: (np.tanh(x) ** 2 - 1 / np.cosh(x) ** 2) / np.cosh(x),
        lambda x: (5 * np.tanh(x) / np.cosh(x) ** 3 - np.tanh(x) ** 3 / np.cosh(x)),
    ),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x), lambda x: -0.25 * x**-1.5, lambda x: 0.375 * x**-2.5),
}
GENERIC = ("sigma", "f")


@dataclass
class NumEnv:
    """Values of symbols (by key), definitions, and the reading of generic functions."""

    values: Mapping[str, Array]
    definitions: Mapping[Sym, Expr] = field(default_factory=dict)
    generic_as: Mapping[str, str] = field(default_factory=lambda: {"sigma": "sigmoid", "f": "sin"})
    index_sizes: Mapping[str, int] = field(default_factory=dict)

    def with_values(self, **changes: Array) -> NumEnv:
        """A copy in which some symbols take other values."""
        return NumEnv({**self.values, **changes}, self.definitions, self.generic_as, self.index_sizes)


def apply_function(name: str, d: int, x: Array, generic_as: Mapping[str, str]) -> Array:
    """``name^{(d)}(x)`` elementwise."""
    concrete = generic_as.get(name, name) if name in GENERIC else name
    table = DERIVATIVES.get(concrete)
    if table is None or d >= len(table):
        raise EvaluationError(f"no numeric form for {name} of derivative order {d}")
    with np.errstate(all="ignore"):
        return np.asarray(table[d](x), dtype=float)


def evaluate(e: Expr, env: NumEnv) -> Array:
    """The value of ``e`` as a 2-D float64 array."""
    return _Evaluator(_with_dimensions(e, env)).run(e)


def _with_dimensions(e: Expr, env: NumEnv) -> NumEnv:
    """``env`` with the sizes of named dimensions (for 𝟏_n) read off the values of the symbols
    that have them, when they are not given: 𝟏ᵀy needs n_L, which y's value knows."""
    found = symbols_of(e)
    for d in env.definitions.values():
        found |= symbols_of(d)
    sizes = dict(env.index_sizes)
    for s in found:
        if s.key in env.values:
            shape = _as_2d(np.asarray(env.values[s.key]))
            for dim, n in zip(s.shape, shape, strict=True):
                if isinstance(dim, str):
                    sizes.setdefault(dim, n)
    if sizes == dict(env.index_sizes):
        return env
    return NumEnv(env.values, env.definitions, env.generic_as, sizes)


class _Evaluator:
    def __init__(self, env: NumEnv, frozen: frozenset[Sym] = frozenset()) -> None:
        self.env, self.frozen = env, frozen
        self.memo: dict[int, Array] = {}
        self.keep: list[Expr] = []  # keeps memo keys (ids) alive

    def run(self, e: Expr) -> Array:
        key = id(e)
        if key not in self.memo:
            self.keep.append(e)
            self.memo[key] = self._go(e)
        return self.memo[key]

    def _cond(self, c: Cond) -> Array:
        a, b = self.run(c.lhs), self.run(c.rhs)
        ops = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
               "==": np.equal, "!=": np.not_equal}
        return ops[c.op](a, b)

    def _go(self, e: Expr) -> Array:  # noqa: C901 - one case per node kind
        env = self.env
        match e:
            case Sym():
                if e.key in env.values:
                    value = np.asarray(env.values[e.key], dtype=float)
                    return value.reshape(_as_2d(value))
                if e in env.definitions:
                    return self.run(env.definitions[e])
                raise EvaluationError(f"no value for {e.tex or e.key}")
            case Num(value):
                return np.array([[float(value)]])
            case Add(terms):
                out = self.run(terms[0])
                for t in terms[1:]:
                    out = out + self.run(t)
                return out
            case Neg(a):
                return -self.run(a)
            case Mul(a, b):
                x, y = self.run(a), self.run(b)
                if x.shape == (1, 1) or y.shape == (1, 1):
                    return x * y
                if x.shape[1] != y.shape[0]:
                    raise EvaluationError(f"cannot multiply {x.shape} by {y.shape}")
                return x @ y
            case Hadamard(a, b):
                return _same(self.run(a), self.run(b), np.multiply)
            case Div(a, b):
                return _same(self.run(a), self.run(b), np.divide)
            case Pow(a, b):
                with np.errstate(all="ignore"):
                    return np.power(self.run(a), self.run(b)[0, 0])
            case T(a):
                return self.run(a).T
            case Fn(name, a, d):
                return apply_function(name, d, self.run(a), env.generic_as)
            case Max(a, b):
                return _same(self.run(a), self.run(b), np.maximum)
            case Softmax(a, axis):
                x = self.run(a)
                x = np.exp(x - x.max(axis=axis, keepdims=True))
                return x / x.sum(axis=axis, keepdims=True)
            case Diag(a):
                v = self.run(a)
                if v.shape[1] != 1:
                    raise EvaluationError(f"diag needs a column vector, not {v.shape}")
                return np.diag(v[:, 0])
            case Ones(n):
                size = n if isinstance(n, int) else env.index_sizes.get(n)
                if size is None:
                    raise EvaluationError(f"no size for the dimension {n}")
                return np.ones((size, 1))
            case Norm(a, kind):
                x = self.run(a)
                return np.array([[np.sum(x * x) if kind == "fro2" else np.sum(np.abs(x))]])
            case Deriv(f, wrt):
                return self._derivative(f, wrt)
            case Indicator(c):
                return self._cond(c).astype(float)
            case Piecewise(cases):
                result: Array | None = None
                taken: Array | None = None
                for value, cond in reversed(cases):
                    v = self.run(value)
                    mask = np.ones_like(v, dtype=bool) if cond is None else self._cond(cond)
                    v, mask = np.broadcast_arrays(v, mask)
                    result = v.astype(float) if result is None else np.where(mask, v, result)
                    taken = mask if taken is None else (mask | taken)
                assert result is not None
                return np.array(result, dtype=float)
            case BigO():
                return np.zeros((1, 1))
            case Corr(image, kernel):
                return correlate_valid(self.run(image), self.run(kernel))
            case Flip(a):
                return self.run(a)[::-1, ::-1].copy()
            case Pad(a, by_rows, by_cols):
                x = self.run(a)
                r, c = self._dim(by_rows), self._dim(by_cols)
                return np.pad(x, ((r, r), (c, c)))
            case MaxOf(a):
                return np.array([[float(np.max(self.run(a)))]])
            case Entry() | IndexSum() | KDelta():
                raise EvaluationError("index notation is evaluated by checker.indexed")
        raise EvaluationError(f"cannot evaluate {type(e).__name__}")

    def _dim(self, d: str | int) -> int:
        size = d if isinstance(d, int) else self.env.index_sizes.get(d)
        if size is None:
            raise EvaluationError(f"no size for the dimension {d}")
        return int(size)

    def _derivative(self, f: Expr, wrt: Sym) -> Array:
        base = self.run(wrt)
        env = self.env.with_values(**{wrt.key: base})
        inner = _Evaluator(env, self.frozen | {wrt})
        fx = inner.run(f)
        if base.size == 1:  # by a scalar, entry by entry: f's shape
            out = np.zeros(fx.shape)
        elif fx.shape[1] == 1 and fx.size > 1:
            out = np.zeros((fx.size, base.size))
        else:
            out = np.zeros(base.shape)
        flat = base.reshape(-1)
        for k in range(flat.size):
            h = 1e-5 * max(1.0, abs(flat[k]))
            up, down = flat.copy(), flat.copy()
            up[k] += h
            down[k] -= h
            fu = _Evaluator(env.with_values(**{wrt.key: up.reshape(base.shape)}), inner.frozen).run(f)
            fd = _Evaluator(env.with_values(**{wrt.key: down.reshape(base.shape)}), inner.frozen).run(f)
            g = (fu - fd) / (2 * h)
            if base.size == 1:
                out = g
            elif fx.shape == (1, 1):
                out.reshape(-1)[k] = g[0, 0]
            else:
                out[:, k] = g.reshape(-1)
        return out


def correlate_valid(image: Array, kernel: Array) -> Array:
    """The valid 2-D cross-correlation, stride 1: out_{ij} = Σ_{u,v} image_{i+u, j+v} kernel_{uv}."""
    kr, kc = kernel.shape
    if kr > image.shape[0] or kc > image.shape[1]:
        raise EvaluationError(f"a {kernel.shape} kernel does not fit in a {image.shape} image")
    windows = np.lib.stride_tricks.sliding_window_view(image, (kr, kc))
    return np.einsum("ijuv,uv->ij", windows, kernel)


def _as_2d(a: np.ndarray) -> tuple[int, int]:
    if a.ndim == 0:
        return (1, 1)
    if a.ndim == 1:
        return (a.shape[0], 1)
    return a.shape  # type: ignore[return-value]


def _same(x: Array, y: Array, op: Callable[[Array, Array], Array]) -> Array:
    if x.shape != y.shape and x.shape != (1, 1) and y.shape != (1, 1):
        raise EvaluationError(f"elementwise operation on {x.shape} and {y.shape}")
    with np.errstate(all="ignore"):
        return op(x, y)
