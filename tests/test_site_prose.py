"""A derivation page draws the marks of its prose, and a false formula is a build error."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "site" / "_hooks"))

import gp_pages  # noqa: E402 - the hook's modules live in site/_hooks, not in a package
import gp_prose  # noqa: E402
from gp_jobs import Outcome  # noqa: E402

from checker.grading.prose import check_derivation  # noqa: E402
from checker.grading.prose_pages import page_formulas  # noqa: E402
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


TEMPLATES = REPO / "site" / "_templates"
# values for the formulas that mix typed text with template expressions, as the build fills them in
FILLED = {"errata": {"log": {"p": 0.13, "base10": -math.log10(0.13), "natural": -math.log(0.13)}},
          "grid": {"h": 1e-5, "floor": 1e-8, "threshold": 1e-6}}


def _fill(latex: str) -> str:
    return gp_pages._env().from_string(latex).render(**FILLED)


def _errors(template: str, source: str) -> list[str]:
    return gp_prose.page_errors(source, f"site/_templates/{template}", _fill)


def test_every_formula_typed_into_a_template_or_a_page_passes() -> None:
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.j2"))}
    sources |= {p.name: p.read_text(encoding="utf-8") for p in (REPO / "site").glob("*.md")}
    assert sum(len(page_formulas(s)) for s in sources.values()) >= 15  # there is something to check
    assert {name: _errors(name, s) for name, s in sources.items() if _errors(name, s)} == {}


def test_a_typo_in_a_formula_typed_into_a_template_is_a_build_error() -> None:
    notation = (TEMPLATES / "notation.md.j2").read_text(encoding="utf-8")
    good = "$W^{(l)}$ maps layer $l-1$"
    assert good in notation
    typo = _errors("notation.md.j2", notation.replace(good, good.replace("l-1", "l-3")))
    assert typo and "l-3" in typo[0] and "notation.md.j2" in typo[0]
    errata = (TEMPLATES / "errata.md.j2").read_text(encoding="utf-8")
    base10 = '\\approx {{ "%.3f" % errata.log.base10 }}'
    assert base10 in errata and _errors("errata.md.j2", errata) == []
    swapped = _errors("errata.md.j2", errata.replace(base10, base10.replace("base10", "natural")))
    assert len(swapped) == 1 and "is false" in swapped[0]  # -log10 0.13 ≈ 2.040: the wrong logarithm
    seed = r"$\wrong{-\log 0.13 = 0.89}$"
    assert seed in errata
    right = _errors("errata.md.j2", errata.replace(seed, r"$\wrong{-\log 0.13 \approx 2.040}$"))
    assert len(right) == 1 and "holds" in right[0]  # a "mistake" that is right fails too


def test_a_formula_of_a_loop_that_cannot_be_filled_in_is_an_error() -> None:
    errors = _errors("x.md.j2", "{% for v in rows %}$h = {{ v.h }}$ {% endfor %}")
    assert len(errors) == 1 and "not-rendered" in errors[0]


def test_typed_formulas_get_their_marks_drawn_and_code_is_left_alone() -> None:
    page = "Write `$\\unchecked{…}$` to mark one: $\\unchecked{n \\times 1}$ and $W^{(l)}$."
    shown = gp_prose.show_page(page)
    assert "`$\\unchecked{…}$`" in shown  # code shows the mark as typed
    assert "$n \\times 1$<sup" in shown and shown.count("gp-unchecked") == 1
