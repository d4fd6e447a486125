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


def test_the_relu_chain_through_the_derivative_of_a_cases_block_grades_correct() -> None:
    assert graded_examples("relu-derivative")["model_graded"]["verdict"] == "correct"


def test_a_wrong_branch_after_differentiating_a_cases_block_is_caught_at_its_step() -> None:
    wrong = _aligned(
        r"\frac{\partial \operatorname{ReLU}(z)}{\partial z} &= \frac{\partial \max(0, z)}{\partial z}",
        r"&= \frac{\partial \begin{cases} z & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}}"
        r"{\partial z}",
        r"&= \begin{cases} 1 & \text{if } z > 0 \\ 1 & \text{otherwise} \end{cases}",
    )
    graded = grade_derivation("relu-derivative", wrong)
    assert [s["verdict"] for s in graded["steps"]][:3] == ["follows"] * 3
    assert graded["first_wrong_step"] == 4
    assert graded["verdict"] != "correct"


def test_the_leaky_relu_chain_from_the_derivative_of_its_named_function_grades_correct() -> None:
    assert graded_examples("leaky-relu-derivative")["model_graded"]["verdict"] == "correct"


def test_a_wrong_slope_after_the_named_leaky_relu_is_caught_at_its_step() -> None:
    wrong = _aligned(
        r"\frac{\partial \operatorname{LeakyReLU}(z)}{\partial z} "
        r"&= \frac{\partial \max(0.1 z, z)}{\partial z}",
        r"&= \begin{cases} 1 & \text{if } z > 0 \\ 0.01 & \text{otherwise} \end{cases}",
    )
    graded = grade_derivation("leaky-relu-derivative", wrong)
    assert [s["verdict"] for s in graded["steps"]][:2] == ["follows"] * 2
    assert graded["first_wrong_step"] == 3
