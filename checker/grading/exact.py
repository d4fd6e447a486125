"""The exact (sympy) confirmation of a scalar answer that agrees with the reference numerically.

It fails closed. Before sympy sees an answer, its size is counted (nodes, and the digits its
constant powers would have); an answer over either bound is not sent, and one that sympy cannot
settle within its CPU-time budget (:data:`checker.grading.budget.EXACT_CPU_LIMIT`) or cannot
translate is left to the numbers: :func:`confirm` then says the exact check did not finish,
and the verdict is the numeric one. Never does an unfinished check count as a pass.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from checker.grading.budget import EXACT_CPU_LIMIT, OutOfBudget, cpu_limit
from checker.grading.trees import size
from derivations.expr import Expr, Num, Pow, children
from derivations.questions import Question

MAX_NODES = 400
"""Answers larger than this are not sent to sympy."""
MAX_DIGITS = 10_000
"""Constant powers whose exact value would have more digits than this are not sent to sympy."""


class _ExactOutOfBudget(BaseException):  # noqa: N818 - a BaseException so that sympy cannot swallow it
    """The exact check used up its CPU time."""


@dataclass(frozen=True)
class Exact:
    """The exact check's outcome: ``finished`` False means it could not decide (``why`` says why)."""

    finished: bool
    equal: bool = False
    why: str = ""


def digits(e: Expr) -> float:
    """An upper bound on the decimal digits of the largest constant power in ``e`` (0 if none)."""
    worst = 0.0
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Pow):
            worst = max(worst, _log10(node))
        stack.extend(children(node))
    return worst


def _log10(e: Expr) -> float:
    """log10 of |e| for a constant tower of powers, an upper bound; 0 for anything else."""
    if isinstance(e, Num):
        v = abs(e.value)
        return math.log10(max(v.numerator, 1)) + math.log10(max(v.denominator, 1))
    if isinstance(e, Pow) and isinstance(e.exp, Num):
        base = _log10(e.base)
        exponent = abs(float(e.exp.value))
        return base * exponent if math.isfinite(base * exponent) else math.inf
    return 0.0


def confirm(q: Question, answer: Expr, reference: Expr) -> Exact:
    """Whether sympy proves ``answer == reference``, within the bounds above."""
    if size(answer) > MAX_NODES:
        return Exact(False, why=f"the answer has more than {MAX_NODES} terms and symbols")
    if digits(answer) > MAX_DIGITS:
        return Exact(False, why="a constant power in the answer is too large to compute exactly")
    try:
        with cpu_limit(EXACT_CPU_LIMIT, _ExactOutOfBudget):
            same, why = _sympy_equal(q, answer, reference)
    except _ExactOutOfBudget:
        return Exact(False, why=f"sympy needed more than {EXACT_CPU_LIMIT:g} s of CPU time")
    except OutOfBudget:
        raise
    except Exception as exc:  # noqa: BLE001 - a form sympy cannot handle is left to the numbers
        return Exact(False, why=f"sympy could not handle this form ({type(exc).__name__})")
    return Exact(True, same, why)


def _sympy_equal(q: Question, a: Expr, b: Expr) -> tuple[bool, str]:
    from checker.proof.symbolic import SympyEnv, equal

    generic = {"sigma": "sigmoid", "f": "sigmoid"} if q.sigma == "sigmoid" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return equal(a, b, SympyEnv({}, dict(q.definitions), generic, positive=frozenset(q.positive)))
