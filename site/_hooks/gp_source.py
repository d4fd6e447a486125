"""Which functions of the reference MLP implement which derivation, read from their own words.

A function (or method) of ``checker/network/mlp.py``, ``rownet.py``, ``activations.py``, ``losses.py``,
``optimisers.py``, ``layers.py``, ``conv.py``, ``deepnet.py``, ``proximal.py`` or ``modes.py`` implements a derivation when its docstring or one of its comments cites the derivation's id
(``hidden-delta``). Nothing is listed by hand: a new citation in the code is a new link on the site.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

REFERENCE_FILES = (
    "checker/network/mlp.py", "checker/network/rownet.py", "checker/network/activations.py",
    "checker/network/losses.py", "checker/network/optimisers.py", "checker/network/layers.py",
    "checker/network/conv.py", "checker/network/deepnet.py", "checker/network/proximal.py",
    "checker/network/modes.py",
)


@dataclass(frozen=True)
class Implementation:
    """One function of the reference code and the derivation ids its docstring/comments cite."""

    path: str  # relative to the repository, e.g. "checker/network/mlp.py"
    qualname: str  # "hidden_delta", "SoftmaxCrossEntropy.delta"
    first_line: int
    last_line: int
    source: str
    summary: str  # the first line of the docstring
    cites: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The HTML id of this function on the Reference MLP page."""
        stem = Path(self.path).stem
        return "code-" + re.sub(r"[^a-z0-9]+", "-", f"{stem}-{self.qualname}".lower()).strip("-")


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    out.append((f"{node.name}.{item.name}", item))
    return out


def cites(text: str, ids: list[str]) -> tuple[str, ...]:
    """The ids mentioned in ``text`` as whole words (``hidden-delta`` is not in ``row-hidden-delta``)."""
    return tuple(i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))


def implementations(root: Path, ids: list[str],
                    files: tuple[str, ...] = REFERENCE_FILES) -> list[Implementation]:
    """Every function of the reference files that cites at least one of ``ids``, in file order."""
    found: list[Implementation] = []
    for rel in files:
        path = root / rel
        if not path.exists():
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        comments = _comments(source)
        for qualname, node in _functions(ast.parse(source)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            doc = ast.get_docstring(node) or ""
            said = doc + "\n" + "\n".join(c for ln, c in comments.items() if first <= ln <= last)
            cited = cites(said, ids)
            if not cited:
                continue
            found.append(
                Implementation(
                    path=rel,
                    qualname=qualname,
                    first_line=first,
                    last_line=last,
                    source=textwrap.dedent("\n".join(lines[first - 1 : last])),
                    summary=doc.strip().splitlines()[0] if doc.strip() else "",
                    cites=cited,
                )
            )
    return found
