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
from pathlib import Path

PACKAGES = ("checker", "derivations")

# What each source file imports, keyed by path, size, modification time and package: parsing is
# most of the work of a key, and a file's imports change only when the file does. A caller that
# keeps it across processes reads and saves it with :func:`remembered` and :func:`remember`.
_TABLE: dict[str, list] = {}
_CHANGED = [False]


def module_file(root: Path, name: str) -> Path | None:
    """The file of project module ``name`` under ``root`` (a module or a package's ``__init__``)."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def closure_files(root: Path, modules: tuple[str, ...] | list[str],
                  packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Module name → file for ``modules`` and every project module they import, at any depth.

    The packages holding a module are in it too (importing ``a.b`` runs ``a/__init__.py``).
    """
    files: dict[str, Path] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in files or name.split(".")[0] not in packages:
            continue
        path = module_file(root, name)
        if path is None:
            continue
        files[name] = path
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages' __init__
        package = name if path.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(imports_of(path, package))
    return files


def import_closure(root: Path, modules: tuple[str, ...] | list[str],
                   packages: tuple[str, ...] = PACKAGES) -> tuple[str, ...]:
    """The source files (relative to ``root``, sorted) of :func:`closure_files`."""
    return tuple(sorted(str(p.relative_to(root)) for p in closure_files(root, modules, packages).values()))


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
