"""The labelled corpus: every answer in tests/corpus/answers*.csv graded as labelled.

Each row is its own test (id: row number, question, expected verdict), so a regression names
the answer that changed. Labels were written from the mathematics, not from the grader's output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from checker.grading.judge import grade

CORPUS_FILES = sorted((Path(__file__).parent / "corpus").glob("answers*.csv"))


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in CORPUS_FILES:
        with path.open(newline="", encoding="utf-8") as f:
            rows.extend({**r, "file": path.stem, "line": n + 2} for n, r in enumerate(csv.DictReader(f)))
    return rows


ROWS = _rows()


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['file']}-{r['line']:03d}-{r['question']}-{r['expected_verdict']}" for r in ROWS]
)
def test_answer_is_graded_as_labelled(row):
    result = grade(row["question"], row["answer"], row["format"] or "auto")
    got = (result.verdict, result.mistake or "")
    assert got == (row["expected_verdict"], row["expected_mistake"]), (
        f"{row['answer']!r}: {result.feedback} (read as {result.interpreted!r})"
    )
    assert result.feedback


def test_corpus_covers_the_contract():
    from checker.grading.mistakes import TAGS
    from derivations.questions import QUESTIONS

    assert len(ROWS) >= 200
    assert {r["question"] for r in ROWS} == set(QUESTIONS)
    for tag in TAGS:
        assert sum(r["expected_mistake"] == tag for r in ROWS) >= 2, tag
    assert {r["expected_verdict"] for r in ROWS} == {"correct", "incorrect", "invalid"}
    assert {r["format"] for r in ROWS} >= {"latex", "text", "numpy"}
