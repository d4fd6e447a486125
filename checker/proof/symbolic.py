"""Exact checks: the expression tree translated into explicit sympy matrices of symbols.

At concrete sizes (say n_l = 3, n_{l+1} = 2) every matrix symbol becomes a matrix of sympy
symbols, a generic σ becomes an undefined sympy function whose derivatives are again undefined
functions (σ, σ', σ'', ...), and a derivative node is sympy's own differentiation of the
explicit function. Two expressions are equal when every entry of their difference simplifies
to zero: an equality sympy proves, not a float comparison.
"""

from __future__ import annotations

import random as _random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.polys.rings import sring

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

    def run(self, e: Expr) -> sp.Matrix:
        if e not in self.memo:
            self.memo[e] = self._go(e)
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
                if e in env.definitions and e not in self.frozen:
                    return self.run(env.definitions[e])
                if e.depends:
                    args: list[sp.Expr] = []
                    for dep in e.depends:
                        args.extend(self.run(dep))
                    return sp.Matrix([[sp.Function(e.key)(*args)]])
                return env.entries(e)
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
            case Softmax(a, axis):
                m = self.run(a)
                ex = m.applyfunc(sp.exp)
                if axis == 0:
                    sums = [sum(ex[:, j]) for j in range(m.shape[1])]
                    return sp.Matrix(m.shape[0], m.shape[1], lambda i, j: ex[i, j] / sums[j])
                sums = [sum(ex[i, :]) for i in range(m.shape[0])]
                return sp.Matrix(m.shape[0], m.shape[1], lambda i, j: ex[i, j] / sums[i])
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
            case Piecewise(cases):
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
            case Corr() | Flip() | Pad() | MaxOf():
                return self._image(e)
            case Entry() | IndexSum() | KDelta():
                raise NotImplementedError("index notation is evaluated numerically, not translated")
        raise TypeError(f"no sympy translation for {type(e).__name__}")

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


# ------------------------------------------------------------------------------- equality


def _kink_arguments(expr: sp.Expr) -> set[sp.Symbol]:
    """Plain symbols at which ``expr`` has a kink (max, |.|, sign, step, piecewise)."""
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Max | sp.Min | sp.Abs | sp.sign | sp.Heaviside | sp.Piecewise):
            found |= {s for s in node.free_symbols if s != ELU_ALPHA}
    return found


_HYPERBOLIC = (sp.tanh, sp.sinh, sp.cosh, sp.sech, sp.csch, sp.coth)


def _cancels(expr: sp.Expr) -> bool:
    """A fast exact test: most differences are rational functions of symbols and exponentials
    (softmax, sigmoid, tanh), which ``cancel`` decides at a fraction of ``simplify``'s cost."""
    if expr.has(*_HYPERBOLIC):
        expr = expr.rewrite(sp.exp)
    try:
        return sp.cancel(expr) == 0
    except sp.PolynomialError:
        return False


_KINKED = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)


def _canonical(u: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``u = c·k`` with c a rational number and k the same for u, −u and any multiple of u."""
    c, k = sp.expand(u).as_content_primitive()
    if k.could_extract_minus_sign():
        c, k = -c, -k
    return c, k


def _kink_nodes(expr: sp.Expr) -> list[tuple[sp.Basic, list[sp.Expr]]]:
    """Every kinked node of ``expr`` with the expressions whose signs decide it: differences of
    max/min arguments, arguments of |.|, sign and step, sides of piecewise conditions."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Max | sp.Min):
            us = [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
        elif isinstance(node, sp.Abs | sp.sign | sp.Heaviside):
            us = [node.args[0]]
        elif isinstance(node, sp.Piecewise):
            us = [r.lhs - r.rhs for _, c in node.args for r in sp.preorder_traversal(c)
                  if isinstance(r, sp.core.relational.Relational)]
        else:
            continue
        found.append((node, [u for u in us if not u.is_number]))
    return found


def _kink_expressions(expr: sp.Expr, innermost: bool = False) -> list[sp.Expr] | None:
    """The expressions whose signs decide every kink of ``expr`` (canonical, without repeats).
    None when a kink hides inside another kink's argument; with ``innermost``, only the kinks
    with no kink inside them are listed then (resolving them first exposes the others)."""
    found: list[sp.Expr] = []
    for _, us in _kink_nodes(expr):
        for u in us:
            k = _canonical(u)[1]
            if k.has(*_KINKED):
                if innermost:
                    continue
                return None
            if k not in found:
                found.append(k)
    return found


class _Undecided(Exception):
    """A kink whose sign the current region does not fix."""


def _in_region(expr: sp.Expr, kinks: list[sp.Expr], signs: list[int], partial: bool = False) -> sp.Expr:
    """``expr`` where each kink expression has the given sign: every kink resolved to a branch
    (``partial``: only the kinks these signs decide; the others are left for an inner split)."""

    def sign(u: sp.Expr) -> int:
        if u.is_number:
            return int(sp.sign(u))
        c, k = _canonical(u)
        if k not in kinks:
            if partial:
                raise _Undecided
            raise ValueError("a kink expression not found")
        return int(sp.sign(c)) * signs[kinks.index(k)]

    rel = sp.core.relational
    holds = {rel.StrictGreaterThan: lambda s: s > 0, rel.GreaterThan: lambda s: s > 0,
             rel.StrictLessThan: lambda s: s < 0, rel.LessThan: lambda s: s < 0,
             rel.Equality: lambda s: False, rel.Unequality: lambda s: True}
    fixed = {}
    for r in expr.atoms(rel.Relational):
        try:
            fixed[r] = sp.true if holds[type(r)](sign(r.lhs - r.rhs)) else sp.false
        except _Undecided:
            continue
    expr = expr.xreplace(fixed)

    def pick(better: int, kind: type):  # noqa: ANN202
        def choose(*args: sp.Expr) -> sp.Expr:
            try:
                best = args[0]
                for a in args[1:]:
                    if sign(a - best) == better:
                        best = a
                return best
            except _Undecided:
                return kind(*args, evaluate=False)

        return choose

    def keep(kind: type, f):  # noqa: ANN001, ANN202
        def apply(u: sp.Expr, *rest: sp.Expr) -> sp.Expr:
            try:
                return f(u)
            except _Undecided:
                return kind(u, *rest, evaluate=False)
        return apply

    expr = expr.replace(sp.Max, pick(1, sp.Max)).replace(sp.Min, pick(-1, sp.Min))
    expr = expr.replace(sp.Heaviside, keep(sp.Heaviside, lambda u: sp.Integer(1 if sign(u) > 0 else 0)))
    expr = expr.replace(sp.Abs, keep(sp.Abs, lambda u: u * sign(u)))
    return expr.replace(sp.sign, keep(sp.sign, lambda u: sp.Integer(sign(u))))


def _impossible(sided: list[sp.Expr]) -> bool:
    """A region that cannot occur: two of its conditions e_i > 0 whose sum is known to be ≤ 0
    (u − t > 0 and −(u + t) > 0 with t > 0), or conditions a − b > 0 between plain symbols that
    go round in a circle (a > b > c > a: the regions of a max of several entries). Cheap and
    sufficient, not complete."""
    if any(sp.expand(a + b).is_nonpositive for i, a in enumerate(sided) for b in sided[i + 1:]):
        return True
    above: dict[sp.Basic, set[sp.Basic]] = {}
    for e in sided:
        terms = sp.Add.make_args(sp.expand(e))
        if len(terms) == 2 and sorted(t.as_coeff_Mul()[0] for t in terms) == [-1, 1] and all(
                t.as_coeff_Mul()[1].is_Symbol for t in terms):
            big = next(t for t in terms if t.as_coeff_Mul()[0] == 1)
            small = -next(t for t in terms if t.as_coeff_Mul()[0] == -1)
            above.setdefault(big, set()).add(small)
    return _has_cycle(above)


def _has_cycle(graph: dict[sp.Basic, set[sp.Basic]]) -> bool:
    """Whether the relation "a > b" listed in ``graph`` (a -> {b, ...}) has a cycle."""
    state: dict[sp.Basic, int] = {}  # 1: on the current path, 2: done

    def visit(a: sp.Basic) -> bool:
        state[a] = 1
        for b in graph.get(a, ()):
            if state.get(b) == 1 or (b not in state and visit(b)):
                return True
        state[a] = 2
        return False

    return any(a not in state and visit(a) for a in list(graph))


def _zero_in_kink_regions(expr: sp.Expr, given: tuple[sp.Expr, ...] = (), depth: int = 0) -> bool:
    """Zero in every region where each kink *expression* (not only each symbol) has a fixed sign,
    so the kink of max(w₁ᵀx + b₁, w₂ᵀx + b₂) at w₁ᵀx + b₁ = w₂ᵀx + b₂ is handled: equality away
    from ties. A kink inside another (max(|u| − t, 0)) is split in two stages, the inner one first;
    ``given`` are the conditions of the enclosing regions, so that regions that cannot occur
    (u < 0 and u − t > 0 for t > 0) are skipped. Any other region that cannot occur can only make
    the verdict False."""
    kinks = _kink_expressions(expr)
    nested = kinks is None
    if nested:
        kinks = _kink_expressions(expr, innermost=True)
        if not kinks or depth >= 3:
            return False
    if len(kinks) > 6:
        raise ValueError("too many kinks to split into sign regions")
    for bits in range(2 ** len(kinks)):
        signs = [1 if bits >> k & 1 else -1 for k in range(len(kinks))]
        sided = (*given, *(sg * k for sg, k in zip(signs, kinks, strict=True)))
        if _impossible(list(sided)):
            continue
        try:
            region = _in_region(expr, kinks, signs, partial=nested)
        except ValueError:  # a kink expression not found: cannot decide this region
            return False
        if nested:
            if not _zero_in_kink_regions(region, sided, depth + 1):
                return False
            continue
        if region.has(*_KINKED):
            return False
        if not (_cancels(region) or sp.simplify(region) == 0):
            return False
    return True


def _basic(x: object) -> sp.Basic:
    """A sympy object from a matrix entry or a Python number (never text: no sympify)."""
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, int):
        return sp.Integer(x)
    return sp.Float(x)


def _with_concrete_unknowns(expr: sp.Expr) -> sp.Expr:
    """Every unknown function F(x_1, …, x_n) (a cost J(W), a loss L(z)) read as exp(Σ_k c_k x_k)
    with fixed random c_k, its derivatives then taken: an identity that holds for an arbitrary F
    holds for this one too, so a value far from 0 still proves a difference nonzero."""
    rng = _random.Random(1)
    for func in sorted({f.func for f in expr.atoms(AppliedUndef)}, key=str):
        coeffs = [sp.Rational(rng.choice((-1, 1)) * rng.randint(3, 12), 10) for _ in range(64)]

        def concrete(*args: sp.Expr, c: list[sp.Rational] = coeffs) -> sp.Expr:
            if len(args) > len(c):
                raise ValueError("too many arguments for a concrete stand-in")
            return sp.exp(sp.Add(*(ck * a for ck, a in zip(c, args, strict=False))))

        expr = expr.replace(func, concrete)
    return expr.doit()


def _clearly_nonzero(expr: sp.Expr) -> bool:
    """A fast, exact *rejection*: the value at a random real point, to 30 digits, is far from 0.

    An unknown σ (and σ', σ'', ...) is read as u ↦ e^{cu}, whose derivatives are c^d e^{cu}: an
    identity in an arbitrary σ holds for it too; an unknown function of several arguments likewise (see
    :func:`_with_concrete_unknowns`). The point avoids kinks and ties with probability 1. Anything
    that cannot be evaluated (O-terms, a complex value) is inconclusive and left to the symbolic
    checks: a wrong formula then costs a ``simplify``.
    """
    if expr.has(sp.Order):
        return False
    if expr.atoms(AppliedUndef):
        try:
            expr = _with_concrete_unknowns(expr)
        except (TypeError, ValueError):
            return False
        if expr.has(sp.Derivative, sp.Subs) or expr.atoms(AppliedUndef):
            return False
    # σ(u) = e^{cu} with c ≠ 1, so that σ^{(d)}(u) = c^d e^{cu}: σ for σ' is then visible too.
    # replace works bottom-up, so σ inside σ (a network's layers) is read as well.
    c = sp.Rational(13, 10)
    expr = expr.replace(
        lambda n: isinstance(n, sp.Function) and getattr(type(n), "_generic_of", None) is not None,
        lambda n: c ** type(n)._generic_of[1] * sp.exp(c * n.args[0]),
    )
    reps: dict[sp.Basic, sp.Basic] = {}
    rng = _random.Random(0)
    for s in sorted(expr.free_symbols, key=str):
        size = sp.Float(rng.uniform(0.2, 1.4), 30)  # 30-digit floats: sympy evaluates as it builds
        reps[s] = size if s.is_positive or rng.random() < 0.5 else -size
    try:
        value = expr.xreplace(reps).evalf(30)
        if not (value.is_Number and value.is_real and value.is_finite):
            return False
        if abs(value) > 1e-12:
            return True
        if not expr.is_Add:
            return False
        # A sum whose terms are all tiny (σ' = c e^{cu} of a very negative u): far from 0 relative
        # to its terms' size, 15 of the 30 digits clear of round-off.
        scale = sum(abs(t.xreplace(reps).evalf(30)) for t in expr.args)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return bool(scale.is_Number and scale.is_finite and abs(value) > 1e-15 * scale > 0)


def _zero_with_frozen_atoms(expr: sp.Expr) -> bool:
    """A fast, exact *acceptance*: zero as a rational function once every function application
    (exp, tanh, σ', a derivative of an unknown function, ...) is read as an independent symbol,
    exp(c·u) as E_u^c. An identity among independent symbols survives any values they take, so
    True is a proof; False decides nothing. Differences of a network's chain-rule steps are of
    this kind, and rewriting their tanh and exp of sums for ``cancel`` costs minutes."""
    if expr.has(sp.Order):
        return False
    names: dict[object, sp.Dummy] = {}
    reps: dict[sp.Basic, sp.Basic] = {}
    for node in expr.atoms(sp.Function, sp.Derivative, sp.Subs):
        if isinstance(node, sp.exp):
            c, k = node.args[0].as_content_primitive()
            if k.could_extract_minus_sign():
                c, k = -c, -k
            reps[node] = names.setdefault(("exp", k), sp.Dummy()) ** c
        else:
            reps[node] = names.setdefault(node, sp.Dummy())
    expr = expr.xreplace(reps)
    # A sum that divides (softmax's Σ_k e^{z_k}) is one more atom, wherever it occurs: then the
    # difference is a polynomial, and sring's sparse polynomials expand it many times faster
    # than Expr.expand would.
    sums = {p.base for p in expr.atoms(sp.Pow) if p.base.is_Add and p.exp.is_negative}
    try:
        return sring(expr.xreplace({b: sp.Dummy() for b in sums}))[1] == 0
    except (sp.PolynomialError, sp.CoercionFailed, sp.GeneratorsNeeded):
        return False


@lru_cache(maxsize=4096)  # a chain's start = result often repeats one of its steps exactly
def _is_zero(expr: sp.Expr) -> bool:
    expr = _basic(expr)
    if expr.has(sp.Derivative, sp.Subs, sp.Sum, sp.Product, sp.Integral):  # doit rebuilds every node
        expr = expr.doit()
    if expr == 0 or _zero_with_frozen_atoms(expr):
        return True
    expanded = sp.expand(expr)
    if expanded == 0:
        return True
    if expr.has(sp.Order):
        return _is_zero(expr.removeO())
    kinks = _kink_arguments(expr)
    if kinks:
        # before the sign regions, each of which may cost a simplify; expanded, the terms in a
        # derivative of an unknown function (which the random point cannot value) often cancel
        if _clearly_nonzero(expr) or _clearly_nonzero(expanded):
            return False
        # Piecewise formulas are equal away from their kinks when they agree in every region
        # where each kink argument has a fixed sign ("for z ≠ 0" in the questions).
        if len(kinks) > 6:
            return _zero_in_kink_regions(expr)
        # Kinks inside kinks (the max of a window, whose derivative is a step of a difference
        # with a smaller max): the signs of symbols cannot resolve them, the regions of the kink
        # expressions can, inner ones first — and a simplify per sign of each symbol costs seconds.
        if _kink_expressions(expr) is None and _zero_in_kink_regions(expr):
            return True
        kinks_list = sorted(kinks, key=str)
        for signs in range(2 ** len(kinks_list)):
            sub = {}
            for k, s in enumerate(kinks_list):
                pos = sp.Symbol(f"{s}_pos", positive=True)
                sub[s] = pos if signs >> k & 1 else -pos
            region = sp.simplify(expr.subs(sub, simultaneous=True))
            if region != 0 and sp.simplify(sp.expand(region.rewrite(sp.exp))) != 0:
                # a kink at a compound argument (max(w₁ᵀx + b₁, w₂ᵀx + b₂)) needs its own regions
                return _zero_in_kink_regions(expr)
        return True
    # The random point (milliseconds) before cancel: on a network's wrong step, cancel's rewrite
    # of tanh and the exp of sums into exponentials of symbols runs for minutes.
    if _clearly_nonzero(expr) or _clearly_nonzero(expanded):
        return False
    if _cancels(expr):
        return True
    simple = sp.simplify(expr)
    if simple == 0:
        return True
    return sp.simplify(sp.expand(simple.rewrite(sp.exp))) == 0


def _taylor_generic(expr: sp.Expr, var: sp.Symbol, degree: int) -> sp.Expr:
    """Every unknown function (σ, f) of an argument polynomial in ``var`` replaced by its Taylor
    polynomial of the given degree plus the O-term of the remainder: sympy cannot expand f(x + h)
    itself, and the O-term keeps the check honest about how far the expansion is valid."""
    expr = _basic(expr)
    reps = {}
    for node in expr.atoms(sp.Function):
        tag = getattr(type(node), "_generic_of", None)
        u = node.args[0] if node.args else None
        if tag is None or not u.has(var) or not u.is_polynomial(var):
            continue
        name, d = tag
        u0 = u.subs(var, 0)
        terms = [generic_function(name, d + k)(u0) * (u - u0) ** k / sp.factorial(k)
                 for k in range(degree + 1)]
        reps[node] = sp.Add(*terms) + sp.O(var ** (degree + 1), (var, 0))
    return expr.xreplace(reps)


def series_equal(a: sp.Expr, b: sp.Expr, var: sp.Symbol, order: int) -> bool:
    """Equality of two expressions as series in ``var`` up to (not including) ``var**order``."""
    for degree in (order + 1, order + 4, order + 10):
        expanded = sp.expand(_taylor_generic(a, var, degree) - _taylor_generic(b, var, degree))
        rest = expanded.getO()
        if rest is not None and sp.degree(rest.expr, var) < order:
            continue  # a pole ate the Taylor terms: expand further
        return sp.simplify((sp.series(expanded.removeO(), var, 0, order).removeO()).doit()) == 0
    return False


def _zero_up_to_order(entry: sp.Expr, var: sp.Symbol, orders: list[sp.Order]) -> bool:
    """``entry = O(var^k)``: every term below the order its O-terms claim vanishes."""
    # The claimed order shows once divisions are distributed (O(h^5)/(2h) is O(h^4)). Unknown
    # functions of var are frozen to plain symbols first: otherwise sympy takes a limit each time
    # such a term meets an O-term, which costs seconds.
    frozen = {n: sp.Dummy() for n in entry.atoms(sp.Function)
              if getattr(type(n), "_generic_of", None) and n.has(var)}
    claimed = sp.expand(entry.xreplace(frozen)).getO()
    order = min(sp.degree(o.expr, var) for o in ([claimed] if claimed is not None else orders))
    return series_equal(entry, 0, var, order)


def _distributions(s: Sym, env: SympyEnv) -> list[list[sp.Symbol]]:
    """The groups of entries of a simplex symbol that sum to 1: one per example.

    A column (or a column-convention batch) holds one distribution per column; a row, or a
    row-convention batch whose rows are the ``m`` examples, one per row.
    """
    entries = env.entries(s)
    if s.rows == "m" or s.rows == 1:
        return [list(entries.row(i)) for i in range(entries.rows)]
    return [list(entries.col(j)) for j in range(entries.cols)]


def _shown(entry: sp.Expr, orders: list[sp.Order]) -> sp.Expr:
    """A difference as the failure message shows it: cancelled, not simplified (simplify takes
    seconds on a wrong answer, and on O-terms or piecewise entries it takes limits)."""
    if orders or entry.has(*_KINKED):
        return entry
    try:
        return sp.cancel(entry)
    except sp.PolynomialError:
        return entry


def equal(a: Expr, b: Expr, env: SympyEnv, simplex: Iterable[Sym] = ()) -> tuple[bool, str]:
    """Whether ``a == b`` holds exactly at the sizes of ``env``; the string says where not."""
    ma, mb = to_sympy(a, env), to_sympy(b, env)
    if ma.shape != mb.shape and mb.shape != (1, 1) and ma.shape != (1, 1):
        return False, f"shapes differ: {ma.shape} and {mb.shape}"
    # With O-terms, subtract without evaluating: sympy takes a limit each time a term meets an
    # O-term, which costs seconds for unknown functions of h (see _zero_up_to_order).
    has_order = ma.has(sp.Order) or mb.has(sp.Order)
    minus = (lambda x, y: sp.Add(x, -y, evaluate=False)) if has_order else (lambda x, y: x - y)
    diff = _Translator(env, frozenset())._elementwise(ma, mb, minus)
    sub = {}
    for s in simplex:
        for ys in _distributions(s, env):
            sub[ys[-1]] = 1 - sum(ys[:-1])
    if sub:  # xreplace is exact for plain symbols; subs costs minutes on a network's derivative
        diff = diff.subs(sub) if diff.has(sp.Derivative, sp.Subs) else diff.xreplace(sub)
    # Scanning every entry for O-terms costs seconds on a network's derivative: only when present.
    orders = list(diff.atoms(sp.Order)) if has_order else []
    for i in range(diff.shape[0]):
        for j in range(diff.shape[1]):
            entry = diff[i, j]
            if orders:
                var = next(iter(orders[0].variables))
                ok = _zero_up_to_order(entry, var, orders)
            else:
                ok = _is_zero(entry)
            if not ok:
                return False, f"entry ({i}, {j}) differs by {sp.sstr(_shown(entry, orders))[:200]}"
    return True, ""


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
