"""grade-batch: one result per input record, in order; outputs swapped in together; workers; retries."""

from __future__ import annotations

import csv
import json
import os
import types

import pytest

from checker.commands.main import main
from checker.grading import batch

HEADER = ["student", "question", "answer", "format", "section"]
ROWS = [
    ["ada", "bias-gradient", r"\delta^{(l)}", "latex", "A"],
    ["ada", "softmax-ce-gradient", "y - p", "", "A"],
    ["bob", "no-such-question", "p - y", "", "B"],
    ["bob", "bias-gradient", "", "auto", "B"],
    ["cy", "row-grad-W1", "np.dot(X.T, delta2)", "numpy", "A"],
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
    assert [r["line"] for r in results] == list(range(2, len(ROWS) + 2))
    assert [r["student"] for r in results] == [r[0] for r in ROWS]
    for r in results:
        assert r["verdict"] in ("correct", "incorrect", "invalid") and r["feedback"]
        keys = {"question", "verdict", "score", "mistake", "feedback", "interpreted", "student", "row"}
        assert keys <= set(r)
    by_row = {r["row"]: r for r in results}
    assert by_row[1]["verdict"] == "correct" and by_row[2]["mistake"] == "sign-error"
    assert by_row[3]["verdict"] == "invalid" and "unknown question" in by_row[3]["feedback"]
    assert by_row[4]["verdict"] == "invalid" and "empty" in by_row[4]["feedback"]
    assert by_row[6]["verdict"] == "invalid" and "format" in by_row[6]["feedback"]


def test_counts_are_printed_and_equal(tmp_path, capsys):
    src = write_csv(tmp_path / "in.csv", ROWS[:3])
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    said = capsys.readouterr().out
    assert "read 3 records" in said and "wrote 3 result rows" in said
    assert "encoding UTF-8, delimiter comma" in said


def test_extra_columns_are_carried(graded):
    results = json.loads((graded / "results.json").read_text(encoding="utf-8"))
    assert [r["extra"].get("section") for r in results] == [r[4] for r in ROWS]
    with (graded / "results.csv").open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [t["section"] for t in table] == [r[4] for r in ROWS]
    assert [t["student"] for t in table] == [r[0] for r in ROWS]


def test_excels_trailing_empty_column_is_not_carried(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"student,question,answer,\r\nada,bias-gradient,\\delta^{(l)},\r\n")
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    header = (tmp_path / "out" / "results.csv").read_text(encoding="utf-8").splitlines()[0]
    assert not header.endswith(",") and header.endswith("interpreted")
    assert json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))[0]["extra"] == {}


def test_feedback_file_per_student(graded):
    names = sorted(p.name for p in graded.iterdir() if p.name.startswith("feedback-"))
    assert names == [f"feedback-{s}.{ext}" for s in ("ada", "bob", "cy", "dee") for ext in ("html", "md")]
    md = (graded / "feedback-ada.md").read_text(encoding="utf-8")
    assert "y - p" in md and "sign-error" in md and "incorrect" in md and "Read as: $" in md
    page = (graded / "feedback-ada.html").read_text(encoding="utf-8")
    assert "<math" in page and "sign-error" in page and 'name="viewport"' in page


def test_pool_keeps_order_and_count(tmp_path):
    many = [[f"s{i % 7}", "bias-gradient" if i % 3 else "nope", r"-\delta^{(l)}" if i % 2 else "", "", str(i)]
            for i in range(90)]
    src = write_csv(tmp_path / "many.csv", many)
    rows = batch.grade_batch(src, tmp_path / "out", jobs=2, progress=False).rows
    assert [r["extra"]["section"] for r in rows] == [str(i) for i in range(90)]
    assert all((r["verdict"] == "invalid") == (i % 3 == 0 or i % 2 == 0) for i, r in enumerate(rows))


def test_identical_answers_are_graded_once(tmp_path, monkeypatch):
    calls = []
    real = batch.grade_submission

    def counting(sub, strict_notation=False):
        calls.append(sub.answer)
        return real(sub, strict_notation)

    monkeypatch.setattr(batch, "grade_submission", counting)
    answers = [r"\delta^{(l)}" if i % 2 else "y" for i in range(10)]
    subs = [batch.Submission(i + 1, f"s{i}", "bias-gradient", a, line=i + 2) for i, a in enumerate(answers)]
    results = batch.grade_all(subs, jobs=1)
    assert len(results) == 10 and sorted(calls) == [r"\delta^{(l)}", "y"]
    assert [r["verdict"] for r in results] == ["invalid" if i % 2 == 0 else "correct" for i in range(10)]


def test_a_missing_required_column_is_refused_or_every_row_invalid(tmp_path):
    src = write_csv(tmp_path / "bad.csv", [["ada", "bias-gradient"]], header=["student", "question"])
    with pytest.raises(batch.BatchRefused) as refused:
        batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False)
    assert refused.value.problems == ["line 1: the header has no column 'answer' (it has student, question)"]
    rows = batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False, lenient=True).rows
    assert len(rows) == 1 and rows[0]["verdict"] == "invalid" and "'answer'" in rows[0]["feedback"]


def test_not_judged_answers_are_retried_once(tmp_path, monkeypatch):
    attempts = []

    def flaky(question, answer, fmt="auto"):
        attempts.append(answer)
        verdict = "incorrect" if len(attempts) == 1 else "correct"
        out = {"question": question, "verdict": verdict, "score": 0.0, "mistake": None, "feedback": "f",
               "interpreted": "", "not_judged": verdict == "incorrect"}
        return types.SimpleNamespace(to_json=lambda: out)

    monkeypatch.setattr(batch, "grade", flaky)
    sub = batch.Submission(1, "ada", "bias-gradient", "x", line=2)
    assert batch.grade_submission(sub)["verdict"] == "correct" and len(attempts) == 2
    attempts.clear()

    def never(question, answer, fmt="auto"):
        attempts.append(answer)
        out = {"question": question, "verdict": "invalid", "retry": True, "score": 0.0, "mistake": None,
               "feedback": "busy"}
        return types.SimpleNamespace(to_json=lambda: out)

    monkeypatch.setattr(batch, "grade", never)
    assert batch.grade_submission(sub)["verdict"] == "invalid"
    assert len(attempts) == 2  # once more, not forever


def test_worker_count_follows_affinity_without_a_cap(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(12)), raising=False)
    assert batch.default_jobs() == 12
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert batch.default_jobs() == 1


def test_outputs_follow_the_umask(tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS[:1])
    old = os.umask(0o022)
    try:
        batch.grade_batch(src, tmp_path / "out", jobs=1, progress=False)
    finally:
        os.umask(old)
    for p in (tmp_path / "out").iterdir():
        assert p.stat().st_mode & 0o777 == 0o644, p.name
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def test_a_crash_while_writing_leaves_the_previous_outputs_together(tmp_path, monkeypatch):
    src = write_csv(tmp_path / "in.csv", ROWS[:2])
    out = tmp_path / "out"
    batch.grade_batch(src, out, jobs=1, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_csv(src, ROWS[:1])

    def broken(rows, **context):
        raise RuntimeError("template failed")

    monkeypatch.setattr(batch, "render_report", broken)
    with pytest.raises(RuntimeError):
        batch.grade_batch(src, out, jobs=1, progress=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old set, whole and unmixed
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_a_bad_out_fails_before_grading(tmp_path, monkeypatch, capsys):
    src = write_csv(tmp_path / "in.csv", ROWS[:1])
    (tmp_path / "file").write_text("x")

    def must_not_grade(*args, **kwargs):
        raise AssertionError("graded before checking --out")

    monkeypatch.setattr(batch, "grade_all", must_not_grade)
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "file"), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err


def test_no_progress_bar_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert batch.show_progress() is False


def test_cli_errors(tmp_path, capsys):
    assert main(["grade-batch", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    assert main(["grade", "no-such-question", "x"]) == 2
    assert "hidden-delta" in capsys.readouterr().err
    assert main(["grade", "bias-gradient", "", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "invalid" and set(out) >= {
        "question", "verdict", "score", "mistake", "feedback", "interpreted"}


def test_the_pool_grades_like_one_process_in_input_order():
    subs = []
    for i in range(48):  # distinct answers, interleaved questions: the pool path, chunks per question
        q, a = (("bias-gradient", f"{i + 1}*delta^(l) - {i}*delta^(l)") if i % 2
                else ("softmax-ce-gradient", f"p - y + {i % 3}*y"))
        subs.append(batch.Submission(i + 1, f"s{i}", q, a, "text", line=i + 2))
    pooled = batch.grade_all(subs, jobs=2)
    alone = batch.grade_all(subs, jobs=1)
    assert [(r["question"], r["verdict"]) for r in pooled] == [(r["question"], r["verdict"]) for r in alone]
    assert [r["question"] for r in pooled] == [s.question for s in subs]
    assert [r["verdict"] for r in pooled[:6]] == ["correct", "correct", "incorrect", "correct", "incorrect",
                                                 "correct"]


def test_hostile_names_and_answers_stay_text(tmp_path):
    names = ["<script>alert(1)</script>", "../../etc/passwd", "a b", "a_b"]
    rows = [[n, "softmax-ce-gradient", "$<img src=x onerror=alert(1)>$", "", "A"] for n in names]
    out = batch.grade_batch(write_csv(tmp_path / "in.csv", rows), tmp_path / "out", jobs=1, progress=False)
    files = sorted(p.name for p in (tmp_path / "out").glob("feedback-*.html"))
    assert len(files) == 4 and all("/" not in f and f.startswith("feedback-") for f in files)
    assert not (tmp_path / "etc").exists() and len(out.rows) == 4
    for page in (tmp_path / "out").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img" not in text, page.name
