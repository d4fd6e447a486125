"""The assignment file: which questions, their points, partial credit, notation, and the roster.

A teacher writes it by hand in TOML::

    title = "Homework 3: backpropagation"
    strict-notation = false          # true: \\cdot between two vectors is a mistake, not ⊙

    [partial]                        # credit per mistake tag, for every question (a fraction of its points)
    wrong-scale = 0.5

    [[question]]
    id = "hidden-delta"
    points = 4
    partial = { missing-transpose = 0.25 }   # this question's own rates (they override [partial])
    derivation-credit = 0.5          # a derivation earns up to half, in proportion to its steps
                                     # before the first wrong one

    [[question]]
    id = "softmax-ce-gradient"
    points = 2

    [roster]                         # optional: students expected; the absent ones score 0
    students = ["ada", "ben", "cleo"]

    [gradebook]                      # optional: how the gradebook files name students
    moodle-id-column = "Username"    # header of the identifier column in gradebook-moodle.csv
    canvas-id-column = "SIS Login ID"  # which Canvas column holds the identifier

How a student's points are counted: each question of the assignment is worth its points; the
student's last answer to it counts (a later row replaces an earlier one). ``correct`` earns all the
points; ``invalid`` (unreadable) earns nothing; ``incorrect`` earns the partial credit of its
mistake tag if one is set, and a derivation earns ``derivation-credit × points × (steps before the
first wrong one) / (steps)`` when that is more. A question with no answer earns nothing, so
skipping costs its points. Answers to questions outside the assignment are graded and reported but
earn no points.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from checker.grading.mistakes import TAGS
from derivations.questions import QUESTIONS

CANVAS_ID_COLUMNS = ("SIS Login ID", "SIS User ID", "ID", "Student")
_TOP_KEYS = {"title", "strict-notation", "partial", "question", "roster", "gradebook"}
_QUESTION_KEYS = {"id", "points", "partial", "derivation-credit", "title"}


class AssignmentError(Exception):
    """An assignment file that cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class AssignedQuestion:
    """One question of an assignment with its points and its partial-credit rules."""

    id: str
    points: float
    partial: dict[str, float] = field(default_factory=dict)
    derivation_credit: float = 0.0
    title: str = ""

    @property
    def label(self) -> str:
        """The column name of the question in gradebooks."""
        return self.title or self.id


@dataclass(frozen=True)
class Assignment:
    """A parsed assignment file."""

    title: str
    questions: tuple[AssignedQuestion, ...]
    strict_notation: bool = False
    roster: tuple[str, ...] = ()
    moodle_id_column: str = "Username"
    canvas_id_column: str = "SIS Login ID"
    source: str = ""

    @property
    def max_points(self) -> float:
        """The points of every question together."""
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> AssignedQuestion | None:
        """The assignment's entry for question ``qid``, if it has one."""
        return next((q for q in self.questions if q.id == qid), None)


def _fraction(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise AssignmentError(f"{where} must be a fraction between 0 and 1 (0.5 is half the points), "
                              f"not {value!r}")
    return float(value)


def _partial(table: object, where: str) -> dict[str, float]:
    if not isinstance(table, dict):
        raise AssignmentError(f"{where} must be a table of mistake tags, e.g. {{ wrong-scale = 0.5 }}")
    out = {}
    for tag, value in table.items():
        if tag not in TAGS:
            near = difflib.get_close_matches(tag, TAGS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f"; known tags: {', '.join(TAGS)}"
            raise AssignmentError(f"{where}: unknown mistake tag {tag!r}{hint}")
        out[tag] = _fraction(value, f"{where}.{tag}")
    return out


def _unknown_keys(table: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        near = difflib.get_close_matches(extra[0], sorted(allowed), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else f"; allowed: {', '.join(sorted(allowed))}"
        raise AssignmentError(f"{where}: unknown key {extra[0]!r}{hint}")


def _question(entry: object, n: int, default_partial: dict[str, float]) -> AssignedQuestion:
    where = f"[[question]] number {n}"
    if not isinstance(entry, dict):
        raise AssignmentError(f"{where} must be a table with id and points")
    _unknown_keys(entry, _QUESTION_KEYS, where)
    qid = entry.get("id")
    if not isinstance(qid, str) or qid not in QUESTIONS:
        near = difflib.get_close_matches(str(qid), QUESTIONS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else "; `gradproof questions` lists them"
        raise AssignmentError(f"{where}: unknown question id {qid!r}{hint}")
    points = entry.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or not 0 <= points < math.inf:
        raise AssignmentError(f"{where} ({qid}): points must be a number ≥ 0, not {points!r}")
    partial = {**default_partial, **_partial(entry.get("partial", {}), f"{where} ({qid}).partial")}
    credit = _fraction(entry.get("derivation-credit", 0), f"{where} ({qid}).derivation-credit")
    title = entry.get("title", "")
    if not isinstance(title, str):
        raise AssignmentError(f"{where} ({qid}).title must be text")
    return AssignedQuestion(qid, float(points), partial, credit, title)


def _roster(table: object, base: Path) -> tuple[str, ...]:
    if table is None:
        return ()
    if not isinstance(table, dict):
        raise AssignmentError("[roster] must be a table with students = [...] or file = \"roster.txt\"")
    _unknown_keys(table, {"students", "file"}, "[roster]")
    students = table.get("students", [])
    if not isinstance(students, list):  # list("ada, ben") would be a roster of letters
        raise AssignmentError("[roster].students must be a list of names, e.g. [\"ada\", \"ben\"], "
                              f"not {students!r}")
    names = list(students)
    if "file" in table:
        path = base / str(table["file"])
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise AssignmentError(f"[roster].file {path}: cannot be read ({err}); "
                                  "one student per line, UTF-8") from None
        names += [ln.split(",")[0].strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    if not all(isinstance(s, str) and s.strip() for s in names):
        raise AssignmentError("[roster].students must be a list of non-empty names")
    return tuple(dict.fromkeys(s.strip() for s in names))


def parse_assignment(data: dict, source: str = "", base: Path = Path(".")) -> Assignment:
    """An :class:`Assignment` from the parsed TOML ``data``; raises :class:`AssignmentError`."""
    _unknown_keys(data, _TOP_KEYS, "the top level")
    default_partial = _partial(data.get("partial", {}), "[partial]")
    entries = data.get("question")
    if not isinstance(entries, list) or not entries:
        raise AssignmentError("no [[question]] tables: name at least one question with id and points")
    questions = tuple(_question(e, i, default_partial) for i, e in enumerate(entries, 1))
    ids = [q.id for q in questions]
    twice = sorted({q for q in ids if ids.count(q) > 1})
    if twice:
        raise AssignmentError(f"question {twice[0]!r} is listed twice; list each question once")
    labels = [q.label for q in questions]
    same = sorted({t for t in labels if labels.count(t) > 1})
    if same:
        raise AssignmentError(f"two questions have the title {same[0]!r}: gradebook columns are named by "
                              "title and must differ; give each question its own title")
    title = data.get("title", "Assignment")
    if not isinstance(title, str) or not title.strip():
        raise AssignmentError("title must be non-empty text: it names the gradebook columns")
    strict = data.get("strict-notation", False)
    if not isinstance(strict, bool):
        raise AssignmentError("strict-notation must be true or false")
    book = data.get("gradebook", {})
    if not isinstance(book, dict):
        raise AssignmentError("[gradebook] must be a table")
    _unknown_keys(book, {"moodle-id-column", "canvas-id-column"}, "[gradebook]")
    canvas_id = book.get("canvas-id-column", "SIS Login ID")
    if canvas_id not in CANVAS_ID_COLUMNS:
        raise AssignmentError(f"[gradebook].canvas-id-column must be one of {', '.join(CANVAS_ID_COLUMNS)}")
    moodle_id = str(book.get("moodle-id-column", "Username")).strip()
    if not moodle_id or moodle_id in ids or moodle_id == "Total":
        raise AssignmentError("[gradebook].moodle-id-column must be a non-empty name unlike any "
                              "question column")
    return Assignment(title.strip(), questions, strict,
                      _roster(data.get("roster"), base), moodle_id, canvas_id, source)


def load_assignment(path: Path) -> Assignment:
    """Read and check an assignment file; every error names the file and what to change."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as err:
        raise AssignmentError(f"{path}: cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise AssignmentError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise AssignmentError(f"{path}: not valid TOML: {err}") from None
    try:
        return parse_assignment(data, str(path), path.parent)
    except AssignmentError as err:
        raise AssignmentError(f"{path}: {err}") from None


def implied_assignment(question_ids: list[str]) -> Assignment:
    """Without an assignment file: every known question that appears, one point each."""
    known = [q for q in dict.fromkeys(question_ids) if q in QUESTIONS]
    order = {qid: i for i, qid in enumerate(QUESTIONS)}
    known.sort(key=order.__getitem__)
    return Assignment("Answers", tuple(AssignedQuestion(q, 1.0) for q in known))
