r"""Grading a derivation whose result is an asymptotic expansion (the central difference's error).

Its steps hold O-terms, so values at random points cannot say whether one step follows from the
one before: each step is compared with the step before exactly, as series in the variable of the
reference's O-term, by the proof's own equality (:func:`checker.proof.symbolic.equal`, which proves
the catalogue's series steps): step k *follows* when step k − (step k−1) has no term below the
coarser of their two O-terms, and step k claims no finer order than the steps before established
(the start, the exact quantity, establishes every order). The result is then judged like a single
answer (:func:`checker.grading.series.judge_expansion`): a chain of true steps that stops at
f'(x) + O(h²) is not the answer.

The chain starts at the first relation whose left side is the quantity the question expands,
written as a formula ((f(x + h) − f(x − h))/2h); a line that starts with ``=`` continues it, one
that starts again with that quantity restates it; any other relation (f(x + h) = f(x) + h f'(x) +
…) is a lemma, its sides compared the same way. Sides are read with the question's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.grading.budget import CPU_LIMIT, OutOfBudget, cpu_limit
from checker.grading.derivation.segment import Relation
from checker.grading.derivation.state import StepReport, summary
from checker.grading.derivation.state import result as _result
from checker.grading.derivation.steps import echo, is_condition
from checker.grading.judge import vocabulary_of
from checker.grading.readers import AnswerError, parse_answer
from checker.grading.series import (
    SeriesVerdict,
    describe_difference,
    judge_expansion,
    order_of,
    reading_problem,
    setting,
)
from checker.grading.wording import uncapital
from checker.proof.symbolic import equal
from derivations import get
from derivations.expr import Expr, to_latex
from derivations.prose import formulas
from derivations.questions import Question


@dataclass
class Line:
    """One side of a relation: as written, and its tree (None with the reason when unreadable)."""

    text: str
    expr: Expr | None = None
    error: str = ""


@dataclass
class Chain:
    """The chain's steps and the relations beside it (lemmas), in reading order."""

    steps: list[tuple[Line, int]] = field(default_factory=list)  # (side, line of the input)
    lemmas: list[tuple[list[Line], int]] = field(default_factory=list)
    starts_right: bool = True


def read_line(q: Question, text: str, fmt: str, strict: bool) -> Line:
    """One side read with the question's vocabulary (never raises)."""
    line = Line(text)
    try:
        line.expr = parse_answer(text, fmt, vocabulary_of(q.id), strict, entries_as_written=True).expr
    except AnswerError as err:
        line.error = getattr(err, "message", str(err))
    except (RecursionError, ValueError, KeyError) as err:
        line.error = f"this step cannot be read ({type(err).__name__})"
    return line


def _is_truth(q: Question, line: Line) -> bool:
    """Whether a side is the exact quantity the question expands (no O-term, equal to it)."""
    s = setting(q)
    if line.expr is None or order_of(q, line.expr) is not None:
        return False
    try:
        return equal(line.expr, s.truth_tree, s.env)[0]
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def sort_lines(q: Question, rels: list[Relation], fmt: str, strict: bool) -> Chain:
    """The chain's steps and the lemmas beside it (see the module docstring)."""
    chain, started = Chain(), False
    for rel in rels:
        if is_condition(rel):
            continue
        sides = [read_line(q, t, fmt, strict) for t in rel.sides]
        if rel.continues and started:
            chain.steps.extend((s, rel.line) for s in sides)
        elif len(sides) > 1 and _is_truth(q, sides[0]):
            chain.steps.extend((s, rel.line) for s in (sides[1:] if started else sides))
            started = True
        elif len(sides) > 1:
            chain.lemmas.append((sides, rel.line))
    if not started and chain.lemmas:  # no relation starts from the quantity: the first is the chain
        sides, line = chain.lemmas.pop(0)
        chain.steps = [(s, line) for s in sides]
        chain.starts_right = False
    return chain


def grade_expansion_derivation(q: Question, rels: list[Relation], fmt: str, strict: bool) -> dict:
    """The §6 JSON object for a derivation of an expansion."""
    chain = sort_lines(q, rels, fmt, strict)
    reports = [_lemma(q, sides, line) for sides, line in chain.lemmas]
    steps: list[StepReport] = []
    first_wrong: int | None = None
    unreadable: list[int] = []
    last: Expr | None = None
    established: float = float("inf")
    for n, (side, line) in enumerate(chain.steps, start=1):
        shown = echo(side.expr) if side.expr is not None else side.text
        if side.expr is None:
            unreadable.append(n)
            why = f"Step {n} could not be read: {side.error.rstrip('.')}. It was skipped."
            steps.append(StepReport(n, shown, "step", "unreadable", None, why, line))
            continue
        verdict, tag, why = _step(q, n, side.expr, last, established, chain.starts_right)
        steps.append(StepReport(n, shown, "step", verdict, tag, why, line))
        if verdict == "unreadable":
            unreadable.append(n)
            continue
        if verdict != "follows" and first_wrong is None:
            first_wrong = n
        own = order_of(q, side.expr)
        established = min(established, float("inf") if own is None else own)
        last = side.expr
    if last is None:
        return _result(q.id, "invalid", "No step of the derivation could be read.", reports + steps)
    end = _judge_end(q, last)
    result_correct = end.verdict == "correct"
    if first_wrong is None and not result_correct and steps[-1].verdict != "unreadable":
        report = next(r for r in reversed(steps) if r.verdict != "unreadable")
        report.verdict, report.mistake = "does-not-follow", (end.mistakes or (None,))[0]
        report.feedback = f"Step {report.n} is not the answer: {end.feedback}"
        first_wrong = report.n
    return summary(q.id, reports + steps, first_wrong, unreadable, result_correct)


def _judge_end(q: Question, last: Expr) -> SeriesVerdict:
    """The last step judged as an answer, within the CPU budget of one answer."""
    try:
        with cpu_limit(CPU_LIMIT):
            return judge_expansion(q, last)
    except OutOfBudget:
        why = f"the result could not be judged within {CPU_LIMIT:g} s of CPU time."
        return SeriesVerdict("invalid", (), why)


def _step(q: Question, n: int, e: Expr, prev: Expr | None, established: float,
          starts_right: bool) -> tuple[str, str | None, str]:
    """(verdict, tag, feedback) of one step against the step before it."""
    s = setting(q)
    problem = reading_problem(q, e, s.var_tree)
    if problem is not None:
        return "unreadable", None, f"Step {n} is not checked: {problem}."
    try:
        with cpu_limit(CPU_LIMIT):
            return _compared(q, n, e, prev, established, starts_right)
    except OutOfBudget:
        return "unreadable", None, (f"Step {n} could not be compared with the step before within "
                                    f"{CPU_LIMIT:g} s of CPU time; write it more simply.")


def _compared(q: Question, n: int, e: Expr, prev: Expr | None, established: float,
              starts_right: bool) -> tuple[str, str | None, str]:
    s = setting(q)
    if prev is None:
        if starts_right:
            return "follows", None, "The derivation starts from the quantity asked for."
        return "does-not-follow", "wrong-start", (
            f"Step {n} ${echo(e)}$ is not the quantity asked for: a derivation starts from "
            f"${to_latex(s.truth_tree)}$ and transforms it.")
    own = order_of(q, e)
    if own is not None and own > established:
        return "does-not-follow", None, (
            f"Step {n} claims $O({s.var_tree.tex}^{{{own}}})$, but the steps before it establish only "
            f"$O({s.var_tree.tex}^{{{int(established)}}})$: an expansion cannot gain precision.")
    try:
        ok, _ = equal(prev, e, s.env)
    except (TypeError, ValueError, ZeroDivisionError) as err:
        return "unreadable", None, f"Step {n} could not be compared with the step before ({err})."
    if ok:
        return "follows", None, f"Follows from the step before (as series in ${s.var_tree.tex}$)."
    tag, why = describe_difference(q, e, prev)
    return "does-not-follow", tag, f"Step {n} does not follow from the step before: {uncapital(why)}"


def _lemma(q: Question, sides: list[Line], line: int) -> StepReport:
    """A relation beside the chain: its sides compared as series, reported, not counted."""
    shown = " = ".join(echo(s.expr) if s.expr is not None else s.text for s in sides)
    unread = next((s for s in sides if s.expr is None), None)
    if unread is not None:
        return StepReport(None, shown, "lemma", "unreadable", None, f"{unread.error.rstrip('.')}.", line)
    s = setting(q)
    try:
        ok = all(equal(a.expr, b.expr, s.env)[0] for a, b in zip(sides, sides[1:], strict=False))
    except (TypeError, ValueError, ZeroDivisionError):
        ok = False
    what = "This lemma holds." if ok else "This lemma does not hold: its sides differ."
    return StepReport(None, shown, "lemma", "follows" if ok else "does-not-follow", None, what, line)


_TAGGED = re.compile(r"\(tag `([a-z-]+)`\)\.?$")


def recognised(q: Question) -> list[tuple[str, Expr, str]]:
    """(tag, wrong answer, what the student is told) for each mistake the derivation's prose lists
    with its tag: the first formula of the mistake, read and judged here as an answer (so the
    message is the grader's own, and a listed mistake the grader does not name is left out)."""
    out = []
    for text in get(q.derivation).mistakes:
        tag = _TAGGED.search(text)
        found = formulas(text)
        if tag is None or not found:
            continue
        try:
            e = parse_answer(found[0].latex, "latex", vocabulary_of(q.id)).expr
        except AnswerError:
            continue
        judged = judge_expansion(q, e)
        if judged.verdict == "incorrect" and judged.mistakes[:1] == (tag.group(1),):
            out.append((tag.group(1), e, judged.feedback))
    return out

