"""Worked examples: the first case of every derivation's numerical check, with its numbers.

The example is recorded while the check runs (``checker.proof.example``), so it shows the numbers
the check used; a wrong formula shows up in the example as a relative error outside the
tolerance, and the page of such a derivation fails the build.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from checker.network.central_difference import TOLERANCE
from checker.proof.example import Example, recording
from checker.proof.numeric import check_probe
from derivations import all_derivations
from derivations.base import Chain, Derivation, Step
from derivations.expr import to_latex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site" / "_hooks"))
import gp_examples  # noqa: E402 - the site's hooks are not a package


def _example(d: Derivation) -> Example | None:
    with recording() as found:
        check_probe(d)
    return found[0] if found else None


def _with_result(d: Derivation, result: object) -> Derivation:
    c = d.chains[0]
    wrong = Chain(c.start, c.steps[:-1] + (Step(result, "mutated"),), c.name)
    return dataclasses.replace(d, chains=(wrong, *d.chains[1:]))


@pytest.mark.parametrize("derivation_id", ["weight-gradient", "hidden-delta", "softmax-jacobian",
                                           "relu-derivative", "conv2d-backward", "batchnorm-backward"])
def test_the_example_is_the_checks_first_case(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    e = _example(d)
    assert e is not None and e.ok and e.error <= TOLERANCE
    result, measured = np.array(e.result), np.array(e.measured)
    assert result.shape == measured.shape and np.allclose(result, measured, rtol=1e-5, atol=1e-8)
    assert e.inputs and all(np.isfinite(np.array(v)).all() for v in e.inputs.values())


def test_the_example_catches_a_wrong_formula() -> None:
    """2 δ aᵀ for δ aᵀ: the example's own comparison is off by a relative 1/3, and it says so."""
    d = all_derivations()["weight-gradient"]
    good = _example(d)
    bad = _example(_with_result(d, 2 * d.result))
    assert good is not None and bad is not None
    assert not bad.ok and bad.error == pytest.approx(1 / 3, rel=1e-3)
    assert np.allclose(np.array(bad.result), 2 * np.array(good.result))
    page = gp_examples.recorded_example(d, bad.to_dict())
    assert page["ok"] is False and "**outside**" in page["intro"]


def test_the_page_shows_the_inputs_the_result_uses_rounded() -> None:
    d = all_derivations()["weight-gradient"]
    e = _example(d)
    assert e is not None
    page = gp_examples.recorded_example(d, e.to_dict())
    text = "\n".join(page["lines"])
    assert r"\delta^{(l)} = \begin{bmatrix}" in text and r"a^{(l-1)} = \begin{bmatrix}" in text
    assert text.count(r"\begin{bmatrix}") == 4  # δ, a, the result and the measured gradient
    first = e.inputs["delta_l"][0][0]
    assert gp_examples.significant(first) in text  # three significant digits, not 17


def test_significant_digits() -> None:
    assert gp_examples.significant(0.0123456) == "0.0123"
    assert gp_examples.significant(-2.5e-7) == r"-2.5 \times 10^{-7}"
    assert gp_examples.significant(0.0) == "0"


def test_small_entries_share_a_power_of_ten_so_a_matrix_stays_narrow() -> None:
    shown = gp_examples._grid([[7.32e-6, -5.46e-6], [1.5e-7, 2.0e-6]])
    assert shown.startswith("10^{-6} ") and "7.32 & -5.46" in shown and "0.15" in shown
    assert r"\times" not in shown  # no entry in scientific notation
    assert gp_examples._grid([[0.5, -0.0123]]).startswith(r"\begin{bmatrix} 0.5 & -0.0123")


def test_a_long_product_is_set_as_two_formulas_that_wrap_on_a_phone() -> None:
    d = all_derivations()["vanishing-gradient-bound"]
    chain = d.matrix_chains[0]
    pieces = gp_examples._broken(chain.result, to_latex)
    assert len(pieces) == 2 and pieces[0].startswith("= ")
    assert f"{pieces[0][2:]} {pieces[1]}" == to_latex(chain.result)  # nothing lost, no bracket cut
    short = all_derivations()["weight-gradient"].matrix_chains[0].result
    assert gp_examples._broken(short, to_latex) == [f"= {to_latex(short)}"]


def test_each_row_of_an_example_is_its_formulas_and_its_line_of_latex() -> None:
    d = all_derivations()["weight-gradient"]
    e = _example(d)
    assert e is not None
    page = gp_examples.recorded_example(d, e.to_dict())
    assert len(page["rows"]) == len(page["lines"])
    assert [" ".join(r) for r in page["rows"]] == page["lines"]
    assert any(len(r) > 1 for r in page["rows"])  # names and matrices are separate formulas
