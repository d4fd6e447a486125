"""Outputs are complete or absent: atomic single files, a run's outputs swapped in together."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from checker.files import MANIFEST, OutputError, OutputSet, check_output_dir, write_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_replaces_and_follows_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "model.npz"
    target.write_text("old")
    old = os.umask(0o022)
    try:
        write_atomic(target, "new")
    finally:
        os.umask(old)
    assert target.read_text() == "new"
    assert mode(target) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.npz"
    target.write_text("good model")

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomic(target, "half a model")
    assert target.read_text() == "good model"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_outputs_of_a_run_replace_the_previous_run_together(tmp_path: Path) -> None:
    out = tmp_path / "results"
    with OutputSet(out) as outputs:
        outputs.write("results.csv", "run 1")
        outputs.write("results.json", "run 1")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "results.csv", "results.json"]
    with pytest.raises(KeyboardInterrupt), OutputSet(out) as outputs:
        outputs.write("results.csv", "run 2")
        raise KeyboardInterrupt  # killed between two files
    assert (out / "results.csv").read_text() == "run 1" and (out / "results.json").read_text() == "run 1"
    with OutputSet(out) as outputs:
        outputs.write("results.csv", "run 3")
        outputs.write("results.json", "run 3")
        outputs.write("report.html", "run 3")
    assert {p.name: p.read_text() for p in out.iterdir() if p.name != MANIFEST} == {
        "results.csv": "run 3", "results.json": "run 3", "report.html": "run 3"
    }
    assert not [p for p in tmp_path.iterdir() if p.name != "results"]  # no staging left beside it


def test_a_directory_with_the_users_own_files_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with OutputSet(tmp_path) as outputs:
        outputs.write("results.csv", "x")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "results.csv").read_text() == "x"


def test_directory_modes_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with OutputSet(tmp_path / "out") as outputs:
            outputs.write("a.txt", "x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "out") == 0o750 and mode(tmp_path / "out" / "a.txt") == 0o640


def test_check_output_dir_refuses_a_file_and_an_unwritable_place(tmp_path: Path) -> None:
    a_file = tmp_path / "f"
    a_file.write_text("")
    with pytest.raises(OutputError, match="is a file"):
        check_output_dir(a_file)
    with pytest.raises(OutputError, match="is a file"):
        check_output_dir(a_file / "sub")
    assert check_output_dir(tmp_path / "new" / "dir") == tmp_path / "new" / "dir"
    assert not (tmp_path / "new").exists()  # checking creates nothing
    if os.geteuid() != 0:  # root writes everywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OutputError, match="not writable"):
            check_output_dir(locked / "out")


def test_output_names_are_bare_file_names(tmp_path: Path) -> None:
    with OutputSet(tmp_path / "o") as outputs, pytest.raises(ValueError):
        outputs.path("../escape.txt")


def test_a_run_is_put_on_disk_by_one_syncfs_not_a_fsync_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker import files

    synced: list[Path] = []
    fsynced: list[int] = []
    monkeypatch.setattr(files, "_syncfs", lambda d: synced.append(d) or True)
    monkeypatch.setattr(os, "fsync", fsynced.append)
    with OutputSet(tmp_path / "out") as outputs:
        for i in range(50):
            outputs.write(f"feedback-{i}.md", "x")
    assert len(synced) == 1 and not fsynced
    assert len(list((tmp_path / "out").iterdir())) == 51


def test_without_syncfs_each_file_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import files

    fsynced: list[int] = []
    monkeypatch.setattr(files, "_syncfs", lambda d: False)
    monkeypatch.setattr(os, "fsync", fsynced.append)
    with OutputSet(tmp_path / "out") as outputs:
        outputs.write("a.csv", "x")
        outputs.write("b.json", "y")
    assert len(fsynced) == 3  # two outputs and the manifest


def test_syncfs_really_flushes_on_this_system(tmp_path: Path) -> None:
    from checker import files

    result = files._syncfs(tmp_path)
    assert result in (True, False)  # False only where the C library has no syncfs
    if os.uname().sysname == "Linux":
        assert result


def test_a_failed_sync_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import files

    out = tmp_path / "out"
    with OutputSet(out) as outputs:
        outputs.write("results.csv", "run 1")

    def io_error(_: Path) -> bool:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files, "_syncfs", io_error)
    with pytest.raises(OSError), OutputSet(out) as outputs:
        outputs.write("results.csv", "run 2")
    assert (out / "results.csv").read_text() == "run 1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_shared_directory_loses_the_previous_runs_stale_outputs_and_keeps_the_users(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with OutputSet(tmp_path) as outputs:
        outputs.write("results.csv", "run 1")
        outputs.write("feedback-ada.md", "ada, run 1")
    with OutputSet(tmp_path) as outputs:  # ada has left the class
        outputs.write("results.csv", "run 2")
        outputs.write("feedback-ben.md", "ben, run 2")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [MANIFEST, "feedback-ben.md", "notes.txt", "results.csv"]
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_manifest_naming_paths_outside_the_directory_removes_nothing_there(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "precious.txt").write_text("keep")
    (shared / "notes.txt").write_text("mine")
    (shared / MANIFEST).write_text('["../precious.txt", "notes.txt/..", 3]')
    with OutputSet(shared) as outputs:
        outputs.write("results.csv", "x")
    assert (tmp_path / "precious.txt").read_text() == "keep"


def test_a_place_that_refuses_files_is_named_not_the_staging_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError, match=r"--out .*out: cannot write in .*Read-only file system") as err:
        OutputSet(tmp_path / "out").__enter__()
    assert "staging" not in str(err.value)
