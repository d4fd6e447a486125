r"""The network behind each question: what every quantity a derivation may name is defined as.

A step of a derivation may use any quantity of the question's network — ∂L/∂p, ∂p/∂z,
∂a_k/∂z_j, ∂z^{(l+1)}/∂a^{(l)}, the loss itself — not just the inputs of the final answer. Each
question therefore has a small *model*: its free inputs (sampled at random) and definitions of
every other quantity in terms of them (z^{(l+1)} := W^{(l+1)} a^{(l)} + b^{(l+1)}, p := softmax(z),
L := −yᵀ log p). A derivative ∂f/∂x is then a plain computation: f with x set free.

Where the question gives δ as an input (hidden-delta gives δ^{(l+1)}), the loss is not known as a
formula; it is replaced by its first-order surrogate L := (δ^{(l+1)})ᵀ z^{(l+1)} with δ^{(l+1)}
held fixed. Every first derivative of the surrogate equals that of the true loss at the point
(that is what δ^{(l+1)} = ∂L/∂z^{(l+1)} says), and derivations take no second derivatives of L.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache

from derivations import get
from derivations import notation as n
from derivations.expr import (
    Cond,
    Deriv,
    Expr,
    Fn,
    Hadamard,
    Max,
    Mul,
    Neg,
    Norm,
    Num,
    Ones,
    Piecewise,
    Softmax,
    Sym,
    T,
    children,
    num,
    symbols_of,
    to_latex,
)
from derivations.questions import Question, Spelled, get_question

LOSS = Sym("loss", 1, 1, "L")
"""The loss (or cost) of a question, whatever the student calls it."""
REG_LOSS = Sym("loss_reg", 1, 1, r"J_{\lambda}")
"""The regularised cost of the update questions."""
TOTAL_LOSS = Sym("loss_total", 1, 1, r"\sum_i L_i")
"""The batch questions' sum of per-example losses, m times their mean cost J."""
"""The regularised cost of the update questions."""
W_NEW = Sym("W_new", n.N_L, n.N_PREV, r"W_{\mathrm{new}}")
"""The weight after one gradient step (the update questions' quantity)."""

LOSS_NAMES = ("L", "J", "C", "E", r"\ell", "l", r"\mathcal{L}", r"\mathcal{J}", "Loss", "Cost")
"""How a loss is named in a ∂-fraction."""
LOSS_SPELLINGS = ("L", "J", "C", r"\ell", r"\mathcal{L}")
"""How a loss may be named on its own (E and l are not: e^{z} is Euler's number, l a layer)."""
REG_LOSS_NAMES = ("L'", "J'", r"J_{\lambda}", r"L_{\lambda}", r"\tilde{J}", r"\tilde{L}", "E'", "C'")


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


def _ones(dim: str) -> Ones:
    return Ones(dim)


def _inner(a: Expr, b: Expr, rows: str | int, cols: str | int) -> Expr:
    """⟨a, b⟩ = 𝟏ᵀ (a ⊙ b) 𝟏, written with the tree's nodes."""
    return Mul(Mul(T(Ones(rows)), Hadamard(a, b)), Ones(cols))


def _losses(sym: Sym = LOSS) -> dict[str, Sym]:
    return dict.fromkeys(LOSS_NAMES, sym)


def _hidden() -> Model:
    defs = {
        n.z_l: n.W_l * n.a_prev + n.b_l,
        n.a_l: Fn("sigma", n.z_l),
        n.z_next: n.W_next * n.a_l + n.b_next,
        LOSS: T(n.delta_next) * n.z_next,
    }
    defs[n.delta_l] = Deriv(LOSS, n.z_l)
    return Model(defs, Deriv(LOSS, n.z_l), frozenset({"delta_l", "delta_next"}), _losses())


def _layer(wrt: Sym) -> Model:
    """Layer l of the column convention, the loss seen from layer l+1 (so that δ^{(l)} is what
    the question defines it as, (W^{(l+1)})^T δ^{(l+1)} ⊙ σ'(z^{(l)}))."""
    return replace(_hidden(), asked=Deriv(LOSS, wrt))


def _batch(wrt: Sym) -> Model:
    z = n.W_l * n.A_prev + n.b_l * T(Ones(n.M))
    defs = {
        n.Z_l: z,
        TOTAL_LOSS: _inner(n.Delta_l, n.Z_l, n.N_L, n.M),
        LOSS: Mul(Num(Fraction(1)) / n.m, TOTAL_LOSS),
    }
    return Model(defs, Deriv(LOSS, wrt), frozenset(), _losses(), total=TOTAL_LOSS)


def _output_mse() -> Model:
    defs = {
        n.a_L: Fn("sigma", n.z_L),
        LOSS: num("1/2") * Norm(n.a_L - n.y, "fro2"),
    }
    defs[n.delta_L] = Deriv(LOSS, n.z_L)
    return Model(defs, Deriv(LOSS, n.z_L), frozenset({"delta_L"}), _losses())


def _softmax_ce() -> Model:
    defs = {n.p: Softmax(n.z_L), LOSS: Neg(T(n.y) * Fn("log", n.p))}
    defs[n.delta_L] = Deriv(LOSS, n.z_L)
    extra = ((n.delta_L, (r"\delta^{(L)}", r"\delta^{L}", r"\delta")), (n.p, ("a",)))
    return Model(defs, Deriv(LOSS, n.z_L), frozenset({"delta_L"}), _losses(), extra)


def _softmax_jacobian() -> Model:
    return Model({n.p: Softmax(n.z_L)}, Deriv(n.p, n.z_L), spellings=((n.p, ("a", "a^{(L)}", "a^{L}")),))


def _update(regulariser: Expr) -> Model:
    cost = _inner(n.G, n.W_l, n.N_L, n.N_PREV)  # ∂J/∂W = G, J otherwise unknown
    defs = {
        LOSS: cost,
        REG_LOSS: LOSS + regulariser,
    }
    defs[W_NEW] = n.W_l - n.eta * Deriv(REG_LOSS, n.W_l)
    losses = {**_losses(), **dict.fromkeys(REG_LOSS_NAMES, REG_LOSS)}
    news = (
        "W_{new}",
        "W^{new}",
        "W^{t+1}",
        "W^{(t+1)}",
        "W_{t+1}",
        "w^{t+1}",
        "w^{(t+1)}",
        "w_{new}",
        r"\tilde{W}",
        "W^{*}",
        "w^{*}",
    )
    olds = ("w", "W^{t}", "W^{(t)}", "w^{t}", "w^{(t)}", "W_{t}", "W_{old}", "w_{old}")
    given = {("loss", "W_l"): n.G}
    return Model(defs, W_NEW, frozenset(), losses, ((W_NEW, news), (n.W_l, olds)), True, given)


def _input_gradient() -> Model:
    defs = {
        n.z_1: n.W_1 * n.x_in + n.b_1,
        n.a_1: Fn("sigma", n.z_1),
        n.z_2: n.W_2 * n.a_1 + n.b_2,
        n.y_out: Fn("sigma", n.z_2),
    }
    extra = ((n.y_out, ("y", "a^{(2)}", "a^{2}")), (n.a_1, ("a^{(1)}", "a^{1}")))
    return Model(defs, Deriv(n.y_out, n.x_in), frozenset(), {}, extra)


def _row(wrt: Sym) -> Model:
    defs = {
        n.Z1: n.X * n.W1 + Ones(n.M) * n.b1,
        n.A1: Fn("tanh", n.Z1),
        n.Z2: n.A1 * n.W2 + Ones(n.M) * n.b2,
        n.P: Softmax(n.Z2, axis=1),
        LOSS: Neg(_inner(n.Y, Fn("log", n.P), n.M, n.C)),
    }
    defs[n.delta3] = Deriv(LOSS, n.Z2)
    defs[n.delta2] = Deriv(LOSS, n.Z1)
    return Model(defs, Deriv(LOSS, wrt), frozenset(), _losses())


def _label_smoothing() -> Model:
    q = get_question("label-smoothing-ce-gradient")
    smooth = next(s for s, _ in q.definitions if s.key == "y_smooth")
    defs = {n.p: Softmax(n.z_L), LOSS: Neg(T(smooth) * Fn("log", n.p))}
    return Model(defs, Deriv(LOSS, n.z_L), frozenset(), _losses(), ((n.p, ("a",)),))


def _activation(f: Expr, name: str = "") -> Model:
    called = {f"{name}(z)": f} if name else {}
    return Model({}, Deriv(f, n.z), called=called)


_ELU = Piecewise(((n.z, Cond(n.z, ">=", num(0))), (n.alpha * (Fn("exp", n.z) - num(1)), None)))

_MODELS = {
    "label-smoothing-ce-gradient": _label_smoothing,
    "sigmoid-derivative": lambda: _activation(Fn("sigma", n.z)),
    "tanh-derivative": lambda: _activation(Fn("tanh", n.z)),
    "relu-derivative": lambda: _activation(Max(num(0), n.z)),
    "leaky-relu-derivative": lambda: _activation(Max(num("1/10") * n.z, n.z), "LeakyReLU"),
    "elu-derivative": lambda: _activation(_ELU, "ELU"),
    "softmax-jacobian": _softmax_jacobian,
    "softmax-ce-gradient": _softmax_ce,
    "mse-output-delta": _output_mse,
    "hidden-delta": _hidden,
    "weight-gradient": lambda: _layer(n.W_l),
    "bias-gradient": lambda: _layer(n.b_l),
    "batch-weight-gradient": lambda: _batch(n.W_l),
    "batch-bias-gradient": lambda: _batch(n.b_l),
    "l2-update": lambda: _update(num("1/2") * n.lam * Norm(n.W_l, "fro2")),
    "l1-update": lambda: _update(n.lam * Norm(n.W_l, "l1")),
    "input-gradient": _input_gradient,
    "row-output-delta": lambda: _row(n.Z2),
    "row-hidden-delta": lambda: _row(n.Z1),
    "row-grad-W2": lambda: _row(n.W2),
    "row-grad-b2": lambda: _row(n.b2),
    "row-grad-W1": lambda: _row(n.W1),
}


@cache
def model_of(question_id: str) -> Model:
    """The network model of a question; KeyError for a question no model describes.

    The question's stand-ins for the quantity asked (``asks``: ∂L/∂W^{(l)} read as one symbol)
    are defined as that quantity, and count as gradients for the layout of ∂-products. A question
    without a model of its own (a new catalogue question) asks for its reference answer, through
    its stand-ins; its steps are compared by value with its own definitions.
    """
    q = get_question(question_id)
    model = _MODELS[question_id]() if question_id in _MODELS else _from_catalogue(q)
    asks = getattr(q, "asks", ())
    for sym, _ in asks:
        model.definitions.setdefault(sym, model.asked)
    stand_ins = {sym.key for sym, _ in asks if sym.cols == 1}
    return replace(model, gradients=model.gradients | stand_ins)


def _from_catalogue(q: Question) -> Model:
    """A model read off the question's catalogue derivation: its definitions (v_{t+1} := μv_t − ηG),
    and as the quantity asked the chain's start when it is a name (W_{t+1}), else the reference.

    Definitions by a derivative and any that would refer to themselves are left out; so is the
    definition of a quantity the question gives as an input (m_{t+1} in Adam's: what it names is
    sampled), unless it moves with the variable the chain differentiates by (x̂ and σ̃ in batch
    norm move with x: sampled apart, ∂x̂/∂x would be 0). The loss the chain differentiates is
    known by every name a loss goes by, and where the question gives its gradient g = ∂L/∂y as
    an input, it is the first-order surrogate L := ⟨g, y⟩ (see :func:`_surrogate`).
    """
    d = get(q.derivation)
    chain = next((c for c in d.chains if c.name == q.chain), d.chains[0]) if q.chain else d.chains[0]
    inputs = {s for s, _ in q.symbols + q.extra} | set(dict(q.definitions))  # the question's own
    wrt = chain.start.wrt if isinstance(chain.start, Deriv) else None
    catalogue = {s: e for s, e in d.definitions if not isinstance(e, Deriv)}
    defs = {
        s: e
        for s, e in catalogue.items()
        if s not in inputs or (isinstance(wrt, Sym) and wrt != s and _refers_to(e, wrt, catalogue))
    }
    defs = {s: e for s, e in defs.items() if not _refers_to(e, s, defs)}
    loss = _differentiated(chain.start)
    upstream = _upstream(d.definitions, loss, defs, wrt)
    if loss is not None and upstream is not None:
        defs[loss] = _surrogate(*upstream)
        # the loss's other gradients (δ^{(l+1)} between δ^{(l+2)} and the chain) are computed from it
        others = {g: e for g, e in d.definitions if isinstance(e, Deriv) and e.f == loss and g != upstream[0]}
        defs.update(others)
    named = isinstance(chain.start, Sym) and chain.start in defs
    asked = chain.start if named or (loss is not None and loss in defs) else q.reference
    losses = _losses(loss) if loss is not None and loss in defs else {}
    named_here = [s for s in _named(defs, wrt) if s != loss and to_latex(s) not in LOSS_NAMES]
    spellings = tuple((s, (to_latex(s),)) for s in named_here)
    gradients = frozenset({upstream[0].key} if upstream is not None and upstream[0].cols == 1 else ())
    return Model(defs, asked, gradients, losses, spellings)


def _named(defs: dict[Sym, Expr], wrt: Expr | None) -> list[Sym]:
    """Every quantity of the model a derivation may name: the defined ones, what they are defined
    from, and the chain's variable (x of batch norm, which the question does not list)."""
    found = dict.fromkeys(defs)
    for e in (*defs.values(), *((wrt,) if wrt is not None else ())):
        found.update(dict.fromkeys(sorted(symbols_of(e), key=lambda s: s.key)))
    return list(found)


def _differentiated(start: Expr) -> Sym | None:
    """The scalar a chain starting from ∂f/∂x differentiates, when it is a name (the loss)."""
    if isinstance(start, Deriv) and isinstance(start.f, Sym) and start.f.shape == (1, 1):
        return start.f
    return None


def _upstream(
    definitions: tuple[tuple[Sym, Expr], ...], loss: Sym | None, defs: dict[Sym, Expr], wrt: Expr | None
) -> tuple[Sym, Sym] | None:
    """(g, y) of a definition g := ∂L/∂y of the chain's loss whose g is sampled (not defined):
    the gradient the question hands down from the layer above. One through which the chain's
    variable acts is preferred (the others would make the chain's derivative 0)."""
    found = [
        (g, e.wrt)
        for g, e in definitions
        if loss is not None
        and isinstance(e, Deriv)
        and e.f == loss
        and isinstance(e.wrt, Sym)
        and g not in defs
        and g.shape == e.wrt.shape
    ]
    moving = [(g, y) for g, y in found if isinstance(wrt, Sym) and _refers_to(defs.get(y, y), wrt, defs)]
    return (moving or found or [None])[0]


def _surrogate(g: Sym, y: Sym) -> Expr:
    """L := ⟨g, y⟩ with g held fixed: every first derivative of it through y is that of the true
    loss at the point, which is all that g = ∂L/∂y says (the loss beyond y is unknown)."""
    if g.shape == (1, 1):
        return Mul(g, y)
    return _inner(g, y, g.rows, g.cols)


def _refers_to(e: Expr, target: Sym, defs: dict[Sym, Expr]) -> bool:
    """Whether ``e`` uses ``target``, directly or through the definitions (a cycle)."""
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if isinstance(node, Sym) and node in defs and node not in seen:
            seen.add(node)
            stack.append(defs[node])
        stack.extend(children(node))
    return False


def has_model(question_id: str) -> bool:
    """Whether this question's network is modelled (∂-fractions of its quantities evaluate);
    other questions are graded with their stand-ins and definitions alone."""
    return question_id in _MODELS
