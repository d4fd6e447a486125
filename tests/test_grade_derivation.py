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
