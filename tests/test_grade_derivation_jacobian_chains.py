r"""Model solutions whose steps take Jacobians, differentiate the identity, run through a
network's inner quantities or start from a value asked for grade correct; one wrong step in each
is caught at that step, named.

- ∂exp(z)/∂z by a column z is the Jacobian diag(exp(z)) (softmax-jacobian), not the column exp'(z);
- ∂z/∂z is 1: a central difference of a function that returns its own input (ELU's first branch);
- the inputs z^{(1)}, z^{(2)} of reverse-vs-forward-mode move with x, so ∂y/∂x is not 0;
- a matrix written out with one entry against its pattern is read as written (seed 004);
- sigmoid'(0) names the largest slope of the sigmoid; W⁺ (w^{+}) names the proximal step's entry,
  and soft-thresholding is drawn on both sides of its kinks.
"""

from __future__ import annotations

import numpy as np
import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.examples import graded_examples
from checker.grading.judge import grade
from checker.network.central_difference import central_gradient


def _aligned(*lines: str) -> str:
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$"


def _step(graded: dict, n: int) -> dict:
    return next(s for s in graded["steps"] if s["n"] == n)


@pytest.mark.parametrize(
    "question_id",
    [
        "softmax-jacobian",
        "elu-derivative",
        "reverse-vs-forward-mode",
        "sigmoid-derivative-bound",
        "l1-proximal-step",
    ],
)
def test_the_catalogue_chain_handed_in_as_a_model_solution_grades_correct(question_id: str) -> None:
    graded = graded_examples(question_id)["model_graded"]
    assert graded["verdict"] == "correct", graded
    assert all(s["verdict"] == "follows" for s in graded["steps"])


def test_a_central_difference_of_the_identity_is_the_identity_matrix() -> None:
    # the evaluator hands back its input itself: the difference must not see it move afterwards
    np.testing.assert_allclose(central_gradient(lambda x: x, np.arange(3.0).reshape(3, 1)), np.eye(3))


# ------------------------------------------------------------------------------ softmax-jacobian

_QUOTIENT = (
    r"\frac{\partial p}{\partial z} &= \frac{\partial}{\partial z} \frac{\exp(z)}{\mathbf{1}^T \exp(z)}",
    r"&= \frac{1}{\mathbf{1}^T \exp(z)} \frac{\partial \exp(z)}{\partial z} "
    r"- \frac{\exp(z) \exp(z)^T}{(\mathbf{1}^T \exp(z))^2}",
)


def test_the_derivative_of_exp_by_a_column_is_a_diagonal_jacobian_in_a_students_quotient_rule() -> None:
    right = _aligned(
        *_QUOTIENT,
        r"&= \frac{\operatorname{diag}(\exp(z))}{\mathbf{1}^T \exp(z)} "
        r"- \frac{\exp(z) \exp(z)^T}{(\mathbf{1}^T \exp(z))^2}",
        r"&= \operatorname{diag}(p) - p p^T",
    )
    graded = grade_derivation("softmax-jacobian", right)
    assert graded["verdict"] == "correct", graded


def test_a_sign_flipped_in_one_term_of_the_quotient_rule_is_caught_at_its_step() -> None:
    wrong = _aligned(
        *_QUOTIENT,
        r"&= \frac{\operatorname{diag}(\exp(z))}{\mathbf{1}^T \exp(z)} "
        r"+ \frac{\exp(z) \exp(z)^T}{(\mathbf{1}^T \exp(z))^2}",
        r"&= \operatorname{diag}(p) + p p^T",
    )
    graded = grade_derivation("softmax-jacobian", wrong)
    assert (graded["verdict"], graded["first_wrong_step"]) == ("incorrect", 4)
    assert _step(graded, 4)["mistake"] == "sign-error"
    assert [s["verdict"] for s in graded["steps"][:3]] == ["follows"] * 3


def test_the_column_exp_z_where_the_jacobian_belongs_does_not_follow() -> None:
    wrong = _aligned(*_QUOTIENT, r"&= \frac{\exp(z)}{\mathbf{1}^T \exp(z)} - p p^T")
    graded = grade_derivation("softmax-jacobian", wrong)
    assert graded["first_wrong_step"] == 4
    assert _step(graded, 4)["verdict"] == "does-not-follow"


def test_a_diagonal_jacobian_of_sigma_beside_a_hadamard_product_is_still_read_as_its_diagonal() -> None:
    text = (
        r"$$\delta^{(L)} = \frac{\partial J}{\partial a^{(L)}} "
        r"\odot \frac{\partial \sigma(z^{(L)})}{\partial z^{(L)}}"
        r" = (a^{(L)} - y) \odot \sigma'(z^{(L)})$$"
    )
    assert grade_derivation("mse-output-delta", text)["verdict"] == "correct"


# ---------------------------------------------------------------------------- a matrix written out

_SEED_004_ROWS = (
    r"\begin{bmatrix} p_1(1-p_1) & -p_1 p_2 & -p_1 p_3 \\ -p_2 p_1 & p_2(1-p_2) & -p_2 p_3 \\ "
    r"-p_3 p_1 & {} p_3 p_2 & p_3 (1-p_3) \end{bmatrix}"
)


def _written_out(n: int, flipped: tuple[int, int]) -> str:
    """The softmax Jacobian written out for n outputs, the sign of one entry flipped."""
    rows = []
    for i in range(1, n + 1):
        cells = [f"p_{i}(1-p_{i})" if i == j else f"-p_{i} p_{j}" for j in range(1, n + 1)]
        r, c = flipped
        if i == r:
            cells[c - 1] = cells[c - 1].removeprefix("-")
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def test_a_single_answer_with_one_entry_against_the_pattern_is_still_refused_naming_it() -> None:
    # the judge's sizes need not reach row 3, so the entry could go unseen: it is not guessed at
    result = grade("softmax-jacobian", _SEED_004_ROWS.replace("{} ", ""))
    assert result.verdict == "invalid" and "⟨here⟩p_3 p_2" in result.feedback


def test_an_entry_at_a_place_no_size_tried_reaches_is_never_passed_unseen() -> None:
    text = _aligned(
        r"\frac{\partial p}{\partial z} &= \frac{\partial \operatorname{softmax}(z)}{\partial z}",
        "&= " + _written_out(7, (7, 1)),
    )
    graded = grade_derivation("softmax-jacobian", text)
    assert graded["verdict"] != "correct"
    assert _step(graded, 3)["verdict"] == "unreadable"
    assert "no size tried reaches place 7" in _step(graded, 3)["feedback"]


def test_a_matrix_with_one_sign_flipped_is_a_sign_error_of_that_entry_in_a_derivation() -> None:
    wrong = _aligned(
        r"\frac{\partial p}{\partial z} &= \frac{\partial \operatorname{softmax}(z)}{\partial z}",
        "&= " + _SEED_004_ROWS.replace("{} ", ""),
    )
    graded = grade_derivation("softmax-jacobian", wrong)
    assert (graded["first_wrong_step"], _step(graded, 3)["mistake"]) == (3, "sign-error")
    assert "entry (3, 2)" in _step(graded, 3)["feedback"]


def test_the_same_matrix_with_every_sign_right_follows() -> None:
    right = _aligned(
        r"\frac{\partial p}{\partial z} &= \frac{\partial \operatorname{softmax}(z)}{\partial z}",
        "&= " + _SEED_004_ROWS.replace("{} ", "-"),
    )
    assert grade_derivation("softmax-jacobian", right)["verdict"] == "correct"


# ---------------------------------------------------------------------------------------- ELU


def test_the_function_left_underived_in_one_branch_of_elu_is_caught_at_its_step() -> None:
    wrong = _aligned(
        r"\frac{\partial \operatorname{ELU}(z)}{\partial z} "
        r"&= \begin{cases} \frac{\partial z}{\partial z} & z > 0 "
        r"\\ \frac{\partial (\alpha (e^{z} - 1))}{\partial z} & z \le 0 \end{cases}",
        r"&= \begin{cases} 1 & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
    )
    graded = grade_derivation("elu-derivative", wrong)
    assert (graded["verdict"], graded["first_wrong_step"]) == ("incorrect", 3)
    assert _step(graded, 3)["mistake"] == "activation-instead-of-derivative"
    assert _step(graded, 2)["verdict"] == "follows"  # ∂z/∂z is 1, not 0


# -------------------------------------------------------------------------- reverse mode

_REVERSE = (
    r"\frac{\partial L}{\partial x} &= \left(\frac{\partial y}{\partial x}\right)^T g",
    r"&= \left(\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} "
    r"\operatorname{diag}(\sigma'(z^{(1)})) W^{(1)}\right)^T g",
)


def test_the_hidden_layers_derivative_left_out_of_the_backward_pass_is_caught_at_its_step() -> None:
    wrong = _aligned(*_REVERSE, r"&= (W^{(1)})^T (W^{(2)})^T (\sigma'(z^{(2)}) \odot g)")
    graded = grade_derivation("reverse-vs-forward-mode", wrong)
    assert [s["verdict"] for s in graded["steps"][:3]] == ["follows"] * 3  # ∂y/∂x moves with x
    assert graded["first_wrong_step"] == 4
    assert _step(graded, 4)["mistake"] == "missing-activation-derivative"


def test_the_jacobian_used_untransposed_in_the_vector_jacobian_product_is_a_missing_transpose() -> None:
    wrong = _aligned(
        r"\frac{\partial L}{\partial x} &= \frac{\partial y}{\partial x} g",
        r"&= (W^{(1)})^T (\sigma'(z^{(1)}) \odot (W^{(2)})^T (\sigma'(z^{(2)}) \odot g))",
    )
    graded = grade_derivation("reverse-vs-forward-mode", wrong)
    assert (graded["first_wrong_step"], _step(graded, 2)["mistake"]) == (2, "missing-transpose")


# ------------------------------------------------------------------- the largest sigmoid slope


def test_a_students_bound_from_the_slope_at_zero_grades_correct() -> None:
    text = (
        r"The slope is largest where $\operatorname{sigmoid}(z) = \frac{1}{2}$, at 0: "
        r"$$\operatorname{sigmoid}'(0) = \operatorname{sigmoid}(0)(1 - \operatorname{sigmoid}(0)) "
        r"= \frac{1}{2} \cdot \frac{1}{2} = \frac{1}{4}$$"
    )
    assert grade_derivation("sigmoid-derivative-bound", text)["verdict"] == "correct"


def test_the_sigmoid_at_zero_for_its_slope_is_caught_as_off_by_a_factor() -> None:
    text = r"$$\operatorname{sigmoid}'(0) = \operatorname{sigmoid}(0) = \frac{1}{2}$$"
    graded = grade_derivation("sigmoid-derivative-bound", text)
    assert (graded["first_wrong_step"], _step(graded, 2)["mistake"]) == (2, "wrong-scale")


def test_starting_from_the_number_asked_for_is_still_a_wrong_start() -> None:
    text = r"$$\frac{1}{4} = \frac{1}{2} \cdot \frac{1}{2} = \frac{1}{4}$$"
    graded = grade_derivation("sigmoid-derivative-bound", text)
    assert (graded["first_wrong_step"], _step(graded, 1)["mistake"]) == (1, "wrong-start")


# ------------------------------------------------------------------------ soft-thresholding

_CASES = r"\begin{cases} u - t & u > t \\ u + t & u < -t \\ 0 & \text{otherwise} \end{cases}"


@pytest.mark.parametrize("name", ["w^{+}", "W^+_{ij}", "W^{+}"])
def test_the_proximal_step_from_its_name_in_the_prompt_grades_correct(name: str) -> None:
    text = f"$${name} = {_CASES} = \\operatorname{{sign}}(u) \\max(|u| - t, 0)$$"
    assert grade_derivation("l1-proximal-step", text)["verdict"] == "correct"


def test_a_sign_lost_below_minus_t_is_caught_though_it_is_right_elsewhere() -> None:
    text = f"$$w^{{+}} = {_CASES} = \\max(u - t, 0) + \\max(-u - t, 0)$$"
    graded = grade_derivation("l1-proximal-step", text)
    assert (graded["first_wrong_step"], _step(graded, 3)["mistake"]) == (3, "sign-error")


def test_everything_set_to_zero_is_caught_because_u_is_drawn_beyond_t() -> None:
    graded = grade_derivation("l1-proximal-step", "$$w^{+} = 0 \\cdot u = 0$$")
    assert graded["verdict"] == "incorrect" and graded["first_wrong_step"] == 2


def test_the_cases_without_saying_what_they_are_is_a_wrong_start() -> None:
    text = f"$${_CASES} = \\max(u - t, 0) - \\max(-u - t, 0)$$"
    graded = grade_derivation("l1-proximal-step", text)
    assert (graded["first_wrong_step"], _step(graded, 1)["mistake"]) == (1, "wrong-start")


def test_the_point_a_sentence_speaks_of_is_not_a_definition_that_fails() -> None:
    text = (
        r"The slope $\operatorname{sigmoid}'(z) = \operatorname{sigmoid}(z)(1 - \operatorname{sigmoid}(z))$ "
        r"is largest at $z = 0$: $$\operatorname{sigmoid}'(0) = \frac{1}{2} \cdot \frac{1}{2} = \frac{1}{4}$$"
    )
    graded = grade_derivation("sigmoid-derivative-bound", text)
    assert graded["verdict"] == "correct"
    assert all(s["verdict"] == "follows" for s in graded["steps"])  # z = 0 is neither checked nor reported
    assert not any(s["latex"].startswith("z =") for s in graded["steps"])
