"""grade-batch: one result per input row, in order, malformed rows included; atomic outputs."""

from __future__ import annotations

import csv
import json

import pytest

from checker.commands.main import main
from checker.grading import batch

HEADER = ["student", "question", "answer", "format", "section"]
ROWS = [
    ["ada", "bias-gradient", r"\delta^{(l)}", "latex", "A"],
    ["ada", "softmax-ce-gradient", "y - p", "", "A"],
    ["bob", "no-such-question", "p - y", "", "B"],
    ["bob", "hidden-delta", "", "auto", "B"],
    ["cy", "row-grad-W1", "np.dot(X.T, delta2)", "numpy", "A"],
    ["cy", "bias-gradient"],  # too few fields
    ["dee", "weight-gradient", r"\delta^{(l)} (a^{(l-1)})^T", "klingon", "C"],
]


def write_csv(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def graded(tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS)
    out = tmp_path / "out"
    assert main(["grade-batch", str(src), "--out", str(out), "--jobs", "1"]) == 0
    return out


def test_one_result_per_row_in_order(graded):
    results = json.loads((graded / "results.json").read_text(encoding="utf-8"))
    assert [r["row"] for r in results] == list(range(1, len(ROWS) + 1))
    assert [r["student"] for r in results] == [r[0] for r in ROWS]
    for r in results:
        assert r["verdict"] in ("correct", "incorrect", "invalid") and r["feedback"]
        keys = {"question", "verdict", "score", "mistake", "feedback", "interpreted", "student", "row"}
        assert keys <= set(r)
    by_row = {r["row"]: r for r in results}
    assert by_row[3]["verdict"] == "invalid" and "unknown question" in by_row[3]["feedback"]
    assert by_row[4]["verdict"] == "invalid" and "empty" in by_row[4]["feedback"]
    assert by_row[6]["verdict"] == "invalid" and "fields" in by_row[6]["feedback"]
    assert by_row[7]["verdict"] == "invalid" and "format" in by_row[7]["feedback"]


def test_extra_columns_are_carried(graded):
    results = json.loads((graded / "results.json").read_text(encoding="utf-8"))
    assert [r["extra"].get("section") for r in results[:5]] == ["A", "A", "B", "B", "A"]
    with (graded / "results.csv").open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(ROWS)
    assert [t["section"] for t in table[:5]] == ["A", "A", "B", "B", "A"]
    assert [t["student"] for t in table] == [r[0] for r in ROWS]


def test_report_has_scores_and_chart(graded):
    html = (graded / "report.html").read_text(encoding="utf-8")
    for name in ("ada", "bob", "cy", "dee"):
        assert f"<td>{name}</td>" in html
    assert "<svg" in html and "<rect" in html
    assert "<script" not in html and "http" not in html  # self-contained


def test_report_counts_mistakes_per_question():
    rows = [
        {"student": "a", "question": "hidden-delta", "verdict": "incorrect", "mistake": "missing-transpose"},
        {"student": "b", "question": "hidden-delta", "verdict": "incorrect", "mistake": "missing-transpose"},
        {"student": "b", "question": "hidden-delta", "verdict": "correct", "mistake": None},
        {"student": "c", "question": "hidden-delta", "verdict": "invalid", "mistake": None},
    ]
    ctx = batch.report_context(rows)
    q = ctx["questions"][0]
    assert q["mistakes"] == [("missing-transpose", 2)] and q["correct"] == 1 and q["invalid"] == 1
    scores = {s["student"]: s for s in ctx["students"]}
    assert scores["b"]["percent"] == 50 and scores["c"]["percent"] is None  # invalid costs nothing
    html = batch.render_report(rows)
    assert "missing-transpose" in html and "1/2 (50%)" in html


def test_pool_keeps_order_and_count(tmp_path):
    many = [[f"s{i % 7}", "bias-gradient" if i % 3 else "nope", r"-\delta^{(l)}" if i % 2 else "", "", str(i)]
            for i in range(90)]
    src = write_csv(tmp_path / "many.csv", many)
    rows = batch.grade_batch(src, tmp_path / "out", jobs=2, progress=False)
    assert [r["extra"]["section"] for r in rows] == [str(i) for i in range(90)]
    assert all((r["verdict"] == "invalid") == (i % 3 == 0 or i % 2 == 0) for i, r in enumerate(rows))


def test_missing_required_column_makes_every_row_invalid(tmp_path):
    src = write_csv(tmp_path / "bad.csv", [["ada", "bias-gradient"]], header=["student", "question"])
    rows = batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False)
    assert len(rows) == 1 and rows[0]["verdict"] == "invalid" and "answer" in rows[0]["feedback"]


def test_unreadable_csv_lines_still_give_rows(tmp_path):
    src = tmp_path / "junk.csv"
    src.write_bytes(b'student,question,answer\nada,bias-gradient,"\\delta^{(l)}"\n\xff\xfe,"unterminated\n')
    rows = batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False)
    assert len(rows) == 2 and rows[1]["verdict"] == "invalid"


def test_atomic_write_leaves_the_old_file_on_a_crash(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    batch.atomic_write(target, "old, complete\n")

    def crash(fd):
        raise OSError("disk died mid-write")

    monkeypatch.setattr(batch.os, "fsync", crash)
    with pytest.raises(OSError):
        batch.atomic_write(target, "new" * 100_000)
    assert target.read_text() == "old, complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary left behind


def test_a_crash_while_rendering_leaves_no_half_report(tmp_path, monkeypatch):
    src = write_csv(tmp_path / "in.csv", ROWS[:2])

    def broken(rows):
        raise RuntimeError("template failed")

    monkeypatch.setattr(batch, "render_report", broken)
    with pytest.raises(RuntimeError):
        batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["results.csv", "results.json"]  # whole files only, no report, no temporaries
    json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))


def test_no_progress_bar_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert batch.show_progress() is False


def test_cli_errors(tmp_path, capsys):
    assert main(["grade-batch", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    assert main(["grade", "no-such-question", "x"]) == 2
    assert "hidden-delta" in capsys.readouterr().err
    assert main(["grade", "bias-gradient", "", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "invalid" and set(out) == {
        "question", "verdict", "score", "mistake", "feedback", "interpreted"}
