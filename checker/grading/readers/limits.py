"""Bounds on untrusted answers, checked before and after parsing.

An answer comes from a student: it may be long, deeply nested, full of huge numbers or TeX
primitives. Every reader calls these checks so that reading any answer of at most
:data:`MAX_CHARS` characters is fast, cannot exhaust the stack, and never builds a number or a
power that a later evaluation could not afford.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from derivations.expr import Expr, Num, depth, symbols_of

MAX_CHARS = 2000
MAX_NESTING = 100  # brackets, braces and parentheses inside one another
MAX_DEPTH = 100  # depth of the expression tree that is read
MAX_PARSE_DEPTH = 400  # depth of the intermediate parse tree (a few levels per bracket)
FRAMES_PER_LEVEL = 8  # Python frames the readers use per level of parse tree, with room to spare
MAX_DIGITS = 15
MAX_EXPONENT = 64
MAX_DERIVATIVE = 5  # f^{(5)}: a Taylor term past the error term; NumPy knows σ up to σ''' and says so


class AnswerError(ValueError):
    """An answer that cannot be read. ``message`` says where (character position), what and how to fix it."""

    def __init__(self, message: str, position: int | None = None, token: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.token = token


def near(text: str, position: int, width: int = 18) -> str:
    """A short excerpt of ``text`` around ``position`` with the spot marked by ⟨here⟩."""
    before = text[max(0, position - width) : position]
    after = text[position : position + width]
    left = "…" if position > width else ""
    right = "…" if position + width < len(text) else ""
    return f"{left}{before}⟨here⟩{after}{right}"


def check_length(text: str) -> None:
    """Refuse empty answers and answers longer than :data:`MAX_CHARS`, before any parsing."""
    if len(text) > MAX_CHARS:
        raise AnswerError(
            f"the answer is {len(text)} characters long; the limit is {MAX_CHARS}: "
            "write the formula only, without the derivation"
        )
    if not text.strip():
        raise AnswerError("the answer is empty")
    if "\x00" in text:
        raise AnswerError("the answer contains a NUL character", text.index("\x00"))


# TeX that defines, expands, reads or writes: never read, whatever it would do.
_FORBIDDEN = re.compile(
    r"\\(def|edef|gdef|xdef|let|futurelet|input|include|includeonly|newcommand|renewcommand|"
    r"providecommand|DeclareMathOperator|DeclareRobustCommand|newenvironment|renewenvironment|"
    r"catcode|csname|endcsname|expandafter|noexpand|write|immediate|openin|openout|read|closein|"
    r"closeout|usepackage|RequirePackage|documentclass|makeatletter|makeatother|special|href|url|"
    r"verb|lstinline|loop|repeat|uppercase|lowercase|global|long|outer|string|detokenize|"
    r"scantokens|char|mathchar|mathcode|lccode|uccode|afterassignment|aftergroup|begingroup|"
    r"endgroup|jobname|errmessage|message|typeout|relax|protect|require|input@path|"
    r"if[a-z]*|fi|else|or|newif|count|dimen|toks|setbox|box|vbox|hbox|includegraphics|"
    r"tracing[a-z]*)(?![A-Za-z])"
)


def check_forbidden(text: str) -> None:
    r"""Refuse TeX macros, definitions and file commands (``\def``, ``\input``, ``\catcode`` ...)."""
    m = _FORBIDDEN.search(text)
    if m:
        raise AnswerError(
            f"\\{m.group(1)} at character {m.start() + 1} is not allowed in an answer: definitions, "
            "macros and file commands are never read; write the formula itself",
            m.start(),
            m.group(0),
        )


_OPEN = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
_CLOSE = {v: k for k, v in _OPEN.items()}


def check_nesting(text: str, offset: int = 0) -> None:
    """Brackets must balance and nest at most :data:`MAX_NESTING` deep (checked before parsing)."""
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            pair = text[i : i + 2]
            if pair in ("\\{", "\\}"):
                ch = pair
            else:
                i += 2  # an escaped character (\\, \,) is not a bracket
                continue
        if ch in _OPEN:
            stack.append((ch, i))
            if len(stack) > MAX_NESTING:
                raise AnswerError(
                    f"brackets are nested more than {MAX_NESTING} levels deep "
                    f"(at character {i + offset + 1})",
                    i + offset,
                )
        elif ch in _CLOSE:
            if not stack:
                raise AnswerError(
                    f"`{ch}` at character {i + offset + 1} has no matching `{_CLOSE[ch]}`: {near(text, i)}",
                    i + offset,
                    ch,
                )
            opener, where = stack.pop()
            if _OPEN[opener] != ch:
                raise AnswerError(
                    f"`{opener}` at character {where + offset + 1} is closed by `{ch}` at character "
                    f"{i + offset + 1}; expected `{_OPEN[opener]}`",
                    i + offset,
                    ch,
                )
        i += len(ch)
    if stack:
        opener, where = stack[-1]
        raise AnswerError(
            f"`{opener}` at character {where + offset + 1} is never closed (add `{_OPEN[opener]}`): "
            f"{near(text, where)}",
            where + offset,
            opener,
        )


def number(digits: str, position: int | None = None) -> Num:
    """A numeric literal as an exact :class:`Num`, refusing more than :data:`MAX_DIGITS` digits."""
    mantissa = digits.lower().split("e")[0]
    count = sum(c.isdigit() for c in mantissa)
    if count > MAX_DIGITS:
        raise AnswerError(
            f"the number {digits[:20]}… at character {(position or 0) + 1} has {count} digits; "
            f"at most {MAX_DIGITS} are read",
            position,
            digits,
        )
    value = Fraction(digits)
    if value != 0 and not Fraction(1, 10**MAX_DIGITS) <= abs(value) <= 10**MAX_DIGITS:
        raise AnswerError(f"the number {digits} at character {(position or 0) + 1} is out of range", position)
    return Num(value)


def check_exponent(exponent: Expr, position: int | None = None) -> None:
    """An exponent is a small number or contains a symbol; constant towers are refused, never computed."""
    if isinstance(exponent, Num):
        v = exponent.value
        if abs(v) > MAX_EXPONENT or v.denominator > MAX_EXPONENT:
            raise AnswerError(
                f"the exponent {v}{_at(position)} is too large (at most {MAX_EXPONENT} in size)",
                position,
                str(v),
            )
        return
    if not symbols_of(exponent):
        raise AnswerError(
            f"the exponent{_at(position)} must be a small number or contain a symbol; "
            "towers of constant powers are not read",
            position,
        )


def _at(position: int | None) -> str:
    return "" if position is None else f" at character {position + 1}"


def check_depth(expr: Expr) -> None:
    """The tree that was read nests at most :data:`MAX_DEPTH` levels (iterative, stack-safe)."""
    d = depth(expr)
    if d > MAX_DEPTH:
        raise AnswerError(
            f"the answer nests {d} levels deep; at most {MAX_DEPTH} are read "
            "(long products and chains of functions count one level each)"
        )


def _stack_depth() -> int:
    frame, n = sys._getframe(1), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


@contextmanager
def stack_room(frames: int = MAX_PARSE_DEPTH * FRAMES_PER_LEVEL) -> Iterator[None]:
    """Make sure ``frames`` more Python frames fit under the recursion limit while reading.

    The readers recurse over a parse tree whose depth is bounded (:data:`MAX_PARSE_DEPTH`), so
    whether an answer nested 100 deep is read must not depend on how deep the caller already is.
    Python-to-Python calls do not grow the C stack, so the raised limit is safe; it is restored.
    """
    old = sys.getrecursionlimit()
    need = _stack_depth() + frames
    if need > old:
        sys.setrecursionlimit(need)
    try:
        yield
    finally:
        if need > old:
            sys.setrecursionlimit(old)
