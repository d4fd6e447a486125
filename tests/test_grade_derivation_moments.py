r"""Expectations and variances in derivations: the initialisation questions (Xavier, He).

Every spelling of E[·] and Var(·) a student or the site's own renderer writes reads as the
question's name of that moment; E[u²] = Var(u) + E[u]² reads a second moment the question does
not name. The catalogue's chains grade correct as model solutions, and a wrong step in them is
caught at that step with its mistake.
"""

from __future__ import annotations

import dataclasses

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.examples import graded_examples
from checker.grading.derivation.names import derivation_vocabulary
from checker.grading.judge import vocabulary_for
from checker.grading.readers import AnswerError, parse_answer
from derivations import get
from derivations.expr import Add, Mul, Pow, num
from derivations.questions import get_question


def _symbol(derivation: str, key: str):  # noqa: ANN202 - a Sym
    return next(s for s in get(derivation).symbols if s.key == key)


def _read(question: str, text: str, fmt: str = "auto"):  # noqa: ANN202 - an Expr
    return parse_answer(text, fmt, derivation_vocabulary(question)).expr


def _caught(question: str, text: str) -> tuple[str, int | None, str | None]:
    """(verdict, first wrong step, its mistake) of a derivation."""
    graded = grade_derivation(question, text)
    first = graded["first_wrong_step"]
    tag = next((s["mistake"] for s in graded["steps"] if s["n"] == first), None)
    return graded["verdict"], first, tag


@pytest.mark.parametrize("question_id", ["xavier-init-variance", "he-init-variance"])
def test_the_catalogue_chain_handed_in_as_a_model_solution_grades_correct(question_id: str) -> None:
    graded = graded_examples(question_id)["model_graded"]
    assert graded["verdict"] == "correct", graded
    assert all(s["verdict"] == "follows" for s in graded["steps"])


@pytest.mark.parametrize(
    "text",
    [r"\operatorname{E}[w]", r"\mathbb{E}[w]", "E[w]", r"\mathbb{E}\left[w\right]", r"\mathrm{E}(w)", "𝔼[w]"],
)
def test_every_spelling_of_an_expectation_reads_as_the_question_s_name(text: str) -> None:
    assert _read("xavier-init-variance", text) == _symbol("xavier-init-variance", "mean_w")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (r"\operatorname{Var}(w)", "latex"),
        (r"\mathrm{Var}[w]", "latex"),
        (r"\text{Var}(w)", "latex"),
        (r"\mathbb{V}[w]", "latex"),
        ("Var(w)", "text"),
        ("V_w", "text"),
    ],
)
def test_every_spelling_of_a_variance_reads_as_the_question_s_name(text: str, fmt: str) -> None:
    assert _read("xavier-init-variance", text, fmt) == _symbol("xavier-init-variance", "var_w")


def test_a_second_moment_the_question_does_not_name_is_read_from_the_variance_and_the_mean() -> None:
    mean_w, var_w = (_symbol("xavier-init-variance", k) for k in ("mean_w", "var_w"))
    assert _read("xavier-init-variance", r"\mathbb{E}[w^2]") == Add((var_w, Pow(mean_w, num(2))))
    assert _read("xavier-init-variance", r"\mathbb{E}[w]^2") == Pow(mean_w, num(2))  # the mean, squared


def test_a_moment_that_cannot_be_read_is_refused_naming_the_moments_the_question_has() -> None:
    with pytest.raises(AnswerError, match=r"unknown moment .*E\]\[w\]|moments this question names"):
        _read("xavier-init-variance", r"\mathbb{E}[w^3]", "latex")


def test_a_lost_fan_in_in_the_middle_of_the_xavier_chain_is_caught_at_that_step() -> None:
    wrong = (
        r"$$\begin{aligned} \operatorname{Var}(z) &= n\left(\mathbb{E}[w^2]\mathbb{E}[a^2] - "
        r"\mathbb{E}[w]^2\mathbb{E}[a]^2\right) \\ &= \mathbb{E}[w^2]\mathbb{E}[a^2] \\ "
        r"&= \operatorname{Var}(w)\operatorname{Var}(a) \end{aligned}$$"
    )
    verdict, first, tag = _caught("xavier-init-variance", wrong)
    assert (verdict, first, tag) == ("incorrect", 3, "wrong-scale")


def test_a_fan_in_squared_is_a_wrong_scale_by_that_quantity_not_an_unnamed_mistake() -> None:
    wrong = "V_z = n (E[w²] E[a²] − E[w]² E[a]²) = n² V_w V_a"
    graded = grade_derivation("xavier-init-variance", wrong)
    assert graded["first_wrong_step"] == 3
    assert graded["steps"][2]["mistake"] == "wrong-scale"
    assert "$n$ times the step before" in graded["steps"][2]["feedback"]


def test_relu_s_lost_half_in_the_he_chain_is_caught_at_its_step() -> None:
    wrong = (
        r"$$\begin{aligned} V_l &= n \operatorname{Var}(w)\, \mathbb{E}[a^2] \\ "
        r"&= n \operatorname{Var}(w) \operatorname{Var}(z^{(l-1)}) \end{aligned}$$"
    )
    assert _caught("he-init-variance", wrong) == ("incorrect", 3, "wrong-scale")


def test_a_flipped_sign_in_the_he_chain_is_caught_at_its_step() -> None:
    wrong = (
        r"$$V_l = n \left(\left(V_w + \mathbb{E}[w]^2\right) \mathbb{E}[a^2] - \mathbb{E}[w]^2 "
        r"\mathbb{E}[a]^2\right) = -n V_w \mathbb{E}[a^2] = -\frac{1}{2} n V_w V_{l-1}$$"
    )
    assert _caught("he-init-variance", wrong) == ("incorrect", 3, "sign-error")


def test_a_moment_of_one_indexed_term_is_the_moment_of_the_question_s_variable_with_a_note() -> None:
    graded = grade_derivation(
        "xavier-init-variance",
        r"$$\operatorname{Var}(z) = n\,\mathbb{E}[w_j^2]\,\mathbb{E}[a_j^2] "
        r"= n \operatorname{Var}(w)\operatorname{Var}(a)$$",
    )
    assert graded["verdict"] == "correct", graded
    assert "identically distributed" in graded["steps"][1]["feedback"]


def test_a_vulgar_fraction_in_a_unicode_line_reads_and_a_wrong_one_is_caught() -> None:
    right = "Var(z^(l)) = n Var(w) E[a²] = n Var(w) · ½ Var(z^(l-1))"
    assert grade_derivation("he-init-variance", right)["verdict"] == "correct"
    assert _caught("he-init-variance", right.replace("½", "¼")) == ("incorrect", 3, "wrong-scale")


def test_a_moment_of_a_product_factors_only_for_quantities_the_question_declares_independent() -> None:
    mean_w, mean_a = (_symbol("xavier-init-variance", k) for k in ("mean_w", "mean_a"))
    assert _read("xavier-init-variance", r"\mathbb{E}[w_j a_j]") == Mul(mean_w, mean_a)
    graded = grade_derivation("xavier-init-variance", "Var(z) = n Var(w a) = n Var(w) Var(a)")
    assert graded["verdict"] == "correct", graded
    q = get_question("xavier-init-variance")
    undeclared = vocabulary_for(dataclasses.replace(q, independent=()))
    with pytest.raises(AnswerError, match="unknown moment"):
        parse_answer(r"\mathbb{E}[w a]", "latex", undeclared)
