"""The expression tree translated into explicit sympy matrices of symbols.

At concrete sizes (say n_l = 3, n_{l+1} = 2) every matrix symbol becomes a matrix of sympy
symbols, a generic σ becomes an undefined sympy function whose derivatives are again undefined
functions (σ, σ', σ'', ...), and a derivative node is sympy's own differentiation of the
explicit function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import sympy as sp

from checker.proof.symbolic.indexed import index_matrix
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
    has_indices,
    symbols_of,
)

ELU_ALPHA = sp.Symbol("alpha", positive=True)
LEAKY_SLOPE = sp.Rational(1, 10)


@cache
def generic_function(name: str, d: int) -> type[sp.Function]:
    """The d-th derivative of an unknown scalar function, as a sympy function class.

    Differentiating ``sigma_d(u)`` gives ``sigma_{d+1}(u) * u'``, so σ' written by hand and σ'
    produced by the chain rule are the same object and compare equal.
    """

    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        return generic_function(name, d + 1)(self.args[0])

    label = name if d == 0 else f"{name}{chr(39) * d}" if d < 4 else f"{name}^({d})"
    # _generic_of lets a series check replace f(x + h) by its Taylor polynomial (see _taylor_generic).
    return type(label, (sp.Function,), {"fdiff": fdiff, "nargs": 1, "_generic_of": (name, d)})


def _concrete(name: str, x: sp.Expr) -> sp.Expr:
    match name:
        case "sigmoid":
            return 1 / (1 + sp.exp(-x))
        case "tanh":
            return sp.tanh(x)
        case "relu":
            return sp.Max(0, x)
        case "leaky_relu":
            return sp.Max(LEAKY_SLOPE * x, x)
        case "elu":
            return sp.Piecewise((x, x >= 0), (ELU_ALPHA * (sp.exp(x) - 1), True))
        case "softplus":
            return sp.log(1 + sp.exp(x))
        case "exp":
            return sp.exp(x)
        case "log":
            return sp.log(x)
        case "sign":
            return sp.sign(x)
        case "abs":
            return sp.Abs(x)
        case "step":
            return sp.Heaviside(x, sp.Rational(1, 2))
        case "sech":
            return sp.sech(x)
        case "sqrt":
            return sp.sqrt(x)
    raise ValueError(f"no sympy form for the function {name!r}")


_DUMMY = sp.Dummy("u")


def apply_function(name: str, d: int, x: sp.Expr, generic_as: Mapping[str, str]) -> sp.Expr:
    """``name^{(d)}(x)``; a generic name (σ, f) is concrete when ``generic_as`` says so."""
    concrete = generic_as.get(name, name if name not in ("sigma", "f") else "")
    if not concrete:
        return generic_function(name, d)(x)
    if d == 0:
        return _concrete(concrete, x)
    return sp.diff(_concrete(concrete, _DUMMY), _DUMMY, d).subs(_DUMMY, x)


@dataclass
class SympyEnv:
    """Concrete sizes, definitions and how generic functions are read."""

    sizes: Mapping[str, int]
    definitions: Mapping[Sym, Expr] = field(default_factory=dict)
    generic_as: Mapping[str, str] = field(default_factory=dict)
    positive: frozenset[str] = frozenset()  # keys of scalars known to be > 0 (η, λ, a threshold)
    _symbols: dict[Sym, sp.Matrix] = field(default_factory=dict)

    def dim(self, d: str | int) -> int:
        """The concrete size of a dimension."""
        if isinstance(d, int):
            return d
        try:
            return self.sizes[d]
        except KeyError:
            raise KeyError(f"no size given for the dimension {d!r}") from None

    def entries(self, s: Sym) -> sp.Matrix:
        """The matrix of sympy symbols standing for the entries of ``s``."""
        if s not in self._symbols:
            r, c = self.dim(s.rows), self.dim(s.cols)
            if (r, c) == (1, 1):
                m = sp.Matrix([[sp.Symbol(s.key, real=True, positive=s.key in self.positive or None)]])
            else:
                m = sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{s.key}[{i},{j}]", real=True))
            self._symbols[s] = m
        return self._symbols[s]


_DERIVATIVES: dict[tuple, sp.ImmutableMatrix] = {}


def to_sympy(e: Expr, env: SympyEnv, frozen: frozenset[Sym] = frozenset()) -> sp.Matrix:
    """Translate ``e`` to an explicit sympy matrix (scalars are 1×1).

    A defined symbol is replaced by its definition unless it is ``frozen`` (held fixed as an
    independent variable while differentiating with respect to it).
    """
    return _Translator(env, frozen).run(e)


class _Relations:
    """A grid of sympy relations (z > 0 per entry): sympy matrices may hold only expressions."""

    def __init__(self, rows: list[list[sp.Basic]]) -> None:
        self.rows = rows
        self.shape = (len(rows), len(rows[0]) if rows else 0)

    def __getitem__(self, ij: tuple[int, int]) -> sp.Basic:
        return self.rows[ij[0]][ij[1]]


class _Translator:
    def __init__(self, env: SympyEnv, frozen: frozenset[Sym]) -> None:
        self.env, self.frozen = env, frozen
        self.memo: dict[Expr, sp.Matrix] = {}
        self._holding: dict[Sym, _Translator] = {}

    def function(self, name: str, d: int, x: sp.Expr) -> sp.Expr:
        """``name^{(d)}(x)`` for one entry, generic functions read as this translation reads them."""
        return apply_function(name, d, x, self.env.generic_as)

    def holding(self, wrt: Sym) -> _Translator:
        """The translator that holds ``wrt`` fixed as symbols (to differentiate by it), kept so that
        the entries of a component formula share its translations."""
        if wrt not in self._holding:
            self._holding[wrt] = _Translator(self.env, self.frozen | {wrt})
        return self._holding[wrt]

    def run(self, e: Expr) -> sp.Matrix:
        if e not in self.memo:
            # a component formula is translated as a whole: its letters tie its parts together
            self.memo[e] = index_matrix(e, self) if has_indices(e) else self._go(e)
        return self.memo[e]

    def _map(self, m: sp.Matrix, f) -> sp.Matrix:  # noqa: ANN001
        return m.applyfunc(f)

    def _elementwise(self, a: sp.Matrix, b: sp.Matrix, f) -> sp.Matrix:  # noqa: ANN001
        if a.shape == (1, 1) and b.shape != (1, 1):
            a = sp.ones(*b.shape) * a[0]
        if b.shape == (1, 1) and a.shape != (1, 1):
            b = sp.ones(*a.shape) * b[0]
        return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: f(a[i, j], b[i, j]))

    def _cond(self, c: Cond, shape: tuple[int, int]) -> _Relations:
        lhs, rhs = self.run(c.lhs), self.run(c.rhs)
        ops = {">": sp.Gt, "<": sp.Lt, ">=": sp.Ge, "<=": sp.Le, "==": sp.Eq, "!=": sp.Ne}
        if lhs.shape == (1, 1) and rhs.shape != (1, 1):
            lhs = sp.ones(*rhs.shape) * lhs[0]
        if rhs.shape == (1, 1) and lhs.shape != (1, 1):
            rhs = sp.ones(*lhs.shape) * rhs[0]
        rows, cols = lhs.shape
        return _Relations([[ops[c.op](lhs[i, j], rhs[i, j]) for j in range(cols)] for i in range(rows)])

    def _go(self, e: Expr) -> sp.Matrix:  # noqa: C901 - one case per node kind
        env = self.env
        match e:
            case Sym():
                return self._symbol(e)
            case Num(value):
                return sp.Matrix([[sp.Rational(value.numerator, value.denominator)]])
            case Add(terms):
                out = self.run(terms[0])
                for t in terms[1:]:
                    out = self._elementwise(out, self.run(t), lambda x, y: x + y)
                return out
            case Neg(a):
                return -self.run(a)
            case Mul(a, b):
                ma, mb = self.run(a), self.run(b)
                if ma.shape == (1, 1):
                    return ma[0] * mb
                if mb.shape == (1, 1):
                    return ma * mb[0]
                return ma * mb
            case Hadamard(a, b):
                return self._elementwise(self.run(a), self.run(b), lambda x, y: x * y)
            case Div(a, b):
                return self._elementwise(self.run(a), self.run(b), lambda x, y: x / y)
            case Pow(a, b):
                k = self.run(b)[0]
                return self._map(self.run(a), lambda x: x**k)
            case T(a):
                return self.run(a).T
            case Fn(name, a, d):
                return self._map(self.run(a), lambda x: apply_function(name, d, x, env.generic_as))
            case Max(a, b):
                return self._elementwise(self.run(a), self.run(b), sp.Max)
            case Softmax():
                return self._softmax(e)
            case Diag(a):
                return sp.diag(*self.run(a))
            case Ones(n):
                return sp.ones(env.dim(n), 1)
            case Norm(a, kind):
                m = self.run(a)
                if kind == "fro2":
                    return sp.Matrix([[sum(x**2 for x in m)]])
                return sp.Matrix([[sum(sp.Abs(x) for x in m)]])
            case Deriv(f, wrt):
                return self._derivative(f, wrt)
            case BigO(a):
                inner = self.run(a)[0]
                var = next(iter(inner.free_symbols))
                return sp.Matrix([[sp.O(inner, (var, 0))]])
            case Indicator(c):
                cond = self._cond(c, (1, 1))
                return sp.Matrix(*cond.shape, lambda i, j: sp.Piecewise((1, cond[i, j]), (0, True)))
            case Piecewise():
                return self._piecewise(e)
            case Corr() | Flip() | Pad() | MaxOf():
                return self._image(e)
            case Entry() | IndexSum() | KDelta():
                return index_matrix(e, self)
        raise TypeError(f"no sympy translation for {type(e).__name__}")

    def _symbol(self, e: Sym) -> sp.Matrix:
        env = self.env
        if e in env.definitions and e not in self.frozen:
            return self.run(env.definitions[e])
        if e.depends:
            args: list[sp.Expr] = []
            for dep in e.depends:
                args.extend(self.run(dep))
            return sp.Matrix([[sp.Function(e.key)(*args)]])
        return env.entries(e)

    def _softmax(self, e: Softmax) -> sp.Matrix:
        a, axis = e.arg, e.axis
        m = self.run(a)
        ex = m.applyfunc(sp.exp)
        if axis == 0:
            sums = [sum(ex[:, j]) for j in range(m.shape[1])]
            return sp.Matrix(m.shape[0], m.shape[1], lambda i, j: ex[i, j] / sums[j])
        sums = [sum(ex[i, :]) for i in range(m.shape[0])]
        return sp.Matrix(m.shape[0], m.shape[1], lambda i, j: ex[i, j] / sums[i])

    def _piecewise(self, e: Piecewise) -> sp.Matrix:
        cases = e.cases
        values = [(self.run(v), None if c is None else self._cond(c, (1, 1))) for v, c in cases]
        shape = max((v.shape for v, _ in values), key=lambda s: s[0] * s[1])

        def entry(i: int, j: int) -> sp.Expr:
            pieces = []
            for v, c in values:
                vv = v[0] if v.shape == (1, 1) else v[i, j]
                cc = True if c is None else (c[0, 0] if c.shape == (1, 1) else c[i, j])
                pieces.append((vv, cc))
            return sp.Piecewise(*pieces)

        return sp.Matrix(shape[0], shape[1], entry)

    def _image(self, e: Corr | Flip | Pad | MaxOf) -> sp.Matrix:
        """Cross-correlation, flip, padding and max, entry by entry; named sizes must be the real ones."""
        dim = self.env.dim
        match e:
            case Flip(a):
                m = self.run(a)
                return sp.Matrix(m.rows, m.cols, lambda i, j: m[m.rows - 1 - i, m.cols - 1 - j])
            case MaxOf(a):
                return sp.Matrix([[sp.Max(*self.run(a))]])
            case Pad(a, by_rows, by_cols, rows, cols):
                m, r, c = self.run(a), dim(by_rows), dim(by_cols)
                out = sp.zeros(m.rows + 2 * r, m.cols + 2 * c)
                out[r:r + m.rows, c:c + m.cols] = m
            case Corr(image, kernel, rows, cols):
                x, k = self.run(image), self.run(kernel)
                out = sp.Matrix(x.rows - k.rows + 1, x.cols - k.cols + 1, lambda i, j: sp.Add(*(
                    x[i + u, j + v] * k[u, v] for u in range(k.rows) for v in range(k.cols))))
        if out.shape != (dim(rows), dim(cols)):
            raise ValueError(f"{type(e).__name__} gives {out.shape}, named {rows} × {cols} = "
                             f"{(dim(rows), dim(cols))}: the sizes are inconsistent")
        return out

    def _derivative(self, f: Expr, wrt: Sym) -> sp.Matrix:
        # A network's derivative costs seconds and recurs in many steps and chains: keep it.
        key = (f, wrt, self.frozen, tuple(sorted(self.env.sizes.items())),
               tuple(self.env.definitions.items()), tuple(sorted(self.env.generic_as.items())))
        if key not in _DERIVATIVES:
            if len(_DERIVATIVES) > 512:
                _DERIVATIVES.clear()
            _DERIVATIVES[key] = sp.ImmutableMatrix(self._differentiate(f, wrt))
        return sp.Matrix(_DERIVATIVES[key])

    def _differentiate(self, f: Expr, wrt: Sym) -> sp.Matrix:
        inner = _Translator(self.env, self.frozen | {wrt})
        fm = inner.run(f)
        xs = self.env.entries(wrt)
        if fm.shape == (1, 1):
            out = xs.applyfunc(lambda x: sp.diff(fm[0], x))
        elif fm.shape[1] == 1 and xs.shape[1] == 1:
            out = sp.Matrix(fm.shape[0], xs.shape[0], lambda i, j: sp.diff(fm[i], xs[j]))
        else:
            raise ValueError(f"derivative of a {fm.shape} matrix by a {xs.shape} matrix")
        if wrt in self.env.definitions and wrt not in self.frozen:
            value = self.run(wrt)
            mapping = dict(zip(list(xs), list(value), strict=True))
            # xreplace is exact for plain symbols and many times faster than subs on a network's
            # derivative; subs is needed where a derivative of an unknown function must become Subs
            if out.has(sp.Derivative, sp.Subs):
                out = out.subs(mapping, simultaneous=True)
            else:
                out = out.xreplace(mapping)
        return out


def default_sizes(exprs: Iterable[Expr]) -> tuple[dict[str, int], dict[str, int]]:
    """Two size combinations with distinct sizes, so a missing transpose cannot hide."""
    dims: list[str] = []
    for e in exprs:
        for s in symbols_of(e):
            for d in (s.rows, s.cols):
                if isinstance(d, str) and d not in dims:
                    dims.append(d)
    dims.sort()
    first = {d: 2 + k for k, d in enumerate(dims)}
    second = {d: 2 + (k + 1) % max(len(dims), 1) + (1 if len(dims) == 1 else 0) for k, d in enumerate(dims)}
    return first, second
