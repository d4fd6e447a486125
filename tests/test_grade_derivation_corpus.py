"""The derivation corpus: every file of tests/corpus/derivations graded as its header labels it.

Each file starts with a header between ``---`` lines: the question, the expected verdict, the
first wrong step and its §3 tag (labelled from the mathematics, not from the grader's output),
optionally ``result_correct``, ``strict_notation`` and ``xfail`` (a reason the grader does not
yet meet the label; strict, so the test fails once it does).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.mistakes import TAGS

CORPUS = Path(__file__).parent / "corpus" / "derivations"
HEADER = re.compile(r"\A---\n(?P<head>.*?)\n---\n", re.S)


def _value(text: str) -> object:
    return {"null": None, "true": True, "false": False}.get(text, int(text) if text.isdigit() else text)


def load(path: Path) -> tuple[dict, str]:
    """(labels, derivation text) of one corpus file."""
    text = path.read_text(encoding="utf-8")
    m = HEADER.match(text)
    assert m, f"{path.name}: no header between --- lines"
    labels = {}
    for line in m.group("head").splitlines():
        key, _, value = line.partition(":")
        labels[key.strip()] = _value(value.strip())
    return labels, text[m.end() :]


FILES = sorted(CORPUS.glob("*.md"))


def _param(path: Path) -> object:
    labels, _ = load(path)
    marks = [pytest.mark.xfail(reason=str(labels["xfail"]), strict=True)] if labels.get("xfail") else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_derivation_is_graded_as_labelled(path: Path) -> None:
    labels, text = load(path)
    r = grade_derivation(str(labels["question"]), text, strict_notation=bool(labels.get("strict_notation")))
    first = labels["first_wrong_step"]
    steps = {s["n"]: s for s in r["steps"] if s["kind"] == "step"}
    got = (r["verdict"], r["first_wrong_step"], steps[first]["mistake"] if first in steps else None)
    assert got == (labels["verdict"], first, labels["mistake"]), r
    if "result_correct" in labels:
        assert r["result_correct"] is labels["result_correct"], r
    assert r["score"] == (1.0 if labels["verdict"] == "correct" else 0.0)


def test_corpus_covers_every_tag_many_questions_and_all_positions() -> None:
    labelled = [load(p)[0] for p in FILES]
    assert len(labelled) >= 60
    assert len({str(x["question"]) for x in labelled}) >= 12
    tags = {x["mistake"] for x in labelled}
    assert set(TAGS) | {"restates-question", "wrong-start"} <= tags
    wrong = [x for x in labelled if x["verdict"] == "incorrect" and x["first_wrong_step"]]
    assert {1, 2} <= {x["first_wrong_step"] for x in wrong}  # at the start and right after it
    assert any(x.get("result_correct") is True and x["first_wrong_step"] for x in labelled)  # cancelling
    assert any(x["first_wrong_step"] is None and x["verdict"] == "incorrect" for x in labelled)  # unreadable
    assert sum("seed" in str(x.get("source", "")) for x in labelled) >= 8
