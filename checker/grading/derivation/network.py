r"""A question's network read off its own data: the question's definitions, then its catalogue
derivation's, and the loss the derivation differentiates.

Nothing here is written per question. The question defines its network (z^{(l)} := W^{(l)} a^{(l-1)}
+ b^{(l)}, a := σ(z), p := softmax(z)); its catalogue derivation adds what the question leaves out
(the loss L := −yᵀ log p, the output y := σ(z^{(2)}), the statistics of batch norm). A quantity the
question hands in as an input is sampled, unless it moves with the variable the chain
differentiates by (x̂ and σ̃ move with x: sampled apart, ∂x̂/∂x would be 0).

*Gradients handed down.* Where the question gives g = ∂F/∂y as an input (δ^{(l+1)}, the upstream
g of dropout, Δ^{(l)} of a batch, G = ∂J/∂W of the update questions) the scalar F beyond y is
unknown; it becomes its first-order surrogate F := ⟨g, y⟩ with g held fixed. Every first
derivative of the surrogate through y equals that of the true F at the point — which is all that
g = ∂F/∂y says — and no derivation takes a second derivative of the loss. Which gradients a
question hands down is read from the catalogue (g := ∂F/∂y among its definitions) and from the
question's named derivatives (∂L/∂z^{(l+1)} names δ^{(l+1)}). The loss's other gradients
(δ^{(l+1)} between δ^{(l+2)} and the chain) are computed from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.grading.trees import contains
from derivations import get
from derivations.base import Chain
from derivations.expr import Deriv, Expr, Hadamard, Mul, Ones, Sym, T, symbols_of, to_latex
from derivations.questions import Question

Spelled = tuple[Sym, tuple[str, ...]]
_NAMED_GRADIENT = re.compile(r"^\\frac\{\\partial (?P<f>[A-Za-z])\}\{\\partial (?P<x>.+)\}$")


@dataclass(frozen=True)
class Network:
    """Definitions of every quantity, the quantity asked for, and the loss with its gradients."""

    definitions: dict[Sym, Expr]
    asked: Expr
    loss: Sym | None
    """The scalar a student calls L, J, C, ...: the chain's (∂L/∂x), else the one handed down."""
    gradients: frozenset[str]
    """Column vectors that are gradients of the loss (δ's): a ∂-product may use them as rows."""
    given: dict[tuple[str, str], Expr]
    """∂F/∂y handed in as an input, by (F, y) keys: ∂J/∂W is G in the update questions."""
    total: Sym | None
    """A sum of per-example losses (Σ_i L_i) that the loss averages."""
    spellings: tuple[Spelled, ...]
    """Every quantity of the network by its own LaTeX, beyond the question's spellings."""


def chain_of(q: Question) -> Chain:
    """The catalogue chain whose result is the question's reference answer."""
    d = get(q.derivation)
    return next((c for c in d.chains if c.name == q.chain), d.chains[0]) if q.chain else d.chains[0]


def network_of(q: Question, loss_names: tuple[str, ...]) -> Network:
    """The network of ``q`` (see the module docstring); ``loss_names`` are how a loss is called,
    which no other quantity's spelling may take."""
    d, chain = get(q.derivation), chain_of(q)
    asks = {s for s, _ in q.asks}
    wrt = chain.start.wrt if isinstance(chain.start, Deriv) else None
    defs = _definitions(q, {s: e for s, e in d.definitions if not isinstance(e, Deriv)}, wrt)
    handed = [(g, e.f, e.wrt) for g, e in d.definitions if isinstance(e, Deriv) and isinstance(e.wrt, Sym)]
    loss = chain.start.f if isinstance(chain.start, Deriv) and _scalar_name(chain.start.f) else None
    named = [(g, loss, y) for g, y in _named_gradients(q)] if loss is not None else []
    # a named gradient is handed down only where the loss is not known as a formula
    surrogates = _surrogates(handed + (named if loss not in defs else []), defs, asks, wrt)
    handed += named
    defs.update({f: _inner(g, y) for f, (g, y) in surrogates.items()})
    loss = loss if loss is not None else next(iter(surrogates), None)
    for g, f, y in handed:  # the loss's other gradients are computed from it
        if f in defs and g not in defs and g not in asks and (g, y) not in surrogates.values():
            defs[g] = Deriv(f, y)
    is_name = isinstance(chain.start, Sym) and chain.start in defs
    evaluable = isinstance(chain.start, Deriv) and not _abstract(chain.start, defs)
    asked = chain.start if is_name or evaluable else q.reference
    upstream = {g.key for g, _ in surrogates.values() if g.cols == 1}
    declared = {g.key for g, _ in _named_gradients(q) if g.cols == 1 and loss is not None}
    given = {(f.key, y.key): g for f, (g, y) in surrogates.items()}
    total = next((f for f in surrogates if f != loss and loss is not None and _uses(defs[loss], f)), None)
    spellings = tuple(
        (s, (to_latex(s),)) for s in _mentioned(defs, wrt) if s != loss and to_latex(s) not in loss_names
    )
    return Network(defs, asked, loss, frozenset(upstream | declared), given, total, spellings)


def _definitions(q: Question, catalogue: dict[Sym, Expr], wrt: Expr | None) -> dict[Sym, Expr]:
    """The question's definitions, then the catalogue's for what the question does not define nor
    hand in (or hands in, but moves with ``wrt``); none that refers to itself."""
    inputs = {s for s, _ in q.symbols + q.extra}
    defs = dict(q.definitions)
    known = {**catalogue, **defs}
    for s, e in catalogue.items():
        moves = isinstance(wrt, Sym) and wrt != s and _refers_to(e, wrt, known)
        if s not in defs and (s not in inputs or moves):
            defs[s] = e
    return {s: e for s, e in defs.items() if not _refers_to(e, s, defs)}


def _surrogates(
    handed: list[tuple[Sym, Expr, Sym]], defs: dict[Sym, Expr], asks: set[Sym], wrt: Expr | None
) -> dict[Sym, tuple[Sym, Sym]]:
    """F ↦ (g, y) for each scalar F whose gradient g = ∂F/∂y the question hands in (g sampled:
    neither defined nor the quantity asked). One through which the chain's variable acts is
    preferred; the others would make the chain's derivative 0."""
    out: dict[Sym, tuple[Sym, Sym]] = {}
    found = [
        (g, f, y)
        for g, f, y in handed
        if _scalar_name(f) and g not in defs and g not in asks and g.shape == y.shape
    ]
    for moving in (True, False):
        for g, f, y in found:
            acts = isinstance(wrt, Sym) and _refers_to(defs.get(y, y), wrt, defs)
            if acts == moving and isinstance(f, Sym):
                out.setdefault(f, (g, y))
    return out


def _named_gradients(q: Question) -> list[tuple[Sym, Sym]]:
    """(g, y) for each of the question's named derivatives ∂L/∂y that names a symbol g (δ^{(l+1)}
    for ∂L/∂z^{(l+1)}), y being the question's symbol with that spelling."""
    spelled = {name: s for s, names in q.symbols + q.extra for name in (*names, s.tex)}
    out = []
    for spelling, g in q.named:
        m = _NAMED_GRADIENT.match(spelling)
        y = spelled.get(m["x"]) if m else None
        if isinstance(g, Sym) and y is not None and (g, y) not in out:
            out.append((g, y))
    return out


def _inner(g: Sym, y: Sym) -> Expr:
    """⟨g, y⟩ = 𝟏ᵀ (g ⊙ y) 𝟏, written with the tree's nodes (g y for scalars)."""
    if g.shape == (1, 1):
        return Mul(g, y)
    return Mul(Mul(T(Ones(g.rows)), Hadamard(g, y)), Ones(g.cols))


def _scalar_name(e: Expr) -> bool:
    return isinstance(e, Sym) and e.shape == (1, 1)


def _abstract(e: Expr, defs: dict[Sym, Expr]) -> bool:
    """Whether ``e`` uses a quantity known only as a function of others (a loss L(y)) that is
    not defined: it cannot be evaluated."""
    return any(s.depends and s not in defs for s in symbols_of(e))


def _uses(e: Expr, s: Sym) -> bool:
    return s in symbols_of(e)


def _mentioned(defs: dict[Sym, Expr], wrt: Expr | None) -> list[Sym]:
    """Every quantity a derivation may name: the defined ones, what they are defined from, and
    the chain's variable (x of batch norm, which the question does not list)."""
    found = dict.fromkeys(defs)
    for e in (*defs.values(), *((wrt,) if wrt is not None else ())):
        found.update(dict.fromkeys(sorted(symbols_of(e), key=lambda s: s.key)))
    return list(found)


def _refers_to(e: Expr, target: Sym, defs: dict[Sym, Expr]) -> bool:
    """Whether ``e`` uses ``target``, directly or through the definitions (a cycle)."""
    return contains(e, lambda node: node == target, defs)
