"""The project's own source code read as text: which modules a module imports, at any depth.

A stored result is only right while the code that made it is unchanged, so its key hashes the
source files of that code: the modules that make the result and every project module they import
(:func:`import_closure`). The imports are read from the code with :mod:`ast` (``import``
statements anywhere, even inside functions), never by importing it: asking whether a verdict is
stored must not load sympy. Used by :mod:`checker.proof.verdicts` for the verdicts' keys and by
the site's hooks for every result they store. A room of its own, just above :mod:`checker.files`;
it may import only the standard library.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

PACKAGES = ("checker", "derivations")

# What each source file imports, keyed by path, size, modification time and package: parsing is
# most of the work of a key, and a file's imports change only when the file does. A caller that
# keeps it across processes reads and saves it with :func:`remembered` and :func:`remember`.
_TABLE: dict[str, list] = {}
_CHANGED = [False]


def module_file(root: Path, name: str) -> Path | None:
    """The file of project module ``name`` under ``root`` (a module or a package's ``__init__``)."""
    *parents, last = name.split(".")
    directory = root.joinpath(*parents)
    if f"{last}.py" in _entries(directory):
        return directory / f"{last}.py"
    if last in _entries(directory) and "__init__.py" in _entries(directory / last):
        return directory / last / "__init__.py"
    return None


def closure_files(root: Path, modules: tuple[str, ...] | list[str],
                  packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Module name → file for ``modules`` and every project module they import, at any depth.

    The packages holding a module are in it too (importing ``a.b`` runs ``a/__init__.py``). The
    answer is kept while every file it read and every directory it looked in are unchanged (a key
    asks for the same closure many times a build; walking it names hundreds of would-be modules).
    """
    memo = (str(root), tuple(modules), tuple(packages))
    known = _CLOSURES.get(memo)
    if known is not None and all(_stamp(Path(p)) == stamp for p, stamp in known[0].items()):
        return dict(known[1])
    files: dict[str, Path] = {}
    read: dict[str, str] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in files or name.split(".")[0] not in packages:
            continue
        for directory in _directories(root, name):
            read[str(directory)] = _stamp(directory)
        path = module_file(root, name)
        if path is None:
            continue
        files[name] = path
        read[str(path)] = _stamp(path)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages' __init__
        package = name if path.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(imports_of(path, package))
    _CLOSURES[memo] = (read, dict(files))
    return files


def import_closure(root: Path, modules: tuple[str, ...] | list[str],
                   packages: tuple[str, ...] = PACKAGES) -> tuple[str, ...]:
    """The source files (relative to ``root``, sorted) of :func:`closure_files`."""
    return tuple(sorted(str(p.relative_to(root)) for p in closure_files(root, modules, packages).values()))


# closures already walked: the stamps of what each read, and the answer
_CLOSURES: dict[tuple, tuple[dict[str, str], dict[str, Path]]] = {}
# directory → (its modification time, its entries): a file created or deleted in it changes the time
_LISTINGS: dict[str, tuple[str, frozenset[str]]] = {}


def _stamp(path: Path) -> str:
    """Size and modification time (a directory's changes when an entry is added, removed or renamed)."""
    try:
        stat = path.stat()
    except OSError:
        return "absent"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _entries(directory: Path) -> frozenset[str]:
    stamp = _stamp(directory)
    known = _LISTINGS.get(str(directory))
    if known is None or known[0] != stamp:
        try:
            names = frozenset(os.listdir(directory))
        except OSError:
            names = frozenset()
        known = _LISTINGS[str(directory)] = (stamp, names)
    return known[1]


def _directories(root: Path, name: str) -> set[Path]:
    """The directories whose entries decide whether :func:`module_file` finds ``name``: the two it
    looks in, or, where one does not exist, the nearest directory above it that does (its entries
    change when the missing one is created)."""
    *parents, last = name.split(".")
    out = set()
    for directory in (root.joinpath(*parents), root.joinpath(*parents, last)):
        while not directory.is_dir() and directory != root and root in directory.parents:
            directory = directory.parent
        out.add(directory)
    return out


def imports_of(path: Path, package: str) -> list[str]:
    """The modules ``path`` imports (absolute names; ``from m import x`` also names ``m.x``)."""
    stat = path.stat()
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}:{package}"
    known = _TABLE.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)  # submodules by name
    _TABLE[str(path)] = [stamp, names]
    _CHANGED[0] = True
    return names


def remember(table: dict[str, list]) -> None:
    """Take imports read by an earlier process (entries whose file changed since are read again)."""
    for path, entry in table.items():
        _TABLE.setdefault(path, entry)


def remembered() -> dict[str, list] | None:
    """The table of imports if it gained entries since the last call, else None (nothing to save)."""
    if not _CHANGED[0]:
        return None
    _CHANGED[0] = False
    return dict(_TABLE)
