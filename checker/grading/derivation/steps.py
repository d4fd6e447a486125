r"""Relations sorted into the chain's steps, definitions and lemmas, each read into a tree.

In reading order, the chain starts at the first relation whose left side denotes the question's
quantity (its value is the asked ∂L/∂z^{(l)}, ∂p/∂z, W after the update, ...; written as a name,
a ∂-fraction, or an entry of one). Before it, relations are definitions (a left side that is a
name) or lemmas. After it, a line that begins with ``=`` continues the chain, a line that starts
again with the chain's quantity restates it (its right sides are the next steps), a new or known
name on the left is a definition, anything else a lemma. If no relation starts with the
quantity, the first relation that is not a definition is the chain (and its start is wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.grading.derivation.model import Model
from checker.grading.derivation.segment import Relation
from checker.grading.readers import AnswerError, Vocabulary, parse_answer
from derivations.expr import Deriv, Entry, Expr, Fn, Sym, T

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


@dataclass
class Item:
    """A step of the chain, a definition or a lemma, in reading order."""

    kind: str  # "step" | "definition" | "lemma"
    sides: list[Side]
    line: int
    op: str = "="
    notes: list[str] = field(default_factory=list)


def read(text: str, vocab: Vocabulary, fmt: str, model: Model) -> Side:
    """One side read into a tree (never raises: an unreadable side carries its reason)."""
    side = Side(text)
    if len(text) > MAX_SIDE:
        side.error = f"this step is {len(text):,} characters long; a step may have at most {MAX_SIDE:,}"
        return side
    source = text
    if model.update:  # ∂L'/∂w: the prime would be read away; name the regularised cost
        source = re.sub(r"(\\partial\s*)([LJEC])\s*(?:'|\^\{?\\prime\}?)", r"\1\2_{\\lambda}", source)
    try:
        side.expr = parse_answer(source, fmt if fmt != "text" else "text", vocab).expr
    except AnswerError as err:
        side.error = getattr(err, "message", str(err))
    except (RecursionError, ValueError, KeyError) as err:
        side.error = f"this step cannot be read ({type(err).__name__})"
    return side


def is_name(e: Expr | None) -> bool:
    """Whether ``e`` names a quantity rather than computing one: a symbol, a ∂-fraction, an entry
    of either, their transpose, or an activation's derivative σ'(z) of a symbol."""
    if isinstance(e, T):
        e = e.arg
    if isinstance(e, Entry):
        e = e.arg
    if isinstance(e, Sym | Deriv):
        return True
    return isinstance(e, Fn) and e.d >= 1 and isinstance(e.arg, Sym)


def looks_like_new_name(text: str) -> bool:
    """Whether a left side is spelled as a single name (``u``, ``u^{(l)}``, ``\\tilde{\\delta}``)."""
    return bool(_NEW_NAME.match(text)) and "\\partial" not in text and "∂" not in text


def is_condition(rel: Relation) -> bool:
    """``i = j`` in ``当 $i=j$ 时``: a case of index letters, not a relation between quantities."""
    return all(_INDEX_ONLY.match(s) for s in rel.sides) and len(rel.sides) == 2


__all__ = ["MAX_STEPS", "Item", "Side", "is_condition", "is_name", "looks_like_new_name", "read"]
