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
