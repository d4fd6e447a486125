"""Per-student feedback files: ``feedback-<student>.md`` and ``feedback-<student>.html``.

Each lists the student's answers in input order: the question, the answer exactly as written, the
verdict, the points earned (with an assignment), the mistake, the feedback and the LaTeX of what
the grader read. A derivation shows its steps, each marked follows / does not follow. The HTML
file renders the formulas as MathML (latex2mathml, no script, no network); the Markdown file keeps
them as ``$…$``. File names keep the student's letters and digits; any other character becomes
``_``, and names that would collide get a short hash.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from checker.grading.classroom.scores import StudentScore
from derivations.questions import QUESTIONS

_MATH = re.compile(r"\$([^$\n]{1,2000})\$")
_TEMPLATES = Path(__file__).parent
MARKS = {"follows": "✓ follows", "does-not-follow": "✗ does not follow"}


@functools.lru_cache(maxsize=4096)
def math_html(latex: str) -> str:
    """MathML for one LaTeX formula; the escaped source in <code> when it cannot be converted."""
    from latex2mathml.converter import convert

    try:
        return convert(latex)
    except Exception:  # noqa: BLE001 - student text: any failure shows the source instead
        return f"<code>{html.escape(latex)}</code>"


@functools.lru_cache(maxsize=4096)
def text_html(text: str) -> str:
    """Feedback text as HTML: ``$…$`` spans as MathML, everything else escaped."""
    out, last = [], 0
    for m in _MATH.finditer(text or ""):
        out.append(html.escape(text[last:m.start()]))
        out.append(math_html(m.group(1)))
        last = m.end()
    out.append(html.escape((text or "")[last:]))
    return "".join(out)


def file_stem(student: str, taken: set[str]) -> str:
    """A file-name-safe stem for ``student``, unique among ``taken`` (which it is added to)."""
    slug = "".join(c if c.isalnum() or c in "-_" else "_" for c in student.strip())[:60] or "no-name"
    stem = f"feedback-{slug}"
    if stem in taken:
        stem = f"{stem}-{hashlib.sha1(student.encode()).hexdigest()[:8]}"
    taken.add(stem)
    return stem


def of_points(earned: float, possible: float) -> str:
    """``1.5 of 4 points``, ``0 of 1 point``."""
    return f"{earned:g} of {possible:g} point{'' if possible == 1 else 's'}"


def fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in ``text``."""
    longest = max((len(m.group()) for m in re.finditer(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def answer_block(r: dict, intro: str, note: str = "", dollars: str = "$") -> list[str]:
    """Markdown lines for one graded answer: the answer fenced, verdict, what was read, steps, feedback."""
    answer = r.get("answer", "")
    bars = fence(answer)
    lines = [intro, "", bars, answer, bars, "",
             f"**{r['verdict']}**" + (f" — mistake `{r['mistake']}`" if r.get("mistake") else "")
             + (f" — {note}" if note else ""), ""]
    if r.get("interpreted"):
        lines += [f"Read as: {dollars}{r['interpreted']}{dollars}", ""]
    for s in r.get("steps") or []:
        mark = MARKS.get(s.get("verdict"), "? unreadable")
        lines.append(f"{s.get('n', '·')}. {dollars}{s.get('latex', '')}{dollars} — {mark}"
                     + (f" ({s['mistake']})" if s.get("mistake") else "")
                     + (f": {s['feedback']}" if s.get("feedback") else ""))
    if r.get("steps"):
        lines.append("")
    return [*lines, _summary(r), ""]


def _summary(r: dict) -> str:
    """The answer's feedback, unless a step already says it word for word (the wrong step's)."""
    feedback = str(r.get("feedback") or "")
    return "" if any(str(s.get("feedback") or "") == feedback for s in r.get("steps") or []) else feedback


def _md_answer(r: dict, points: str) -> list[str]:
    title = QUESTIONS[r["question"]].title if r.get("question") in QUESTIONS else ""
    heading = f"## {r.get('question') or '(no question)'}" + (f" — {title}" if title else "")
    intro = f"Line {r.get('line', '?')} of the submissions. Your answer:"
    return [heading, "", *answer_block(r, intro, points)]


def markdown(student: str, rows: list[dict], score: StudentScore | None, title: str) -> str:
    """The Markdown feedback of one student."""
    points = _points_by_row(score, rows)
    out = [f"# {title}: feedback for {student}", ""]
    if score is not None:
        out += [f"**{of_points(score.total, score.max_points)}** ({score.percent:g} %)", ""]
    for r in rows:
        out += _md_answer(r, points.get(r.get("row"), ""))
    if score is not None:
        missing = [q for q in score.questions if q.status == "missing"]
        if missing:
            out += ["## Not answered", "", *(f"- {q.question}: {of_points(0, q.points)}" for q in missing)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _points_by_row(score: StudentScore | None, rows: list[dict]) -> dict[int | None, str]:
    """What each answer earned; an answer that does not count says so, and which one does."""
    if score is None:
        return {}
    counted = {q.question: q for q in score.questions if q.row is not None}
    line_of = {r.get("row"): r.get("line", "?") for r in rows}
    out: dict[int | None, str] = {}
    for r in rows:
        q = counted.get(r.get("question", ""))
        if q is None:
            out[r.get("row")] = "not counted: this question is not part of the assignment"
        elif q.row != r.get("row"):
            out[r.get("row")] = (f"not counted: your last answer to this question "
                                 f"(line {line_of.get(q.row)}) is the one that counts")
        else:
            out[q.row] = of_points(q.earned, q.points) + (f" ({q.why})" if q.why and q.earned else "")
    return out


_VERDICT_CLASS = {"correct": "ok", "incorrect": "bad"}


def steps_html(steps: list[dict], all_feedback: bool = True) -> str:
    """A derivation's steps as an <ol>, each marked follows / does not follow (a teacher's red pen)."""
    items = []
    for s in steps:
        verdict = str(s.get("verdict", ""))
        mark = MARKS.get(verdict, "? unreadable")
        latex = str(s.get("latex") or "")
        items.append(
            f'<li class="{html.escape(verdict)}"><span class="mark">{mark}</span> '
            f'{html.escape(str(s.get("n") or "·"))}. '
            + (math_html(latex) if latex else "")
            + (f" <code>{html.escape(str(s['mistake']))}</code>" if s.get("mistake") else "")
            + (f'<br><span class="muted">{text_html(str(s["feedback"]))}</span>'
               if s.get("feedback") and (all_feedback or verdict != "follows") else "")
            + "</li>")
    return '<ol class="steps">\n' + "\n".join(items) + "\n</ol>" if items else ""


def answer_card_html(r: dict, points: str) -> str:
    """One answer as an HTML card: question, the answer as written, verdict, points, what was read."""
    qid = r.get("question") or "(no question)"
    title = QUESTIONS[qid].title if qid in QUESTIONS else ""
    verdict = str(r.get("verdict", ""))
    parts = [f'<section class="card">\n<h2>{html.escape(qid)}'
             + (f' <span class="muted">— {html.escape(title)}</span>' if title else "") + "</h2>",
             f'<p class="muted">Line {html.escape(str(r.get("line", "?")))} of the submissions. '
             "Your answer:</p>",
             f"<pre>{html.escape(str(r.get('answer', '')))}</pre>",
             f'<p><strong class="{_VERDICT_CLASS.get(verdict, "warn")}">{html.escape(verdict)}</strong>'
             + (f" — mistake <code>{html.escape(str(r['mistake']))}</code>" if r.get("mistake") else "")
             + (f" — {html.escape(points)}" if points else "") + "</p>"]
    if r.get("interpreted"):
        parts.append(f"<p>Read as: {math_html(str(r['interpreted']))}</p>")
    if r.get("steps"):
        parts.append(steps_html(r["steps"]))
    summary = _summary(r)
    parts.append((f"<p>{text_html(summary)}</p>\n" if summary else "") + "</section>")
    return "\n".join(parts)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["of_points"] = of_points
    return env


def html_page(student: str, rows: list[dict], score: StudentScore | None, title: str) -> str:
    """The HTML feedback of one student (self-contained: MathML, inline style, no script)."""
    points = _points_by_row(score, rows)
    cards = "\n".join(answer_card_html(r, points.get(r.get("row"), "")) for r in rows)
    return _environment().get_template("feedback.html.j2").render(
        student=student, cards=Markup(cards), score=score, title=title)
