"""The two levels of a backprop derivation: the index chain beside the matrix chain.

Every step of an index chain is proved by sympy at every value of its index letters; a wrong
index step fails; and an index chain must start from an entry of its matrix chain's start and
end in the same entry of its result.
"""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from checker.proof.verify import level_problems, verify, verify_symbolic
from derivations import all_derivations
from derivations.base import Chain, Derivation, Step
from derivations.expr import Entry, IndexSum, KDelta, Piecewise, other_index, same_index, to_latex

# The backprop derivations that are written at both levels.
BOTH_LEVELS = (
    "softmax-jacobian", "softmax-ce-gradient", "log-softmax-ce", "mse-output-delta", "hidden-delta",
    "weight-gradient", "bias-gradient", "input-gradient", "batch-weight-gradient", "batch-bias-gradient",
    "row-backprop",
)


def _symbolic(d: Derivation) -> list[bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checks, _, _ = verify_symbolic(d)
    return [c.ok for c in checks]


def _with_index_step(d: Derivation, k: int, expr: object) -> Derivation:
    """``d`` with step ``k`` of its first index chain replaced by ``expr``."""
    chain = d.index_chains[0]
    steps = list(chain.steps)
    steps[k] = Step(expr, steps[k].reason)
    changed = dataclasses.replace(chain, steps=tuple(steps))
    return dataclasses.replace(d, chains=tuple(changed if c is chain else c for c in d.chains))


@pytest.mark.parametrize("derivation_id", BOTH_LEVELS)
def test_both_levels_are_tied_together(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    assert d.index_chains, f"{derivation_id} has no index chain"
    assert d.chains[0].level == "matrix"  # the grader's model solution reads the matrix chain
    assert level_problems(d) == []


def test_a_wrong_index_step_fails() -> None:
    """Weight gradient: δ_kj for δ_ki (W_ij read as entering z_j) is refused at that step."""
    d = all_derivations()["weight-gradient"]
    chain = d.index_chains[0]
    good = chain.steps[1].expr
    wrong = IndexSum("k", good.body.left * (KDelta("k", "j") * good.body.right.right))
    first_index_step = len(d.chains[0].steps)
    ok = _symbolic(_with_index_step(d, 1, wrong))
    assert ok[first_index_step:] == [True, False, False, True, True]
    assert verify(_with_index_step(d, 1, wrong), numeric=False).status == "failed"


def test_a_wrong_case_of_the_split_fails() -> None:
    """Softmax Jacobian: +p_i p_j off the diagonal (the sign typo of the course notes) is refused."""
    d = all_derivations()["softmax-jacobian"]
    p_i, p_j = Entry(d.symbols[1], "i"), Entry(d.symbols[1], "j")
    wrong = Piecewise(((p_i * (1 - p_i), same_index("i", "j")), (p_i * p_j, other_index("i", "j"))))
    first_index_step = len(d.chains[0].steps)
    ok = _symbolic(_with_index_step(d, 2, wrong))
    assert ok[first_index_step:] == [True, True, False, False, True]


def test_an_index_chain_must_end_in_the_entry_of_the_result() -> None:
    d = all_derivations()["bias-gradient"]
    chain = d.index_chains[0]
    cut = dataclasses.replace(chain, steps=chain.steps[:-1])  # ends in Σ_k ∂L/∂z_k δ_ki, not δ_i
    broken = dataclasses.replace(d, chains=(d.chains[0], cut))
    problems = level_problems(broken)
    assert len(problems) == 1 and "end in" in problems[0]
    from_result = Chain(Entry(d.result, "i"), chain.steps, "index", "index")  # δ_i = … = δ_i proves nothing
    problems = level_problems(dataclasses.replace(d, chains=(d.chains[0], from_result)))
    assert len(problems) == 1 and "start from" in problems[0]
    assert verify(broken, numeric=False).status == "failed"


def test_the_case_split_reads_as_cases_on_the_letters() -> None:
    cases = Piecewise(((KDelta("i", "j"), same_index("i", "j")), (KDelta("i", "i"), other_index("i", "j"))))
    text = to_latex(cases)
    assert r"\text{if } i = j" in text and r"\text{if } i \ne j" in text


def test_a_chain_level_is_one_of_two() -> None:
    with pytest.raises(ValueError, match="level"):
        Chain(KDelta("i", "j"), (), "x", "entries")


def test_a_condition_on_index_letters_is_notation_in_the_prose() -> None:
    """``$k = i$`` in a reason names a case of the sum; a letter the derivation does not index with
    (``q``) is still refused."""
    from checker.grading.prose import check_derivation

    d = all_derivations()["softmax-ce-gradient"]
    verdicts = {(c.latex, c.verdict) for c in check_derivation(d)}
    assert ("k = i", "read") in verdicts and (r"k \ne i", "read") in verdicts
    chain = d.index_chains[0]
    odd = Step(chain.steps[0].expr, r"the sum runs over $q = i$ and $\delta_{qi}$")
    changed = dataclasses.replace(chain, steps=(odd, *chain.steps[1:]))
    checks = check_derivation(dataclasses.replace(d, chains=(d.chains[0], changed)))
    assert {c.verdict for c in checks if c.latex in ("q = i", r"\delta_{qi}")} == {"unreadable"}


def test_a_page_lays_each_matrix_chain_beside_its_index_chain() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site" / "_hooks"))
    import gp_pages

    d = all_derivations()["row-backprop"]
    views = [{"name": c.name, "label": gp_pages._chain_label(c)} for c in d.chains]
    levels = gp_pages._levels(d, views)
    assert [lv["matrix"]["name"] for lv in levels] == [c.name for c in d.matrix_chains]
    paired = {lv["matrix"]["name"]: lv["index"]["label"] for lv in levels if lv["index"]}
    assert paired == {"dW2": "dW2, entry by entry"}
