"""Kinks and cases: a difference with max, |.|, sign, steps or piecewise parts is zero when it
vanishes in every region where each kink argument has a fixed sign."""

from __future__ import annotations

import sympy as sp

from checker.proof.symbolic.translate import ELU_ALPHA


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
