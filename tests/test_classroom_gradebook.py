"""Gradebooks against the import rules of Canvas and Moodle; Gradescope results.json against its schema.

The rule checkers below restate what the importers require (Canvas: its gradebook importer's
header, Points Possible row, read-only columns and student lookup; Moodle: its CSV grade import's
unique trimmed headers, equal field counts, numeric grades at most 100) independently of the
code that writes the files, and read the files back ("import" them) to compare every grade.
"""

from __future__ import annotations

import csv
import io
import json
import re

import jsonschema
import pytest

from checker.commands.main import main
from checker.grading.classroom import gradebook
from checker.grading.classroom.assignment import parse_assignment
from checker.grading.classroom.scores import score_class


def grade_batch(src, out, assignment):
    """Run ``gradproof grade-batch`` with an assignment; its exit status."""
    return main(["grade-batch", str(src), "--out", str(out), "--jobs", "1", "--assignment", str(assignment)])


CANVAS_READ_ONLY = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
    "Override Score|Override Grade|Override Status"
)


def canvas_import(text: str, canvas_id: str) -> dict[str, dict[str, float]]:
    """What Canvas's importer would read: {student identifier: {assignment title: score}}."""
    table = list(csv.reader(io.StringIO(text)))
    header = table[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], "Canvas: Student, ID first"
    assert header[2] == "SIS User ID" and header[3] == "SIS Login ID", "Canvas: SIS columns in its order"
    assert "Section" in header[4], "Canvas: the last student column is Section"
    assignments = [(i, h) for i, h in enumerate(header[5:], 5) if not CANVAS_READ_ONLY.search(h)]
    assert len({h for _, h in assignments}) == len(assignments), "Canvas: assignment titles unique"
    points = table[1]
    assert "Points Possible" in points[0], "Canvas: the second row gives points possible"
    for i, _ in assignments:
        float(points[i])
    out = {}
    for r in table[2:]:
        assert len(r) == len(header), "every row as wide as the header"
        ident = r[header.index(canvas_id)]
        if canvas_id == "ID":
            assert ident.isdigit(), "Canvas ID is its numeric user id"
        assert ident and not r[0].startswith(("=", "+", "-", "@")), "no formula cell"
        out[ident] = {h: float(r[i]) for i, h in assignments}
        for i, _ in assignments:
            assert re.fullmatch(r"\d+(\.\d+)?", r[i]), f"Canvas: a score is a plain number, not {r[i]!r}"
            assert float(r[i]) <= float(points[i])
    return out


def moodle_import(text: str, id_column: str) -> dict[str, dict[str, float]]:
    """What Moodle's CSV grade import would read, mapping ``id_column`` to the user."""
    table = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in table[0]]
    assert all(header) and len(set(header)) == len(header), "Moodle: column names unique and non-empty"
    assert id_column in header
    out = {}
    for r in table[1:]:
        assert len(r) == len(header), "Moodle: every line has as many fields as the header (csvweirdcolumns)"
        values = dict(zip(header, (c.strip() for c in r), strict=True))
        ident = values.pop(id_column)
        assert ident, "Moodle skips a row with a blank user field"
        grades = {}
        for name, v in values.items():
            assert v == "" or v == "-" or re.fullmatch(r"\d+(\.\d+)?", v), f"Moodle: bad grade {v!r}"
            grades[name] = float(v)
            assert grades[name] <= 100, "Moodle: grade above 100 needs unlimited grades"
        out[ident] = grades
    return out


ASSIGNMENT = {
    "title": "HW 3",
    "partial": {"wrong-scale": 0.5},
    "question": [
        {"id": "hidden-delta", "points": 4, "partial": {"missing-transpose": 0.25}},
        {"id": "softmax-ce-gradient", "points": 2.5},
        {"id": "bias-gradient", "points": 1},
    ],
    "roster": {"students": ["ada", "ben", "=cmd|' /C calc'!A0"]},
}
ROWS = [
    {"student": "ada", "question": "hidden-delta", "verdict": "correct", "row": 1},
    {
        "student": "ada",
        "question": "softmax-ce-gradient",
        "verdict": "incorrect",
        "mistake": "wrong-scale",
        "row": 2,
    },
    {
        "student": "ben",
        "question": "hidden-delta",
        "verdict": "incorrect",
        "mistake": "missing-transpose",
        "row": 3,
    },
    {"student": "Lovelace, Ada", "question": "bias-gradient", "verdict": "correct", "row": 4},
]
EXPECTED = {
    "ada": [4, 1.25, 0],
    "ben": [1, 0, 0],
    "=cmd|' /C calc'!A0": [0, 0, 0],
    "Lovelace, Ada": [0, 0, 1],
}


@pytest.mark.parametrize("canvas_id", ["SIS Login ID", "SIS User ID", "Student"])
def test_canvas_gradebook_imports_every_grade(canvas_id):
    a = parse_assignment({**ASSIGNMENT, "gradebook": {"canvas-id-column": canvas_id}})
    scores = score_class(a, ROWS)
    text = gradebook.canvas_csv(a, scores)
    got = canvas_import(text, canvas_id)
    cols = gradebook.question_columns(a)
    for student, points in EXPECTED.items():
        key = "'" + student if student.startswith("=") else student
        assert [got[key][c] for c in cols] == points
    assert "Final Points" in text.splitlines()[0]  # the total is there, and Canvas skips it


def test_moodle_gradebook_imports_every_grade_and_total():
    a = parse_assignment({**ASSIGNMENT, "gradebook": {"moodle-id-column": "Email address"}})
    text = gradebook.moodle_csv(a, score_class(a, ROWS))
    got = moodle_import(text, "Email address")
    for student, points in EXPECTED.items():
        key = "'" + student if student.startswith("=") else student
        assert [got[key][c] for c in gradebook.question_columns(a)] == points
        assert got[key]["Total"] == sum(points)
    assert gradebook.moodle_warnings(a) == []


def test_the_rule_checkers_catch_a_broken_gradebook():
    a = parse_assignment(ASSIGNMENT)
    text = gradebook.canvas_csv(a, score_class(a, ROWS))
    with pytest.raises(AssertionError, match="Points Possible"):
        canvas_import("\r\n".join(line for i, line in enumerate(text.splitlines()) if i != 1), "SIS Login ID")
    with pytest.raises(AssertionError, match="Section"):
        canvas_import(text.replace("Section", "Group"), "SIS Login ID")
    moodle = gradebook.moodle_csv(a, score_class(a, ROWS))
    with pytest.raises(AssertionError, match="as many fields"):
        moodle_import(moodle.replace("ben,1,", "ben,1,0,", 1), "Username")
    with pytest.raises(AssertionError, match="bad grade"):
        moodle_import(moodle.replace("ben,1,", "ben,1 point,", 1), "Username")


def test_moodle_warns_about_grades_above_100():
    a = parse_assignment(
        {"question": [{"id": "hidden-delta", "points": 60}, {"id": "bias-gradient", "points": 60}]}
    )
    assert any("above 100" in w and "120" in w for w in gradebook.moodle_warnings(a))


# ------------------------------------------------------------------------------- Gradescope

# Gradescope's autograder specification (results.json), as a JSON schema.
GRADESCOPE_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["score", "max_score", "name", "output", "visibility"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                    "extra_data": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "additionalProperties": False,
}

HW = """title = "HW 3"
[[question]]
id = "hidden-delta"
points = 4
partial = { missing-transpose = 0.25 }
[[question]]
id = "softmax-ce-gradient"
points = 2
[[question]]
id = "bias-gradient"
points = 1
"""


def gradescope(tmp_path, submission, results):
    args = ["--assignment", str(tmp_path / "hw.toml"), "--submission", str(submission)]
    return main(["gradescope", *args, "--results", str(results), "--jobs", "1"])


def test_gradescope_results_follow_the_schema(tmp_path, capsys):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / "hidden-delta.tex").write_text(
        "W^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\n", encoding="utf-8"
    )
    (sub / "answers.csv").write_text(
        'question,answer\nsoftmax-ce-gradient,"=p - y"\nrow-grad-W1,"x\n', encoding="utf-8"
    )
    (sub / "scan.pdf").write_bytes(b"%PDF")
    results = tmp_path / "results" / "results.json"
    assert gradescope(tmp_path, str(sub), results) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    tests = {t["name"].split(" — ")[0]: t for t in data["tests"]}
    assert list(tests) == ["hidden-delta", "softmax-ce-gradient", "bias-gradient"]
    assert (tests["hidden-delta"]["score"], tests["hidden-delta"]["max_score"]) == (1.0, 4.0)
    assert (
        tests["hidden-delta"]["tags"] == ["missing-transpose"] and tests["hidden-delta"]["status"] == "failed"
    )
    assert "=p - y" in tests["softmax-ce-gradient"]["output"]  # exact text in JSON
    assert tests["bias-gradient"]["score"] == 0 and "No answer" in tests["bias-gradient"]["output"]
    assert data["score"] == sum(t["score"] for t in data["tests"])
    assert "scan.pdf was not read" in data["output"] and "row-grad-W1" in data["output"]
    assert "wrote" in capsys.readouterr().out


def test_the_schema_rejects_what_gradescope_would(tmp_path):
    bad = {"tests": [{"score": 1, "max_score": 2, "name": "x", "output": "", "visibility": "sometimes"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, GRADESCOPE_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"tests": [{"score": "1", "max_score": 2, "name": "x", "output": "", "visibility": "visible"}]},
            GRADESCOPE_SCHEMA,
        )


def test_gradescope_with_an_empty_submission_still_writes_results(tmp_path):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    (tmp_path / "submission").mkdir()
    results = tmp_path / "results.json"
    assert gradescope(tmp_path, str(tmp_path / "submission"), results) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 0 and len(data["tests"]) == 3


def test_gradebooks_come_out_of_grade_batch(tmp_path):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    src = tmp_path / "in.csv"
    src.write_text(
        "student,question,answer\nada,hidden-delta,W^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\n"
        "ada,bias-gradient,\\delta^{(l)}\n@bob,softmax-ce-gradient,p-y\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert grade_batch(src, out, tmp_path / "hw.toml") == 0
    canvas = canvas_import((out / "gradebook-canvas.csv").read_text(encoding="utf-8"), "SIS Login ID")
    moodle = moodle_import((out / "gradebook-moodle.csv").read_text(encoding="utf-8"), "Username")
    assert canvas["ada"] == {
        "HW 3: hidden-delta": 1,
        "HW 3: softmax-ce-gradient": 0,
        "HW 3: bias-gradient": 1,
    }
    assert moodle["'@bob"]["Total"] == 2 and moodle["ada"]["Total"] == 2


def test_gradescope_refuses_a_missing_submission_directory(tmp_path, capsys):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    results = tmp_path / "results.json"
    assert gradescope(tmp_path, str(tmp_path / "no-such-dir"), results) == 2  # not a silent 0 points
    err = capsys.readouterr().err
    assert "--submission" in err and "no such directory" in err and err.count("\n") == 1
    assert not results.exists()


@pytest.mark.parametrize("where", ["a-file/results.json", "a-dir"])
def test_gradescope_checks_results_before_grading(tmp_path, capsys, monkeypatch, where):
    from checker.grading import batch

    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    (tmp_path / "submission").mkdir()
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-dir").mkdir()

    def must_not_grade(*args, **kwargs):
        raise AssertionError("graded before checking --results")

    monkeypatch.setattr(batch, "grade_all", must_not_grade)
    assert gradescope(tmp_path, str(tmp_path / "submission"), tmp_path / where) == 2
    err = capsys.readouterr().err
    assert f"--results {tmp_path / where}" in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_row_without_a_student_is_a_problem_line_and_never_a_gradebook_row(tmp_path, capsys):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    src = tmp_path / "in.csv"
    answer = "bias-gradient,\\delta^{(l)}\n"
    src.write_text(f"student,question,answer\nada,{answer}  ,{answer}", encoding="utf-8")
    out = tmp_path / "out"
    assert grade_batch(src, out, tmp_path / "hw.toml") == 2  # strict: the run stops, naming the line
    assert "line 3: the student cell is empty" in capsys.readouterr().err and not out.exists()
    assert main(["grade-batch", str(src), "--out", str(out), "--assignment", str(tmp_path / "hw.toml"),
                 "--jobs", "1", "--lenient"]) == 0
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["verdict"] for r in rows] == ["correct", "invalid"]  # kept, as invalid
    canvas = canvas_import((out / "gradebook-canvas.csv").read_text(encoding="utf-8"), "SIS Login ID")
    moodle = moodle_import((out / "gradebook-moodle.csv").read_text(encoding="utf-8"), "Username")
    assert list(canvas) == ["ada"] and list(moodle) == ["ada"]


def test_gradescope_says_a_workbook_was_not_read(tmp_path):
    (tmp_path / "hw.toml").write_text(HW, encoding="utf-8")
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / "answers.csv").write_bytes(b"PK\x03\x04" + bytes(200))  # an .xlsx renamed
    results = tmp_path / "results.json"
    assert gradescope(tmp_path, str(sub), results) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert "- answers.csv was not read: answers.csv: this is a zip archive" in data["output"]
    assert "is not in this assignment" not in data["output"] and data["score"] == 0
