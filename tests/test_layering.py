"""Data flows one way: derivations → checker → site. ``derivations`` imports nothing from ``checker``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement of ``path`` names, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_derivations_import_nothing_from_checker() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.split(".")[0] == "checker")
        for p in (ROOT / "derivations").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"derivations must not import checker: {offenders}"


def test_the_scan_sees_a_lazy_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from checker.verify import verify\n    return verify\n")
    assert "checker.verify" in imported_modules(sample)


def test_site_is_not_a_python_package() -> None:
    # a package named ``site`` would shadow the standard library's site module
    assert not (ROOT / "site" / "__init__.py").exists()
