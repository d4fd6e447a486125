r"""Grading a derivation: every step checked against the one before, the first wrong one named.

Step k *follows* when it equals step k−1 at every draw of the question's network (see
:mod:`checker.grading.derivation.values`). The derivation is correct when every step follows,
none is unreadable, and the last equals the reference answer. Otherwise the first step that does
not follow is reported with its mistake, named relative to the step before it (§3 tags); if all
follow, the last step carries the blame when it is not the answer.
"""

from __future__ import annotations

import checker.grading.derivation.learn as learn
import checker.grading.derivation.mistake as diagnose
from checker.grading.derivation.chain import evaluate, holds, restates_question, shape_matches, sort_relations
from checker.grading.derivation.expansion import grade_expansion_derivation
from checker.grading.derivation.model import model_of
from checker.grading.derivation.names import derivation_vocabulary
from checker.grading.derivation.segment import MAX_TEXT, relations
from checker.grading.derivation.state import Grading, Judged, StepReport, summary
from checker.grading.derivation.state import result as _result
from checker.grading.derivation.steps import (
    MAX_STEPS,
    Item,
    Side,
    echo,
    is_condition,
    is_name,
)
from checker.grading.derivation.values import (
    BudgetExceeded,
    Evaluator,
    has_derivative,
    instances,
    same,
)
from checker.grading.series import is_series_question
from checker.proof.evaluate import EvaluationError
from derivations.expr import ShapeError, to_latex
from derivations.questions import Question, get_question

FORMATS = ("auto", "latex", "text")
MAX_SIDES = 4 * MAX_STEPS
"""Expressions joined by ``=`` in a whole derivation, steps, definitions and lemmas together."""


def is_derivation(text: str) -> bool:
    """Whether an answer holds two or more relations (several ``=``, or several lines of them)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return False
    try:
        return sum(len(r.sides) - (0 if r.continues else 1) for r in relations(text)) >= 2
    except (ValueError, RecursionError, IndexError):
        return False


def grade_derivation(question_id: str, text: str, fmt: str = "auto", strict_notation: bool = False) -> dict:
    """Grade a whole derivation; the §6 JSON object. Raises KeyError for an unknown question."""
    q = get_question(question_id)
    if not isinstance(text, str) or not text.strip():
        return _result(q.id, "invalid", "The derivation is empty.")
    if fmt not in FORMATS:
        return _result(q.id, "invalid", f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if len(text) > MAX_TEXT:
        return _result(
            q.id, "invalid", f"The derivation is {len(text):,} characters long; the limit is {MAX_TEXT:,}."
        )
    try:
        rels = [r for r in relations(text) if not is_condition(r)]
    except (ValueError, RecursionError, IndexError) as err:
        return _result(q.id, "invalid", f"The derivation could not be cut into lines ({err}).")
    if not rels:
        return _result(q.id, "invalid", "No relation (nothing joined by `=`) was found in the derivation.")
    if sum(len(r.sides) for r in rels) > MAX_SIDES:  # refused before any side is read
        return _result(
            q.id,
            "invalid",
            f"The derivation has more than {MAX_SIDES} expressions joined by `=`; "
            f"grade at most {MAX_STEPS} steps (with their definitions and lemmas).",
        )
    if is_series_question(q):  # O-terms: steps compared as series, not by values
        try:
            return grade_expansion_derivation(q, rels, fmt, strict_notation)
        except Exception as exc:  # noqa: BLE001 - never lose a derivation: say what went wrong instead
            why = f"The grader could not check this derivation ({type(exc).__name__})."
            return _result(q.id, "invalid", why)
    try:
        g = _grading(q, fmt, strict_notation)
        items = sort_relations(g, rels)
        if sum(len(i.sides) for i in items if i.kind == "step") > MAX_STEPS:
            return _result(
                q.id, "invalid", f"The derivation has more than {MAX_STEPS} steps; grade at most {MAX_STEPS}."
            )
        _judge(g, items)
    except BudgetExceeded as err:
        return _result(q.id, "invalid", f"The derivation could not be checked within its budget: {err}.")
    except RecursionError:
        return _result(q.id, "invalid", "The derivation is nested too deeply to check.")
    except MemoryError:
        return _result(q.id, "invalid", "The derivation needs too much memory to check.")
    except Exception as exc:  # noqa: BLE001 - never lose a derivation: say what went wrong instead
        why = f"{type(exc).__name__}: {exc}"
        return _result(q.id, "invalid", f"The grader could not check this derivation ({why}).")
    return _verdict(g)


def _grading(q: Question, fmt: str, strict: bool) -> Grading:
    inst = instances(q.id)
    ev = Evaluator(inst)
    model = model_of(q.id)
    asked = ev.values(ev.lower(model.asked))
    reference = ev.values(ev.lower(q.reference))
    return Grading(q, model, derivation_vocabulary(q.id), fmt, ev, asked, reference, strict=strict)


# --------------------------------------------------------------------------------- judging steps


def _judge(g: Grading, items: list[Item]) -> None:
    n = 0
    for item in items:
        if item.kind != "step":
            _judge_relation(g, item)
            continue
        for k, side in enumerate(item.sides):
            n += 1
            start = n == 1
            _judge_step(g, n, side, item, start or (k == 0 and "wrong-start" in item.notes))


def _judge_relation(g: Grading, item: Item) -> None:
    """A definition or lemma: its sides checked against each other, reported, not counted."""
    shown = " = ".join(_latex(s) for s in item.sides)
    unread = next((s for s in item.sides if s.expr is None), None)
    if unread is not None:
        why = unread.error or "it cannot be read"
        verdict = "unreadable"
        g.reports.append(StepReport(None, shown, item.kind, verdict, None, _sentence(why), item.line))
        return
    if any(evaluate(g, s) is None for s in item.sides):
        why = "It reads, but its shapes do not fit or it cannot be evaluated."
        g.reports.append(StepReport(None, shown, item.kind, "unreadable", None, why, item.line))
        return
    ok = holds(g, item.sides, item.condition)
    if item.kind == "definition":
        what = (
            "This definition agrees with the network."
            if ok
            else "This definition does not agree with the network's."
        )
    else:
        what = "This lemma holds." if ok else "This lemma does not hold: its sides differ."
    if item.notes:
        what = " ".join(item.notes) if ok else " ".join([*item.notes, what])
    verdict = "follows" if ok else "does-not-follow"
    g.reports.append(StepReport(None, shown, item.kind, verdict, None, what, item.line))


def _judge_step(g: Grading, n: int, side: Side, item: Item, start: bool) -> None:
    latex = _latex(side)
    if side.expr is None:
        g.unreadable.append(n)
        g.reports.append(
            StepReport(
                n,
                latex,
                "step",
                "unreadable",
                None,
                _sentence(f"Step {n} could not be read: {side.error}") + " It was skipped.",
                item.line,
            )
        )
        return
    judged = evaluate(g, side)
    g.final = judged
    misfits, reason = _misfits(g, side) if judged is None else (False, "")
    if judged is None and not misfits:
        g.unreadable.append(n)
        because = f" ({reason})" if reason else ""
        why = f"Step {n} reads, but it cannot be evaluated on this question's network{because}."
        why += " It was skipped."
        g.reports.append(StepReport(n, latex, "step", "unreadable", None, why, item.line))
        return
    if judged is None:
        _wrong(g, n, latex, *_misfit(g, n, side), item)
        return
    note = f" ({judged.layout})" if judged.layout else ""
    if start:
        g.start = judged
        denotes = is_name(side.expr) or has_derivative(side.expr)
        if denotes and shape_matches(judged, g.asked) and same(judged.values, g.asked):
            _follows(g, n, latex, judged, f"The derivation starts from the quantity asked for{note}.", item)
        else:
            _wrong(
                g,
                n,
                latex,
                "wrong-start",
                _sentence(
                    f"Step {n} ${latex}$ is not the quantity asked for: a derivation starts from "
                    f"${to_latex(g.model.asked)}$ (or its name) and transforms it"
                ),
                item,
                judged,
            )
        return
    prev = g.last
    if prev is None:
        _follows(g, n, latex, judged, "", item)
        return
    if shape_matches(judged, prev.values) and same(judged.values, prev.values):
        _follows(g, n, latex, judged, f"Follows from step {g.last_n}{note}.", item)
        return
    tag, why = diagnose.name_mistake(g, prev, judged)
    _wrong(g, n, latex, tag, diagnose.feedback(g, n, judged, prev, why), item, judged)


def _follows(g: Grading, n: int, latex: str, judged: Judged, feedback: str, item: Item) -> None:
    feedback = " ".join([feedback, *(_sentence(x) for x in judged.side.notes)]).strip()
    g.reports.append(StepReport(n, latex, "step", "follows", None, feedback, item.line))
    g.last, g.last_n = judged, n


def _wrong(
    g: Grading, n: int, latex: str, tag: str | None, feedback: str, item: Item, judged: Judged | None = None
) -> None:
    g.reports.append(StepReport(n, latex, "step", "does-not-follow", tag, feedback, item.line))
    if g.first_wrong is None:
        g.first_wrong, g.first_mistake = n, tag
    if judged is not None:
        g.last, g.last_n = judged, n


def _misfits(g: Grading, side: Side) -> tuple[bool, str]:
    """Whether a step that could not be evaluated is a mistake to name (its shapes or its indices
    do not fit), not a quantity this question's network does not define (unreadable here); and,
    when it is not, the reason (no value for a name, no size that reaches an entry written out)."""
    try:
        expr = learn.substitute_local(g, side.expr) if g.local and side.expr is not None else side.expr
        diagnose.fitted_values(g.ev.lower(expr), g.model, g.ev, None)  # type: ignore[arg-type]
    except EvaluationError as err:
        unknown = str(err).startswith(("no value for", "no numeric form", "no size tried"))
        return not unknown, str(err) if unknown else ""
    except (ShapeError, ValueError, IndexError, KeyError, ZeroDivisionError):
        return True, ""
    return True, ""


def _misfit(g: Grading, n: int, side: Side) -> tuple[str | None, str]:
    tag, why = diagnose.misfit(g, side)
    return tag, _sentence(f"Step {n} ${_latex(side)}$ cannot be evaluated: {why}")


def _latex(side: Side) -> str:
    if side.expr is not None:
        try:
            return echo(side.expr)
        except (TypeError, KeyError, RecursionError):
            pass
    return side.text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


# ---------------------------------------------------------------------------------- the verdict


def _verdict(g: Grading) -> dict:
    steps = [r for r in g.reports if r.kind == "step"]
    readable = [r for r in steps if r.verdict != "unreadable"]
    if not readable:
        return _result(
            g.q.id,
            "invalid",
            "No step of the derivation could be read: "
            + (steps[0].feedback if steps else "no chain of equalities was found."),
            g.reports,
        )
    last = g.final
    result_correct = last is not None and shape_matches(last, g.reference) and same(last.values, g.reference)
    restates = restates_question(g, last) if last is not None and result_correct else None
    if restates:
        result_correct = False
    ends_unread = steps[-1].verdict == "unreadable"  # the end cannot be judged: it is not blamed
    if g.first_wrong is None and not result_correct and readable and not ends_unread:
        report = next(r for r in reversed(steps) if r.verdict != "unreadable")
        tag, why = (
            ("restates-question", restates)
            if restates
            else (diagnose.name_end(g, last))
        )
        report.verdict, report.mistake = "does-not-follow", tag
        report.feedback = diagnose.end_feedback(g, report.n or 0, last, why)
        g.first_wrong, g.first_mistake = report.n, tag
    return summary(g.q.id, g.reports, g.first_wrong, g.unreadable, result_correct)
