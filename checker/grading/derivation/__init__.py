r"""Grading a whole derivation step by step (QUESTIONS.md §6).

Homework is cut into relations (:mod:`.segment`), sorted into the chain's steps, definitions
and lemmas, each side read by the answer readers with a vocabulary that knows every quantity of
the question's network and every ∂-fraction of them (:mod:`.names`, :mod:`.model`); steps are
evaluated on random instances of the network, derivatives by central differences
(:mod:`.values`); the first step that does not follow is found and its mistake named relative to
the step before (:mod:`.mistake`, :mod:`.grade`).

    is_derivation(text) -> bool
    grade_derivation(question_id, text, fmt="auto", strict_notation=False) -> dict  # the §6 JSON
"""

from checker.grading.derivation.grade import grade_derivation, is_derivation

__all__ = ["grade_derivation", "is_derivation"]
