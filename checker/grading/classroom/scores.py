"""Points over an assignment: per student, per question, from the graded rows (rules: :mod:`.assignment`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.grading.classroom.assignment import AssignedQuestion, Assignment


@dataclass
class QuestionScore:
    """What one student earned on one question, and why."""

    question: str
    points: float
    earned: float
    status: str  # correct | incorrect | invalid | missing
    mistake: str | None = None
    row: int | None = None
    why: str = ""


@dataclass
class StudentScore:
    """One student's points over the assignment."""

    student: str
    questions: list[QuestionScore]
    on_roster: bool = True
    absent: bool = False
    extra_rows: list[int] = field(default_factory=list)

    @property
    def total(self) -> float:
        """Points earned, all questions together."""
        return round(sum(q.earned for q in self.questions), 2)

    @property
    def max_points(self) -> float:
        """Points possible."""
        return sum(q.points for q in self.questions)

    @property
    def percent(self) -> float:
        """The total as a percentage of the points possible (0 when nothing is possible)."""
        return round(100 * self.total / self.max_points, 1) if self.max_points else 0.0


def leading_steps(steps: list[dict]) -> tuple[int, int]:
    """(steps before the first one that does not follow, all steps) of a §6 derivation."""
    counted = [s for s in steps if s.get("kind", "step") == "step"]
    good = 0
    for s in counted:
        if s.get("verdict") != "follows":
            break
        good += 1
    return good, len(counted)


def earned(q: AssignedQuestion, row: dict) -> tuple[float, str]:
    """Points the graded ``row`` earns on question ``q`` and a short reason."""
    verdict = row.get("verdict")
    if verdict == "correct":
        return q.points, "correct"
    if verdict != "incorrect":
        return 0.0, "unreadable answers earn nothing"
    best, why = 0.0, "incorrect"
    tag = row.get("mistake")
    if tag and tag in q.partial:
        best, why = q.partial[tag] * q.points, f"partial credit for {tag} ({q.partial[tag]:g} of the points)"
    steps = row.get("steps")
    if q.derivation_credit and isinstance(steps, list) and steps:
        good, total = leading_steps(steps)
        credit = q.derivation_credit * q.points * good / total if total else 0.0
        if credit > best:
            best = credit
            why = f"{good} of {total} step{'s' if total != 1 else ''} right before the first wrong one"
    return round(best, 2), why


NO_NAME = "(no name)"  # the rows whose student cell was empty (problem lines, graded under --lenient)


def score_class(assignment: Assignment, rows: list[dict]) -> list[StudentScore]:
    """Every student's points: the roster's students first (absent ones with 0), then the others by name."""
    last: dict[str, dict[str, dict]] = {}
    others: dict[str, list[int]] = {}
    for r in rows:
        student = r.get("student") or NO_NAME
        mine = last.setdefault(student, {})
        if assignment.question(r.get("question", "")):
            mine[r["question"]] = r
        else:
            others.setdefault(student, []).append(r.get("row", 0))
    roster = set(assignment.roster)
    names = list(assignment.roster) + sorted(s for s in last if s not in roster)
    out = []
    for name in names:
        answered = last.get(name, {})
        qs = []
        for q in assignment.questions:
            row = answered.get(q.id)
            if row is None:
                qs.append(QuestionScore(q.id, q.points, 0.0, "missing", why="no answer: the points are lost"))
                continue
            points, why = earned(q, row)
            qs.append(QuestionScore(q.id, q.points, points, row.get("verdict", "invalid"), row.get("mistake"),
                                    row.get("row"), why))
        out.append(StudentScore(name, qs, on_roster=not roster or name in roster,
                                absent=name not in last, extra_rows=others.get(name, [])))
    return out
