"""Mistakes as data: the usual wrong answers, made by rewriting the reference answer.

Each family (:mod:`checker.grading.families`) is a small generator of tree rewrites of the
reference (drop a transpose, swap the factors of a product, σ for σ', a layer index off by one,
...). The judge evaluates every
mutant like an answer, at the same random values; a wrong answer that equals a mutant gets that
mutant's tag and message. Families run in the order of QUESTIONS.md section 3, so when two
mutants coincide the more specific explanation comes first.

The families also run on the reference with the network's definitions written out
(1 − A₁ ⊙ A₁ as 1 − tanh(Z₁) ⊙ tanh(Z₁)), so that a mistake made *inside* a definition is
found too: tanh' taken at A₁, 1 − tanh²(A₁). :func:`double_mutants` applies every family to
every single mutant: an answer with two mistakes is named by both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from checker.grading.families import FAMILIES, Context, sigmoid_specific_message
from checker.grading.trees import (
    chain,
    inline,
    is_scalar,
    mul_factors,
    rebuild,
    rewrites,
    shape_text,
    substitute,
)
from derivations.expr import (
    Add,
    Expr,
    Fn,
    Hadamard,
    Mul,
    Neg,
    T,
    tex,
    to_latex,
)
from derivations.questions import Question

__all__ = ["FAMILIES", "TAGS", "Mutant", "double_mutants", "mutants", "rebuild", "repairs", "rewrites",
           "sigmoid_specific_message", "substitute"]

TAGS = (
    "missing-transpose",
    "transposed",
    "wrong-order",
    "hadamard-vs-matmul",
    "missing-activation-derivative",
    "activation-instead-of-derivative",
    "derivative-wrong-argument",
    "wrong-layer",
    "sign-error",
    "wrong-scale",
    "summed-over-outputs",
    "missing-term",
    "wrong-regularizer",
    "sigmoid-specific",
    "restates-question",
    "one-sided-difference",
)
"""Every mistake tag: the families' in the order they are tried, then ``restates-question``
(found by the judge before any value is compared: it has no family), then the tags of known wrong
expansions (:attr:`~derivations.questions.Question.expansion_mistakes`): ``one-sided-difference``,
the expansion of (f(x + h) − f(x))/h where the central difference's is asked."""
EXPANSION_TAGS = ("one-sided-difference",)

@dataclass(frozen=True)
class Mutant:
    """A wrong answer made from the reference: its tag, its tree and what to tell the student.

    ``tags`` lists every mistake made, first one first: one tag for a single mutation, two for a
    double one (``tag`` is always the first).
    """

    tag: str
    expr: Expr
    message: str
    tags: tuple[str, ...] = ()

    @property
    def all_tags(self) -> tuple[str, ...]:
        """Every mistake this mutant makes, in order, without repeats."""
        return tuple(dict.fromkeys(self.tags or (self.tag,)))


assert (*FAMILIES, "restates-question", *EXPANSION_TAGS) == TAGS

MAX_DOUBLES = 1500
"""At most this many double mutants per question (a bound on the work done once per question)."""
ALGEBRAIC = frozenset({"sign-error", "wrong-scale", "missing-term"})
"""Families that rewrite a sum's terms. In a scalar question two of them together make almost any
polynomial (σ² as "a sign flipped, then a term left out"), so there a double mistake contains at
most one of them."""
REPEATABLE = frozenset({
    "missing-transpose", "missing-activation-derivative", "activation-instead-of-derivative",
    "derivative-wrong-argument", "wrong-layer",
})
"""Families whose mistake can be made twice in one answer (both σ' factors of ∂y/∂x left out)."""


def _context(q: Question, ref: Expr) -> Context:
    vocab = {s.key: s for s in q.all_symbols}
    activations = {s: d for s, d in q.definitions if isinstance(d, Fn)}
    return Context(q, ref, vocab, activations)


def _forms(q: Question, ref: Expr) -> list[Expr]:
    """The reference as written, and with the activations' definitions written out."""
    activations = {s: d for s, d in q.definitions if isinstance(d, Fn)}
    expanded = inline(ref, activations)
    return [ref] if expanded == ref else [ref, expanded]


def _family_mutants(q: Question, ref: Expr, seen: set[Expr], expand: bool = True) -> Iterator[Mutant]:
    for form in _forms(q, ref) if expand else [ref]:
        ctx = _context(q, form)
        for tag, family in FAMILIES.items():
            for expr, message in family(ctx):
                if expr in seen:
                    continue
                seen.add(expr)
                yield Mutant(tag, expr, message, (tag,))


def mutants(q: Question, reference: Expr | None = None) -> list[Mutant]:
    """Every single mutant of the question's reference, family by family, without repeats."""
    ref = q.reference if reference is None else reference
    return list(_family_mutants(q, ref, {ref}))


def double_mutants(q: Question, singles: list[Mutant], reference: Expr | None = None) -> list[Mutant]:
    """Every family applied to every single mutant: answers with two mistakes, named by both.

    The message names the two mistakes in the order they were made; the first tag is the
    first mistake's. Trees already among ``singles`` (or the reference) are left out.
    """
    ref = q.reference if reference is None else reference
    seen = {ref, *(m.expr for m in singles)}
    out: list[Mutant] = []
    for first in singles:
        for second in _family_mutants(q, first.expr, seen, expand=False):  # as written: half the work
            if not _may_combine(first.tag, second.tag, q.scalar):
                continue
            message = f"two mistakes: {_clause(first.message)}; and {_clause(second.message)}"
            out.append(Mutant(first.tag, second.expr, message, (first.tag, second.tag)))
            if len(out) >= MAX_DOUBLES:
                return out
    return out


def _may_combine(first: str, second: str, scalar: bool) -> bool:
    if first == second:
        return first in REPEATABLE
    return not (scalar and first in ALGEBRAIC and second in ALGEBRAIC)


def _clause(message: str) -> str:
    return message.rstrip(".")


# -------------------------------------------------------------------- repairs of an answer


def _regroup(n: Expr) -> list[Expr]:
    """A product chain split into two groups joined by ⊙: σ'(z) Wᵀ δ as σ'(z) ⊙ (Wᵀ δ)."""
    if not isinstance(n, Mul):
        return []
    factors = mul_factors(n)
    if len(factors) < 3:
        return []
    return [Hadamard(chain(factors[:i]), chain(factors[i:])) for i in range(1, len(factors))]


REPAIRS: dict[str, Callable[[Expr], list[Expr]]] = {
    "missing-transpose": lambda n: [T(n)] if not isinstance(n, T) and not is_scalar(n) else [],
    "wrong-order": lambda n: [Mul(n.right, n.left)] if isinstance(n, Mul) else [],
    "hadamard-vs-matmul": lambda n: (
        [Mul(n.left, n.right)] if isinstance(n, Hadamard)
        else [Hadamard(n.left, n.right), *_regroup(n)] if isinstance(n, Mul) else []
    ),
    "sign-error": lambda n: _term_signs_flipped(n) if isinstance(n, Add) else [],
}
"""Single edits of an *answer* that undo a mistake: if the edited answer is right, that was it."""


def _term_signs_flipped(n: Add) -> list[Expr]:
    """The sum with the sign of one of its terms flipped, for each term."""
    flipped = [t.arg if isinstance(t, Neg) else Neg(t) for t in n.terms]
    return [Add((*n.terms[:i], f, *n.terms[i + 1 :])) for i, f in enumerate(flipped)]

REPAIR_MESSAGES = {
    "missing-transpose": (
        "{old} needs a transpose here: it is {shape}, and the formula uses ${{{old_tex}}}^\\top$"
    ),
    "wrong-order": "the factors of {old} are in the wrong order: matrix products do not commute",
    "hadamard-vs-matmul": (
        r"{old} uses the wrong product: {new} ($\odot$ is elementwise, juxtaposition a matrix product)"
    ),
    "sign-error": "a sign is flipped: {old} where {new} belongs",
}


def repairs(answer: Expr, limit: int = 200) -> Iterator[tuple[str, Expr, str]]:
    """(tag, repaired answer, message) for single edits of the answer, at most ``limit``."""
    count = 0
    for tag, rule in REPAIRS.items():
        for tree, old, new in rewrites(answer, rule):
            count += 1
            if count > limit:
                return
            message = REPAIR_MESSAGES[tag].format(
                old=tex(old), new=tex(new), shape=shape_text(old), old_tex=to_latex(old)
            )
            yield tag, tree, message
