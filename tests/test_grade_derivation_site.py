"""Derivation pages offer their own steps as a model solution, graded when the site is built."""

from __future__ import annotations

import re
from typing import Any


def test_a_derivation_page_grades_its_model_solution_and_a_wrong_twin(site_build: Any) -> None:
    from checker.grading.derivation.examples import graded_examples

    page = (site_build.site_dir / "derivations" / "hidden-delta" / "index.html").read_text()
    section = page[page.index('id="your-derivation-graded"'):]
    text = re.sub(r"<[^>]+>", "", section)
    expected = graded_examples("hidden-delta")  # the same grader, run again: the page is not typed
    assert f"Graded: {expected['model_graded']['verdict']}." in text
    first = expected["wrong_graded"]["first_wrong_step"]
    assert f"Graded: incorrect, first wrong step {first}." in text
    assert expected["wrong_tag"] in text
    assert "gradproof grade-derivation hidden-delta" in text
