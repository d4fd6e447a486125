"""Grading a class: a CSV of submissions in, results (CSV, JSON) and an instructor's report out.

Every input row gives exactly one result row, in input order, malformed rows included (a row
with missing fields, an unknown question or an empty answer is ``invalid`` with a message).
Answers are graded in a pool of worker processes, in chunks, each answer under the judge's own
time limit; if a worker dies, its chunk is graded again one answer per task, and an answer that
kills a worker again is reported as ``invalid``. Outputs are written atomically (a temporary file
in the output directory, then ``os.replace``), so a crash leaves either the old file or the new
one, never half a file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from checker.grading.judge import FORMATS, GradeResult, grade, invalid, warm
from checker.grading.mistakes import TAGS
from derivations.questions import QUESTIONS

REQUIRED = ("student", "question", "answer")
RESULT_FIELDS = ("row", "student", "question", "format", "answer", "verdict", "score", "mistake",
                 "feedback", "interpreted")


@dataclass
class Submission:
    """One data row of the input: ``row`` counts data rows from 1 (the header is row 0)."""

    row: int
    student: str = ""
    question: str = ""
    answer: str = ""
    format: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def read_submissions(path: Path) -> tuple[list[Submission], list[str]]:
    """The rows of a submissions CSV and the names of its extra columns.

    Nothing is dropped: a row the CSV reader cannot parse, or one with missing fields, becomes a
    submission with a ``problem`` (graded ``invalid``). Blank lines are not rows.
    """
    csv.field_size_limit(1 << 24)
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    subs: list[Submission] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            if header is not None:
                subs.append(Submission(len(subs) + 1, problem=f"the CSV line could not be read: {err}"))
            continue
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = [h.strip().lower() for h in fields]
            continue
        subs.append(_submission(len(subs) + 1, header, fields))
    header = header or []
    known = (*REQUIRED, "format")
    return subs, [h for h in header if h not in known]


def _submission(row: int, header: list[str], fields: list[str]) -> Submission:
    values = dict(zip(header, fields, strict=False))
    sub = Submission(
        row,
        student=values.get("student", "").strip(),
        question=values.get("question", "").strip(),
        answer=values.get("answer", ""),
        format=values.get("format", "").strip().lower(),
        extra={h: v for h, v in values.items() if h not in (*REQUIRED, "format")},
    )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        sub.problem = f"the CSV has no column {', '.join(repr(c) for c in missing)}"
    elif len(fields) < len(header) or len(fields) > len(header):
        sub.problem = f"the row has {len(fields)} fields where the header has {len(header)}"
    return sub


def grade_submission(sub: Submission) -> GradeResult:
    """The verdict on one row; never raises."""
    qid = sub.question or "(none)"
    if sub.problem:
        return invalid(qid, sub.problem)
    if sub.question not in QUESTIONS:
        return invalid(qid, f"unknown question {sub.question!r}; known: {', '.join(QUESTIONS)}")
    fmt = sub.format or "auto"
    if fmt not in FORMATS:
        return invalid(qid, f"unknown format {sub.format!r}; use one of {', '.join(FORMATS)}")
    try:
        return grade(sub.question, sub.answer, fmt)
    except Exception as exc:  # noqa: BLE001 - one bad row never costs the others
        return invalid(qid, f"the grader failed on this answer ({type(exc).__name__}: {exc})")


def _grade_chunk(chunk: list[Submission]) -> list[dict]:
    return [grade_submission(s).to_json() for s in chunk]


def _warm(questions: Iterable[str]) -> None:
    """Prepare the questions (and import the reader) before the workers are forked."""
    for qid in questions:
        if qid in QUESTIONS:
            with contextlib.suppress(Exception):  # a failure here shows up per answer instead
                warm(qid)


def _chunks(items: list[Submission], size: int) -> Iterator[list[Submission]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def grade_all(subs: list[Submission], jobs: int = 2,
              advance: Callable[[int], None] | None = None) -> list[dict]:
    """Grade every submission; the results are in input order, one per submission."""
    advance = advance or (lambda n: None)
    _warm({s.question for s in subs})
    if jobs <= 1 or len(subs) < 32:
        out = []
        for s in subs:
            out.append(grade_submission(s).to_json())
            advance(1)
        return out
    size = max(4, min(64, len(subs) // (jobs * 6) or 1))
    chunks = list(_chunks(subs, size))
    results: list[list[dict] | None] = [None] * len(chunks)
    context = _fork_context()
    failed: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_grade_chunk, c) for c in chunks]
        for i, fut in enumerate(futures):
            try:
                results[i] = fut.result()
            except BrokenProcessPool:
                failed.append(i)
            advance(len(chunks[i]))
    for i in failed:
        results[i] = [_grade_alone(s) for s in chunks[i]]
    return [r for chunk in results for r in (chunk or [])]


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork where there is fork: workers start at once and inherit the prepared questions."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def _grade_alone(sub: Submission) -> dict:
    """Grade one answer in a fresh worker: an answer that kills it is reported, not lost."""
    context = _fork_context()
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(_grade_chunk, [sub]).result()[0]
    except BrokenProcessPool:
        return invalid(sub.question or "(none)", "the grader crashed on this answer").to_json()


# ------------------------------------------------------------------------------------- output


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_rows(subs: list[Submission], results: list[dict]) -> list[dict]:
    """The JSON objects of results.json: the grade plus row, student, answer, format and extras."""
    rows = []
    for sub, res in zip(subs, results, strict=True):
        rows.append({
            "row": sub.row,
            "student": sub.student,
            **res,
            "answer": sub.answer,
            "format": sub.format or "auto",
            "extra": dict(sub.extra),
        })
    return rows


def results_csv(rows: list[dict], extra_columns: list[str]) -> str:
    """results.csv: the result fields, then the input's extra columns."""
    names = {c: (c if c not in RESULT_FIELDS else f"input_{c}") for c in extra_columns}
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow([*RESULT_FIELDS, *names.values()])
    for r in rows:
        writer.writerow([*("" if r[k] is None else r[k] for k in RESULT_FIELDS),
                         *(r["extra"].get(c, "") for c in extra_columns)])
    return buf.getvalue()


def report_context(rows: list[dict]) -> dict:
    """What the instructor's report shows: per-student scores, per-question verdicts and mistakes."""
    students: dict[str, Counter] = {}
    questions: dict[str, Counter] = {}
    for r in rows:
        s = students.setdefault(r["student"] or "(no name)", Counter())
        s[r["verdict"]] += 1
        q = questions.setdefault(r["question"], Counter())
        q[r["verdict"]] += 1
        if r["verdict"] == "incorrect":
            q["mistake:" + (r["mistake"] or "other")] += 1
    student_rows = []
    for name in sorted(students):
        c = students[name]
        judged = c["correct"] + c["incorrect"]
        student_rows.append({
            "student": name, "correct": c["correct"], "incorrect": c["incorrect"],
            "invalid": c["invalid"], "judged": judged,
            "percent": round(100 * c["correct"] / judged) if judged else None,
        })
    order = {qid: i for i, qid in enumerate(QUESTIONS)}
    question_rows = []
    biggest = 1
    for qid in sorted(questions, key=lambda k: (order.get(k, len(order)), k)):
        c = questions[qid]
        tags = [(t, c["mistake:" + t]) for t in (*TAGS, "other") if c["mistake:" + t]]
        biggest = max([biggest, *(n for _, n in tags)])
        question_rows.append({
            "id": qid, "known": qid in QUESTIONS, "correct": c["correct"], "incorrect": c["incorrect"],
            "invalid": c["invalid"], "total": c["correct"] + c["incorrect"] + c["invalid"], "mistakes": tags,
        })
    totals = Counter(r["mistake"] or "other" for r in rows if r["verdict"] == "incorrect")
    overall = [(t, totals[t]) for t in (*TAGS, "other") if totals[t]]
    return {
        "students": student_rows,
        "questions": question_rows,
        "overall": overall,
        "overall_max": max([1, *(n for _, n in overall)]),
        "biggest": biggest,
        "count": len(rows),
        "verdicts": Counter(r["verdict"] for r in rows),
    }


def render_report(rows: list[dict]) -> str:
    """report.html, from the jinja2 template next to this module."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**report_context(rows))


def write_outputs(out_dir: Path, subs: list[Submission], results: list[dict],
                  extra_columns: list[str]) -> dict[str, Path]:
    """Write results.csv, results.json and report.html into ``out_dir`` (atomically each)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = result_rows(subs, results)
    paths = {name: out_dir / name for name in ("results.csv", "results.json", "report.html")}
    atomic_write(paths["results.csv"], results_csv(rows, extra_columns))
    atomic_write(paths["results.json"], json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    atomic_write(paths["report.html"], render_report(rows))
    return paths


def show_progress() -> bool:
    """A progress bar on a terminal only: none under CI or when stderr is not a TTY."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def grade_batch(path: Path, out_dir: Path, jobs: int = 2, progress: bool | None = None) -> list[dict]:
    """Read, grade and write: the whole ``gradproof grade-batch``. Returns the result rows."""
    subs, extra = read_submissions(path)
    progress = show_progress() if progress is None else progress
    if progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("grading", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("grading", total=len(subs))
            results = grade_all(subs, jobs, lambda n: bar.advance(task, n))
    else:
        results = grade_all(subs, jobs)
    write_outputs(out_dir, subs, results, extra)
    return result_rows(subs, results)
