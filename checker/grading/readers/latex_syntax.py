r"""The parse step shared by the LaTeX and plain-text readers: lark parsing, wrappers, syntax errors."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.syntax import EXPLAIN


class Bars(PostLex):
    r"""Tells an opening bar from a closing one: ``|`` (absolute value) and ``\|``, ``‖`` (norm)
    look the same on both sides, which a context-free grammar cannot pair.

    A bar closes the innermost open bar of its kind unless what comes before it can only be
    followed by a value (an operator, an opening bracket, the start): ``\|a - \|b\|\|`` and
    ``\lambda \|w\|_1 + |b|`` pair as written. Explicit ``\lVert``/``\rVert``, ``\lvert``/``\rvert``
    keep their side."""

    always_accept = ("BAR", "DBAR")
    _KIND = {"BAR": "ABS", "DBAR": "NORM"}
    _BEFORE_A_VALUE = frozenset(
        (
            *("PLUS", "MINUS", "HOP", "OTIMES", "SEQOP", "AT", "EQ", "RELOP", "COMMA", "AMPERSAND"),
            *("LPAR", "LSQB", "LBRACE", "LSET", "LNORM", "LABS", "CIRCUMFLEX", "UNDERSCORE", "_POW"),
            *("ROWSEP", "BEGIN_CASES", "BEGIN_MATRIX", "IFWORD"),
        )
    )

    def process(self, stream):  # type: ignore[no-untyped-def]
        """The token stream with every BAR/DBAR retyped as the left or right side of its pair."""
        open_kinds: list[str] = []
        before: Token | None = None
        for tok in stream:
            if tok.type in self._KIND:
                kind = self._KIND[tok.type]
                closes = bool(open_kinds) and open_kinds[-1] == kind
                closes = closes and before is not None and before.type not in self._BEFORE_A_VALUE
                tok = Token.new_borrow_pos(("R" if closes else "L") + kind, tok.value, tok)
            if tok.type in ("LNORM", "LABS"):
                open_kinds.append(tok.type[1:])
            elif tok.type in ("RNORM", "RABS") and open_kinds and open_kinds[-1] == tok.type[1:]:
                open_kinds.pop()
            before = tok
            yield tok


@cache
def latex_parser() -> Lark:
    """The LALR parser of ``latex.lark`` (built once)."""
    return Lark.open(
        str(Path(__file__).with_name("latex.lark")), parser="lalr", propagate_positions=True, postlex=Bars()
    )


_WRAPPERS = (
    (r"\$\$(.*)\$\$", re.S),
    (r"\$(.*)\$", re.S),
    (r"\\\[(.*)\\\]", re.S),
    (r"\\\((.*)\\\)", re.S),
    (
        r"\\begin\{(?:equation|align|displaymath|math)\*?\}(.*)\\end\{(?:equation|align|displaymath|math)\*?\}",
        re.S,
    ),
)


_DECORATION = re.compile(r"\^\s*(?:\{\s*([+*])\s*\}|([+*])(?![A-Za-z0-9{(\\]))")
_DECORATION_NAMES = {"+": r"\plus", "*": r"\ast"}


def decorations(body: str) -> str:
    r"""``W^{+}``, ``W^+``, ``w^{*}`` with the mark written as a command (``W^{\plus}``): a name's
    decoration (the weights after a step, an optimum), which the grammar would read as a sum with
    its operands missing. Nothing else is rewritten; a power is never a lone ``+`` or ``*``."""
    if "^" not in body:
        return body
    return _DECORATION.sub(lambda m: "^{" + _DECORATION_NAMES[m.group(1) or m.group(2)] + "}", body)


def strip_wrappers(text: str) -> tuple[str, int]:
    r"""Remove ``$``, ``$$``, ``\[ \]``, ``\( \)`` and trailing punctuation; return (text, offset)."""
    offset = len(text) - len(text.lstrip())
    body = text.strip()
    for pattern, flags in _WRAPPERS:
        m = re.fullmatch(pattern, body, flags)
        if m:
            offset += m.start(1)
            inner = m.group(1)
            offset += len(inner) - len(inner.lstrip())
            body = inner.strip()
            break
    body = re.sub(r"(?:\s|\\[,;!: ]|\\quad|[.,;])+$", "", body)
    return body, offset


def parse_tree(parser: Lark, text: str, offset: int = 0, fmt: str = "LaTeX") -> Tree:
    """Parse ``text`` with ``parser``; syntax errors become :class:`AnswerError` naming the spot."""
    try:
        tree = parser.parse(text)
    except UnexpectedInput as e:
        raise syntax_error(e, text, offset, fmt) from None
    except LarkError as e:  # pragma: no cover - lark's other errors are grammar errors
        raise AnswerError(f"the {fmt} answer could not be read: {e}") from None
    if tree_depth(tree) > limits.MAX_PARSE_DEPTH:
        raise AnswerError(f"the answer is nested too deeply; at most {limits.MAX_NESTING} levels are read")
    return tree


def syntax_error(e: UnexpectedInput, text: str, offset: int, fmt: str) -> AnswerError:
    """A readable message for a lark error: where, which token, what was expected."""
    pos = getattr(e, "pos_in_stream", None)
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        pos = e.token.start_pos
        what = f"unexpected `{e.token.value}`"
        expected = e.expected
    elif isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        pos = len(text)
        what = "the answer ends too early"
        expected = getattr(e, "expected", set()) or set()
    elif isinstance(e, UnexpectedCharacters):
        what = (
            f"unexpected character `{text[pos]}`"
            if pos is not None and pos < len(text)
            else "unexpected input"
        )
        expected = e.allowed or set()
    else:  # pragma: no cover
        what, expected = "unreadable input", set()
    pos = len(text) if pos is None else pos
    names = sorted({EXPLAIN.get(t, "") for t in expected} - {""})
    hint = ""
    if names and len(expected) <= 6:
        hint = "; expected " + " or ".join(names)
    elif names and "`)`" in names and what.startswith("the answer ends"):
        hint = "; a bracket is not closed"
    if fmt == "LaTeX" and what.startswith("unexpected character"):
        hint += "; this character is not part of the LaTeX that is read"
    return AnswerError(
        f"{what} at character {pos + offset + 1} of the {fmt} answer: {limits.near(text, pos)}{hint}",
        pos + offset,
        getattr(getattr(e, "token", None), "value", None),
    )


def tree_depth(tree: Tree) -> int:
    """Depth of a lark tree, computed without recursion."""
    best, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        if isinstance(node, Tree):
            stack.extend((c, d + 1) for c in node.children)
    return best
