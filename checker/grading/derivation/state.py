"""The state of one derivation being graded, shared by the grader and the mistake finder."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.grading.derivation.model import Model
from checker.grading.derivation.steps import Side
from checker.grading.derivation.values import Evaluator, Values
from checker.grading.readers import Vocabulary
from derivations.expr import Expr, Sym
from derivations.questions import Question


@dataclass
class Judged:
    """A side that was read and evaluated: its tree (lowered), how it was read, its values."""

    side: Side
    expr: Expr
    values: Values
    layout: str = ""


@dataclass
class StepReport:
    """One entry of the JSON ``steps`` list."""

    n: int | None
    latex: str
    kind: str
    verdict: str
    mistake: str | None = None
    feedback: str = ""
    line: int = 0

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "latex": self.latex,
            "kind": self.kind,
            "verdict": self.verdict,
            "mistake": self.mistake,
            "feedback": self.feedback,
        }


@dataclass
class Grading:
    """The state of one derivation being graded."""

    q: Question
    model: Model
    vocab: Vocabulary
    fmt: str
    ev: Evaluator
    asked: Values
    reference: Values
    reports: list[StepReport] = field(default_factory=list)
    first_wrong: int | None = None
    first_mistake: str | None = None
    unreadable: list[int] = field(default_factory=list)
    last: Judged | None = None
    last_n: int = 0
    final: Judged | None = None  # the last readable step, None when it could not be evaluated
    start: Judged | None = None
    strict: bool = False
    index_order: tuple[str, ...] = ()  # (row, column) letters of the chain's start, if an entry
    aliases: dict[str, str] = field(default_factory=dict)  # a student's name -> the question's spelling
    local: dict[Sym, Expr] = field(default_factory=dict)  # names the student defined


def result(
    q: str,
    verdict: str,
    feedback: str,
    steps: list[StepReport] | None = None,
    first: int | None = None,
    result_correct: bool = False,
) -> dict:
    """The §6 JSON object of a graded derivation."""
    return {
        "question": q,
        "verdict": verdict,
        "score": 1.0 if verdict == "correct" else 0.0,
        "first_wrong_step": first,
        "result_correct": result_correct,
        "steps": [s.to_json() for s in steps or []],
        "feedback": feedback,
    }


def summary(q: str, reports: list[StepReport], first_wrong: int | None, unreadable: list[int],
            result_correct: bool) -> dict:
    """The §6 JSON object once every step is judged and the end blamed if it is not the answer:
    correct, right but with unreadable steps, or the first wrong step's feedback."""
    steps = [r for r in reports if r.kind == "step"]
    if first_wrong is None and not unreadable:
        return result(q, "correct", f"Correct: every one of the {len(steps)} steps follows from the one "
                      "before, and the last is the answer.", reports, None, True)
    if first_wrong is None:
        which = ", ".join(str(k) for k in unreadable)
        return result(q, "incorrect", f"Every step that could be read follows and the result is right, "
                      f"but step {which} could not be read; rewrite it so that it can be checked.",
                      reports, None, result_correct)
    feedback = next(r for r in steps if r.n == first_wrong).feedback  # names the step and the difference
    if result_correct:
        feedback += " The result is right, but it is reached through a wrong step."
    return result(q, "incorrect", feedback, reports, first_wrong, result_correct)
