"""The submissions CSV read strictly: problems by line, encoding and delimiter found, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest

from checker.commands.main import main
from checker.grading import batch
from checker.grading.classroom import csvin
from checker.grading.classroom.csvout import csv_text, neutralise

GOOD = "bob,bias-gradient,\\delta^{(l)}\n"


def run(tmp_path, data: bytes, *flags: str):
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    out = tmp_path / "out"
    code = main(["grade-batch", str(src), "--out", str(out), "--jobs", "1", *flags])
    return code, out


def results(out) -> list[dict]:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_unterminated_quote_fails_with_its_line(tmp_path, capsys):
    body = "student,question,answer\nada,softmax-ce-gradient,\"p - y\n" + GOOD * 50
    code, out = run(tmp_path, body.encode())
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "line 2: unterminated quote" in err and "--lenient" in err and "Traceback" not in err


def test_lenient_grades_every_row_after_an_unterminated_quote(tmp_path, capsys):
    body = "student,question,answer\nada,softmax-ce-gradient,\"p - y\n" + GOOD * 50
    code, out = run(tmp_path, body.encode(), "--lenient")
    said = capsys.readouterr().out
    rows = results(out)
    assert code == 0 and len(rows) == 51 and "read 51 records" in said and "wrote 51 result rows" in said
    assert rows[0]["student"] == "ada" and rows[0]["verdict"] == "invalid" and "line 2" in rows[0]["feedback"]
    assert all(r["verdict"] == "correct" and r["student"] == "bob" for r in rows[1:])
    assert [r["line"] for r in rows[1:]] == list(range(3, 53))
    assert "line 2: unterminated quote" in said


@pytest.mark.parametrize("closer", ['cy,bias-gradient,x"', 'cy,bias-gradient,"\\delta^{(l)}"'])
def test_a_missing_closing_quote_that_swallows_rows_is_caught(tmp_path, capsys, closer):
    # a later quote closes the field: the CSV may even parse, but five rows would vanish into one cell
    body = "student,question,answer\nada,softmax-ce-gradient,\"p - y\n" + GOOD * 5 + closer + "\n" + GOOD
    code, _ = run(tmp_path, body.encode())
    err = capsys.readouterr().err
    assert code == 2 and "line 2: the quoted field that starts here runs to line 8 and holds 6 lines" in err
    code, out = run(tmp_path, body.encode(), "--lenient")
    rows = results(out)
    assert code == 0 and len(rows) == 8 and [r["line"] for r in rows] == list(range(2, 10))
    assert rows[0]["verdict"] == "invalid" and all(r["student"] == "bob" for r in rows[1:6])


@pytest.mark.parametrize(("line", "expected"), [
    ("cy,bias-gradient", "line 3: 2 fields where the header has 3"),
    ("cy,bias-gradient,p - y, oops", "line 3: 4 fields where the header has 3: a stray comma"),
    ('cy,bias-gradient,"p" - y', "line 3: text follows a closing quote"),
])
def test_broken_rows_are_named_by_line(tmp_path, capsys, line, expected):
    body = "student,question,answer\n" + GOOD + line + "\n" + GOOD
    code, _ = run(tmp_path, body.encode())
    assert code == 2 and expected in capsys.readouterr().err
    code, out = run(tmp_path, body.encode(), "--lenient")
    rows = results(out)
    assert code == 0 and len(rows) == 3
    assert rows[1]["verdict"] == "invalid" and expected in rows[1]["feedback"]
    assert rows[0]["verdict"] == rows[2]["verdict"] == "correct"


def test_every_problem_line_is_listed(tmp_path, capsys):
    body = "student,question,answer\n" + GOOD + "a,b\n" + GOOD + "c,d,e,f\n" + "g\n"
    assert run(tmp_path, body.encode())[0] == 2
    err = capsys.readouterr().err
    assert "3 problem lines" in err and all(f"line {n}:" in err for n in (3, 5, 6))


def test_gbk_names_stay_apart(tmp_path, capsys):
    body = ("student,question,answer\n张三,bias-gradient,\\delta^{(l)}\n李四,bias-gradient,y\n"
            "王五,bias-gradient,p\n")
    code, out = run(tmp_path, body.encode("gbk"))
    assert code == 0 and "GB18030" in capsys.readouterr().out
    assert [r["student"] for r in results(out)] == ["张三", "李四", "王五"]
    assert (out / "feedback-张三.md").exists()


def test_cp1252_accents_are_read(tmp_path, capsys):
    body = "student,question,answer\nJosé,bias-gradient,\\delta^{(l)}\nMüller,bias-gradient,\\delta^{(l)}\n"
    code, out = run(tmp_path, body.encode("cp1252"))
    assert code == 0 and "cp1252" in capsys.readouterr().out
    assert [r["student"] for r in results(out)] == ["José", "Müller"]


@pytest.mark.parametrize(("encoding", "delimiter", "said"), [
    ("utf-16", "\t", "UTF-16 LE, delimiter tab"),
    ("utf-16-le", ";", "UTF-16 LE (no BOM), delimiter semicolon"),
    ("utf-8-sig", ";", "UTF-8 with BOM, delimiter semicolon"),
    ("utf-8", "\t", "UTF-8, delimiter tab"),
])
def test_encodings_and_delimiters_are_detected_and_said(tmp_path, capsys, encoding, delimiter, said):
    rows = [["student", "question", "answer"], ["zoë", "bias-gradient", r"\delta^{(l)}"],
            ["ann", "softmax-ce-gradient", "p - y"]]
    text = "".join(delimiter.join(r) + "\r\n" for r in rows)
    code, out = run(tmp_path, text.encode(encoding))
    assert code == 0 and said in capsys.readouterr().out
    got = results(out)
    assert [(r["student"], r["verdict"]) for r in got] == [("zoë", "correct"), ("ann", "correct")]


def test_excel_sep_line_is_obeyed():
    table = csvin.read_table(b"sep=;\nstudent;question;answer\nada;bias-gradient;x,y\n")
    assert table.delimiter == ";" and table.records[0].fields == ["ada", "bias-gradient", "x,y"]


def test_undecodable_bytes_are_refused_naming_the_line(tmp_path, capsys):
    data = b"student,question,answer\nada,bias-gradient,x\nbob,bias-gradient,\x81\n"
    code, out = run(tmp_path, data)
    err = capsys.readouterr().err
    assert code == 2 and "line 3 cannot be decoded" in err and "--encoding" in err and not out.exists()


NOT_CSV = [(b"PK\x03\x04", "a zip archive (an Excel .xlsx"),
           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook (.xls)"),
           (b"%PDF-1.7\n", "a PDF document")]


@pytest.mark.parametrize(("magic", "what"), NOT_CSV)
def test_a_workbook_handed_in_as_the_csv_is_named_not_read(tmp_path, capsys, magic, what):
    code, out = run(tmp_path, magic + b"\x00\x14\x00[Content_Types].xml student,question,answer\n" * 20)
    err = capsys.readouterr().err
    assert code == 2 and what in err and '"CSV UTF-8"' in err and err.count("\n") == 1 and not out.exists()


def test_a_field_past_the_csv_limit_is_named_and_the_rest_graded(tmp_path, capsys):
    data = ('student,question,answer\nada,bias-gradient,"' + "d" * 200_000 + '"\n' + GOOD).encode()
    code, out = run(tmp_path, data)
    err = capsys.readouterr().err
    assert code == 2 and "line 2: a field is longer than 131,072 characters" in err and not out.exists()
    code, out = run(tmp_path, data, "--lenient")
    assert code == 0 and [r["verdict"] for r in results(out)] == ["invalid", "correct"]


def test_encoding_can_be_named(tmp_path, capsys):
    data = "student,question,answer\nMüller,bias-gradient,\\delta^{(l)}\n".encode("latin-1")
    code, out = run(tmp_path, data, "--encoding", "latin-1")
    assert code == 0 and results(out)[0]["student"] == "Müller"


HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-y + p",
           "\t=1+1", "\r=1+1"]


def test_formula_cells_are_neutralised_in_csv_but_exact_in_json(tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "answer", "=note"])
        for i, answer in enumerate(HOSTILE):
            w.writerow([f"=s{i}" if i == 0 else f"s{i}", "softmax-ce-gradient", answer, "@x"])
    assert main(["grade-batch", str(src), "--out", str(tmp_path / "out"), "--jobs", "1", "--lenient"]) == 0
    rows = results(tmp_path / "out")
    assert [r["answer"] for r in rows] == HOSTILE  # JSON keeps the exact text
    with (tmp_path / "out" / "results.csv").open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert "'=note" in table[0]
    answers = [row[table[0].index("answer")] for row in table[1:]]
    assert answers == ["'" + a for a in HOSTILE]
    for row in table:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_neutralise_leaves_harmless_cells_and_numbers():
    assert neutralise("p - y") == "p - y" and neutralise("'=x") == "'=x" and neutralise(2.5) == "2.5"
    assert neutralise(4.0) == "4" and neutralise(None) == "" and neutralise("=1") == "'=1"
    text = csv_text([["a", "b"], ['say "hi", =now', "-1"]])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ['say "hi", =now', "'-1"]]


def test_blank_lines_are_not_records():
    table = csvin.read_table(b"\n\nstudent,question,answer\n\nada,bias-gradient,x\n   \nbob,q,y\n")
    assert [(r.line, r.fields[0]) for r in table.records] == [(5, "ada"), (7, "bob")]
    assert table.header_line == 3


def test_multi_line_answers_are_one_record():
    data = b'student,question,answer\nada,hidden-delta,"\\delta = a\n= b"\nbob,bias-gradient,x\n'
    table = csvin.read_table(data, row_keys=["hidden-delta", "bias-gradient"])
    assert [r.line for r in table.records] == [2, 4] and not table.problems
    assert table.records[0].fields[2] == "\\delta = a\n= b"


def test_pool_and_lenient_keep_count(tmp_path):
    body = "student,question,answer\n" + "".join(
        (GOOD if i % 5 else "x,bias-gradient\n") for i in range(60))
    (tmp_path / "in.csv").write_text(body, encoding="utf-8")
    outcome = batch.grade_batch(tmp_path / "in.csv", tmp_path / "out", jobs=2, progress=False, lenient=True)
    assert len(outcome.rows) == 60 and len(outcome.reading.problems) == 12
