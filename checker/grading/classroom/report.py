"""The instructor's report.html: totals per student, difficulty and mistakes per question, derivations.

One self-contained page (inline style and a little script, MathML formulas, no network): it fits
a phone (viewport, tables that scroll sideways), follows the reader's dark mode, prints cleanly,
and sorts and filters its tables in the browser. Counts are worded with correct plurals.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jinja2
from markupsafe import Markup

from checker.grading.classroom.assignment import Assignment
from checker.grading.classroom.feedback import math_html, steps_html, text_html
from checker.grading.classroom.scores import StudentScore, leading_steps
from checker.grading.mistakes import TAGS
from derivations.questions import QUESTIONS

_IRREGULAR = {"mistake": "mistakes", "is": "are", "was": "were"}


def plural(n: int, word: str) -> str:
    """``1 answer``, ``2 answers``, ``0 answers``."""
    return f"{n} {word if n == 1 else _IRREGULAR.get(word, word + 's')}"


def _order(qid: str) -> tuple[int, str]:
    keys = list(QUESTIONS)
    return (keys.index(qid) if qid in QUESTIONS else len(keys), qid)


def question_rows(rows: list[dict], assignment: Assignment | None) -> list[dict]:
    """Per question: answers, verdict counts, share correct, mean points and mistakes (most common first)."""
    by_q: dict[str, list[dict]] = {}
    for r in rows:
        by_q.setdefault(r.get("question") or "(none)", []).append(r)
    out = []
    for qid in sorted(by_q, key=_order):
        rs = by_q[qid]
        c = Counter(r["verdict"] for r in rs)
        mistakes = Counter(r.get("mistake") or "other" for r in rs if r["verdict"] == "incorrect")
        aq = assignment.question(qid) if assignment else None
        out.append({
            "id": qid, "known": qid in QUESTIONS, "title": QUESTIONS[qid].title if qid in QUESTIONS else "",
            "answers": len(rs), "correct": c["correct"], "incorrect": c["incorrect"], "invalid": c["invalid"],
            "percent": round(100 * c["correct"] / len(rs)) if rs else 0,
            "points": aq.points if aq else None, "in_assignment": aq is not None or assignment is None,
            "mistakes": sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0])),
        })
    return out


def derivation_rows(rows: list[dict]) -> list[dict]:
    """Per question graded as derivations: where students first went wrong, with what, and each derivation."""
    by_q: dict[str, list[dict]] = {}
    for r in rows:
        if isinstance(r.get("steps"), list) and r["steps"]:
            by_q.setdefault(r["question"], []).append(r)
    out = []
    for qid in sorted(by_q, key=_order):
        first_wrong: Counter = Counter()
        mistakes: dict[int, Counter] = {}
        for r in by_q[qid]:
            k = r.get("first_wrong_step")
            if k is None:
                continue
            first_wrong[k] += 1
            step = next((s for s in r["steps"] if s.get("n") == k), {})
            mistakes.setdefault(k, Counter())[step.get("mistake") or "other"] += 1
        histogram = [{"step": k, "count": first_wrong[k],
                      "mistakes": sorted(mistakes[k].items(), key=lambda kv: (-kv[1], kv[0]))}
                     for k in sorted(first_wrong)]
        out.append({"id": qid, "count": len(by_q[qid]), "histogram": histogram,
                    "top": max([1, *first_wrong.values()]),
                    "correct": sum(1 for r in by_q[qid] if r["verdict"] == "correct"),
                    "students": [{**r, "good_steps": leading_steps(r["steps"])} for r in by_q[qid]]})
    return out


def student_rows(rows: list[dict], scores: list[StudentScore] | None) -> list[dict]:
    """Per student: verdict counts, and points when there is an assignment."""
    counts: dict[str, Counter] = {}
    for r in rows:
        counts.setdefault(r.get("student") or "(no name)", Counter())[r["verdict"]] += 1
    if scores is None:
        out = []
        for name in sorted(counts):
            c = counts[name]
            judged = c["correct"] + c["incorrect"]
            out.append({"student": name, "correct": c["correct"], "incorrect": c["incorrect"],
                        "invalid": c["invalid"], "judged": judged,
                        "percent": round(100 * c["correct"] / judged) if judged else None})
        return out
    out = []
    for s in scores:
        c = counts.get(s.student, Counter())
        out.append({"student": s.student, "total": s.total, "max": s.max_points, "percent": s.percent,
                    "correct": c["correct"], "incorrect": c["incorrect"], "invalid": c["invalid"],
                    "missing": sum(1 for q in s.questions if q.status == "missing"),
                    "absent": s.absent, "on_roster": s.on_roster,
                    "cells": [{"earned": q.earned, "points": q.points, "status": q.status}
                              for q in s.questions]})
    return out


def report_context(rows: list[dict], assignment: Assignment | None = None,
                   scores: list[StudentScore] | None = None, reading: str = "",
                   problems: list[str] | None = None) -> dict:
    """Everything report.html shows."""
    incorrect = Counter(r.get("mistake") or "other" for r in rows if r["verdict"] == "incorrect")
    overall = [(t, incorrect[t]) for t in (*TAGS, "other") if incorrect[t]]
    questions = question_rows(rows, assignment)
    biggest = max([1, *(n for q in questions for _, n in q["mistakes"])])
    return {
        "title": assignment.title if assignment and assignment.source else "Class report",
        "assignment": assignment if assignment and assignment.source else None,
        "count": len(rows), "verdicts": Counter(r["verdict"] for r in rows),
        "students": student_rows(rows, scores if assignment and assignment.source else None),
        "questions": questions, "biggest": biggest,
        "overall": overall, "overall_max": max([1, *(n for _, n in overall)]),
        "derivations": derivation_rows(rows), "reading": reading, "problems": problems or [],
        "absent": [s.student for s in scores or [] if s.absent],
        "strangers": [s.student for s in scores or [] if not s.on_roster],
    }


def render_report(rows: list[dict], **context: object) -> str:
    """report.html from ``report.html.j2`` beside this module."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["plural"] = plural
    env.filters["math"] = lambda s: Markup(math_html(s)) if s else ""
    env.filters["text"] = lambda s: Markup(text_html(s or ""))
    env.filters["steps"] = lambda steps: Markup(steps_html(steps, all_feedback=False))
    env.filters["num"] = lambda x: f"{x:g}" if isinstance(x, int | float) else "—"
    return env.get_template("report.html.j2").render(**report_context(rows, **context))  # type: ignore[arg-type]
