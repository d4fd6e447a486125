"""Grading a class: a CSV of submissions in; results, gradebooks, feedback and a report out.

Every input record gives exactly one result row, in input order. The file is read strictly
(:mod:`checker.grading.classroom.csvin`): a broken record (an unterminated quote, a stray
delimiter, a wrong number of fields) is reported with its line number, and the run stops before
grading unless ``lenient`` is set, in which case every record is still graded and the broken ones
are ``invalid`` with their problem as feedback. A cell that holds two or more relations is graded
as a derivation (QUESTIONS.md §6) by :mod:`checker.grading.derivation`.

Answers are graded in a pool of worker processes, as many as the CPUs this process may run on;
identical answers to the same question are graded once (a verdict depends only on the question,
the answer, its format and the notation setting). If a worker dies, its chunk is graded again one
answer per task, and an answer that kills a worker again is reported as ``invalid``. An answer the
judge marks as not judged (to be retried) is graded once more.

All outputs of a run are written into a staging directory beside ``--out`` and swapped in together
(:class:`checker.files.OutputSet`); ``--out`` is checked before grading starts.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import multiprocessing
import os
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from checker.files import OutputSet
from checker.grading import derivation
from checker.grading.classroom import feedback, gradebook
from checker.grading.classroom.assignment import Assignment, implied_assignment
from checker.grading.classroom.csvin import Table, read_table
from checker.grading.classroom.csvout import csv_text
from checker.grading.classroom.report import render_report
from checker.grading.classroom.scores import StudentScore, score_class
from checker.grading.judge import FORMATS, grade, invalid, warm
from derivations.questions import QUESTIONS

REQUIRED = ("student", "question", "answer")
RESULT_FIELDS = ("row", "line", "student", "question", "format", "answer", "verdict", "score", "mistake",
                 "feedback", "interpreted")


class BatchRefused(Exception):
    """The submissions file has problems and the run is strict: nothing was graded or written."""

    def __init__(self, problems: list[str], reading: str) -> None:
        super().__init__(f"{len(problems)} problem line(s) in the submissions file")
        self.problems, self.reading = problems, reading


@dataclass
class Submission:
    """One data record: ``row`` counts records from 1, ``line`` is the file line it starts on."""

    row: int
    student: str = ""
    question: str = ""
    answer: str = ""
    format: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    line: int = 0


@dataclass
class Reading:
    """What was read from a submissions file, and how."""

    subs: list[Submission]
    extra_columns: list[str]
    table: Table

    @property
    def problems(self) -> list[str]:
        """Every problem line of the file, in order (a header without a required column first).

        A problem is a record the CSV reader could not split (:mod:`.classroom.csvin`) or one whose
        student cell is empty.
        """
        missing = [c for c in REQUIRED if c not in self.table.header]
        names = ", ".join(repr(c) for c in missing)
        head = [f"line {self.table.header_line}: the header has no column {names} "
                f"(it has {', '.join(self.table.header) or 'nothing'})"] if missing else []
        if missing:
            return head + [r.problem for r in self.table.problems]
        return [s.problem for s in self.subs if s.problem]  # the table's, and a record without a student


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity), not the machine's count; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def read_submissions(path: Path, encoding: str | None = None, delimiter: str | None = None) -> Reading:
    """Every record of a submissions CSV as a :class:`Submission` (raises ``CsvRefused`` if unreadable)."""
    table = read_table(Path(path).read_bytes(), REQUIRED, QUESTIONS, encoding, delimiter)
    missing = [c for c in REQUIRED if c not in table.header]
    known = (*REQUIRED, "format")
    subs = []
    for i, rec in enumerate(table.records, 1):
        values = dict(zip(table.header, rec.fields, strict=False))
        problem = rec.problem
        if missing and not problem:
            problem = (f"line {rec.line}: the header (line {table.header_line}) has no column "
                       f"{', '.join(repr(c) for c in missing)}")
        elif not problem and not values.get("student", "").strip():
            problem = (f"line {rec.line}: the student cell is empty; fill in whose answer it is "
                       "(with --lenient it is graded as invalid and kept out of the gradebooks)")
        subs.append(Submission(
            i, student=values.get("student", "").strip(), question=values.get("question", "").strip(),
            answer=values.get("answer", ""), format=values.get("format", "").strip().lower(),
            extra={h: v for h, v in values.items() if h not in known}, problem=problem, line=rec.line))
    # Excel's trailing delimiter: a column with no name and nothing in it is not carried through
    blank = {h for h in table.header if not h and all(not s.extra.get(h, "").strip() for s in subs)}
    for sub in subs:
        for h in blank:
            sub.extra.pop(h, None)
    return Reading(subs, [h for h in table.header if h not in known and h not in blank], table)


# ------------------------------------------------------------------------------------ grading


def _derivation_grader() -> types.ModuleType:
    """The derivation grader of QUESTIONS.md §6 (a function, so that tests can stand in for it)."""
    return derivation


def _grade_formula(sub: Submission, fmt: str, strict_notation: bool) -> dict:
    if strict_notation and "strict_notation" in inspect.signature(grade).parameters:
        return grade(sub.question, sub.answer, fmt, strict_notation=True).to_json()  # type: ignore[call-arg]
    return grade(sub.question, sub.answer, fmt).to_json()


def _grade_derivation(grader: types.ModuleType, sub: Submission, fmt: str, strict_notation: bool) -> dict:
    out = dict(grader.grade_derivation(sub.question, sub.answer, fmt=fmt, strict_notation=strict_notation))
    steps = out.get("steps") or []
    wrong = next((s for s in steps if s.get("n") == out.get("first_wrong_step")), None)
    out.setdefault("question", sub.question)
    out.setdefault("mistake", wrong.get("mistake") if wrong else None)
    out.setdefault("interpreted", "")
    return out


def _not_judged(result: dict) -> bool:
    """True when the judge says it could not judge this time and the answer should be tried again
    (the judge's ``judged`` is False)."""
    return result.get("judged") is False or bool(result.get("retry") or result.get("not_judged"))


def grade_submission(sub: Submission, strict_notation: bool = False) -> dict:
    """The verdict on one record as the JSON object of QUESTIONS.md §4 (or §6); never raises."""
    qid = sub.question or "(none)"
    if sub.problem:
        return invalid(qid, sub.problem).to_json()
    if sub.question not in QUESTIONS:
        return invalid(qid, f"unknown question {sub.question!r}; known: {', '.join(QUESTIONS)}").to_json()
    fmt = sub.format or "auto"
    if fmt not in FORMATS:
        return invalid(qid, f"unknown format {sub.format!r}; use one of {', '.join(FORMATS)}").to_json()
    grader = _derivation_grader() if fmt != "numpy" else None
    for attempt in range(2):
        try:
            if grader is not None and grader.is_derivation(sub.answer):
                result = _grade_derivation(grader, sub, fmt, strict_notation)
            else:
                result = _grade_formula(sub, fmt, strict_notation)
        except Exception as exc:  # noqa: BLE001 - one bad row never costs the others
            return invalid(qid, f"the grader failed on this answer ({type(exc).__name__}: {exc})").to_json()
        if not _not_judged(result) or attempt:
            return result
    return result


def _grade_chunk(chunk: list[Submission], strict_notation: bool = False) -> list[dict]:
    _warm({s.question for s in chunk})  # set-up is never charged to an answer's time limit
    return [grade_submission(s, strict_notation) for s in chunk]


def _warm(questions: Iterable[str]) -> None:
    """Prepare the questions (draws, mutants, the reader's grammar) before their answers are graded."""
    for qid in questions:
        if qid in QUESTIONS:
            with contextlib.suppress(Exception):  # a failure here shows up per answer instead
                warm(qid)


def _chunks(items: list[Submission], size: int) -> Iterator[list[Submission]]:
    """Chunks of at most ``size`` answers, each to one question, so that a worker prepares a question once."""
    by_question: dict[str, list[Submission]] = {}
    for s in items:
        by_question.setdefault(s.question, []).append(s)
    for group in by_question.values():
        for i in range(0, len(group), size):
            yield group[i:i + size]


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork where there is fork: workers start at once and inherit the prepared questions."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def _grade_alone(sub: Submission, strict_notation: bool) -> dict:
    """Grade one answer in a fresh worker: an answer that kills it is reported, not lost."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_fork_context()) as pool:
            return pool.submit(_grade_chunk, [sub], strict_notation).result()[0]
    except BrokenProcessPool:
        return invalid(sub.question or "(none)", "the grader crashed on this answer").to_json()


def _grade_distinct(subs: list[Submission], jobs: int, strict_notation: bool,
                    advance: Callable[[int], None]) -> list[dict]:
    if jobs <= 1 or len(subs) < 32:
        _warm({s.question for s in subs})
        out = []
        for s in subs:
            out.append(grade_submission(s, strict_notation))
            advance(1)
        return out
    size = max(4, min(64, len(subs) // (jobs * 6) or 1))
    chunks = list(_chunks(subs, size))
    position = {id(s): i for i, s in enumerate(subs)}
    results: list[list[dict] | None] = [None] * len(chunks)
    failed: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
        futures = [pool.submit(_grade_chunk, c, strict_notation) for c in chunks]
        for i, fut in enumerate(futures):
            try:
                results[i] = fut.result()
            except BrokenProcessPool:
                failed.append(i)
            advance(len(chunks[i]))
    for i in failed:
        results[i] = [_grade_alone(s, strict_notation) for s in chunks[i]]
    ordered: list[dict] = [{}] * len(subs)
    for chunk, graded in zip(chunks, results, strict=True):
        for s, r in zip(chunk, graded or [], strict=True):
            ordered[position[id(s)]] = r
    return ordered


def grade_all(subs: list[Submission], jobs: int = 2, advance: Callable[[int], None] | None = None,
              strict_notation: bool = False) -> list[dict]:
    """Grade every submission; the results are in input order, one per submission."""
    advance = advance or (lambda n: None)
    distinct: dict[tuple, int] = {}
    unique: list[Submission] = []
    slot = []
    for s in subs:
        key = (s.question, s.answer, s.format or "auto") if not s.problem else ("", s.problem, s.row)
        if key not in distinct:
            distinct[key] = len(unique)
            unique.append(s)
        slot.append(distinct[key])
    repeats = len(subs) - len(unique)
    graded = _grade_distinct(unique, jobs, strict_notation, advance)
    advance(repeats)
    return [graded[i] for i in slot]


# ------------------------------------------------------------------------------------- output


def result_rows(subs: list[Submission], results: list[dict]) -> list[dict]:
    """The JSON objects of results.json: the grade plus row, line, student, answer, format and extras."""
    rows = []
    for sub, res in zip(subs, results, strict=True):
        rows.append({"row": sub.row, "line": sub.line, "student": sub.student, **res, "answer": sub.answer,
                     "format": sub.format or "auto", "extra": dict(sub.extra)})
    return rows


def results_csv(rows: list[dict], extra_columns: list[str]) -> str:
    """results.csv: the result fields, then the input's extra columns; every cell neutralised."""
    names = [c if c not in RESULT_FIELDS else f"input_{c}" for c in extra_columns]
    table: list[list[object]] = [[*RESULT_FIELDS, *names]]
    for r in rows:
        table.append([*("" if r.get(k) is None else r[k] for k in RESULT_FIELDS),
                      *(r["extra"].get(c, "") for c in extra_columns)])
    return csv_text(table)


@dataclass
class BatchOutcome:
    """What a grade-batch run did: the rows, the scores, how the file was read, what was written."""

    rows: list[dict]
    reading: Reading
    scores: list[StudentScore] | None
    written: list[str]
    warnings: list[str]


def write_outputs(outputs: OutputSet, reading: Reading, rows: list[dict], assignment: Assignment | None,
                  scores: list[StudentScore] | None) -> list[str]:
    """Write every output of the run into ``outputs`` (an entered :class:`OutputSet`); returns their names."""
    outputs.write("results.csv", results_csv(rows, reading.extra_columns))
    # one object per line: readable, and written by json's C encoder (indent= would use the slow one)
    objects = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    outputs.write("results.json", f"[\n{objects}\n]\n")
    outputs.write("report.html", render_report(rows, assignment=assignment, scores=scores,
                                               reading=reading.table.describe(), problems=reading.problems))
    if assignment is not None and assignment.source and scores is not None:
        outputs.write("gradebook-canvas.csv", gradebook.canvas_csv(assignment, scores))
        outputs.write("gradebook-moodle.csv", gradebook.moodle_csv(assignment, scores))
    by_student: dict[str, list[dict]] = {}
    for r in rows:
        by_student.setdefault(r["student"] or "(no name)", []).append(r)
    score_of = {s.student: s for s in scores or []} if assignment and assignment.source else {}
    title = assignment.title if assignment and assignment.source else "Answers"
    taken: set[str] = set()
    for name in [*by_student, *(s for s in score_of if s not in by_student)]:
        stem = feedback.file_stem(name, taken)
        mine = by_student.get(name, [])
        outputs.write(f"{stem}.md", feedback.markdown(name, mine, score_of.get(name), title))
        outputs.write(f"{stem}.html", feedback.html_page(name, mine, score_of.get(name), title))
    return list(outputs.names)


def show_progress() -> bool:
    """A progress bar on a terminal only: none under CI or when stderr is not a TTY."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _graded(subs: list[Submission], jobs: int, progress: bool, strict_notation: bool) -> list[dict]:
    if not progress:
        return grade_all(subs, jobs, strict_notation=strict_notation)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("grading", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("grading", total=len(subs))
        return grade_all(subs, jobs, lambda n: bar.advance(task, n), strict_notation)


def grade_batch(path: Path, out_dir: Path, jobs: int = 2, progress: bool | None = None,
                assignment: Assignment | None = None, lenient: bool = False,
                encoding: str | None = None, delimiter: str | None = None) -> BatchOutcome:
    """Read, grade and write: the whole ``gradproof grade-batch``.

    Raises ``OutputError`` (bad ``--out``, before any work), ``CsvRefused`` (undecodable file) or
    :class:`BatchRefused` (problem lines and not ``lenient``).
    """
    outputs = OutputSet(out_dir)  # checks --out now, before any grading
    reading = read_submissions(path, encoding, delimiter)
    if reading.problems and not lenient:
        raise BatchRefused(reading.problems, reading.table.describe())
    strict = bool(assignment and assignment.strict_notation)
    results = _graded(reading.subs, jobs, show_progress() if progress is None else progress, strict)
    rows = result_rows(reading.subs, results)
    if len(rows) != len(reading.subs):  # the contract of the whole command; never expected to fire
        raise RuntimeError(f"{len(reading.subs)} records read but {len(rows)} result rows")
    plan = assignment or implied_assignment([s.question for s in reading.subs])
    scores = score_class(plan, rows)
    warnings = gradebook.moodle_warnings(assignment) if assignment else []
    with outputs:
        written = write_outputs(outputs, reading, rows, plan, scores)
    return BatchOutcome(rows, reading, scores, written, warnings)
