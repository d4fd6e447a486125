"""grade_derivation: each step checked against the one before; the first wrong one named (§6)."""

from __future__ import annotations

import json

import pytest

from checker.commands.main import main
from checker.grading.derivation import grade_derivation, is_derivation

HIDDEN_RIGHT = (
    r"$$\delta^{(l)} = \frac{\partial L}{\partial z^{(l)}} = \frac{\partial L}{\partial z^{(l+1)}}"
    r" \frac{\partial z^{(l+1)}}{\partial z^{(l)}} = \sigma'(z^{(l)}) \odot (W^{(l+1)})^T \delta^{(l+1)}$$"
)


def test_a_right_chain_through_derivatives_of_defined_quantities_is_correct() -> None:
    r = grade_derivation("hidden-delta", HIDDEN_RIGHT)
    assert r["verdict"] == "correct", r
    assert [s["verdict"] for s in r["steps"]] == ["follows"] * 4
    assert r["first_wrong_step"] is None and r["result_correct"] is True and r["score"] == 1.0


def test_a_dropped_transpose_is_found_at_its_step_and_named() -> None:
    text = HIDDEN_RIGHT.replace("(W^{(l+1)})^T", "W^{(l+1)}")
    r = grade_derivation("hidden-delta", text)
    assert (r["verdict"], r["first_wrong_step"], r["steps"][3]["mistake"]) == (
        "incorrect",
        4,
        "missing-transpose",
    )


def test_a_chain_that_does_not_start_from_the_quantity_asked_is_wrong_start() -> None:
    r = grade_derivation(
        "mse-output-delta", "(a^(L) − y) ⊙ σ'(z^(L)) = σ'(z^(L)) ⊙ (a^(L) − y) = (a^(L) − y) ⊙ σ'(z^(L))"
    )
    assert (r["first_wrong_step"], r["steps"][0]["mistake"]) == (1, "wrong-start")


def test_an_unreadable_step_is_numbered_skipped_and_keeps_the_derivation_from_being_correct() -> None:
    text = "δ^(L) = ∂J/∂z^(L) = ((a^(L) − y ⊙ σ'(z^(L)) = (a^(L) − y) ⊙ σ'(z^(L))"
    r = grade_derivation("mse-output-delta", text)
    assert [s["verdict"] for s in r["steps"]] == ["follows", "follows", "unreadable", "follows"]
    assert r["verdict"] == "incorrect" and r["first_wrong_step"] is None and "3" in r["feedback"]


def test_is_derivation_counts_relations() -> None:
    assert is_derivation("δ^(L) = ∂J/∂z^(L) = (a − y) ⊙ σ'(z)")
    assert not is_derivation(r"(W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})")
    assert not is_derivation(r"\delta^{(l)} = W^T \delta")


def test_cli_prints_the_json_of_section_6(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hw.md"
    path.write_text(HIDDEN_RIGHT, encoding="utf-8")
    assert main(["grade-derivation", "hidden-delta", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "question",
        "verdict",
        "score",
        "first_wrong_step",
        "result_correct",
        "steps",
        "feedback",
    }
    assert main(["grade-derivation", "no-such-question", str(path)]) == 2
    assert main(["grade-derivation", "hidden-delta", str(tmp_path / "missing.md")]) == 2


# ------------------------------------------------------------------------------- hostile input


def test_more_than_forty_steps_is_invalid_and_says_the_limit() -> None:
    text = "δ^(L) = ∂J/∂z^(L)" + " = (a^(L) − y) ⊙ σ'(z^(L))" * 41
    r = grade_derivation("mse-output-delta", text)
    assert r["verdict"] == "invalid" and "40" in r["feedback"]


def test_a_whole_derivation_over_the_length_limit_is_invalid() -> None:
    from checker.grading.derivation.segment import MAX_TEXT

    r = grade_derivation("mse-output-delta", "δ^(L) = ∂J/∂z^(L) = " + "a" * MAX_TEXT)
    assert r["verdict"] == "invalid" and f"{MAX_TEXT:,}" in r["feedback"]


def test_an_overlong_or_overdeep_step_is_unreadable_and_the_rest_is_still_graded() -> None:
    from checker.grading.derivation.steps import MAX_SIDE

    right = "(a^(L) − y) ⊙ σ'(z^(L))"
    for bad in ("y" + " + y" * MAX_SIDE, "(" * 300 + "y" + ")" * 300):
        r = grade_derivation("mse-output-delta", f"δ^(L) = ∂J/∂z^(L) = {bad} = {right}")
        verdicts = [s["verdict"] for s in r["steps"]]
        assert verdicts == ["follows", "follows", "unreadable", "follows"], r
        assert r["verdict"] == "incorrect" and r["steps"][2]["feedback"]


def test_garbage_gets_a_verdict_and_a_message_never_an_exception() -> None:
    for text in (
        "",
        "   ",
        "\x00 = \x00 = \x00",
        "= = = =",
        "$$ = $$",
        "\\begin{align}",
        "∂/∂ = ∂ = ∂",
        "}{ = )( = ][",
    ):
        r = grade_derivation("hidden-delta", text)
        assert r["verdict"] in ("invalid", "incorrect") and r["feedback"], text


def test_work_is_counted_and_a_derivation_over_its_budget_never_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checker.grading.derivation import values

    monkeypatch.setattr(values, "WORK_BUDGET", 10)
    r = grade_derivation("hidden-delta", HIDDEN_RIGHT)
    assert r["verdict"] == "invalid" and "budget" in r["feedback"]


def test_same_input_same_output() -> None:
    text = HIDDEN_RIGHT.replace("(W^{(l+1)})^T", "W^{(l+1)}")
    assert grade_derivation("hidden-delta", text) == grade_derivation("hidden-delta", text)


def test_unknown_question_is_a_key_error_and_numpy_is_not_a_derivation_format() -> None:
    with pytest.raises(KeyError):
        grade_derivation("no-such-question", HIDDEN_RIGHT)
    assert grade_derivation("hidden-delta", HIDDEN_RIGHT, fmt="numpy")["verdict"] == "invalid"


# ---------------------------------------------------------------------------- reading homework


@pytest.mark.parametrize(
    "text",
    [
        r"\begin{eqnarray} \delta^{(L)} &=& \frac{\partial L}{\partial z^{(L)}} \nonumber \\"
        r" &=& (a^{(L)} - y) \odot \sigma'(z^{(L)}) \end{eqnarray}",
        r"\begin{gathered} \delta^{(L)} = \frac{\partial L}{\partial z^{(L)}} \\"
        r" = (a^{(L)} - y) \odot \sigma'(z^{(L)}) \end{gathered}",
        r"$$\begin{split} \delta^{(L)} &= \frac{\partial L}{\partial z^{(L)}} \\"
        r" &= (a^{(L)} - y) \odot \sigma'(z^{(L)}) \tag{2} \end{split}$$",
        "So $\\delta^{(L)} = \\frac{\\partial L}{\\partial z^{(L)}}$, and by the chain rule\n"
        "$\\delta^{(L)} = (a^{(L)} - y) \\odot \\sigma'(z^{(L)})$ \\quad (3).",
        "∴ δ^(L) = ∂L/∂z^(L)\n也就是 δ^(L) = (a^(L) − y) ⊙ σ'(z^(L))",
    ],
    ids=["eqnarray", "gathered", "split-tag", "inline-prose", "unicode-restated"],
)
def test_every_homework_form_reads_as_the_same_three_steps(text: str) -> None:
    r = grade_derivation("mse-output-delta", text)
    assert r["verdict"] == "correct", r
    assert [s["n"] for s in r["steps"] if s["kind"] == "step"] == [1, 2, 3]


def test_a_product_of_derivatives_is_read_in_the_layout_that_fits_and_the_feedback_says_which() -> None:
    r = grade_derivation("hidden-delta", HIDDEN_RIGHT)
    assert "numerator layout" in r["steps"][2]["feedback"]


def test_lemmas_and_definitions_are_reported_with_their_own_verdict_and_not_counted() -> None:
    text = (
        "$$z^{(l+1)} = W^{(l+1)} \\sigma(z^{(l)}) + b^{(l+1)}$$\n"
        "$$\\frac{\\partial z^{(l+1)}}{\\partial z^{(l)}} = W^{(l+1)} \\sigma'(z^{(l)})$$\n" + HIDDEN_RIGHT
    )
    r = grade_derivation("hidden-delta", text)
    kinds = [(s["kind"], s["verdict"], s["n"]) for s in r["steps"][:2]]
    assert kinds == [("definition", "follows", None), ("lemma", "does-not-follow", None)]
    assert r["verdict"] == "correct"


def test_an_index_step_that_swaps_indices_says_which() -> None:
    r = grade_derivation(
        "weight-gradient", r"$$\frac{\partial L}{\partial W^{(l)}_{jk}} = \delta^{(l)}_k a^{(l-1)}_j$$"
    )
    assert r["steps"][1]["mistake"] == "transposed"
    assert "indices j and k are swapped" in r["steps"][1]["feedback"]


# ---------------------------------------------------------------------------- graded examples


def test_a_catalogue_chain_is_a_model_solution_and_its_wrong_twin_is_caught() -> None:
    from checker.grading.derivation.examples import graded_examples

    g = graded_examples("hidden-delta")
    assert g["model_graded"]["verdict"] == "correct"
    wrong = g["wrong_graded"]
    assert wrong["verdict"] == "incorrect" and wrong["first_wrong_step"] == len(
        [s for s in wrong["steps"] if s["kind"] == "step"]
    )
    assert wrong["steps"][-1]["mistake"] == g["wrong_tag"]


def test_every_question_gets_a_verdict_for_its_own_model_solution() -> None:
    from checker.grading.derivation.examples import model_solution
    from derivations.questions import QUESTIONS

    for qid in QUESTIONS:
        r = grade_derivation(qid, model_solution(qid))
        assert r["verdict"] in ("correct", "incorrect", "invalid") and r["feedback"], qid


def test_an_operator_applies_to_the_rest_of_its_step_and_a_loss_may_carry_its_arguments() -> None:
    text = (
        r"$$\delta_i^{(L)} = \frac{\partial}{\partial z_i^{(L)}} J(W, b; x, y)"
        r" = \frac{\partial}{\partial z_i^{(L)}} \frac{1}{2} \sum_j (y_j - a_j^{(L)})^2"
        r" = (a_i^{(L)} - y_i) \sigma'(z_i^{(L)})$$"
    )
    r = grade_derivation("mse-output-delta", text)
    assert r["verdict"] == "correct", r
    wrong = grade_derivation("mse-output-delta", text.replace(r"\frac{1}{2} \sum_j", r"\sum_j"))
    assert (wrong["first_wrong_step"], wrong["steps"][2]["mistake"]) == (3, "wrong-scale")


def test_thousands_of_relations_are_refused_before_any_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.grading.derivation import chain

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a side was read")

    monkeypatch.setattr(chain, "read", never)
    r = grade_derivation("hidden-delta", "a=" * 19000)
    assert r["verdict"] == "invalid" and "160" in r["feedback"]


def test_a_diagonal_jacobian_beside_hadamard_reads_as_its_diagonal_but_not_under_strict_notation() -> None:
    text = (
        r"$$\delta^{(l)} = \frac{\partial L}{\partial a^{(l)}}"
        r" \odot \frac{\partial a^{(l)}}{\partial z^{(l)}}"
        r" = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})$$"
    )
    r = grade_derivation("hidden-delta", text)
    assert r["verdict"] == "correct" and "diagonal" in r["steps"][1]["feedback"]
    strict = grade_derivation("hidden-delta", text, strict_notation=True)
    assert (strict["first_wrong_step"], strict["steps"][1]["mistake"]) == (2, "hadamard-vs-matmul")
    # a Jacobian that is not diagonal
    full = r"$$\delta^{(l)} = \delta^{(l+1)} \odot \frac{\partial z^{(l+1)}}{\partial z^{(l)}}$$"
    assert grade_derivation("hidden-delta", full)["steps"][1]["mistake"] == "hadamard-vs-matmul"
