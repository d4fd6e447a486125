"""Gradebook files a teacher uploads without editing: one row per student, one column per question, the total.

**Canvas** (``gradebook-canvas.csv``), following Canvas's gradebook import (Grades → Import; the
rules of its importer): the header starts ``Student,ID,SIS User ID,SIS Login ID,Section``, the last
student-information column being ``Section``; each further column is an assignment, matched by its
title (a column whose title Canvas does not know creates that assignment); a second row whose
first cell is ``Points Possible`` gives each new assignment its points. Canvas finds a student by
``ID`` (its own numeric id), else ``SIS User ID`` or ``SIS Login ID``, else by the name in
``Student``; the assignment's ``canvas-id-column`` says which of them holds the identifiers of the
submissions file (default ``SIS Login ID``). Canvas treats ``Final Points`` as a read-only
computed column and skips it on import: the total is written there, for the eye, and Canvas
computes its own from the question columns.

**Moodle** (``gradebook-moodle.csv``), following Moodle's CSV grade import (Grades → Import →
CSV file): a header row of unique column names and one row per student with as many fields as
the header; on import the teacher maps the identifier column (``moodle-id-column``, default
``Username``) to the user field it holds (username, email address or ID number) and each
question column to a grade item or "new grade item". Grades are plain numbers with a point as
decimal mark. Moodle refuses grades above 100 unless the site allows unlimited grades, which
:func:`moodle_warnings` says.

Rows without a student (an empty student cell, refused unless ``--lenient``) are shown in the
report but never written to a gradebook: there is nobody to give the points to.

Cells are neutralised against formula injection (:mod:`.csvout`); numbers use a point as decimal mark.
"""

from __future__ import annotations

from checker.grading.classroom.assignment import Assignment
from checker.grading.classroom.csvout import csv_text
from checker.grading.classroom.scores import NO_NAME, StudentScore

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_TOTAL = "Final Points"
MOODLE_TOTAL = "Total"
MOODLE_MAX_GRADE = 100


def question_columns(assignment: Assignment) -> list[str]:
    """The column title of each question: ``<assignment title>: <question>``, unique within the file."""
    return [f"{assignment.title}: {q.label}" for q in assignment.questions]


def _named(scores: list[StudentScore]) -> list[StudentScore]:
    return [s for s in scores if s.student != NO_NAME]


def canvas_csv(assignment: Assignment, scores: list[StudentScore]) -> str:
    """gradebook-canvas.csv: Canvas's header, a Points Possible row, a row per student."""
    header = [*CANVAS_STUDENT_COLUMNS, *question_columns(assignment), CANVAS_TOTAL]
    points = ["Points Possible", "", "", "", "", *(q.points for q in assignment.questions),
              assignment.max_points]
    rows: list[list[object]] = [header, points]
    where = CANVAS_STUDENT_COLUMNS.index(assignment.canvas_id_column)
    for s in _named(scores):
        ident: list[object] = [s.student, "", "", "", ""]
        ident[where] = s.student
        rows.append([*ident, *(q.earned for q in s.questions), s.total])
    return csv_text(rows)


def moodle_csv(assignment: Assignment, scores: list[StudentScore]) -> str:
    """gradebook-moodle.csv: the identifier column, a column per question, the total."""
    header = [assignment.moodle_id_column, *question_columns(assignment), MOODLE_TOTAL]
    rows: list[list[object]] = [header]
    for s in _named(scores):
        rows.append([s.student, *(q.earned for q in s.questions), s.total])
    return csv_text(rows)


def moodle_warnings(assignment: Assignment) -> list[str]:
    """What a Moodle import could refuse in this assignment's gradebook."""
    over = [q.label for q in assignment.questions if q.points > MOODLE_MAX_GRADE]
    out = []
    if over:
        out.append(f"Moodle refuses grades above {MOODLE_MAX_GRADE} unless the site allows unlimited grades: "
                   f"{', '.join(over)}")
    if assignment.max_points > MOODLE_MAX_GRADE:
        out.append(f"the total can reach {assignment.max_points:g} points; Moodle refuses grades above "
                   f"{MOODLE_MAX_GRADE} unless the site allows unlimited grades "
                   f"(map the {MOODLE_TOTAL} column "
                   "to nothing, or enable them)")
    return out
