"""The formulas in the catalogue's prose are checked against their derivations, and a typo fails."""

from __future__ import annotations

import dataclasses

import pytest

from checker.grading.prose import check_derivation, failures, message, split_relation
from derivations import all_derivations, get
from derivations.base import Derivation
from derivations.prose import formulas, plain


def _with_reason(d: Derivation, chain: int, step: int, old: str, new: str) -> Derivation:
    """``d`` with ``old`` replaced by ``new`` in the reason of one step."""
    c = d.chains[chain]
    s = c.steps[step]
    assert old in s.reason, f"the test's formula {old!r} is no longer in the reason: update the test"
    steps = list(c.steps)
    steps[step] = dataclasses.replace(s, reason=s.reason.replace(old, new))
    chains = list(d.chains)
    chains[chain] = dataclasses.replace(c, steps=tuple(steps))
    return dataclasses.replace(d, chains=tuple(chains))


def _verdicts(d: Derivation, latex: str) -> set[str]:
    return {c.verdict for c in check_derivation(d) if c.latex == latex}


def test_every_formula_of_the_catalogue_prose_passes() -> None:
    bad = [message(c) for d in all_derivations().values() for c in failures(check_derivation(d))]
    assert not bad, "\n".join(bad)


def test_a_wrong_index_in_a_reason_fails() -> None:
    d = get("softmax-ce-gradient")
    good = r"\partial L/\partial p_k = -y_k/p_k"
    assert _verdicts(d, good) == {"proved"}
    typo = r"\partial L/\partial p_k = -y_k/p_j"
    broken = _with_reason(d, 0, 1, good, typo)
    assert _verdicts(broken, typo) & {"false", "unreadable"}
    assert failures(check_derivation(broken))


def test_a_dropped_transpose_in_a_reason_fails() -> None:
    d = get("row-backprop")
    chain = next(i for i, c in enumerate(d.chains) if c.name == "delta2")
    good = r"\partial L / \partial A_1 = (\partial L / \partial Z_2) W_2^\top"
    assert _verdicts(d, good) == {"proved"}
    typo = r"\partial L / \partial A_1 = (\partial L / \partial Z_2) W_2"
    broken = _with_reason(d, chain, 1, good, typo)
    assert failures(check_derivation(broken))


def test_a_wrong_factor_in_the_context_fails() -> None:
    d = get("hidden-delta")
    good = r"z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}"
    assert good in d.context
    broken = dataclasses.replace(d, context=d.context.replace(good, r"z^{(l+1)} = W^{(l+1)} a^{(l)}"))
    assert any(c.verdict == "false" for c in failures(check_derivation(broken)))


def test_a_mistake_marked_wrong_must_be_wrong() -> None:
    d = get("softmax-ce-gradient")
    wrong = r"\wrong{\partial L / \partial p_j = -\sum_k y_k / p_j}"
    assert any(wrong in m for m in d.mistakes)
    right = r"\wrong{\partial L / \partial p_j = -y_j / p_j}"
    broken = dataclasses.replace(d, mistakes=tuple(m.replace(wrong, right) for m in d.mistakes))
    assert [c.verdict for c in failures(check_derivation(broken))] == ["not-wrong"]


def test_an_unchecked_formula_is_not_read_but_reported() -> None:
    d = get("softmax-ce-gradient")
    broken = dataclasses.replace(d, notes=r"a formula nobody can read: $\unchecked{\frob{x}}$")
    found = [c for c in check_derivation(broken) if c.place == "notes"]
    assert [(c.verdict, c.latex) for c in found] == [("unchecked", r"\frob{x}")]


def test_marks_are_found_and_removed() -> None:
    text = r"so $a = b$ and $\unchecked{i = j}$, not $\wrong{x = {y}}$"
    assert [(f.latex, f.mark) for f in formulas(text)] == [("a = b", ""), ("i = j", "unchecked"),
                                                          ("x = {y}", "wrong")]
    assert plain(text) == "so $a = b$ and $i = j$, not $x = {y}$"
    with pytest.raises(ValueError, match="whole formula"):
        formulas(r"$\unchecked{a} = b$")


def test_relations_split_at_the_top_level_only() -> None:
    pieces = split_relation(r"a = \max(b, c = d) \le e")
    assert pieces == [("a ", ""), (r" \max(b, c = d) ", "="), (" e", r"\le")]


def test_the_reference_code_states_the_derivations_it_cites() -> None:
    from checker.grading.prose_code import check_claim

    d = get("hidden-delta")
    right = "BP2, hidden-delta: δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ σ'(z^{(l)})."
    assert check_claim(d, "hidden_delta", right).verdict == "proved"
    no_transpose = "BP2, hidden-delta: δ^{(l)} = W^{(l+1)} δ^{(l+1)} ⊙ σ'(z^{(l)})."
    assert check_claim(d, "hidden_delta", no_transpose).verdict == "false"
    at_a = "BP2, hidden-delta: δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ σ'(a^{(l)})."
    assert check_claim(d, "hidden_delta", at_a).verdict == "false"
    words = "hidden-delta: the recursion of the backward pass."
    assert check_claim(d, "hidden_delta", words).verdict == "unchecked"


def test_a_formula_of_the_notation_page_is_checked_with_the_catalogue_definitions() -> None:
    from checker.grading.prose import check_notation_text
    from derivations import notation as n

    own = [n.x_in, n.W_1, n.b_1, n.z_1, n.a_1, n.W_2, n.b_2, n.z_2, n.y_out]
    defs = [pair for d in all_derivations().values() for pair in d.definitions]
    right = r"a two-layer network: $y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)})$"
    assert [c.verdict for c in check_notation_text(right, own, [], defs)] == ["proved"]
    typo = r"a two-layer network: $y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) - b^{(2)})$"
    assert [c.verdict for c in check_notation_text(typo, own, [], defs)] == ["false"]


def test_adams_corrections_are_checked_and_a_wrong_power_fails() -> None:
    d = get("adam-update")
    good = r"c_1 = 1 - \beta_1^t"
    assert _verdicts(d, good) == {"proved"}  # ^t on the scalar β₁ is a power of the step count
    typo = r"c_1 = 1 - \beta_1^{t-1}"
    broken = _with_reason(d, 0, 1, good, typo)
    assert _verdicts(broken, typo) == {"false"}
    assert failures(check_derivation(broken))
