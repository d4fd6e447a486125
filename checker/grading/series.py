r"""Judging an asymptotic expansion: an answer, or a reference, that holds an O-term.

Values at random points cannot decide an equality that holds only up to an order (f'(x) +
O(h²) and f'(x) + (h²/6) f'''(x) + O(h⁴) differ at every point), so such answers are compared
exactly, as series in the variable of the reference's O-term, by the same translation to sympy
and the same Taylor expansion of unknown functions (f(x + h) about x) that prove the catalogue's
series steps (:mod:`checker.proof.symbolic.equality`).

The expansion is compared with the *truth*, the exact quantity the question expands (the start
of the derivation's chain, (f(x + h) − f(x − h))/2h), not with the reference alone, so that an
answer claiming a finer order than the reference (O(h⁶)) is checked as far as it claims:

- **correct**: the answer's terms equal the truth's below the answer's own order, and that order
  is not coarser than the reference's;
- **stops early** (``missing-term``): true below its order, but coarser than the reference (f'(x)
  + O(h²): the leading error term is not given);
- **no O-term** (``missing-term``): the terms are right, but without its O-term the answer claims
  an exact equality that does not hold, and the question asks for the order of the error;
- otherwise the first power of the variable where the answer and the truth differ is named, and
  the difference explained by the question's known wrong expansions (the one-sided difference,
  a division by h for 2h: :attr:`Question.expansion_mistakes`), or by what differs there: a term
  missing, a coefficient off by a factor (``wrong-scale``), a term the expansion does not have.

An answer that still holds one of the question's functions at a point that moves with the
variable (f(x + h)) has not been expanded: it restates the question. All work is sympy's, under
the judge's CPU budget; an order beyond :data:`MAX_ORDER` is refused rather than expanded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from checker.grading.trees import contains, nodes
from checker.proof.symbolic import SympyEnv, claimed_order, equal, series_coefficients, to_sympy
from derivations import get
from derivations.expr import BigO, Div, Expr, Fn, Num, Pow, Sym, symbols_of, tex
from derivations.questions import Question

MAX_ORDER = 12
"""The finest O-term an answer may claim (O(h^12)): the series is expanded that far, no further."""


@dataclass(frozen=True)
class SeriesVerdict:
    """The judgement on an expansion: verdict, mistake tags (first first) and feedback."""

    verdict: str
    mistakes: tuple[str, ...]
    feedback: str


@dataclass(frozen=True)
class Setting:
    """What every expansion of one question is compared with, translated once."""

    var_tree: Sym
    var: sp.Symbol
    env: SympyEnv
    truth_tree: Expr
    truth: sp.Expr
    reference_order: int
    mistakes: tuple[tuple[str, sp.Expr, str], ...]


def has_order_term(e: Expr) -> bool:
    """Whether an O-term occurs anywhere in ``e``."""
    return contains(e, lambda node: isinstance(node, BigO))


def is_series_question(q: Question) -> bool:
    """Whether the question's reference is an asymptotic expansion."""
    return has_order_term(q.reference)


def truth_of(q: Question) -> Expr:
    """The exact quantity the question expands: the start of its derivation's chain."""
    d = get(q.derivation)
    chain = next(c for c in d.chains if c.name == q.chain) if q.chain else d.chains[0]
    return chain.start


@cache
def setting(question: Question) -> Setting:
    """The variable, the truth, the reference's order and the known wrong expansions, in sympy."""
    reference = question.reference
    orders = [n for n in nodes(reference) if isinstance(n, BigO)]
    var_tree = next(iter(symbols_of(orders[0].arg)))
    env = SympyEnv({}, positive=frozenset(question.positive))
    var = to_sympy(var_tree, env)[0]
    order = claimed_order(to_sympy(reference, env)[0], var)
    assert order is not None, "a series question's reference holds an O-term"
    mistakes = tuple((tag, to_sympy(e, env)[0], message) for tag, e, message in question.expansion_mistakes)
    truth = truth_of(question)
    return Setting(var_tree, var, env, truth, to_sympy(truth, env)[0], order, mistakes)


def order_of(q: Question, e: Expr) -> int | None:
    """The k of the O(h^k) that ``e`` claims (O(h^5)/(2h) claims O(h^4)); None without an O-term."""
    s = setting(q)
    return claimed_order(to_sympy(e, s.env)[0], s.var) if has_order_term(e) else None


def describe_difference(q: Question, e: Expr, before: Expr) -> tuple[str | None, str]:
    """(tag, why) for an expansion that is not equal to the one before it, compared as far as the
    coarser of their O-terms reaches."""
    s = setting(q)
    a, b = to_sympy(e, s.env)[0], to_sympy(before, s.env)[0]
    orders = [k for k in (order_of(q, e), order_of(q, before)) if k is not None]
    upto = min(orders) if orders else s.reference_order
    terms, against = (x.removeO() if x.has(sp.Order) else x for x in (a, b))
    diff = series_coefficients(terms, s.var, upto, against)
    if not diff:
        return None, "the two differ beyond the order either of them states."
    found = _explain(s, terms, against, diff, upto, "the step before")
    return (found.mistakes or (None,))[0], found.feedback


def _wrong(tag: str | None, feedback: str) -> SeriesVerdict:
    return SeriesVerdict("incorrect", (tag,) if tag else (), feedback)


def unexpanded(q: Question, e: Expr, var: Sym) -> Fn | None:
    """A function of the question (f) applied at a point that moves with the variable: f(x + h)."""
    named = set(q.functions)
    return next((n for n in nodes(e) if isinstance(n, Fn) and n.name in named and var in symbols_of(n.arg)),
                None)


def reading_problem(q: Question, e: Expr, var: Sym) -> str | None:
    """Why ``e`` cannot be judged as an expansion in ``var``, or None: an O-term that is not a power
    ``var^k`` (0 ≤ k ≤ :data:`MAX_ORDER`) or that is not a term of the expansion (inside a function,
    a power, a denominator or another O), or a generic activation σ (``g'(x)`` reads as σ'), which no
    expansion here holds."""
    for node in nodes(e):
        if isinstance(node, Fn) and node.name == "sigma" and "sigma" not in q.functions:
            names = " or ".join(f"${f}$" for f in q.functions if f != "O")
            return f"{tex(node)} is no function of this question: its function is {names}"
        inner = [node.den] if isinstance(node, Div) else [node.base, node.exp] if isinstance(node, Pow) else \
            [node.arg] if isinstance(node, Fn | BigO) else []
        if any(has_order_term(part) for part in inner):
            return (f"an O-term is read as a term of the expansion ($\\ldots + O({var.tex}^4)$), not inside "
                    f"{tex(node)}")
        if not isinstance(node, BigO):
            continue
        arg = node.arg
        power = arg.exp if isinstance(arg, Pow) and arg.base == var else Num(1) if arg == var else None
        if not isinstance(power, Num) or power.value.denominator != 1 or power.value < 0:
            return f"the O-term {tex(node)} is read as a power of ${var.tex}$ only, as in $O({var.tex}^4)$"
        if power.value > MAX_ORDER:
            return f"an O-term finer than $O({var.tex}^{{{MAX_ORDER}}})$ is not checked"
    return None


def judge_expansion(q: Question, e: Expr) -> SeriesVerdict:
    """The verdict on an answer to a series question (see the module docstring)."""
    s = setting(q)
    problem = reading_problem(q, e, s.var_tree)
    if problem is not None:
        return SeriesVerdict("invalid", (), problem[:1].upper() + problem[1:] + ".")
    moving = unexpanded(q, e, s.var_tree)
    if moving is not None:
        if not has_order_term(e) and equal(e, s.truth_tree, s.env)[0]:
            return _wrong("restates-question", (
                f"Your answer is the quantity to expand, unexpanded: it restates the question. Expand it in "
                f"powers of ${s.var_tree.tex}$."))
        return _wrong(None, (f"Your answer still holds {tex(moving)}, a value that moves with "
                             f"${s.var_tree.tex}$: expand it in powers of ${s.var_tree.tex}$."))
    answer = to_sympy(e, s.env)[0]
    own = claimed_order(answer, s.var)
    terms = answer.removeO() if own is not None else answer
    h = s.var_tree.tex
    # as far as the answer claims; without an O-term, as far as the reference knows
    upto = s.reference_order if own is None else own
    diff = series_coefficients(terms, s.var, upto, s.truth)
    if diff is None:
        return SeriesVerdict("invalid", (), f"Your answer cannot be expanded as a power series in ${h}$.")
    if not diff:
        if own is None:
            return _wrong("missing-term", (
                f"Your terms are right, but the expansion has no O-term: without it the answer says the "
                f"two sides are exactly equal, which they are not, and the question asks for the order "
                f"of the error. Add the order of the rest, $O({h}^{{{s.reference_order}}})$."))
        if own < s.reference_order and series_coefficients(terms, s.var, s.reference_order, s.truth) == {}:
            return _wrong(None, (
                f"Your terms are right, the leading error term included, but the rest is smaller than you "
                f"claim: it is $O({h}^{{{s.reference_order}}})$, not only $O({h}^{{{own}}})$. Say how small "
                f"the rest is: that order is what the question asks for."))
        if own < s.reference_order:
            return _wrong("missing-term", (
                f"True, but it stops before the leading error term: below $O({h}^{{{own}}})$ your terms "
                f"are right, but the question asks for the expansion up to and including its leading "
                f"error term, then the order of the rest, $O({h}^{{{s.reference_order}}})$."))
        return SeriesVerdict("correct", (), (
            f"Correct: equal to the verified expansion term by term below $O({h}^{{{own}}})$ (sympy)."))
    return _explain(s, terms, s.truth, diff, upto, "the right one")


def _explain(s: Setting, terms: sp.Expr, against: sp.Expr, diff: dict[int, sp.Expr], upto: int,
             other: str) -> SeriesVerdict:
    """Name what differs first between ``terms`` and ``against`` (``other`` in the messages),
    compared below ``var**upto``: a known wrong expansion (equal to it as far as compared), a
    missing term, a wrong coefficient, a term too many."""
    h, first = s.var_tree.tex, min(diff)
    power = "the constant term" if first == 0 else f"the term in ${h}$" if first == 1 else \
        f"the term in ${h}^{{{first}}}$"
    for tag, wrong, message in s.mistakes:
        if series_coefficients(terms, s.var, upto, wrong) == {}:
            return _wrong(tag, f"The expansion differs from {other} first at {power}: {message}")
    right = (series_coefficients(against, s.var, first + 1) or {}).get(first, sp.Integer(0))
    yours = right + diff[first]
    if right == 0:
        return _wrong(None, f"The expansion has {power}, which {other} does not have.")
    if yours == 0:
        return _wrong("missing-term", f"The expansion is missing {power}, which {other} has.")
    ratio = sp.simplify(yours / right)
    if ratio.is_Rational:
        return _wrong("wrong-scale", (
            f"{power[:1].upper() + power[1:]} has the wrong coefficient: {_number(ratio)} times that of "
            f"{other}."))
    return _wrong(None, f"The expansion differs from {other} first at {power}.")


def _number(r: sp.Rational) -> str:
    return f"${r.p}$" if r.q == 1 else f"$\\frac{{{r.p}}}{{{r.q}}}$"


def function_notation(q: Question) -> list[tuple[str, str, tuple[str, ...]]]:
    """(LaTeX, what it is, spellings an answer may use) for the functions a series question reads
    beyond its symbols: its own f with its derivatives, and Landau's O of the variable."""
    s = setting(q)
    h = s.var_tree.tex
    point = next((n.arg for n in nodes(q.reference) if isinstance(n, Fn) and n.name in q.functions), None)
    x = point.tex if isinstance(point, Sym) else "x"
    rows = []
    for name in q.functions:
        if name == "O":
            spellings = (f"O({h}^4)", rf"\mathcal{{O}}({h}^4)", rf"\mathcal O({h}^4)", f"O({h}⁴)", f"𝒪({h}⁴)")
            rows.append(("O", f"Landau's order term in ${h}$", spellings))
        else:
            rows.append((name, f"the function; ${name}^{{(k)}}$ its k-th derivative",
                         (f"{name}'({x})", f"{name}'''({x})", rf"{name}^{{(3)}}({x})",
                          rf"{name}^{{\prime\prime\prime}}({x})", f"{name}‴({x})", f"{name}⁽³⁾({x})",
                          f"{name}''''({x})", rf"{name}^{{(4)}}({x})")))
    return rows
