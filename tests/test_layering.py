"""The house: data flows one way (derivations → checker → site), and inside ``checker`` every room
imports only rooms below it, with no import circles anywhere.

The rooms, lowest first, are listed in ``checker/__init__.py``; this test reads imports as the
code states them (lazy imports inside functions included) and also imports each room in a fresh
interpreter to prove that nothing above it is loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from checker import ROOMS

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement of ``path`` names, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # ``from checker.network import mlp`` imports the module checker.network.mlp
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (only names that are real modules of the project)."""
    files = [p for pkg in ("derivations", "checker") for p in (ROOT / pkg).rglob("*.py")]
    modules = {module_name(p): p for p in files}
    return {
        name: {m for m in imported_modules(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def room_of(module: str) -> int:
    """Index of the room holding ``module`` in ``ROOMS`` (longest matching prefix)."""
    best = -1
    for i, room in enumerate(ROOMS):
        if (module == room or module.startswith(room + ".")) and (best < 0 or len(room) > len(ROOMS[best])):
            best = i
    return best


def find_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the list of modules on it (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            # a package importing its own submodule and back is a circle too
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports that go from a room to a room above it."""
    bad = []
    for module, targets in graph.items():
        for target in targets:
            if room_of(target) > room_of(module):
                bad.append(f"{module} -> {target}")
    return sorted(bad)


def test_every_module_is_in_a_room() -> None:
    homeless = [m for m in project_graph() if room_of(m) < 0 and m != "checker"]
    assert not homeless, f"modules in no room of checker.ROOMS: {homeless}"


def test_no_import_circles() -> None:
    assert find_circles(project_graph()) == []


def test_no_room_imports_a_room_above_it() -> None:
    assert upward_imports(project_graph()) == []


def test_the_checks_catch_a_circle_and_an_upward_import() -> None:
    graph = {
        "checker.proof.numeric": {"checker.proof.verify"},
        "checker.proof.verify": {"checker.proof.numeric"},
        "checker.network.mlp": {"checker.commands.main"},
    }
    assert find_circles(graph) == [["checker.proof.numeric", "checker.proof.verify"]]
    assert upward_imports(graph) == ["checker.network.mlp -> checker.commands.main"]


def test_the_scan_sees_a_lazy_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from checker.proof import verify\n    return verify\n")
    assert {"checker.proof", "checker.proof.verify"} <= imported_modules(sample)


@pytest.mark.parametrize("room", ROOMS)
def test_importing_a_room_loads_nothing_above_it(room: str) -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"pkg = importlib.import_module({room!r})\n"
        "for info in pkgutil.walk_packages(getattr(pkg, '__path__', []), pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('checker', 'derivations')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = __import__("json").loads(out.stdout)
    mine = ROOMS.index(room)
    above = [m for m in loaded if room_of(m) > mine]
    assert not above, f"importing {room} loaded {above}"


def test_derivations_import_nothing_from_checker() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.split(".")[0] == "checker")
        for p in (ROOT / "derivations").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"derivations must not import checker: {offenders}"


def test_every_room_says_what_it_holds_and_may_import() -> None:
    import importlib

    for room in ROOMS[1:]:
        doc = importlib.import_module(room).__doc__ or ""
        assert len(doc.split()) >= 25 and "import" in doc, f"{room}: say what it holds and may import"


def test_site_is_not_a_python_package() -> None:
    # a package named ``site`` would shadow the standard library's site module
    assert not (ROOT / "site" / "__init__.py").exists()
