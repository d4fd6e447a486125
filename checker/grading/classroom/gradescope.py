"""Gradescope autograder mode: one student's submission directory in, ``results/results.json`` out.

Gradescope runs ``/autograder/run_autograder`` in its container with the student's files in
``/autograder/submission`` and reads ``/autograder/results/results.json`` (its autograder
specification). A submission is either

* a CSV file (``answers.csv``; any ``*.csv``) with the columns ``question,answer`` and optionally
  ``format``, read by the same strict reader as grade-batch (a broken line becomes an unreadable
  answer, named by its line), or
* one file per question named by its id: ``hidden-delta.tex`` (LaTeX), ``.md`` (Markdown with
  math, e.g. a derivation), ``.txt`` (plain text), ``.py`` (NumPy).

results.json follows the specification: a top-level ``score``, ``output`` (Markdown) and one entry
in ``tests`` per question of the assignment with ``name``, ``number``, ``score``, ``max_score``,
``status`` (passed/failed), ``output`` (the answer, verdict, feedback and interpreted LaTeX, as
Markdown), ``output_format`` ``md``, ``tags`` (the mistake) and ``visibility``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checker.grading.classroom.assignment import Assignment
from checker.grading.classroom.csvin import CsvRefused, read_table
from checker.grading.classroom.feedback import answer_block
from checker.grading.classroom.scores import score_class
from derivations.questions import QUESTIONS

SUFFIX_FORMATS = {".tex": "latex", ".md": "auto", ".txt": "text", ".py": "numpy"}
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
MAX_FILE_BYTES = 200_000


@dataclass
class Answer:
    """One answer found in a submission directory: where it came from and what it says."""

    question: str
    answer: str
    format: str
    source: str
    line: int = 0
    problem: str = ""


def _from_csv(path: Path) -> list[Answer]:
    try:
        table = read_table(path.read_bytes()[:MAX_FILE_BYTES * 10], ("question", "answer"), QUESTIONS)
    except CsvRefused as err:
        return [Answer("", "", "auto", path.name, 0, f"{path.name}: {err}")]
    out = []
    for rec in table.records:
        values = dict(zip(table.header, rec.fields, strict=False))
        problem = rec.problem and f"{path.name} {rec.problem}"
        if not problem and ("question" not in table.header or "answer" not in table.header):
            problem = f"{path.name} needs the columns question,answer (its header: {','.join(table.header)})"
        out.append(Answer(values.get("question", "").strip(), values.get("answer", ""),
                          values.get("format", "").strip().lower() or "auto", path.name, rec.line, problem))
    return out


def read_submission(directory: Path) -> tuple[list[Answer], list[str]]:
    """The answers in a submission directory, and notes on files that were not read."""
    answers: list[Answer] = []
    notes: list[str] = []
    if not directory.is_dir():
        return [], [f"no submission directory {directory}"]
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if path.suffix.lower() == ".csv":
            answers += _from_csv(path)
        elif path.suffix.lower() in SUFFIX_FORMATS and path.stem in QUESTIONS:
            raw = path.read_bytes()
            problem = "" if len(raw) <= MAX_FILE_BYTES else f"{rel} is larger than {MAX_FILE_BYTES} bytes"
            text = raw[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
            fmt = SUFFIX_FORMATS[path.suffix.lower()]
            answers.append(Answer(path.stem, text.strip(), fmt, rel, 1, problem))
        elif not path.name.startswith("."):
            notes.append(f"{rel} was not read (name a file after its question, e.g. hidden-delta.tex, "
                         "or hand in answers.csv with the columns question,answer)")
    return answers, notes


def _test_output(q_row: dict | None, why: str) -> str:
    if q_row is None:
        return "No answer to this question was found in the submission."
    # Gradescope's Markdown renders $$…$$ as math
    return "\n".join(answer_block(q_row, f"Your answer ({q_row.get('source', '')}):", why, "$$")).strip()


def _outside_note(row: dict) -> str:
    """A line of the summary for an answer that no test of the assignment holds."""
    question = row.get("question")
    if question and question != "(none)":  # the grader names a missing question "(none)"
        return (f"- {row['source']}: {question} is not in this assignment"
                + (f" ({row['feedback']})" if row["verdict"] == "invalid" else ""))
    return f"- {row['source']} was not read: {row['feedback']}"  # a file or line with no question at all


def results_json(assignment: Assignment, answers: list[Answer], graded: list[dict], notes: list[str],
                 visibility: str = "visible") -> dict:
    """The results.json object of Gradescope's autograder specification."""
    rows = [{**g, "answer": a.answer, "source": a.source, "line": a.line, "row": i, "student": "submission"}
            for i, (a, g) in enumerate(zip(answers, graded, strict=True), 1)]
    score = score_class(dataclasses.replace(assignment, roster=("submission",)), rows)[0]
    by_row = {r["row"]: r for r in rows}
    tests = []
    for n, qs in enumerate(score.questions, 1):
        row = by_row.get(qs.row) if qs.row is not None else None
        title = QUESTIONS[qs.question].title
        tests.append({
            "name": f"{qs.question} — {title}", "number": str(n), "score": qs.earned, "max_score": qs.points,
            "status": "passed" if qs.status == "correct" else "failed",
            "output": _test_output(row, qs.why if qs.earned and qs.status != "correct" else ""),
            "output_format": "md", "tags": [qs.mistake] if qs.mistake else [], "visibility": visibility,
        })
    outside = [r for r in rows if not assignment.question(r.get("question", ""))]
    summary = [f"{assignment.title}: {score.total:g} of {score.max_points:g} points."]
    summary += [_outside_note(r) for r in outside]
    summary += [f"- {note}" for note in notes]
    return {"score": score.total, "output": "\n".join(summary), "output_format": "md",
            "visibility": visibility, "stdout_visibility": "hidden", "tests": tests}


def run_autograder(assignment: Assignment, submission: Path,
                   grade_answers: Callable[[list[Answer]], list[dict]], visibility: str = "visible") -> dict:
    """Read the submission, grade it with ``grade_answers`` and return results.json's object."""
    answers, notes = read_submission(submission)
    graded = grade_answers(answers)
    return results_json(assignment, answers, graded, notes, visibility)


def dumps(results: dict) -> str:
    """results.json text (UTF-8, exact student text)."""
    return json.dumps(results, indent=1, ensure_ascii=False) + "\n"
