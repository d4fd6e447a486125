"""A derivation page draws the marks of its prose, and a false formula is a build error."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "site" / "_hooks"))

import gp_prose  # noqa: E402 - the hook's modules live in site/_hooks, not in a package
from gp_jobs import Outcome  # noqa: E402

from checker.grading.prose import check_derivation  # noqa: E402
from derivations import get  # noqa: E402


def test_an_unchecked_formula_gets_a_marker_and_a_checked_one_none() -> None:
    shown = gp_prose.show(r"with $a = b$ when $\unchecked{i = j}$")
    assert shown.startswith("with $a = b$ when $i = j$<sup")
    assert shown.count("gp-unchecked") == 1 and "Not machine-checked" in shown


def test_a_false_formula_in_the_prose_is_a_build_error() -> None:
    d = get("hidden-delta")
    broken = dataclasses.replace(d, context=d.context.replace(r"+ b^{(l+1)}$", r"- b^{(l+1)}$", 1))
    assert broken.context != d.context
    outcome = Outcome("prose", d.id, True, {"checks": check_derivation(broken), "claims": {}})
    errors = gp_prose.failure_lines(d.id, outcome)
    assert errors and all("hidden-delta" in e for e in errors)
    assert any("is false" in e for e in errors)
    good = Outcome("prose", d.id, True, {"checks": check_derivation(d), "claims": {}})
    assert gp_prose.failure_lines(d.id, good) == []
