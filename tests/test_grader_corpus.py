"""The labelled corpus: every answer in tests/corpus/answers.csv graded as labelled.

Each row is its own test (id: row number, question, expected verdict), so a regression names
the answer that changed. Labels were written from the mathematics, not from the grader's output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from checker.grading.judge import grade

CORPUS = Path(__file__).parent / "corpus" / "answers.csv"


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ROWS = _rows()


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{i + 2:03d}-{r['question']}-{r['expected_verdict']}" for i, r in enumerate(ROWS)]
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
