"""The handbook's common mistakes and the grader name the same mistakes.

A mistake listed by a derivation may end with its grader tag, "(tag `sign-error`)"; its first
formula is then a whole wrong answer to a question of the bank that uses the derivation, and the
grader must judge that answer incorrect *with that tag*. So a reader who meets a mistake on a
derivation page and a student who makes it in an answer are told the same thing.
"""

from __future__ import annotations

import re
import warnings

import pytest

from checker.grading.judge import grade
from checker.grading.mistakes import TAGS
from derivations import all_derivations
from derivations.prose import formulas
from derivations.questions import QUESTIONS

TAG = re.compile(r"\(tag `([a-z-]+)`\)\.?$")

# Derivations whose result a question asks for under another derivation's id (none at present:
# each asked derivation has a question of its own).
ALSO_ASKED: dict[str, tuple[str, ...]] = {}

# Asked derivations none of whose usual mistakes the grader has a tag for (yet): the ReLU slope,
# the piece 0.1z or the swapped cases of leaky ReLU are all judged plainly incorrect.
NO_GRADED_MISTAKE = {"leaky-relu-derivative"}


def questions_of(derivation_id: str) -> tuple[str, ...]:
    """The ids of the questions whose reference answer this derivation proves."""
    own = tuple(q.id for q in QUESTIONS.values() if q.derivation == derivation_id)
    return own + ALSO_ASKED.get(derivation_id, ())


def tagged_mistakes() -> list[tuple[str, str, str]]:
    """(derivation id, tag, first formula) of every mistake that names a grader tag."""
    out = []
    for d in all_derivations().values():
        for text in d.mistakes:
            tag = TAG.search(text)
            if tag:
                out.append((d.id, tag.group(1), formulas(text)[0].latex))  # its mark, if any, removed
    return out


CASES = tagged_mistakes()


def test_tags_are_the_graders() -> None:
    unknown = {(i, tag) for i, tag, _ in CASES if tag not in TAGS}
    assert not unknown, f"tags the grader does not have: {sorted(unknown)}"


def test_every_asked_derivation_names_a_graded_mistake() -> None:
    """Each derivation behind a question shows at least one mistake the grader recognises."""
    tagged = {i for i, _, _ in CASES}
    asked = {i for i in all_derivations() if questions_of(i)}
    assert asked - tagged == NO_GRADED_MISTAKE
    assert {i for i, _, _ in CASES} <= asked, "a tag on a derivation no question asks for"


def grader_verdicts(derivation_id: str, answer: str) -> list[tuple[str, str, str | None]]:
    """(question, verdict, tag) of ``answer`` graded against each question of the derivation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # strictly: a handbook's "(a - y) σ'(z)" is the matrix product it writes, the mistake it shows
        results = [
            (qid, grade(qid, answer, "latex", strict_notation=True)) for qid in questions_of(derivation_id)
        ]
    return [(qid, r.verdict, r.mistake) for qid, r in results]


def grader_names(derivation_id: str, tag: str, answer: str) -> bool:
    """Whether some question of the derivation judges ``answer`` incorrect with ``tag``."""
    return any(v == "incorrect" and t == tag for _, v, t in grader_verdicts(derivation_id, answer))


@pytest.mark.parametrize(("derivation_id", "tag", "answer"), CASES,
                         ids=[f"{i}:{t}" for i, t, _ in CASES])
def test_the_grader_names_the_listed_mistake(derivation_id: str, tag: str, answer: str) -> None:
    assert grader_names(derivation_id, tag, answer), grader_verdicts(derivation_id, answer)


def test_a_wrong_tag_is_caught() -> None:
    """The check can fail: a mistake listed under the wrong tag, or the right answer, is refused."""
    assert grader_names("softmax-ce-gradient", "sign-error", "y - p")
    assert not grader_names("softmax-ce-gradient", "missing-transpose", "y - p")
    assert not grader_names("softmax-ce-gradient", "sign-error", "p - y")
