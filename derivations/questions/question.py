"""The Question type and the small helpers every topic of the bank uses to spell its symbols."""

from __future__ import annotations

from dataclasses import dataclass

from derivations.expr import Dim, Expr, Sym

Spelled = tuple[Sym, tuple[str, ...]]
"""A symbol and the LaTeX spellings that name it."""

Definitions = tuple[tuple[Sym, Expr], ...]


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    ``symbols`` are listed for the student; ``extra`` symbols are read too (so an answer that
    uses a neighbouring layer's W or a forbidden shortcut can be judged, not rejected) but are not
    advertised. ``sigma`` is ``"generic"`` (σ stands for any activation: a sigmoid-only form is
    wrong) or ``"sigmoid"`` (σ is the logistic sigmoid). ``simplex`` names vectors whose entries
    are a probability distribution, ``one_hot`` matrices whose rows are one-hot, ``positive``
    scalars that are positive, ``unit_interval`` those strictly between 0 and 1 (a decay rate ρ,
    β). ``activation`` is the function whose derivative is asked (for the activation questions:
    the mistake of answering with the function itself). ``asks`` is the quantity asked for, with
    the spellings that name it (δ^{(l)}, ∂L/∂W^{(l)}): an answer that contains it restates the
    question and is never credited. ``chain`` names the chain of the derivation whose result is
    the reference answer (empty: the derivation's first chain). ``independent`` names random
    quantities independent of each other (``("w", "a")``): the moments of their product factor,
    E[wa] = E[w]E[a] and Var(wa) = E[w²]E[a²] − E[w]²E[a]².
    ``functions`` are function names an answer may call that stand for themselves, not for σ:
    the smooth ``f`` of the central difference, whose f'(x), f'''(x) are its own derivatives, and
    ``O`` where the reference is an expansion with an O-term. ``expansion_mistakes`` are the known
    wrong expansions of such a question: (tag, the quantity whose expansion the mistake is, what to
    tell the student), e.g. the one-sided difference where the central one is asked.
    """

    id: str
    title: str
    prompt: str
    derivation: str
    symbols: tuple[Spelled, ...]
    accepted: tuple[str, ...]
    chain: str = ""
    extra: tuple[Spelled, ...] = ()
    code_names: tuple[tuple[str, Sym], ...] = ()
    named: tuple[tuple[str, Expr], ...] = ()
    definitions: Definitions = ()
    index_notation: bool = False
    sigma: str = "generic"
    simplex: tuple[str, ...] = ()
    one_hot: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    unit_interval: tuple[str, ...] = ()
    activation: Expr | None = None
    convention: str = "column"
    asks: tuple[Spelled, ...] = ()
    independent: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    expansion_mistakes: tuple[tuple[str, Expr, str], ...] = ()

    @property
    def reference(self) -> Expr:
        """The reference answer: the result of the linked, verified catalogue derivation."""
        from derivations import get

        d = get(self.derivation)
        return d.result_of(self.chain) if self.chain else d.result

    @property
    def all_symbols(self) -> tuple[Sym, ...]:
        """Every symbol the reader knows for this question (listed ones first)."""
        seen: dict[Sym, None] = {}
        for s, _ in self.symbols + self.extra:
            seen.setdefault(s, None)
        for _, s in self.code_names:
            seen.setdefault(s, None)
        return tuple(seen)

    @property
    def scalar(self) -> bool:
        """Whether every listed symbol, and so the answer, is a scalar."""
        return all(s.shape == (1, 1) for s, _ in self.symbols)


def spelled(sym: Sym, *spellings: str) -> Spelled:
    """A symbol with the LaTeX spellings that name it, first one first."""
    return (sym, spellings)


def defined(definitions: Definitions, asks: Sym | None = None) -> Definitions:
    """The network's definitions, in evaluation order, but the quantity asked for: it stays free, so
    that an answer restating it is never right by value."""
    return tuple((s, d) for s, d in definitions if s != asks)


LOSS_LETTERS = ("L", "J", "C", "E")
"""How a class names the loss in ∂L/∂z^{(l)}, the named form of δ^{(l)}."""
LOSSES = ("L", "J", "E", "C")
"""The loss letters of a ∂-fraction that names the quantity asked for."""


def gradient_names(*pairs: tuple[Sym, str]) -> tuple[tuple[str, Expr], ...]:
    """``\\frac{\\partial L}{\\partial z^{(l)}}`` (and J, C, E) for each (δ, its z's spelling)."""
    return tuple(
        (rf"\frac{{\partial {loss}}}{{\partial {z}}}", delta) for delta, z in pairs for loss in LOSS_LETTERS
    )


def derivatives(tops: tuple[str, ...], *wrt: str) -> tuple[str, ...]:
    """``\\frac{\\partial f}{\\partial x}`` for every f of ``tops`` and x of ``wrt``."""
    return tuple(rf"\frac{{\partial {f}}}{{\partial {x}}}" for x in wrt for f in tops)


def asked(key: str, like: Sym, spellings: tuple[str, ...], rows: Dim | None = None) -> Spelled:
    """A stand-in symbol for a quantity asked for that has no symbol of its own (∂L/∂W^{(l)}),
    shaped like ``like`` (or ``rows`` × ``like``'s rows, for a Jacobian)."""
    shape = (like.rows, like.cols) if rows is None else (rows, like.rows)
    return (Sym(f"asked:{key}", *shape, spellings[0]), spellings)


def catalogue_symbol(derivation_id: str, key: str) -> Sym:
    """A symbol that one catalogue derivation declares (Adam's moments, the dropout mask, ...)."""
    from derivations import get

    d = get(derivation_id)
    return next(s for s in (*d.symbols, *(s for s, _ in d.definitions)) if s.key == key)
