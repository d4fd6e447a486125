"""No code path can execute text: the source of ``checker`` and ``derivations`` never calls
eval, exec, compile, __import__, sympify, parse_expr or lambdify (student answers are parsed
into trees, never run). Nothing is allow-listed: a hit fails with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("checker", "derivations")
# Called by name (eval(...)) or as an attribute (sympy.sympify(...), builtins.eval(...)).
ANY_CALL = {"sympify", "parse_expr", "lambdify", "parse_latex", "S"}
NAME_CALL = {"eval", "exec", "compile", "__import__"}
BUILTIN_MODULES = {"builtins", "__builtins__"}


def forbidden_calls(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, name) of every forbidden call in ``source``."""
    hits = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and (f.id in NAME_CALL or f.id in ANY_CALL - {"S"}):
            hits.append((node.lineno, f.id))
        elif isinstance(f, ast.Attribute):
            base = f.value.id if isinstance(f.value, ast.Name) else ""
            if f.attr in ANY_CALL - {"S"}:
                hits.append((node.lineno, f"{base}.{f.attr}"))
            elif f.attr == "S" and base in {"sp", "sympy"}:
                hits.append((node.lineno, f"{base}.S"))  # sympy.S(x) is sympify(x)
            elif f.attr in NAME_CALL and base in BUILTIN_MODULES:
                hits.append((node.lineno, f"{base}.{f.attr}"))
        if isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and arg.value in NAME_CALL | ANY_CALL:
                hits.append((node.lineno, f"getattr(..., {arg.value!r})"))
    return hits


SOURCES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_code_execution(path):
    hits = forbidden_calls(path.read_text(encoding="utf-8"), str(path))
    assert not hits, f"{path.relative_to(ROOT)}: " + ", ".join(f"line {n}: {name}()" for n, name in hits)


@pytest.mark.parametrize(
    "snippet",
    ["eval('1')", "exec(code)", "compile(s, 'f', 'exec')", "__import__('os')", "sp.sympify(text)",
     "sympy.parsing.sympy_parser.parse_expr(s)", "f = sp.lambdify(x, e)", "sympify(s)",
     "builtins.eval(s)", "sp.S('x')", "getattr(builtins, 'eval')(s)"],
)
def test_the_scanner_catches_each_form(snippet):
    assert forbidden_calls(snippet)


def test_the_scanner_allows_harmless_namesakes():
    assert not forbidden_calls("import re\npattern = re.compile('a+')\nmodel.eval_step()\n")
