"""The ``gradproof`` dispatcher and the small conveniences of its commands."""

from __future__ import annotations

import json

import pytest

from checker.commands.main import DESCRIPTION, build_parser, main


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
