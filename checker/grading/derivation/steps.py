r"""One side of a relation read into a tree, and what a side is: a name, a new name, a condition.

Before the readers see a side, the notation of derivations that they do not read is rewritten: an
operator ``\frac{\partial}{\partial x}`` that begins a step applies to the rest of it, a loss with
its arguments ``J(W, b; x, y)`` is the loss ``J``, and in the update questions ``\partial L'``
names the regularised cost. An unreadable side carries the readers' reason instead of a tree.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from checker.grading.derivation.model import Model
from checker.grading.derivation.segment import Relation
from checker.grading.mistakes import rebuild
from checker.grading.readers import AnswerError, Vocabulary, parse_answer
from checker.grading.readers.parse import Parsed
from derivations.expr import Deriv, Entry, Expr, Fn, Num, ShapeError, Sym, T, children, shape_of, to_latex

MAX_STEPS = 40
MAX_SIDE = 2000

_NEW_NAME = re.compile(
    r"^\s*(?:\\(?:mathbf|boldsymbol|bm|vec|tilde|hat|bar)\{)?\\?[A-Za-z]+\}?"
    r"(?:_\{?[A-Za-z0-9]+\}?)?(?:\^\{?\(?[A-Za-z0-9+\-]+\)?\}?)?\s*$"
)
_INDEX_ONLY = re.compile(r"^\s*[a-z]\s*$")


@dataclass
class Side:
    """One expression of a relation: its text, and its tree or why it could not be read."""

    text: str
    expr: Expr | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Item:
    """A step of the chain, a definition or a lemma, in reading order."""

    kind: str  # "step" | "definition" | "lemma"
    sides: list[Side]
    line: int
    op: str = "="
    notes: list[str] = field(default_factory=list)
    condition: tuple[str, str, str] | None = None  # a case lemma's condition: ("i", "!=", "j")
    inline: bool = False  # a relation written in prose: a `= …` display after it goes on with the chain


def read(text: str, vocab: Vocabulary, fmt: str, model: Model, strict: bool = False) -> Side:
    """One side read into a tree (never raises: an unreadable side carries its reason)."""
    side = Side(text)
    if len(text) > MAX_SIDE:
        side.error = f"this step is {len(text):,} characters long; a step may have at most {MAX_SIDE:,}"
        return side
    source = text
    if model.update:  # ∂L'/∂w: the prime would be read away; name the regularised cost
        source = re.sub(r"(\\partial\s*)([LJEC])\s*(?:'|\^\{?\\prime\}?)", r"\1\2_{\\lambda}", source)
        source = _UPDATED_WEIGHT.sub(r"\1_{new}", source)  # W' alone names the updated weight
    source = _LOSS_CALL.sub(r"\1", source)  # J(W, b; x, y) is the loss J
    if model.losses:  # J(W), J_\lambda(W): the cost as a function of the weights is the cost
        source = _LOSS_OF_ONE.sub(r"\1", source)
    source = _operator_on_call(source) if "\\" in source else _plain_operator(source)
    try:
        parsed = _parse(source, fmt, vocab, model, strict)
        side.expr, side.notes = parsed.expr, parsed.notes
    except AnswerError as err:
        side.error = getattr(err, "message", str(err))
    except (RecursionError, ValueError, KeyError) as err:
        side.error = f"this step cannot be read ({type(err).__name__})"
    return side


def _parse(source: str, fmt: str, vocab: Vocabulary, model: Model, strict: bool) -> Parsed:
    """The side read; where ``d`` is unknown, read again with the gradient shorthand spelled out."""
    try:
        return parse_answer(source, fmt, vocab, strict_notation=strict, entries_as_written=True)
    except AnswerError as err:
        shorthand = _gradient_shorthand(source, vocab, model) if "unknown symbol `d`" in err.message else None
        if shorthand is None:
            raise
    parsed = parse_answer(shorthand[0], fmt, vocab, strict_notation=strict, entries_as_written=True)
    return dataclasses.replace(parsed, notes=(*parsed.notes, shorthand[1]))


_SHORTHAND = re.compile(r"(?<![A-Za-z\\{])d(?P<x>[A-Za-z](?:\^\{[^{}]*\}|\^\([^()]*\)|\^\[[^\]]*\]))")


def _gradient_shorthand(text: str, vocab: Vocabulary, model: Model) -> tuple[str, str] | None:
    """``dW^{[l]}``, ``dz^{[l]}``, ``dZ^{[l]}``: the gradients of Andrew Ng's course, where ``d``
    is no symbol of the question. dX is the cost's gradient, except that a quantity with one
    column per example (Z, A: their shape holds m) gets that of the summed loss, unaveraged
    (his dZ is Δ, and the 1/m comes with dW). (text rewritten, note) or None."""
    names = []

    def spelled(m: re.Match[str]) -> str:
        x = m.group("x")
        try:
            shape = shape_of(parse_answer(x, "latex", vocab).expr)
        except (AnswerError, ShapeError, RecursionError, ValueError):
            return m.group(0)
        per_example = model.total is not None and "m" in shape
        loss = r"\sum_i L_i" if per_example else ("J" if model.total is not None else "L")
        names.append(f"$d{x}$ as $\\frac{{\\partial {loss}}}{{\\partial {x}}}$")
        return rf"\frac{{\partial {loss}}}{{\partial {x}}}"

    out = _SHORTHAND.sub(spelled, text)
    if not names:
        return None
    return out, f"Read {', '.join(names)} (the shorthand of Andrew Ng's course)."


_UPDATED_WEIGHT = re.compile(
    r"^\s*((?:\\(?:mathbf|boldsymbol|bm)\{[Ww]\})|[Ww])\s*(?:'|′|\^\{?\\prime\}?)\s*$"
)
_LOSS_CALL = re.compile(r"(?<![A-Za-z\\])([LJCE])\s*(?:\\left)?\(([^()]*[,;][^()]*)(?:\\right)?\)")
_LOSS_OF_ONE = re.compile(
    r"(?<![A-Za-z\\])([LJC](?:_\{?\\?[A-Za-zα-ω]+\}?|')?)\s*(?:\\left)?\(\s*"
    r"(?:\\(?:mathbf|boldsymbol|bm)\{)?\\?[A-Za-zα-ω]+\}?(?:\^\{?\(?[A-Za-z0-9+\-]*\)?\}?)?\s*(?:\\right)?\)"
)
_OPERATOR_HEAD = re.compile(r"\s*\\frac\s*\{\s*(?:\\partial|d|\\mathrm\{d\})\s*\}\s*\{")
_CALL = re.compile(r"\s*((?:\\[A-Za-z]+|[A-Za-z])(?:\^\{?[^{}()]*\}?)?'?)\s*(?:\\left)?\(")


def _group_end(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """The index just past the group that opens at ``start`` (-1 if it never closes)."""
    depth = 0
    for k in range(start, len(text)):
        if text[k] == open_:
            depth += 1
        elif text[k] == close:
            depth -= 1
            if depth == 0:
                return k + 1
    return -1


def _operator_on_call(text: str) -> str:
    r"""A step that begins with the operator ``\frac{\partial}{\partial x}`` applies it to the rest
    of the step (``\frac{\partial}{\partial z_i} \frac{1}{2}\sum_j (y_j - a_j)^2``), or to the call
    that follows when more comes after it (``\frac{d}{dz}\tanh(z)``): the readers would take one
    item after the operator. It is rewritten as ``\frac{\partial (…)}{\partial x}``."""
    m = _OPERATOR_HEAD.match(text)
    if m is None:
        return text
    below_end = _group_end(text, m.end() - 1)
    if below_end < 0:
        return text
    below = text[m.end() : below_end - 1].strip()
    wrt = re.sub(r"^(?:\\partial|\\mathrm\{d\}|d)\s*", "", below)
    if wrt == below or not wrt:
        return text
    rest = text[below_end:]
    call = _CALL.match(rest)
    if call is not None:
        open_at = call.end() - 1
        close_at = _group_end(rest, open_at, "(", ")")
        if close_at > 0 and rest[close_at:].strip():
            return text[:below_end].replace(text[m.start() : below_end], "") + (
                f"\\frac{{\\partial {rest[:close_at].strip()}}}{{\\partial {wrt}}}" + rest[close_at:]
            )
    if not rest.strip():
        return text
    return f"\\frac{{\\partial \\left({rest.strip()}\\right)}}{{\\partial {wrt}}}"


_VAR = r"[A-Za-zα-ω](?:_[A-Za-z0-9]+)?(?:\^\([^()]*\)|\^[A-Za-z0-9]+)?"
_PLAIN_OPERATOR = (
    re.compile(rf"^\s*[d∂]\s*/\s*[d∂]\s*(?P<x>{_VAR})\s+(?P<f>\S.*?)\s*$"),  # d/dz tanh(z)
    re.compile(rf"^\s*d\s*\((?P<f>.*)\)\s*/\s*d\s*(?P<x>{_VAR})\s*$"),  # d(tanh(z))/dz
    re.compile(rf"^\s*d\s+(?P<f>\S.*?)\s*/\s*d\s*(?P<x>{_VAR})\s*$"),  # d tanh(z)/dz
)


def _plain_operator(text: str) -> str:
    """Plain text's ``d/dz tanh(z)``, ``d(tanh(z))/dz``, ``∂/∂z^(L) ½‖a − y‖²``: the derivative of
    the formula, written as the plain-text reader reads it, ``∂(…)/∂z``."""
    for pattern in _PLAIN_OPERATOR:
        m = pattern.match(text)
        if m is not None:
            return f"∂({m.group('f')})/∂{m.group('x')}"
    return text


def echo(e: Expr) -> str:
    r"""The LaTeX of a step as read, with entries of derivatives printed the way students write
    them: ``\frac{\partial p_k}{\partial z_j}`` rather than a subscript on a fraction."""
    return to_latex(_echo_tree(e))


def _echo_tree(e: Expr) -> Expr:
    if isinstance(e, Entry) and isinstance(e.arg, Deriv):
        d = e.arg
        f_letter, x_letter = (e.row, e.col) if e.col is not None else (None, e.row)
        if _shape_rows(d.f) == 1:
            f_letter, x_letter = None, e.row if e.col is None else e.row + e.col
        elif isinstance(d.wrt, Sym) and d.wrt.shape == (1, 1):  # by a scalar: ∂Y_{ij}/∂b
            f_letter, x_letter = e.row + (e.col or ""), None
        top = _subscripted(d.f, f_letter)
        bottom = _subscripted(d.wrt, x_letter)
        return Sym("echo", 1, 1, rf"\frac{{\partial {top}}}{{\partial {bottom}}}")
    kids = children(e)
    return rebuild(e, tuple(_echo_tree(k) for k in kids)) if kids else e


def _shape_rows(e: Expr) -> int | str:
    try:
        return shape_of(e)[0]
    except ShapeError:
        return 0


def _subscripted(e: Expr, letter: str | None) -> str:
    text = to_latex(e)
    if letter is None or not isinstance(e, Sym) or e.key.startswith("f:"):
        return text
    head, hat, sup = text.partition("^")
    return f"{head}_{{{letter}}}" + (f"^{sup}" if hat else "")


def is_name(e: Expr | None) -> bool:
    """Whether ``e`` names a quantity rather than computing one: a symbol, a ∂-fraction, an entry
    of either, their transpose, or a function's derivative at a symbol or at a point: σ'(z), and
    sigmoid'(0), the largest slope of the sigmoid, which a derivation of that value starts from."""
    if isinstance(e, T):
        e = e.arg
    if isinstance(e, Entry):
        e = e.arg
    if isinstance(e, Sym | Deriv):
        return True
    return isinstance(e, Fn) and e.d >= 1 and isinstance(e.arg, Sym | Num)


def looks_like_new_name(text: str) -> bool:
    """Whether a left side is spelled as a single name (``u``, ``u^{(l)}``, ``\\tilde{\\delta}``)."""
    return bool(_NEW_NAME.match(text)) and "\\partial" not in text and "∂" not in text


def is_condition(rel: Relation) -> bool:
    """``i = j`` in ``当 $i=j$ 时``: a case of index letters, not a relation between quantities."""
    return all(_INDEX_ONLY.match(s) for s in rel.sides) and len(rel.sides) == 2


__all__ = ["MAX_STEPS", "Item", "Side", "is_condition", "is_name", "looks_like_new_name", "read"]
