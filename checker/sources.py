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
    return _Walk(root).find(name)


def closure_files(root: Path, modules: tuple[str, ...] | list[str],
                  packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Module name → file for ``modules`` and every project module they import, at any depth.

    The packages holding a module are in it too (importing ``a.b`` runs ``a/__init__.py``). The
    answer is kept while every file it read and every directory it looked in (or found absent)
    are unchanged: a key asks for the same closure many times a build, and a walk names hundreds
    of would-be modules (``from m import x`` may import the module ``m.x``).
    """
    memo = (str(root), tuple(modules), tuple(packages))
    known = _CLOSURES.get(memo)
    if known is not None and all(_stamp(Path(p)) == stamp for p, stamp in known[0].items()):
        return dict(known[1])
    walk = _Walk(root)
    files: dict[str, Path] = {}
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen or name.split(".")[0] not in packages:
            continue
        seen.add(name)
        path = walk.find(name)
        if path is None:
            continue
        files[name] = path
        walk.stamps[str(path)] = _stamp(path)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages' __init__
        package = name if path.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(imports_of(path, package))
    _CLOSURES[memo] = (walk.stamps, dict(files))
    return files


def import_closure(root: Path, modules: tuple[str, ...] | list[str],
                   packages: tuple[str, ...] = PACKAGES) -> tuple[str, ...]:
    """The source files (relative to ``root``, sorted) of :func:`closure_files`."""
    return tuple(sorted(str(p.relative_to(root)) for p in closure_files(root, modules, packages).values()))


# closures already walked: the stamps of what each looked at, and the answer
_CLOSURES: dict[tuple, tuple[dict[str, str], dict[str, Path]]] = {}
# directory → (its stamp, its entries): a file created, deleted or renamed in it changes the stamp
_LISTINGS: dict[str, tuple[str, frozenset[str]]] = {}


def _stamp(path: Path) -> str:
    """Size and modification time of a file or directory, or "absent"."""
    try:
        stat = path.stat()
    except OSError:
        return "absent"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


class _Walk:
    """One walk's look at the file system: each directory is read once, and its stamp noted."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stamps: dict[str, str] = {}
        self.listings: dict[Path, frozenset[str]] = {}

    def entries(self, directory: Path) -> frozenset[str]:
        if directory not in self.listings:
            stamp = self.stamps[str(directory)] = _stamp(directory)
            known = _LISTINGS.get(str(directory))
            if known is None or known[0] != stamp:
                try:
                    names = frozenset(os.listdir(directory))
                except OSError:
                    names = frozenset()
                known = _LISTINGS[str(directory)] = (stamp, names)
            self.listings[directory] = known[1]
        return self.listings[directory]

    def find(self, name: str) -> Path | None:
        *parents, last = name.split(".")
        directory = self.root.joinpath(*parents)
        if f"{last}.py" in self.entries(directory):
            return directory / f"{last}.py"
        if last in self.entries(directory) and "__init__.py" in self.entries(directory / last):
            return directory / last / "__init__.py"
        return None


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
