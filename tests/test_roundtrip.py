"""What the site shows is what the grader accepts: the LaTeX of each linked catalogue result,
fed back to the grader for its question, is graded correct."""

from __future__ import annotations

import pytest

from checker.grading.judge import grade
from derivations.expr import to_latex
from derivations.questions import QUESTIONS


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_reference_latex_is_graded_correct(qid):
    latex = to_latex(QUESTIONS[qid].reference)
    result = grade(qid, latex, "latex")
    assert result.verdict == "correct", f"{latex!r}: {result.feedback}"


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_accepted_answers_are_graded_correct(qid):
    for answer in QUESTIONS[qid].accepted:
        result = grade(qid, answer)
        assert result.verdict == "correct", f"{answer!r}: {result.feedback} (read as {result.interpreted!r})"
