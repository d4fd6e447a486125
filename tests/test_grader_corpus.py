"""The labelled corpus: every answer in tests/corpus/answers*.csv graded as labelled.

Each row is its own test (id: row number, question, expected verdict), so a regression names
the answer that changed. Labels were written from the mathematics, not from the grader's output.
A file may carry an ``expected_mistakes`` column (tags separated by ``;``) for an answer with two
mistakes: then every tag named must be among them. And the whole corpus graded while a busy loop
runs on every core gives byte for byte the results it gives on a quiet machine.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
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
    why = f"{row['answer']!r}: {result.feedback} (read as {result.interpreted!r})"
    assert result.feedback
    assert "Σ" not in result.feedback or "Σ" in row["answer"], why  # σ never capitalised into Σ
    if row.get("expected_mistakes"):  # two mistakes: both named, either one first
        expected = set(row["expected_mistakes"].split(";"))
        assert result.verdict == row["expected_verdict"] and set(result.mistakes) == expected, why
        assert result.mistake in expected, why
        return
    assert (result.verdict, result.mistake or "") == (row["expected_verdict"], row["expected_mistake"]), why


def test_corpus_covers_the_contract():
    from checker.grading.mistakes import TAGS
    from derivations.questions import QUESTIONS

    assert len(ROWS) >= 600
    assert sum(";" in (r.get("expected_mistakes") or "") for r in ROWS) >= 20  # double mistakes
    missing = set(QUESTIONS) - {r["question"] for r in ROWS}
    assert not missing, f"add labelled answers to tests/corpus/answers*.csv for {sorted(missing)}"
    for tag in TAGS:
        assert sum(r["expected_mistake"] == tag for r in ROWS) >= 2, tag
    assert {r["expected_verdict"] for r in ROWS} == {"correct", "incorrect", "invalid"}
    assert {r["format"] for r in ROWS} >= {"latex", "text", "numpy"}


def grade_all(corpus: Path) -> str:
    """Every answer of the corpus graded, as one JSON text."""
    import json

    out = []
    for path in sorted(corpus.glob("answers*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                out.append(grade(r["question"], r["answer"], r["format"] or "auto").to_json())
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


GRADE_ALL = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_grader_corpus import grade_all
sys.stdout.write(grade_all(Path(sys.argv[1])))
"""


def test_grading_under_cpu_load_gives_the_same_results():
    """A fresh process (questions prepared under load too) grades the corpus while a busy loop runs
    on every core: byte for byte what this process gives."""
    here = Path(__file__).parent
    quiet = grade_all(here / "corpus")
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        loaded = subprocess.run([sys.executable, "-c", GRADE_ALL, str(here / "corpus"), str(here)],
                                capture_output=True, text=True, check=True, timeout=300).stdout
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert quiet and loaded == quiet
