"""The catalogue's own chains, handed in as model solutions, grade correct; a wrong step in them
is still caught at that step."""

from __future__ import annotations

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.examples import graded_examples


def _aligned(*lines: str) -> str:
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$"


@pytest.mark.parametrize("question_id", ["batch-bias-gradient", "batch-weight-gradient"])
def test_a_batch_gradient_through_the_sum_of_per_example_losses_grades_correct(question_id: str) -> None:
    assert graded_examples(question_id)["model_graded"]["verdict"] == "correct"


def test_the_sum_of_per_example_losses_is_m_times_their_mean_so_a_lost_one_over_m_is_caught() -> None:
    wrong = _aligned(
        r"\frac{\partial J}{\partial b^{(l)}} &= \frac{\partial \sum_i L_i}{\partial b^{(l)}}",
        r"&= \frac{1}{m} \Delta^{(l)} \mathbf{1}_{m}",
    )
    graded = grade_derivation("batch-bias-gradient", wrong)
    assert graded["verdict"] != "correct"
    assert graded["first_wrong_step"] == 2
    assert graded["steps"][1]["mistake"] == "wrong-scale"
