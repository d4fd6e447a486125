"""The one place that writes files: every output is complete or absent, never half written.

A single file is written to a temporary file in its own directory and renamed over the target
(:func:`write_atomic`). The outputs of one run (a trained model and its metrics; results.csv,
results.json and report.html) are written into a staging directory beside ``--out`` and swapped
in together (:class:`OutputSet`): on Linux the old and new directories are exchanged in one
``renameat2(RENAME_EXCHANGE)``, elsewhere by two renames. A directory is swapped whole only when
it holds nothing but gradproof's outputs (the files named in its ``.gradproof-outputs`` manifest,
or nothing); a directory with other files in it (``--out .``) gets each output renamed in, each
one atomic, the manifest updated and the previous run's outputs that this run did not write
removed. Files and directories get the modes the user's umask gives, like any other program's
(temporary files are created 0600 by the standard library; that is corrected before the rename).
Before a set is published its files are put on disk by one syncfs(2) of the staging directory's
file system (one call whether the run wrote 3 files or 800 feedback pages), or, where there is
no syncfs, by an fsync of each file.

:func:`check_output_dir` is called before any work starts, so a bad ``--out`` fails in a second,
not after an hour of training. This module is the lowest room of ``checker`` and may import only
the standard library.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

MANIFEST = ".gradproof-outputs"


class OutputError(Exception):
    """An output location that cannot be used; the message names it and what to do."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _file_mode() -> int:
    return 0o666 & ~_umask()


def _dir_mode() -> int:
    return 0o777 & ~_umask()


def check_output_dir(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` can hold outputs: an existing writable directory, or creatable as one.

    Raises :class:`OutputError` naming the path and the fix; creates nothing.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a directory; name a directory (created if missing)")
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"--out {out}: {probe} is a file, so the directory cannot be created there")
    if not os.access(probe, os.W_OK | os.X_OK):
        what = "the directory" if probe == out else f"its parent {probe}"
        raise OutputError(f"--out {out}: {what} is not writable; choose a directory you can write to")
    return out


def write_atomic(path: str | os.PathLike[str], data: str | bytes, encoding: str = "utf-8",
                 durable: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename.

    A crash or a full disk leaves the previous file as it was (or no file), never a truncated one.
    ``durable=False`` skips waiting for the disk: for a cache whose reader checks what it reads
    (after a power cut the file may be empty), where a hundred waits would cost a build seconds.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _syncfs(directory: Path) -> bool:
    """Flush the whole file system holding ``directory`` in one syncfs(2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        syncfs = ctypes.CDLL(libc_name, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    syncfs.argtypes = [ctypes.c_int]
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if syncfs(fd) == 0:
            return True
        err = ctypes.get_errno()
    finally:
        os.close(fd)
    if err == errno.ENOSYS:
        return False
    raise OSError(err, os.strerror(err), str(directory))


def _sync_to_disk(staging: Path) -> None:
    """Put every file of ``staging`` on disk before it is published.

    One syncfs(2) of the staging directory's file system costs the same for 3 files or 800
    feedback pages; where there is none (not Linux, an old libc), each file is fsynced.
    """
    if _syncfs(staging):
        return
    for child in staging.iterdir():
        if child.is_file():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())


def _listed(out: Path) -> set[str]:
    """The bare file names the manifest in ``out`` lists (none when it is missing or unreadable)."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(listed, list):
        return set()
    return {n for n in listed if isinstance(n, str) and n and Path(n).name == n and n not in (".", "..")}


def _owned_by_us(out: Path) -> bool:
    """True when ``out`` holds nothing but the outputs its manifest lists (or nothing at all)."""
    entries = {p.name for p in out.iterdir()}
    if not entries:
        return True
    if not (out / MANIFEST).is_file():
        return False
    return entries <= _listed(out) | {MANIFEST}


class OutputSet:
    """The outputs of one run, written into a staging directory and published together.

    ::

        with OutputSet(args.out) as outputs:
            outputs.write("results.csv", text)
            np.savez(outputs.path("model.npz"), ...)   # or write through a path
        # here every file is in args.out; on an exception nothing in args.out changed
    """

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = check_output_dir(out)
        self.staging: Path | None = None
        self.names: list[str] = []

    def __enter__(self) -> OutputSet:
        parent = self.out.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".staging", dir=parent))
        except OSError as err:  # a read-only or pseudo file system (/proc) that os.access did not foresee
            raise OutputError(f"--out {self.out}: cannot write in {parent} ({err.strerror or err}); "
                              "choose a directory on a writable disk") from None
        os.chmod(self.staging, _dir_mode())
        return self

    def path(self, name: str) -> Path:
        """Where to write the output ``name`` (a bare file name) during the run."""
        if self.staging is None:
            raise RuntimeError("OutputSet.path() outside its with-block")
        if Path(name).name != name or name in ("", ".", "..", MANIFEST):
            raise ValueError(f"an output is named by a bare file name, not {name!r}")
        if name not in self.names:
            self.names.append(name)
        return self.staging / name

    def write(self, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
        """Write one output file of the set."""
        target = self.path(name)
        target.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
        return target

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        staging, self.staging = self.staging, None
        if staging is None:
            return
        try:
            if kind is None:
                self._publish(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _publish(self, staging: Path) -> None:
        for child in staging.iterdir():
            if child.is_file():
                os.chmod(child, _file_mode())
        (staging / MANIFEST).write_text(json.dumps(sorted(self.names)), encoding="utf-8")
        os.chmod(staging / MANIFEST, _file_mode())
        _sync_to_disk(staging)
        out = self.out
        if not out.exists():
            os.rename(staging, out)
            return
        if _owned_by_us(out):
            if _exchange(staging, out):
                return  # staging now holds the old outputs and is removed by the caller
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.rename(out, old)
            os.rename(staging, out)
            shutil.rmtree(old, ignore_errors=True)
            return
        # a directory with files of the user's own: put each output in place, one rename each; the
        # previous run's outputs that this run did not write (feedback of a student since removed)
        # go, so that nothing stale sits beside the new results; the user's files stay
        previous = _listed(out)
        for name in self.names:
            os.replace(staging / name, out / name)
        for name in previous - set(self.names) - {MANIFEST}:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                (out / name).unlink()
        os.replace(staging / MANIFEST, out / MANIFEST)
