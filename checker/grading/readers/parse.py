"""One entry point for every answer format: ``parse_answer(text, fmt, vocab)``.

``fmt`` is ``latex``, ``text``, ``numpy`` or ``auto``. ``auto`` tries the reader the answer most
looks like first (LaTeX when it has backslashes or ``^{``/``_{``; NumPy when it has ``np.``,
``.dot(``, ``.T``, ``**`` or is Python over the question's code names; plain text otherwise) and
falls back to the others; when none can read it, the error of the first is reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

import checker.grading.readers.limits as limits
from checker.grading.readers.conventions import UFLDL_NOTE, read_as_ufldl
from checker.grading.readers.latex_reader import read_latex
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.moments import MOMENT_WORDS
from checker.grading.readers.numpy_reader import read_numpy
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.text_reader import read_text
from checker.grading.readers.unicode_scripts import subscripts_spelled
from checker.grading.readers.vocabulary import Vocabulary
from derivations.expr import Expr, to_latex

FORMATS = ("latex", "text", "numpy", "auto")
READERS: dict[str, Callable[[str, Vocabulary, ReadOptions], Expr]] = {
    "latex": read_latex,
    "text": read_text,
    "numpy": read_numpy,
}

_LATEX_MARKS = re.compile(r"\\|\^\{|_\{|\$")
_NUMPY_MARKS = re.compile(r"\bnp\.|\bnumpy\.|\.dot\(|\.T\b|\.transpose\(|\.sum\(|\*\*|\.astype\(")


@dataclass(frozen=True)
class Parsed:
    """An answer that was read: the tree, its LaTeX echo, the reader used and the notes on every
    reading that was a guess (a dropped layer index read as the question's only one, a product
    of two same-shape vectors read as ⊙), for the feedback."""

    expr: Expr
    interpreted: str
    format: str
    notes: tuple[str, ...] = ()


def guess_order(text: str, vocab: Vocabulary) -> list[str]:
    """The readers to try for ``auto``, most likely first.

    Python that only Python has (a string, indexing ``x[0]``, a lambda, a keyword argument, a
    name with ``__``, a call of an unknown function where the question has code names) goes to
    the NumPy reader alone, so that its refusal is what the student sees.
    """
    if _LATEX_MARKS.search(text):
        return ["latex", "text", "numpy"]
    python = _python_signals(text, vocab)
    if python == "only":
        return ["numpy"]
    if _NUMPY_MARKS.search(text) or python == "code":
        return ["numpy", "text", "latex"]
    return ["text", "latex", "numpy"]


def _python_signals(text: str, vocab: Vocabulary) -> str:
    """``"only"``: constructs only Python has; ``"code"``: Python over the code names; else ``""``."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    names = set()
    # f'(x) + ... + f'''(x) parses as an f-string: single quotes alone are primes, not a string
    primes = "'" in text and '"' not in text
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
            if "__" in node.id:
                return "only"
        elif (
            isinstance(node, ast.Constant | ast.JoinedStr)
            and isinstance(getattr(node, "value", ""), str | bytes)
            and not primes
            or isinstance(node, ast.Lambda | ast.comprehension | ast.keyword | ast.Starred | ast.NamedExpr)
        ):
            return "only"
        elif isinstance(node, ast.Subscript) and not isinstance(node.value, ast.Constant | ast.Name):
            return "only"  # x[0]; but 1[z > 0] is the plain-text indicator
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id not in MOMENT_WORDS
        ):
            return "only"  # x[k]; but E[w] is an expectation
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id not in _TEXT_FUNCTIONS
            and "^" not in text
            and "'" not in text
            and (vocab.code_names or "__" in node.func.id)
        ):
            return "only"  # open(...) is Python; gelu(z^(l)) is plain text with an unknown function
        elif (
            isinstance(node, ast.Attribute)
            and node.attr != "T"
            and not (isinstance(node.value, ast.Name) and node.value.id in ("np", "numpy"))
        ):
            return "only" if node.attr not in ("dot", "sum", "transpose", "astype") else "code"
    if not vocab.code_names or "'" in text or "^" in text:
        return ""
    return "code" if names and names <= {*vocab.code_names, "np", "numpy"} else ""


_TEXT_FUNCTIONS = frozenset(
    [
        "sigma",
        "sigmoid",
        "tanh",
        "relu",
        "ReLU",
        "exp",
        "log",
        "ln",
        "sign",
        "sgn",
        "sech",
        "sqrt",
        "abs",
        "max",
        "softmax",
        "diag",
        "where",
        "f",
        "g",
        "cosh",
        "sinh",
    ]
)


def parse_answer(
    text: str, fmt: str, vocab: Vocabulary, strict_notation: bool = False, entries_as_written: bool = False
) -> Parsed:
    """Read an answer into the expression tree; :class:`AnswerError` says why it cannot be read.

    With ``strict_notation`` a product of two same-shape vectors stays the product written; with
    ``entries_as_written`` an entry of a matrix written out that breaks its pattern is read at its
    place (see :mod:`checker.grading.readers.options`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not isinstance(text, str):
        raise AnswerError("the answer is not text")
    limits.check_length(text)
    limits.check_forbidden(text)
    text = subscripts_spelled(text)
    order = guess_order(text, vocab) if fmt == "auto" else [fmt]
    first: AnswerError | None = None
    for name in order:
        try:
            with limits.stack_room():
                options = ReadOptions(strict_notation=strict_notation, entries_as_written=entries_as_written)
                expr = READERS[name](text, vocab, options)
                if not strict_notation and "f" in options.marks:
                    ufldl = read_as_ufldl(expr, vocab.symbols)
                    if ufldl is not None:
                        expr = ufldl
                        options.note(UFLDL_NOTE)
                return Parsed(expr, to_latex(expr), name, tuple(options.notes))
        except AnswerError as e:
            first = first or e
        except RecursionError:  # never expected within stack_room; refused rather than crashed
            first = first or AnswerError("the answer is nested too deeply to read")
    assert first is not None
    raise first


__all__ = ["FORMATS", "AnswerError", "Parsed", "guess_order", "parse_answer"]
