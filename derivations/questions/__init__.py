"""The question bank: what the grader asks, in the notation of ``derivations.notation``.

A question names the catalogue derivation (and its chain) whose checked result is its reference
answer, so the reference is never typed twice; lists the symbols a student may use with their
accepted spellings; and declares what an answer may rely on: definitions (a^{(l)} := σ(z^{(l)}),
so a ⊙ (1 − a) is understood and judged as sigmoid-only), named quantities (∂J/∂W), the quantity
asked for (so that restating it earns nothing), index notation, and whether σ is the sigmoid or a
generic activation. The grader (``checker.grading``) reads this data; ids, spellings and code
names follow the contract in QUESTIONS.md.

``question`` holds the :class:`Question` type, ``spellings`` the symbols several topics share, one
module per topic the questions themselves, and ``lookup`` the whole bank and :func:`get_question`.
"""

from __future__ import annotations

from derivations.questions.lookup import QUESTIONS, get_question
from derivations.questions.question import LOSS_LETTERS, Question, Spelled

__all__ = ["LOSS_LETTERS", "QUESTIONS", "Question", "Spelled", "get_question"]
