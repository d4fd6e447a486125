"""The ``gradproof`` dispatcher and the small conveniences of its commands."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.commands.main import DESCRIPTION, build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def test_help_describes_the_product_not_the_code() -> None:
    text = build_parser().format_help()
    assert " ".join(DESCRIPTION.split()) in " ".join(text.split())
    assert "checker.commands" not in text


def test_verify_only_takes_comma_separated_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # noqa: ANN001
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    code = main(["verify", "--only", "bias-gradient,relu-derivative", "--only", "bias-gradient", "--json"])
    ids = [r["id"] for r in json.loads(capsys.readouterr().out)]
    assert code == 0 and ids == ["bias-gradient", "relu-derivative"]


def test_verify_suggests_the_id_that_was_meant(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--only", "hiden-delta"])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean hidden-delta?" in err


# --------------------------------------------------------------------------- failing cleanly

USAGE_ERRORS = [
    (["train"], "the following arguments are required: --dataset, --layers"),
    (["train", "--dataset", "xor", "--layers", "2,2,1", "--lr", "fast"], "argument --lr: expected a number"),
    (["train", "--dataset", "xor", "--layers", "auto,,1"], "--layers 'auto,,1': an empty entry"),
    (["grid", "--dataset", "xor", "--layers", "2,1", "--batch-sizes", "4", "--lrs", "0.1,inf", "--out", "g"],
     "--lrs '0.1,inf': expected positive finite"),
    (["gradcheck", "--layers", "auto,,10"], "argument --layers: expected comma-separated whole widths"),
    (["gradcheck", "--batch", "0"], "argument --batch: expected a positive whole number"),
    (["gradcheck", "--threshold", "nan"], "argument --threshold: expected a finite number"),
    (["verify", "--only", "hiden-delta"], "unknown derivation id hiden-delta (did you mean hidden-delta?)"),
    (["verify", "--jobs", "0"], "argument --jobs: expected a positive whole number"),
    (["questions", "--colour"], "unrecognized arguments: --colour"),
    (["nonsense"], "argument COMMAND: invalid choice: 'nonsense'"),
    # an unset shell variable (--out "$RESULTS") must not mean "write into the current directory"
    (["grade-batch", "in.csv", "--out", ""], "argument --out: expected a directory, got an empty name"),
    (["train", "--dataset", "xor", "--layers", "2,2,1", "--out", ""], "argument --out: expected a directory"),
    (["grade-batch", "missing.csv", "--out", "o"], "no such file: missing.csv"),
    (["grade-batch", ".", "--out", "o"], ". is a directory; name the submissions CSV file"),
    (["grade-batch", "in.csv", "--out", "o", "--jobs", "0"], "argument --jobs: expected a positive whole"),
    (["gradescope", "--assignment", "missing.toml"], "missing.toml: cannot be read"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS, ids=[" ".join(a[:2]) for a, _ in USAGE_ERRORS])
def test_usage_errors_exit_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.err.count("\n") == 1 and printed.err.startswith("gradproof")
    assert ": error: " in printed.err and message in printed.err and "Traceback" not in printed.err
    assert printed.out == ""
    assert list(tmp_path.iterdir()) == []  # nothing was written


JSON_ERRORS = USAGE_ERRORS[:9]  # the commands that have --json


@pytest.mark.parametrize(("argv", "message"), JSON_ERRORS, ids=[" ".join(a[:2]) for a, _ in JSON_ERRORS])
def test_with_json_an_error_is_also_a_json_object(argv, message, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--json"]) == 2
    printed = capsys.readouterr()
    error = json.loads(printed.out)
    assert set(error) == {"error", "exit"} and error["exit"] == 2 and message in error["error"]


def test_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch) -> None:
    import checker.training.loop

    def must_not_run(*_, **__):
        raise AssertionError("training started before --out was checked")

    monkeypatch.setattr(checker.training.loop, "train", must_not_run)
    a_file = tmp_path / "model"
    a_file.write_text("not a directory")
    argv = ["train", "--dataset", "xor", "--layers", "2,2,1"]
    assert main([*argv, "--out", str(a_file)]) == 2
    assert f"--out {a_file}: is a file, not a directory" in capsys.readouterr().err
    assert main([*argv, "--out", str(a_file / "inside")]) == 2
    assert "is a file, so the directory cannot be created there" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_out_is_refused(tmp_path, capsys) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["grid", "--dataset", "xor", "--layers", "2,2,1", "--batch-sizes", "4", "--lrs", "1",
                 "--out", str(locked / "grid")]) == 2  # fmt: skip
    assert "is not writable" in capsys.readouterr().err


def _failing_command(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    from checker.commands import questions

    def run(args) -> int:  # noqa: ANN001
        raise error

    monkeypatch.setattr(questions, "run", run)


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (ZeroDivisionError("division by zero"), 3, "internal error (ZeroDivisionError: division by zero)"),
        (OSError(errno.ENOSPC, "No space left on device", "runs/model.npz"), 2,
         "cannot write runs/model.npz: no space left on the device"),
        (OSError(errno.EACCES, "Permission denied", "runs/x"), 2, "cannot access runs/x: Permission denied"),
        (MemoryError(), 2, "not enough memory"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_unexpected_failures_are_one_readable_line(error, status, message, capsys, monkeypatch) -> None:
    _failing_command(monkeypatch, error)
    monkeypatch.delenv("GRADPROOF_DEBUG", raising=False)
    assert main(["questions", "--json"]) == status
    printed = capsys.readouterr()
    assert printed.err.count("\n") == 1 and message in printed.err and "Traceback" not in printed.err
    assert json.loads(printed.out) == {"error": printed.err.split(": error: ", 1)[1].strip(), "exit": status}


def test_an_internal_error_shows_its_traceback_when_asked(monkeypatch) -> None:
    _failing_command(monkeypatch, ZeroDivisionError("division by zero"))
    monkeypatch.setenv("GRADPROOF_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["questions"])


def test_the_failure_lines_are_real_processes_too(tmp_path) -> None:
    """The installed entry point: one line on stderr, exit 2, no traceback, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-m", "checker.commands.main", "gradcheck", "--layers", "100000,100000,10"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "74.5 GiB" in result.stderr


def test_grade_derivation_names_a_missing_file_in_one_line(capsys) -> None:  # noqa: ANN001
    from checker.commands.main import main

    assert main(["grade-derivation", "softmax-ce-gradient", "/no/such/homework.md"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "/no/such/homework.md" in err
    assert "Error" not in err and "Traceback" not in err  # no Python class names


def test_train_help_names_only_data_sets_that_load(capsys) -> None:  # noqa: ANN001
    import pytest

    from checker.commands.main import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "NAME+squares" not in out and "circles+squares" in out.replace("\n", "").replace(" ", "")
