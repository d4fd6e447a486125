r"""The network behind each question: what every quantity a derivation may name is defined as.

A step of a derivation may use any quantity of the question's network — ∂L/∂p, ∂p/∂z,
∂a_k/∂z_j, ∂z^{(l+1)}/∂a^{(l)}, the loss itself — not just the inputs of the final answer. The
network is read off the question and its catalogue derivation, never written a second time here
(:mod:`.network`): the question's definitions, the derivation's, and the loss the derivation
differentiates, with the first-order surrogate L := ⟨g, y⟩ where the question hands down a
gradient g = ∂L/∂y. A derivative ∂f/∂x is then a plain computation: f with x set free.

What this module adds are names: how a class calls a loss (L, J, C, E, ℓ, J'), an updated weight
(W_{new}, W^{t+1}) and an activation's value (ELU(z)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from checker.grading.derivation.network import chain_of, network_of
from derivations.expr import Add, Deriv, Expr, Sym, children, shape_of, to_latex
from derivations.questions import Spelled, get_question

LOSS_NAMES = ("L", "J", "C", "E", r"\ell", "l", r"\mathcal{L}", r"\mathcal{J}", "Loss", "Cost")
"""How a loss is named in a ∂-fraction."""
LOSS_SPELLINGS = ("L", "J", "C", r"\ell", r"\mathcal{L}")
"""How a loss may be named on its own (E and l are not: e^{z} is Euler's number, l a layer)."""
REG_LOSS_NAMES = ("L'", "J'", r"J_{\lambda}", r"L_{\lambda}", r"\tilde{J}", r"\tilde{L}", "E'", "C'")
"""How the regularised cost of a gradient step is named."""
UPDATED_NAMES = (
    "W_{new}", "W^{new}", "W^{t+1}", "W^{(t+1)}", "W_{t+1}", "w^{t+1}", "w^{(t+1)}", "w_{new}",
    r"\tilde{W}", "W^{*}", "w^{*}",
)
"""How the weight after a gradient step is named."""
CURRENT_NAMES = ("w", "W^{t}", "W^{(t)}", "w^{t}", "w^{(t)}", "W_{t}", "W_{old}", "w_{old}")
"""How the weight before it is named."""
W_NEW_KEY = "W_new"


@dataclass(frozen=True)
class Model:
    """A question's network: definitions of its quantities, the quantity asked for, and names.

    ``asked`` is what the chain must start from (∂L/∂z^{(l)} for hidden-delta); ``gradients``
    are column vectors that are gradients of the loss (δ's), which a product of ∂-fractions may
    use as rows (numerator layout); ``losses`` map how a student names a cost (L, J, C, E, J')
    to the model's symbol; ``spellings`` are names the reader learns beyond the question's.
    """

    definitions: dict[Sym, Expr]
    asked: Expr
    gradients: frozenset[str] = frozenset()
    losses: dict[str, Sym] = field(default_factory=dict)
    spellings: tuple[Spelled, ...] = ()
    update: bool = False
    given: dict[tuple[str, str], Expr] = field(default_factory=dict)
    """∂-fractions the question gives as inputs, by (f, x) keys: ∂J/∂W is G in the update questions."""
    called: dict[str, Expr] = field(default_factory=dict)
    """An activation by the name the question calls it (``ELU(z)``, from ``\\operatorname{ELU}(z)``)
    as a ∂-fraction spells it: the function it stands for."""
    total: Sym | None = None
    """The sum of per-example losses Σ_i L_i, in a question whose cost is their mean."""




@cache
def model_of(question_id: str) -> Model:
    """The network model of a question (KeyError for an unknown question).

    The question's stand-ins for the quantity asked (``asks``: ∂L/∂W^{(l)} read as one symbol)
    are defined as that quantity, and count as gradients for the layout of ∂-products.
    """
    q = get_question(question_id)
    net = network_of(q, LOSS_NAMES)
    start = chain_of(q).start
    model = Model(
        dict(net.definitions),
        net.asked,
        net.gradients,
        dict.fromkeys(LOSS_NAMES, net.loss) if net.loss is not None else {},
        net.spellings,
        given=net.given,
        called=_called(start),
        total=net.total,
    )
    step = _gradient_step(start)
    if step is not None:
        model = _updated(model, start, *step)
    for sym, _ in q.asks:
        model.definitions.setdefault(sym, model.asked)
    stand_ins = {sym.key for sym, _ in q.asks if sym.cols == 1}
    return replace(model, gradients=model.gradients | stand_ins)


def _gradient_step(start: Expr) -> tuple[Sym, Sym] | None:
    """(W, J) when the chain starts from one gradient step W − η ∂J/∂W (the update questions)."""
    if not isinstance(start, Add) or not isinstance(start.terms[0], Sym):
        return None
    weight = start.terms[0]
    stack = list(start.terms[1:])
    while stack:
        node = stack.pop()
        if isinstance(node, Deriv) and node.wrt == weight and isinstance(node.f, Sym):
            return weight, node.f
        stack.extend(children(node))
    return None


def _updated(model: Model, start: Expr, weight: Sym, cost: Sym) -> Model:
    """The model of an update question: the updated weight is a quantity of its own, defined as
    the chain's start and named as a class names it; the regularised cost is J', J_λ, ..."""
    rows, cols = shape_of(start)
    new = Sym(W_NEW_KEY, rows, cols, r"W_{\mathrm{new}}")
    definitions = {**model.definitions, new: start}
    losses = {**model.losses, **dict.fromkeys(REG_LOSS_NAMES, cost)}
    spellings = (*model.spellings, (new, UPDATED_NAMES), (weight, CURRENT_NAMES))
    return replace(model, definitions=definitions, asked=new, losses=losses, spellings=spellings, update=True)


def _called(start: Expr) -> dict[str, Expr]:
    """An activation by the name the chain's start calls it (∂ELU(z)/∂z): ``ELU(z)`` as a
    ∂-fraction spells it stands for that function."""
    if not isinstance(start, Deriv) or start.f == start.wrt:
        return {}
    plain = _CALL_NOISE.sub(lambda m: m.group(1) or "", to_latex(start.f))
    return {plain: start.f} if re.fullmatch(r"[A-Za-z]+\(\w\)", plain) else {}


_CALL_NOISE = re.compile(r"\\operatorname\{(\w+)\}|\\left|\\right|[{}\s]")
"""What the canonical spelling of \\operatorname{ELU}\\left(z\\right) drops: ELU(z)."""
