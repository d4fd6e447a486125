"""Assignments: the TOML file, points over the assignment, partial credit, the roster, derivations."""

from __future__ import annotations

import json
import types

import pytest

from checker.commands.main import main
from checker.grading import batch
from checker.grading.classroom.assignment import AssignmentError, load_assignment, parse_assignment
from checker.grading.classroom.scores import earned, score_class


def grade_batch(src, out, assignment):
    """Run ``gradproof grade-batch`` with an assignment; its exit status."""
    return main(["grade-batch", str(src), "--out", str(out), "--jobs", "1", "--assignment", str(assignment)])


HW = """
title = "Homework 3"
strict-notation = false

[partial]
wrong-scale = 0.5

[[question]]
id = "hidden-delta"
points = 4
partial = { missing-transpose = 0.25 }
derivation-credit = 0.5

[[question]]
id = "softmax-ce-gradient"
points = 2

[[question]]
id = "bias-gradient"
points = 1

[roster]
students = ["ada", "ben", "zoe"]
"""


def row(student, question, verdict, mistake=None, n=1, steps=None):
    out = {"student": student, "question": question, "verdict": verdict, "mistake": mistake, "row": n}
    if steps is not None:
        out["steps"] = steps
    return out


@pytest.fixture
def hw(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_text(HW, encoding="utf-8")
    return load_assignment(path)


def test_the_file_is_read(hw):
    assert hw.title == "Homework 3" and hw.max_points == 7 and hw.roster == ("ada", "ben", "zoe")
    q = hw.question("hidden-delta")
    assert q.partial == {"wrong-scale": 0.5, "missing-transpose": 0.25} and q.derivation_credit == 0.5
    assert hw.question("bias-gradient").partial == {"wrong-scale": 0.5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[question]]\nid = "hiden-delta"\npoints = 1\n', "did you mean 'hidden-delta'"),
        ('[[question]]\nid = "hidden-delta"\npoints = -1\n', "points must be a number ≥ 0"),
        ('[partial]\nwrong-scal = 0.5\n[[question]]\nid = "hidden-delta"\n', "did you mean 'wrong-scale'"),
        ('[partial]\nwrong-scale = 2\n[[question]]\nid = "hidden-delta"\n', "fraction between 0 and 1"),
        ('strict-notatoin = true\n[[question]]\nid = "hidden-delta"\n', "did you mean 'strict-notation'"),
        ('title = "x"\n', "no [[question]] tables"),
        ('[[question]]\nid = "hidden-delta"\n[[question]]\nid = "hidden-delta"\n', "listed twice"),
        ('[[question]]\nid = "hidden-delta"\n[gradebook]\ncanvas-id-column = "Email"\n', "canvas-id-column"),
        ("[[question]\n", "not valid TOML"),
        ('[[question]]\nid = "hidden-delta"\npoints = nan\n', "points must be a number ≥ 0"),
        ('[[question]]\nid = "hidden-delta"\npoints = inf\n', "points must be a number ≥ 0"),
        ('[[question]]\nid = "hidden-delta"\ntitle = "Q"\n[[question]]\nid = "bias-gradient"\ntitle = "Q"\n',
         "two questions have the title 'Q'"),
        ('title = " "\n[[question]]\nid = "hidden-delta"\n', "title must be non-empty text"),
        ('[roster]\nstudents = "ada, ben"\n[[question]]\nid = "hidden-delta"\n', "must be a list of names"),
    ],
)
def test_a_bad_file_is_refused_naming_the_fix(tmp_path, capsys, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssignmentError, match="bad.toml") as err:
        load_assignment(path)
    assert message in str(err.value)
    src = tmp_path / "in.csv"
    src.write_text("student,question,answer\nada,bias-gradient,x\n", encoding="utf-8")
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "out"), "--assignment", str(path)]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_scores_are_over_the_assignment(hw):
    rows = [
        row("ada", "hidden-delta", "correct", n=1),
        row("ada", "softmax-ce-gradient", "correct", n=2),
        row("ada", "bias-gradient", "correct", n=3),
        row("ben", "hidden-delta", "incorrect", "missing-transpose", n=4),  # 0.25 × 4
        row("ben", "softmax-ce-gradient", "invalid", n=5),  # unreadable: nothing, and no lift
        row("cy", "bias-gradient", "incorrect", "wrong-scale", n=6),  # not on the roster, 0.5 × 1
        row("cy", "sigmoid-derivative", "correct", n=7),
    ]  # not in the assignment: no points
    scores = {s.student: s for s in score_class(hw, rows)}
    assert [s for s in scores] == ["ada", "ben", "zoe", "cy"]
    assert scores["ada"].total == 7 and scores["ada"].percent == 100
    assert scores["ben"].total == 1 and [q.status for q in scores["ben"].questions] == [
        "incorrect",
        "invalid",
        "missing",
    ]  # the skipped question costs its point
    assert scores["zoe"].absent and scores["zoe"].total == 0 and scores["zoe"].max_points == 7
    assert not scores["cy"].on_roster and scores["cy"].total == 0.5 and scores["cy"].extra_rows == [7]


def test_the_last_answer_to_a_question_counts(hw):
    rows = [row("ada", "bias-gradient", "correct", n=1), row("ada", "bias-gradient", "incorrect", n=2)]
    assert score_class(hw, rows)[0].questions[2].earned == 0
    assert score_class(hw, rows[::-1])[0].questions[2].earned == 1


def test_feedback_says_which_answer_counts(hw):
    from checker.grading.classroom.feedback import html_page, markdown

    rows = [dict(row("ada", "bias-gradient", "correct", n=1), line=2, answer="d", feedback="ok"),
            dict(row("ada", "bias-gradient", "incorrect", n=2), line=5, answer="e", feedback="no"),
            dict(row("ada", "relu-derivative", "correct", n=3), line=6, answer="f", feedback="ok")]
    score = next(s for s in score_class(hw, rows) if s.student == "ada")
    for page in (markdown("ada", rows, score, "HW"), html_page("ada", rows, score, "HW")):
        first, last, outside = page.split("Line ")[1:]
        assert "not counted: your last answer to this question (line 5) is the one that counts" in first
        assert "0 of 1 point" in last and "not counted" not in last  # the one that counts
        assert "not counted: this question is not part of the assignment" in outside


def test_derivation_credit_counts_steps_before_the_first_wrong_one(hw):
    q = hw.question("hidden-delta")
    steps = [
        {"n": 1, "kind": "step", "verdict": "follows"},
        {"n": 2, "kind": "definition", "verdict": "follows"},
        {"n": 2, "kind": "step", "verdict": "follows"},
        {"n": 3, "kind": "step", "verdict": "does-not-follow", "mistake": "wrong-layer"},
        {"n": 4, "kind": "step", "verdict": "follows"},
    ]
    points, why = earned(q, row("a", "hidden-delta", "incorrect", "wrong-layer", steps=steps))
    assert points == pytest.approx(0.5 * 4 * 2 / 4) and "2 of 4 steps" in why
    assert earned(q, row("a", "hidden-delta", "incorrect", "missing-transpose", steps=steps))[0] == 1.0
    no_credit = parse_assignment({"question": [{"id": "hidden-delta", "points": 4}]})
    assert earned(no_credit.questions[0], row("a", "hidden-delta", "incorrect", steps=steps))[0] == 0


DERIVATION = "\\delta^{(l)} = \\frac{\\partial L}{\\partial z^{(l)}}\n= W^{(l+1)} \\delta^{(l+1)}"


def fake_derivation_grader(seen):
    def is_derivation(text):
        return text.count("=") >= 2

    def grade_derivation(question_id, text, fmt="auto", strict_notation=False):
        seen.append((question_id, fmt, strict_notation))
        return {
            "question": question_id,
            "verdict": "incorrect",
            "score": 0.0,
            "first_wrong_step": 2,
            "result_correct": False,
            "feedback": "step 2 does not follow",
            "steps": [
                {
                    "n": 1,
                    "latex": "\\frac{\\partial L}{\\partial z^{(l)}}",
                    "kind": "step",
                    "verdict": "follows",
                    "mistake": None,
                    "feedback": "",
                },
                {
                    "n": 2,
                    "latex": "W^{(l+1)} \\delta^{(l+1)}",
                    "kind": "step",
                    "verdict": "does-not-follow",
                    "mistake": "missing-transpose",
                    "feedback": "a transpose is missing",
                },
            ],
        }

    return types.SimpleNamespace(is_derivation=is_derivation, grade_derivation=grade_derivation)


def test_a_cell_with_several_relations_is_graded_as_a_derivation(tmp_path, monkeypatch, hw):
    seen = []
    monkeypatch.setattr(batch, "_derivation_grader", lambda: fake_derivation_grader(seen))
    src = tmp_path / "in.csv"
    src.write_text(
        'student,question,answer\nada,hidden-delta,"' + DERIVATION + '"\nben,bias-gradient,\\delta^{(l)}\n',
        encoding="utf-8",
    )
    path = tmp_path / "hw.toml"
    path.write_text(HW.replace("strict-notation = false", "strict-notation = true"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade-batch", str(src), "--out", str(out), "--jobs", "1", "--assignment", str(path)]) == 0
    assert seen == [("hidden-delta", "auto", True)]  # strict-notation passed through
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert rows[0]["first_wrong_step"] == 2 and rows[0]["mistake"] == "missing-transpose"
    assert rows[1]["verdict"] == "correct" and "steps" not in rows[1]
    moodle = (out / "gradebook-moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[1].startswith("ada,1,0,0,1")  # half of 4 points × 1 of 2 steps right
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "Derivations: where students went wrong" in html and "step 2" in html and "✗ does not follow" in html
    )
    assert "missing-transpose (1)" in html
    md = (out / "feedback-ada.md").read_text(encoding="utf-8")
    assert "✗ does not follow (missing-transpose)" in md and "✓ follows" in md


def test_absent_students_are_listed_and_scored_zero(tmp_path, capsys, hw):
    src = tmp_path / "in.csv"
    src.write_text("student,question,answer\nada,bias-gradient,\\delta^{(l)}\n", encoding="utf-8")
    path = tmp_path / "hw.toml"
    path.write_text(HW, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade-batch", str(src), "--out", str(out), "--jobs", "1", "--assignment", str(path)]) == 0
    assert "absent (0 points): ben, zoe" in capsys.readouterr().out
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "2 students on the roster handed nothing in" in html
    zoe = (out / "feedback-zoe.md").read_text(encoding="utf-8")
    assert "**0 of 7 points**" in zoe and "- hidden-delta: 0 of 4 points" in zoe
    assert "- bias-gradient: 0 of 1 point\n" in zoe  # singular


def test_without_an_assignment_the_score_is_correct_over_judged(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "student,question,answer\nada,bias-gradient,\\delta^{(l)}\nada,softmax-ce-gradient,y-p\n"
        "ada,bias-gradient,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["grade-batch", str(src), "--out", str(out), "--jobs", "1"]) == 0
    assert "1/2 (50%)" in (out / "report.html").read_text(encoding="utf-8")
    assert not (out / "gradebook-canvas.csv").exists() and not (out / "gradebook-moodle.csv").exists()


def test_real_derivations_earn_credit_for_their_right_steps(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "student,question,answer\n"
        'cy,hidden-delta,"\\delta^{(l)} = \\frac{\\partial L}{\\partial z^{(l)}} = '
        "(W^{(l+1)})^T \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\"\n"
        'dan,hidden-delta,"\\delta^{(l)} = \\frac{\\partial L}{\\partial z^{(l)}} = '
        "W^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\"\n",
        encoding="utf-8",
    )
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    out = tmp_path / "out"
    assert grade_batch(src, out, tmp_path / "hw.toml") == 0
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [(r["verdict"], r["first_wrong_step"]) for r in rows] == [("correct", None), ("incorrect", 3)]
    assert rows[1]["mistake"] == "missing-transpose" and [s["verdict"] for s in rows[1]["steps"]][:2] == [
        "follows",
        "follows",
    ]
    moodle = (out / "gradebook-moodle.csv").read_text(encoding="utf-8").splitlines()
    dan = next(line for line in moodle if line.startswith("dan,"))
    assert dan.split(",")[1] == "1.33"  # 0.5 × 4 points × 2 of 3 steps; missing-transpose alone gives 1


def test_strict_notation_reaches_the_judge(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "student,question,answer\nada,hidden-delta,(W^{(l+1)})^T \\delta^{(l+1)} \\cdot \\sigma'(z^{(l)})\n",
        encoding="utf-8",
    )
    verdicts = []
    for strict in ("false", "true"):
        (tmp_path / "hw.toml").write_text(
            HW.replace("strict-notation = false", f"strict-notation = {strict}"), encoding="utf-8"
        )
        out = tmp_path / f"out-{strict}"
        assert grade_batch(src, out, tmp_path / "hw.toml") == 0
        row = json.loads((out / "results.json").read_text(encoding="utf-8"))[0]
        verdicts.append((row["verdict"], row["mistake"]))
    assert verdicts == [("correct", None), ("incorrect", "hadamard-vs-matmul")]


def test_a_long_absent_list_is_cut_short_in_the_output(tmp_path, capsys):
    roster = ", ".join(f'"s{i:03d}"' for i in range(300))
    hw = tmp_path / "hw.toml"
    hw.write_text(f'[[question]]\nid = "bias-gradient"\n[roster]\nstudents = [{roster}]\n', encoding="utf-8")
    src = tmp_path / "in.csv"
    src.write_text("student,question,answer\ns000,bias-gradient,x\n", encoding="utf-8")
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "out"), "--assignment", str(hw),
                 "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "absent (0 points): s001, s002," in out and "s021" not in out
    assert "and 279 more (all in report.html)" in out
    assert "s299" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_derivations_wrong_step_is_explained_once_in_feedback():
    from checker.grading.classroom.feedback import html_page, markdown

    why = "Step 2 $W \\delta$ cannot be evaluated: a transpose is missing"
    r = {"student": "cleo", "question": "hidden-delta", "verdict": "incorrect", "row": 1, "line": 2,
         "answer": "a = b = c", "feedback": why, "mistake": "missing-transpose",
         "steps": [{"n": 1, "latex": "b", "verdict": "follows", "feedback": "Follows."},
                   {"n": 2, "latex": "c", "verdict": "does-not-follow", "feedback": why}]}
    assert markdown("cleo", [r], None, "HW").count("cannot be evaluated") == 1
    assert html_page("cleo", [r], None, "HW").count("cannot be evaluated") == 1
    plain = dict(r, steps=[], feedback="Your answer has a different value")
    assert "different value" in markdown("cleo", [plain], None, "HW")
    assert "different value" in html_page("cleo", [plain], None, "HW")
