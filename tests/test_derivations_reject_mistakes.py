"""Every derivation's exact and numeric checks reject a mistake the derivation itself names.

For each derivation of the catalogue one of its listed ``mistakes`` is written as a wrong result
of a chain: (1) sympy rejects ``start = mistake`` at every size combination of the derivation, and
(2) the numeric probe against the reference MLP passes on the real result and fails once the
result is replaced by the mistake. A few derivations get a second, sharper test of what their
result depends on (the indicator of maxout, the order of the central difference, the target's
mass in the log-softmax form, σ kept generic in the squared-error delta).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import pytest

from checker.proof.numeric import check_probe
from checker.proof.sizes import sizes_for
from checker.proof.symbolic import SympyEnv, equal
from derivations import all_derivations
from derivations.base import Chain, Derivation, Step
from derivations.expr import (
    BigO,
    Cond,
    Corr,
    Diag,
    Expr,
    Indicator,
    Ones,
    Pad,
    Piecewise,
    Sym,
    dsigma,
    exp,
    fn,
    num,
    sigma,
)

# sympy warns that a Matrix of relations (the translation of 𝟙[·] conditions) is deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Mistake(NamedTuple):
    """A named mistake of a derivation as the wrong result of one of its chains."""

    what: str
    wrong: Callable[[Derivation], Expr]
    chain: str = ""  # "" is the main chain


def sym(d: Derivation, key: str) -> Sym:
    """The symbol of ``d`` called ``key`` (listed, or defined)."""
    for s in (*d.symbols, *(s for s, _ in d.definitions)):
        if s.key == key:
            return s
    raise KeyError(key)


def chain_of(d: Derivation, name: str) -> Chain:
    """The chain called ``name`` ("" for the main chain)."""
    return next(c for c in d.chains if c.name == name) if name else d.chains[0]


def with_result(d: Derivation, result: Expr, name: str = "") -> Derivation:
    """``d`` with the last step of one chain replaced by ``result``."""
    target = chain_of(d, name)
    chains = tuple(
        Chain(c.start, c.steps[:-1] + (Step(result, "mutated"),), c.name) if c is target else c
        for c in d.chains
    )
    return dataclasses.replace(d, chains=chains)


def equal_at_every_size(d: Derivation, a: Expr, b: Expr, combos: list[dict] | None = None) -> list[bool]:
    """``a = b`` by sympy at each size combination of ``d`` (its simplex vectors as distributions)."""
    defs, simplex = dict(d.definitions), [s for s in d.symbols if s.key in d.simplex]
    return [equal(a, b, SympyEnv(combo, defs), simplex)[0] for combo in combos or sizes_for(d)]


def _z(d: Derivation) -> Sym:
    return sym(d, "z")


def _penalty_step(d: Derivation, penalty_gradient: Expr) -> Expr:
    W, eta, G, lam = sym(d, "W_l"), sym(d, "eta"), sym(d, "G"), sym(d, "lambda")
    return W - eta * (G + lam * penalty_gradient)


def _accumulated(d: Derivation) -> Expr:
    """AdaGrad's s_t + G ⊙ G (RMSProp's without its weight 1 − ρ, with ρ s_t)."""
    s_t, G = sym(d, "s_t"), sym(d, "G")
    return (sym(d, "rho") * s_t if d.id == "rmsprop-update" else s_t) + G.odot(G)


def _relu_slope(d: Derivation) -> Expr:
    return Piecewise(((num(1), Cond(_z(d), ">", num(0))), (num(0), None)))


MISTAKES: dict[str, Mistake] = {
    # activations
    "sigmoid-derivative": Mistake("σ(z) alone", lambda d: fn("sigmoid", _z(d))),
    "tanh-derivative": Mistake("1 − tanh z", lambda d: 1 - fn("tanh", _z(d))),
    "relu-derivative": Mistake("𝟙[z < 0]", lambda d: Indicator(Cond(_z(d), "<", num(0)))),
    "leaky-relu-derivative": Mistake("ReLU's derivative", _relu_slope),
    "elu-derivative": Mistake(
        "no factor α", lambda d: Piecewise(((num(1), Cond(_z(d), ">", num(0))), (exp(_z(d)), None)))
    ),
    "softplus-derivative": Mistake("sigmoid(−z)", lambda d: fn("sigmoid", -_z(d))),
    "maxout-gradient": Mistake("x without the indicator", lambda d: sym(d, "x")),
    # outputs and losses
    "softmax-jacobian": Mistake("diag(p ⊙ (1 − p))", lambda d: Diag(sym(d, "p").odot(1 - sym(d, "p")))),
    "softmax-ce-gradient": Mistake("y − p", lambda d: sym(d, "y") - sym(d, "p")),
    "log-softmax-ce": Mistake(
        "p − y for a y that is not a distribution", lambda d: sym(d, "p") - sym(d, "y")
    ),
    "sigmoid-bce-gradient": Mistake(
        "the MSE pattern (σ − y) σ'",
        lambda d: (fn("sigmoid", _z(d)) - sym(d, "y")) * fn("sigmoid", _z(d), 1),
    ),
    "mse-output-delta": Mistake("a − y without σ'", lambda d: sym(d, "a_L") - sym(d, "y")),
    # backprop
    "weight-gradient": Mistake("transposed", lambda d: sym(d, "a_prev") @ sym(d, "delta_l").T),
    "bias-gradient": Mistake("summed over units", lambda d: Ones("n_l").T @ sym(d, "delta_l")),
    "batch-weight-gradient": Mistake("no 1/m", lambda d: sym(d, "Delta_l") @ sym(d, "A_prev").T),
    "batch-bias-gradient": Mistake("no 1/m", lambda d: sym(d, "Delta_l") @ Ones("m")),
    "hidden-delta": Mistake(
        "σ' taken at a^{(l)}",
        lambda d: (sym(d, "W_next").T @ sym(d, "delta_next")).odot(dsigma(sym(d, "a_l"))),
    ),
    "row-backprop": Mistake(
        "tanh' written with Z_1 in place of A_1",
        lambda d: (sym(d, "delta3") @ sym(d, "W2").T).odot(1 - sym(d, "Z1").odot(sym(d, "Z1"))),
        chain="delta2",
    ),
    # regularization
    "l2-update": Mistake("the L1 rule", lambda d: _penalty_step(d, fn("sign", sym(d, "W_l")))),
    "l1-update": Mistake("the L2 rule", lambda d: _penalty_step(d, sym(d, "W_l"))),
    "l2-weight-decay": Mistake(
        "1 − λ in place of 1 − ηλ",
        lambda d: (1 - sym(d, "lambda")) * sym(d, "W_l") - sym(d, "eta") * sym(d, "G"),
    ),
    # jacobians and numerics
    "input-gradient": Mistake(
        "σ for σ' in the hidden factor",
        lambda d: Diag(dsigma(sym(d, "z_2"))) @ sym(d, "W_2") @ Diag(sigma(sym(d, "z_1"))) @ sym(d, "W_1"),
    ),
    "central-difference": Mistake(
        "h²/3 in place of h²/6",
        lambda d: fn("f", sym(d, "x"), 1) + num("1/3") * sym(d, "h") ** 2 * fn("f", sym(d, "x"), 3)
        + BigO(sym(d, "h") ** 4),
    ),
    # optimization
    "momentum-update": Mistake(
        "a step uphill", lambda d: sym(d, "W_t") + sym(d, "mu") * sym(d, "v_t") + sym(d, "eta") * sym(d, "G")
    ),
    "adagrad-update": Mistake(
        "no square root",
        lambda d: sym(d, "W_t") - sym(d, "eta") * (sym(d, "G") / (_accumulated(d) + sym(d, "epsilon"))),
    ),
    "rmsprop-update": Mistake(
        "the weight 1 − ρ left out",
        lambda d: sym(d, "W_t")
        - sym(d, "eta") * (sym(d, "G") / (fn("sqrt", _accumulated(d)) + sym(d, "epsilon"))),
    ),
    "adam-update": Mistake(
        "no bias correction",
        lambda d: sym(d, "W_t")
        - sym(d, "eta") * (sym(d, "m_t1") / (fn("sqrt", sym(d, "v2_t1")) + sym(d, "epsilon"))),
    ),
    "adamw-decoupled-decay": Mistake(
        "the decay divided by √v̂ (L2 in Adam)",
        lambda d: sym(d, "W_t") - sym(d, "eta") * ((sym(d, "m_hat") + sym(d, "lambda") * sym(d, "W_t"))
                                                  / (fn("sqrt", sym(d, "v_hat")) + sym(d, "epsilon"))),
    ),
    # training layers and initialisation
    "dropout-backward": Mistake("no 1/(1 − p) in the backward pass", lambda d: sym(d, "g").odot(sym(d, "r"))),
    "batchnorm-backward": Mistake(
        "the variance's term left out",
        lambda d: sym(d, "gamma") / (sym(d, "m") * sym(d, "std_batch"))
        * (sym(d, "m") * sym(d, "g_bn") - Ones("m") @ (Ones("m").T @ sym(d, "g_bn"))),
    ),
    "xavier-init-variance": Mistake("no factor n", lambda d: sym(d, "var_w") * sym(d, "var_a")),
    "he-init-variance": Mistake(
        "no factor ½", lambda d: sym(d, "n_in") * sym(d, "var_w") * sym(d, "var_z_prev")
    ),
    "sigmoid-derivative-bound": Mistake(
        "the square added", lambda d: num("1/4") + (fn("sigmoid", _z(d)) - num("1/2")) ** 2
    ),
    "vanishing-gradient-bound": Mistake(
        "σ' taken at a^{(l)}",
        lambda d: Diag(dsigma(sym(d, "a_l"))) @ sym(d, "W_next").T @ Diag(dsigma(sym(d, "z_next")))
        @ sym(d, "W_next2").T @ sym(d, "delta_next2"),
    ),
    # the second half: label smoothing, proximal L1, forward/reverse mode, convolution
    "label-smoothing-ce-gradient": Mistake(
        "p − y, the unsmoothed delta", lambda d: sym(d, "p") - sym(d, "y")
    ),
    "l1-proximal-step": Mistake(
        "the subgradient step u − t sign(u)",
        lambda d: sym(d, "u") - sym(d, "t") * fn("sign", sym(d, "u")),
        chain="soft-threshold",
    ),
    "reverse-vs-forward-mode": Mistake(
        "σ'(z^{(1)}) left out of the backward pass",
        lambda d: sym(d, "W_1").T @ sym(d, "W_2").T @ dsigma(sym(d, "z_2")).odot(sym(d, "g")),
        chain="reverse",
    ),
    "conv2d-backward": Mistake(
        "the kernel not turned",
        lambda d: Corr(Pad(sym(d, "delta"), "k_h - 1", "k_w - 1", "h + k_h - 1", "w + k_w - 1"),
                       sym(d, "K"), "h", "w"),
        chain="dX",
    ),
    "max-pool-backward": Mistake("δ/4, the average-pooling rule", lambda d: sym(d, "delta") * num("1/4")),
}

# Where the probe cannot see the mistake above, the numeric test uses another one: the probe's ELU
# has α = 1, its targets are distributions (Σy = 1), and its series check compares whole values,
# in which a wrong constant in the h² term stays below its tolerance (1e-3).
NUMERIC_MISTAKES: dict[str, Mistake] = {
    **MISTAKES,
    "elu-derivative": Mistake(
        "the activation α(e^z − 1) in place of its derivative",
        lambda d: Piecewise(((num(1), Cond(_z(d), ">", num(0))), (sym(d, "alpha") * (exp(_z(d)) - 1), None))),
    ),
    "log-softmax-ce": Mistake("the sign flipped", lambda d: -d.result),
    "central-difference": Mistake(
        "the one-sided error h/2 f''",
        lambda d: fn("f", sym(d, "x"), 1) + num("1/2") * sym(d, "h") * fn("f", sym(d, "x"), 2),
    ),
}

# The row network is expanded in full: one size combination keeps this test at seconds.
ONE_SIZE = {"row-backprop"}


# The convolution's half of the course is tested the same way in test_derivations_conv.py.
TESTED_IN_CONV = {
    "conv2d-backward", "l1-proximal-step", "label-smoothing-ce-gradient", "reverse-vs-forward-mode",
}


def test_every_derivation_has_a_named_mistake() -> None:
    covered = set(MISTAKES) | TESTED_IN_CONV
    assert covered == set(all_derivations()), covered ^ set(all_derivations())


@pytest.mark.parametrize("derivation_id", list(MISTAKES))
def test_mistake_is_rejected_exactly(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    mistake = MISTAKES[derivation_id]
    combos = sizes_for(d)[:1] if derivation_id in ONE_SIZE else None
    verdicts = equal_at_every_size(d, chain_of(d, mistake.chain).start, mistake.wrong(d), combos)
    assert not any(verdicts), f"{mistake.what} passed at {sizes_for(d)}: {verdicts}"


@pytest.mark.parametrize("derivation_id", list(NUMERIC_MISTAKES))
def test_mistake_is_rejected_numerically(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    mistake = NUMERIC_MISTAKES[derivation_id]
    assert all(c.ok for c in check_probe(d))
    try:
        checks = check_probe(with_result(d, mistake.wrong(d), mistake.chain))
    except Exception:  # noqa: BLE001 - a result that cannot even be evaluated (shapes) is rejected too
        return
    assert checks and not all(c.ok for c in checks), [(c.network, c.max_rel_error) for c in checks]


# ------------------------------------------------------------ what single results depend on


def test_maxout_bias_chain_needs_the_indicator() -> None:
    d = all_derivations()["maxout-gradient"]
    start = chain_of(d, "b1").start
    assert equal_at_every_size(d, start, d.result_of("b1")) == [True, True]
    swapped = Indicator(Cond(sym(d, "z2"), ">", sym(d, "z1")))
    assert not any(equal_at_every_size(d, start, swapped))
    assert not any(equal_at_every_size(d, start, num("1/2")))


def test_central_difference_orders() -> None:
    """A weaker O-claim is true; a stronger one, or a missing error term, is not."""
    d = all_derivations()["central-difference"]
    x, h = sym(d, "x"), sym(d, "h")
    start, first = d.chains[0].start, fn("f", x, 1)
    assert equal_at_every_size(d, start, first + BigO(h**2)) == [True]
    assert equal_at_every_size(d, start, first + BigO(h**4)) == [False]
    too_strong = first + num("1/6") * h**2 * fn("f", x, 3) + BigO(h**5)
    assert equal_at_every_size(d, start, too_strong) == [False]


def test_log_softmax_ce_general_target() -> None:
    """(𝟏ᵀy) p − y holds for any y; p − y needs Σy = 1, which softmax-ce-gradient assumes."""
    d = all_derivations()["log-softmax-ce"]
    p, y = sym(d, "p"), sym(d, "y")
    assert equal_at_every_size(d, d.chains[0].start, (Ones("n_L").T @ y) * p - y) == [True, True]
    simplex_d = dataclasses.replace(d, simplex=("y",))
    assert equal_at_every_size(simplex_d, d.chains[0].start, p - y) == [True, True]


def test_mse_output_delta_keeps_sigma_generic() -> None:
    """σ' stays the generic derivative: the sigmoid-only a ⊙ (1 − a) is not the same formula."""
    d = all_derivations()["mse-output-delta"]
    a, y = sym(d, "a_L"), sym(d, "y")
    assert not any(equal_at_every_size(d, d.chains[0].start, (a - y).odot(a.odot(1 - a))))
    assert not any(equal_at_every_size(d, d.chains[0].start, -d.result))


def test_mse_output_gradient_is_checked_against_the_output() -> None:
    """The chain ∂L/∂a^{(L)} is compared with central differences in the output a^{(L)}, not with
    δ^{(L)}: a − y passes, and the slip 2(a − y) (the ½ forgotten) or the delta's σ' factor fail."""
    d = all_derivations()["mse-output-delta"]
    a, y, z = sym(d, "a_L"), sym(d, "y"), sym(d, "z_L")
    assert chain_of(d, "dL_da").result == a - y
    assert all(c.ok for c in check_probe(d))
    for wrong in (2 * (a - y), (a - y).odot(dsigma(z))):
        checks = check_probe(with_result(d, wrong, "dL_da"))
        assert not all(c.ok for c in checks), wrong
    assert not any(equal_at_every_size(d, chain_of(d, "dL_da").start, 2 * (a - y)))
