"""The whole bank, in the order of the course, and the lookup of one question by id."""

from __future__ import annotations

from derivations.questions.activations import QUESTIONS as ACTIVATIONS
from derivations.questions.backprop import QUESTIONS as BACKPROP
from derivations.questions.convolution import QUESTIONS as CONVOLUTION
from derivations.questions.losses import QUESTIONS as LOSSES
from derivations.questions.numerics import QUESTIONS as NUMERICS
from derivations.questions.question import Question
from derivations.questions.regularisation import QUESTIONS as REGULARISATION
from derivations.questions.rows import QUESTIONS as ROWS
from derivations.questions.training import QUESTIONS as TRAINING

TOPICS = (ACTIVATIONS, LOSSES, BACKPROP, ROWS, REGULARISATION, TRAINING, CONVOLUTION, NUMERICS)
"""The bank's topics in the order of the course, one module each."""


def _bank() -> dict[str, Question]:
    bank: dict[str, Question] = {}
    for topic in TOPICS:
        for q in topic:
            if q.id in bank:
                raise ValueError(f"two questions share the id {q.id!r}")
            bank[q.id] = q
    return bank


QUESTIONS: dict[str, Question] = _bank()
"""Every question, keyed by id, topic by topic in the order of the course."""


def get_question(question_id: str) -> Question:
    """One question by id; the error lists the known ids."""
    if question_id not in QUESTIONS:
        raise KeyError(f"unknown question {question_id!r}; known: {', '.join(QUESTIONS)}")
    return QUESTIONS[question_id]
