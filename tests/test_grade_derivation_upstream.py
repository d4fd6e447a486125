"""Derivations through a gradient handed down from the layer above (g = ∂L/∂y, δ^{(l+2)}, δ_y):
the loss is known by its names and every step is evaluated, the intermediate quantities (x̂, σ̃,
the mask, z^{(l+1)}) are computed from their definitions, and a convolution's sizes fit together."""

from __future__ import annotations

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.examples import graded_examples
from checker.grading.derivation.model import model_of
from checker.grading.derivation.values import instances
from checker.grading.judge import grade
from derivations.expr import symbols_of
from derivations.questions import QUESTIONS as QUESTIONS_ALL
from derivations.questions import get_question

QUESTIONS = (
    "dropout-backward",
    "batchnorm-backward",
    "vanishing-gradient-bound",
    "conv2d-backward",
    "conv2d-bias-gradient",
)


def _aligned(*lines: str) -> str:
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$"


def _caught(question: str, text: str) -> tuple[int | None, str | None]:
    graded = grade_derivation(question, text)
    assert graded["verdict"] == "incorrect", graded
    first = graded["first_wrong_step"]
    step = next(s for s in graded["steps"] if s["n"] == first)
    assert step["verdict"] == "does-not-follow"
    return first, step["mistake"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_catalogue_chain_handed_in_as_a_model_solution_grades_correct(question: str) -> None:
    graded = graded_examples(question)["model_graded"]
    assert graded["verdict"] == "correct", graded
    assert all(s["verdict"] == "follows" for s in graded["steps"])


@pytest.mark.parametrize(
    ("question", "wrong", "tag"),
    [
        (
            "dropout-backward",
            _aligned(
                r"\frac{\partial L}{\partial x} &= \left(\frac{\partial y}{\partial x}\right)^T "
                r"\frac{\partial L}{\partial y}",
                r"&= \operatorname{diag}(r)\, g",
                r"&= g \odot r",
            ),
            "wrong-scale",
        ),
        (
            "batchnorm-backward",
            _aligned(
                r"\frac{\partial L}{\partial x} &= "
                r"\left(\frac{\partial \hat{x}}{\partial x}\right)^T \gamma g",
                r"&= \frac{1}{\tilde{\sigma}}\left(\operatorname{diag}(\mathbf{1}_m) "
                r"- \frac{1}{m}\mathbf{1}_m \mathbf{1}_m^T\right) \gamma g",
                r"&= \frac{\gamma}{m\tilde{\sigma}}(m g - \mathbf{1}_m\mathbf{1}_m^T g)",
            ),
            "missing-term",
        ),
        (
            "vanishing-gradient-bound",
            _aligned(
                r"\frac{\partial L}{\partial z^{(l)}} &= \operatorname{diag}(\sigma'(z^{(l)})) (W^{(l+1)})^T "
                r"\frac{\partial L}{\partial z^{(l+1)}}",
                r"&= \operatorname{diag}(\sigma'(z^{(l)})) (W^{(l+1)})^T "
                r"\operatorname{diag}(\sigma'(z^{(l+1)})) W^{(l+2)} \delta^{(l+2)}",
            ),
            "missing-transpose",
        ),
        (
            "conv2d-backward",
            r"$\frac{\partial L}{\partial \mathbf{k}} = \frac{\partial (\delta_y^T y)}{\partial \mathbf{k}}"
            r" = \delta_y^T X_{col}$",
            "transposed",
        ),
        (
            "conv2d-bias-gradient",
            r"$\frac{\partial L}{\partial b} = \mathbf{1}^T \frac{\partial L}{\partial Y} \mathbf{1}"
            r" = -\mathbf{1}^T \delta \mathbf{1}$",
            "sign-error",
        ),
    ],
)
def test_one_wrong_step_is_caught_at_that_step_with_its_tag(question: str, wrong: str, tag: str) -> None:
    assert _caught(question, wrong) == (3, tag)


def test_a_derivative_of_the_loss_is_evaluated_not_trusted() -> None:
    # (∂y/∂r)ᵀ g differentiates by the mask, not by x: a different vector, so the step is wrong
    wrong = _aligned(
        r"\frac{\partial L}{\partial x} &= \left(\frac{\partial y}{\partial r}\right)^T g",
        r"&= \frac{g \odot r}{1 - p}",
    )
    first, _ = _caught("dropout-backward", wrong)
    assert first == 2


def test_the_normalised_input_moves_with_x_so_treating_the_batch_statistics_as_constants_is_caught() -> None:
    wrong = _aligned(
        r"\frac{\partial L}{\partial x} &= \left(\frac{\partial \hat{x}}{\partial x}\right)^T \gamma g",
        r"&= \frac{\gamma}{\tilde{\sigma}} g",
    )
    first, _ = _caught("batchnorm-backward", wrong)
    assert first == 3  # both terms from the batch statistics are lost


def test_the_gradient_between_the_given_one_and_the_asked_one_is_computed_from_the_loss() -> None:
    # δ^{(l+1)} is not sampled apart: it is ∂L/∂z^{(l+1)}, so hidden-delta's step through it follows
    through = r"\left(W^{(l+1)T} \delta^{(l+1)}\right) \odot \sigma'(z^{(l)})"
    inner = r"\left(W^{(l+2)T} \delta^{(l+2)}\right) \odot \sigma'(z^{(l+1)})"
    answer = rf"\left(W^{{(l+1)T}} \left({inner}\right)\right) \odot \sigma'(z^{{(l)}})"
    graded = grade_derivation("vanishing-gradient-bound", rf"$$\delta^{{(l)}} = {through} = {answer}$$")
    assert graded["verdict"] == "correct", graded
    # ... but an answer that stops there is still in terms of δ^{(l+1)}: not worked out
    stopped = rf"$$\delta^{{(l)}} = {through}$$"
    assert _caught("vanishing-gradient-bound", stopped) == (2, "restates-question")
    stopped = grade_derivation("vanishing-gradient-bound", stopped)
    assert r"\delta^{(l+1)}" in stopped["steps"][1]["feedback"]


def test_a_convolution_is_drawn_at_sizes_that_fit_together() -> None:
    inst = instances("conv2d-bias-gradient")
    for draw in inst.draws:
        s = draw.sizes
        assert (s["o_h"], s["o_w"]) == (s["h"] - s["k_h"] + 1, s["w"] - s["k_w"] + 1)


def test_a_double_sum_under_one_sign_reads_as_two_sums() -> None:
    assert grade("conv2d-bias-gradient", r"\sum_{i,j} \delta_{ij}").verdict == "correct"
    assert grade("conv2d-bias-gradient", r"\sum_{i,i} \delta_{ii}").verdict == "invalid"


def test_a_derivative_of_a_formula_with_a_command_before_a_letter_reads() -> None:
    text = (
        r"$\frac{\partial L}{\partial b} = "
        r"\frac{\partial (\mathbf{1}^T (\delta \odot Y) \mathbf{1})}{\partial b} "
        r"= \mathbf{1}^T \delta \mathbf{1}$"
    )
    graded = grade_derivation("conv2d-bias-gradient", text)
    assert [s["verdict"] for s in graded["steps"]] == ["follows"] * 3, graded


# ---- one source: the grader's network is the question's and its derivation's, not a copy


@pytest.mark.parametrize("question", list(QUESTIONS_ALL))
def test_the_grader_uses_the_question_definitions_as_they_are(question: str) -> None:
    q = get_question(question)
    model = model_of(question)
    for sym, definition in q.definitions:
        assert model.definitions[sym] == definition, (question, sym.key)


def test_a_layer_question_sees_the_loss_through_the_gradient_its_named_derivatives_hand_down() -> None:
    # ∂L/∂z^{(l+1)} names δ^{(l+1)} in the question: the loss is ⟨δ^{(l+1)}, z^{(l+1)}⟩ beyond layer l+1
    model = model_of("weight-gradient")
    loss = next(iter(set(model.losses.values())))
    used = {s.key for s in symbols_of(model.definitions[loss])}
    assert used == {"delta_next", "z_next"}
    assert {"delta_l", "delta_next"} <= model.gradients


def test_a_derivative_taken_at_the_next_layer_where_the_shapes_do_not_fit_is_named() -> None:
    text = (
        r"$$\delta^{(l)} = \frac{\partial L}{\partial z^{(l)}} = "
        r"\left((W^{(l+1)})^T \delta^{(l+1)}\right) \odot \sigma'(z^{(l+1)})$$"
    )
    assert _caught("hidden-delta", text) == (3, "derivative-wrong-argument")
    right = text.replace("z^{(l+1)})$$", "z^{(l)})$$")
    assert grade_derivation("hidden-delta", right)["verdict"] == "correct"
