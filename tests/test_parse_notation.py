"""What a real class writes (QUESTIONS.md §5), beyond the labelled corpus: the notes a guess
leaves in the feedback, ``--strict-notation``, and messages that name symbols as written."""

from __future__ import annotations

import json

import pytest

from checker.commands.main import main
from checker.grading.judge import grade
from checker.grading.readers import AnswerError, parse_answer, vocabulary_from_spellings
from derivations import notation as n

SAME_SHAPE_PRODUCT = r"(a^{(L)} - y) \cdot \sigma'(z^{(L)})"


def test_a_product_of_two_same_shape_vectors_is_read_as_elementwise_with_a_note() -> None:
    result = grade("mse-output-delta", SAME_SHAPE_PRODUCT)
    assert (result.verdict, result.mistake) == ("correct", None)
    assert "elementwise" in result.feedback and r"\odot" in result.interpreted


def test_strict_notation_grades_it_as_the_matrix_product_written() -> None:
    result = grade("mse-output-delta", SAME_SHAPE_PRODUCT, strict_notation=True)
    assert (result.verdict, result.mistake) == ("incorrect", "hadamard-vs-matmul")
    assert "read as elementwise" not in result.feedback


def test_a_square_product_stays_a_matrix_product() -> None:
    # W W^T fits as a matrix product: no guess is made, whatever the shapes
    vocab = vocabulary_from_spellings([(n.W_l, ["W"])])
    parsed = parse_answer("W W^T", "latex", vocab)
    assert parsed.notes == () and r"\odot" not in parsed.interpreted


def test_the_cli_takes_strict_notation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "mse-output-delta", SAME_SHAPE_PRODUCT, "--strict-notation", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mistake"] == "hadamard-vs-matmul"


def test_a_dropped_layer_index_is_read_as_the_only_one_and_said() -> None:
    result = grade("hidden-delta", r"W^T\delta \odot \sigma'(z)")
    assert result.verdict == "correct"
    assert "`W` without a layer was read as $W^{(l+1)}$" in result.feedback


def test_an_ambiguous_dropped_index_asks_for_the_layer() -> None:
    result = grade("hidden-delta", r"W^T\delta \odot \sigma'(a)")
    assert result.verdict == "invalid"
    assert "$a^{(l)}$, $a^{(l-1)}$" in result.feedback and "write its layer" in result.feedback


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (r"\frac{1}{q} W", "`q`"),
        (r"\mathbf{v} + W", r"`\mathbf{v}`"),
        (r"\boldsymbol{\nu}^{(l)} W", r"`\boldsymbol{\nu}^{(l)}`"),
    ],
)
def test_unknown_symbols_are_named_as_written(answer: str, shown: str) -> None:
    vocab = vocabulary_from_spellings([(n.W_l, ["W"])])
    with pytest.raises(AnswerError) as err:
        parse_answer(answer, "latex", vocab)
    assert shown in err.value.message and "`{" not in err.value.message


def test_feedback_never_capitalises_a_greek_letter() -> None:
    for answer in (r"\sigma(z)", r"\sigma(z)^2", r"\delta", r"\sigma'(a)"):
        for qid in ("sigmoid-derivative", "hidden-delta", "bias-gradient"):
            feedback = grade(qid, answer).feedback
            assert "Σ" not in feedback and "Δ" not in feedback, (qid, answer, feedback)


UFLDL_ANSWER = r"((W^{(l)})^T \delta^{(l+1)}) \odot f'(z^{(l)})"


def test_the_ufldl_convention_is_read_where_it_is_the_only_fitting_one() -> None:
    result = grade("hidden-delta", UFLDL_ANSWER)
    assert result.verdict == "correct" and "UFLDL" in result.feedback
    assert "W^{(l+1)}" in result.interpreted


def test_strict_notation_reads_the_courses_convention_only() -> None:
    result = grade("hidden-delta", UFLDL_ANSWER, strict_notation=True)
    assert (result.verdict, result.mistake) == ("incorrect", "wrong-layer")


def test_with_sigma_the_same_answer_is_the_wrong_layer_mistake() -> None:
    result = grade("hidden-delta", UFLDL_ANSWER.replace("f'", r"\sigma'"))
    assert (result.verdict, result.mistake) == ("incorrect", "wrong-layer")


def test_a_fitting_answer_is_never_renamed() -> None:
    # W^{(l)} in an answer that fits as written is the course's W^{(l)}
    result = grade("weight-gradient", r"\delta^{(l)} (a^{(l-1)})^T + 0 f(W^{(l)} a^{(l-1)}) (a^{(l-1)})^T")
    assert "UFLDL" not in result.feedback


def test_a_matrix_written_out_is_read_by_the_pattern_of_its_entries() -> None:
    answer = r"\begin{bmatrix} p_1(1-p_1) & -p_1p_2 \\ -p_2p_1 & p_2(1-p_2)\end{bmatrix}"
    result = grade("softmax-jacobian", answer)
    assert result.verdict == "correct" and "pattern of its entries" in result.feedback
    assert r"\delta_{ij}" in result.interpreted


def test_entries_without_one_pattern_are_refused_naming_the_entry() -> None:
    answer = r"\begin{bmatrix} p_1(1-p_1) & -p_1p_2 \\ -p_2p_1 & p_1(1-p_2)\end{bmatrix}"
    result = grade("softmax-jacobian", answer)
    assert result.verdict == "invalid" and "entry (2, 2) of the matrix" in result.feedback


def test_a_note_names_the_symbol_as_the_student_wrote_it() -> None:
    text = grade("hidden-delta", "W^T delta * sigma'(z)", "text").feedback
    assert "`delta` without a layer" in text and r"`\delta`" not in text


def test_t_on_a_scalar_is_a_power_and_on_a_matrix_a_transpose() -> None:
    # β₁ᵗ: a scalar has no transpose, so ^t is the step count t as an exponent (Adam's 1 − β₁ᵗ)
    vocab = vocabulary_from_spellings([(n.beta1, [r"\beta_1"]), (n.t, ["t"]), (n.W_l, ["W"])])
    for written in (r"\beta_1^t", r"\beta_1^{t}", "β₁ᵗ"):
        assert parse_answer(written, "latex", vocab).expr == n.beta1**n.t, written
    assert parse_answer(r"\beta_1^{t-1}", "latex", vocab).expr != n.beta1**n.t
    # on a matrix the notation's transposes stay transposes, and ^t is the transpose some write
    for written in ("W^T", r"W^\top", r"W^\intercal", r"W^{\mathsf{T}}", "Wᵀ", "W^t"):
        assert parse_answer(written, "latex", vocab).expr == n.W_l.T, written


def test_t_on_a_scalar_without_a_step_count_is_refused_not_dropped() -> None:
    vocab = vocabulary_from_spellings([(n.beta1, [r"\beta_1"])])
    with pytest.raises(AnswerError, match="unknown"):
        parse_answer(r"1 - \beta_1^t", "latex", vocab)
