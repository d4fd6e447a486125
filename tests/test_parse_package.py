"""The readers are a self-contained sub-package: they import ``derivations`` and each other only.

The judge, the batch grader and the derivation grader import the readers through
``checker.grading.readers``; a reader importing any of them back would be a circle.
"""

from __future__ import annotations

from pathlib import Path

from test_layering import imported_modules

import checker.grading.readers as readers

PACKAGE = Path(readers.__file__).parent


def test_readers_import_only_derivations_and_themselves() -> None:
    outside = {
        path.name: sorted(
            m
            for m in imported_modules(path)
            if m.startswith("checker") and not m.startswith("checker.grading.readers.")
        )
        for path in PACKAGE.glob("*.py")
    }
    assert {k: v for k, v in outside.items() if v} == {}


def test_no_reader_imports_the_package_itself() -> None:
    # ``from checker.grading.readers import x`` inside the package would be a circle with __init__
    inside = [
        p.name
        for p in PACKAGE.glob("*.py")
        if p.name != "__init__.py" and "checker.grading.readers" in imported_modules(p)
    ]
    assert inside == []


def test_the_entry_point() -> None:
    vocab = readers.vocabulary_from_spellings([])
    parsed = readers.parse_answer("1 + 2", "latex", vocab)
    assert isinstance(parsed, readers.Parsed) and parsed.format == "latex"
    try:
        readers.parse_answer("1 +", "latex", vocab)
    except readers.AnswerError as e:
        assert "ends too early" in e.message
    else:  # pragma: no cover
        raise AssertionError("an unfinished answer was read")
