"""Norms, absolute values and derivatives of formulas in derivations: the regularised updates
(λ‖W‖₁, (λ/2)‖W‖²_F) and the row-convention loss written as a matrix formula.

The catalogue's own chains grade correct when handed in as model solutions, students' spellings
of the same steps read, and a wrong step in them is caught at that step with its mistake.
"""

from __future__ import annotations

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.examples import graded_examples
from checker.grading.derivation.names import derivation_vocabulary
from checker.grading.readers import AnswerError, parse_answer
from derivations import notation as n
from derivations.expr import Fn, Mul, Norm


def _aligned(*lines: str) -> str:
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$"


def _caught(question: str, text: str) -> tuple[str, int | None, str | None]:
    """(verdict, first wrong step, its mistake) of a derivation."""
    graded = grade_derivation(question, text)
    first = graded["first_wrong_step"]
    tag = next((s["mistake"] for s in graded["steps"] if s["n"] == first), None)
    return graded["verdict"], first, tag


def _read(question: str, text: str, fmt: str = "auto"):  # noqa: ANN202 - an Expr
    return parse_answer(text, fmt, derivation_vocabulary(question)).expr


@pytest.mark.parametrize("question_id", ["l1-update", "l2-update", "row-output-delta"])
def test_the_catalogue_chain_handed_in_as_a_model_solution_grades_correct(question_id: str) -> None:
    graded = graded_examples(question_id)["model_graded"]
    assert graded["verdict"] == "correct", graded
    assert all(s["verdict"] == "follows" for s in graded["steps"])


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (r"\lambda \left\lVert W^{(l)} \right\rVert_1", "latex"),
        (r"\lambda \|W\|_1", "latex"),
        (r"\lambda \left\| W \right\|_1", "latex"),
        ("λ‖W‖₁", "text"),
        ("lambda ||W||_1", "text"),
    ],
)
def test_every_spelling_of_the_l1_penalty_reads_as_the_entrywise_norm(text: str, fmt: str) -> None:
    assert _read("l1-update", text, fmt) == Mul(n.lam, Norm(n.W_l, "l1"))


@pytest.mark.parametrize(
    "text", [r"\|W\|_F^2", r"\|W\|_2^2", r"\|W\|^2", r"\left\lVert W \right\rVert_F^{2}", "‖W‖²"]
)
def test_a_squared_euclidean_or_frobenius_norm_reads_as_the_sum_of_squares(text: str) -> None:
    assert _read("l2-update", text) == Norm(n.W_l, "fro2")


def test_an_unsquared_norm_is_the_square_root_and_bars_pair_as_written() -> None:
    assert _read("l2-update", r"\|W\|_F") == Fn("sqrt", Norm(n.W_l, "fro2"))
    nested = _read("l2-update", r"\| W - \|W\|_F W \|_F^2")  # the inner pair closes first
    assert isinstance(nested, Norm) and nested.kind == "fro2"
    assert _read("l1-update", "|W|") == Fn("abs", n.W_l)


def test_a_norm_the_reader_does_not_know_is_refused_with_the_ones_it_reads() -> None:
    with pytest.raises(AnswerError, match=r"read as .*_1.*_2.*_F"):
        _read("l2-update", r"\|W\|_3", "latex")


def test_a_derivative_of_a_formula_with_a_command_before_a_letter_reads() -> None:
    # the canonical key must keep `\odot Z_2` apart, or the formula under ∂ cannot be read again
    text = r"\frac{\partial \left(-\mathbf{1}_m^T \left(Y \odot Z_2\right) \mathbf{1}_c\right)}{\partial Z_2}"
    graded = grade_derivation("row-output-delta", rf"$$\frac{{\partial L}}{{\partial Z_2}} = {text}$$")
    assert graded["steps"][1]["verdict"] != "unreadable", graded


def test_a_wrong_regulariser_after_the_derivative_of_the_l1_norm_is_caught_at_its_step() -> None:
    wrong = _aligned(
        r"W^{(l)} - \eta \frac{\partial J_\lambda}{\partial W^{(l)}} &= W^{(l)} - \eta \left("
        r"\frac{\partial J}{\partial W^{(l)}} + \lambda \frac{\partial \|W^{(l)}\|_1}"
        r"{\partial W^{(l)}}\right)",
        r"&= W^{(l)} - \eta \left(G + \lambda W^{(l)}\right)",
    )
    assert _caught("l1-update", wrong) == ("incorrect", 3, "wrong-regularizer")


def test_a_penalty_that_lost_its_half_under_the_derivative_is_caught_at_that_step() -> None:
    wrong = _aligned(
        r"W^{(l)} - \eta \frac{\partial J_\lambda}{\partial W^{(l)}} &= W^{(l)} - \eta \left("
        r"\frac{\partial J}{\partial W^{(l)}} + \frac{\partial \left(\lambda \|W^{(l)}\|_F^2\right)}"
        r"{\partial W^{(l)}}\right)",
        r"&= W^{(l)} - \eta \left(G + 2 \lambda W^{(l)}\right)",
    )
    assert _caught("l2-update", wrong) == ("incorrect", 2, "wrong-scale")


def test_a_sign_flipped_after_differentiating_the_row_loss_is_caught_at_its_step() -> None:
    wrong = _aligned(
        r"\frac{\partial L}{\partial Z_2} &= \frac{\partial}{\partial Z_2}"
        r"\left(-\mathbf{1}_m^T (Y \odot \log P) \mathbf{1}_c\right)",
        r"&= Y - \operatorname{diag}(Y \mathbf{1}_c) P",
        r"&= Y - P",
    )
    assert _caught("row-output-delta", wrong) == ("incorrect", 3, "sign-error")
