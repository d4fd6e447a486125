"""Exact equality: two expressions are equal when every entry of their difference simplifies to
zero, an equality sympy proves, not a float comparison."""

from __future__ import annotations

import random as _random
from collections.abc import Iterable
from functools import lru_cache

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.polys.rings import sring

from checker.proof.symbolic.kinks import (
    _KINKED,
    _cancels,
    _kink_arguments,
    _kink_expressions,
    _zero_in_kink_regions,
)
from checker.proof.symbolic.translate import SympyEnv, _Translator, generic_function, to_sympy
from derivations.expr import Expr, Sym


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


def series_coefficients(a: sp.Expr, var: sp.Symbol, order: int, b: sp.Expr = 0) -> dict[int, sp.Expr] | None:
    """The nonzero coefficients of ``a − b`` as a series in ``var``, power by power below
    ``var**order`` (negative powers included); None when the expansion cannot be read that far."""
    for degree in (order + 1, order + 4, order + 10):
        expanded = sp.expand(_taylor_generic(a, var, degree) - _taylor_generic(b, var, degree))
        rest = expanded.getO()
        if rest is not None and sp.degree(rest.expr, var) < order:
            continue  # a pole ate the Taylor terms: expand further
        terms = sp.expand(sp.series(expanded.removeO(), var, 0, order).removeO().doit())
        sums: dict[int, sp.Expr] = {}
        for term in sp.Add.make_args(terms):
            coefficient, power = term.as_coeff_exponent(var)
            if coefficient.has(var) or not power.is_integer:
                return None  # a log(h) or a fractional power: not a power series
            sums[int(power)] = sums.get(int(power), 0) + coefficient
        simplified = {k: sp.simplify(c) for k, c in sorted(sums.items())}
        return {k: c for k, c in simplified.items() if c != 0}
    return None


def series_equal(a: sp.Expr, b: sp.Expr, var: sp.Symbol, order: int) -> bool:
    """Equality of two expressions as series in ``var`` up to (not including) ``var**order``."""
    return series_coefficients(a, var, order, b) == {}


def claimed_order(entry: sp.Expr, var: sp.Symbol) -> int | None:
    """The k of the O(var^k) that ``entry`` claims once divisions are distributed (O(h^5)/(2h) is
    O(h^4)); None when it holds no O-term."""
    # Unknown functions of var are frozen to plain symbols first: otherwise sympy takes a limit
    # each time such a term meets an O-term, which costs seconds.
    frozen = {n: sp.Dummy() for n in entry.atoms(sp.Function)
              if getattr(type(n), "_generic_of", None) and n.has(var)}
    claimed = sp.expand(entry.xreplace(frozen)).getO()
    return None if claimed is None else int(sp.degree(claimed.expr, var))


def _zero_up_to_order(entry: sp.Expr, var: sp.Symbol, orders: list[sp.Order]) -> bool:
    """``entry = O(var^k)``: every term below the order its O-terms claim vanishes."""
    claimed = claimed_order(entry, var)
    order = claimed if claimed is not None else min(sp.degree(o.expr, var) for o in orders)
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
