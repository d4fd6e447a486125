"""The catalogue's activation, output/loss and numerics derivations: every step proved, and every
check able to fail.

For each derivation: (1) every step and start = result hold exactly (sympy) at the derivation's
sizes; (2) a wrong result — a named mistake from the course — is rejected by
``checker.proof.symbolic.equal``; (3) the numeric probe passes against the reference MLP, and the same
probe fails once the result is replaced by the mistake.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable

import pytest

from checker.proof.numeric import check_probe
from checker.proof.sizes import sizes_for
from checker.proof.symbolic import SympyEnv, equal
from checker.proof.verify import verify_symbolic
from derivations import all_derivations
from derivations.base import Chain, Derivation, Step
from derivations.expr import (
    BigO,
    Cond,
    Diag,
    Expr,
    Fn,
    Hadamard,
    Indicator,
    Neg,
    Ones,
    Piecewise,
    T,
    num,
    symbols_of,
)

# sympy warns that a Matrix of relations (the translation of 𝟙[·] conditions) is deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sym(d: Derivation, key: str) -> Expr:
    """The symbol of ``d`` called ``key``."""
    for s in d.symbols:
        if s.key == key:
            return s
    raise KeyError(key)


def _cd_wrong_constant(d: Derivation) -> Expr:
    x, h = sym(d, "x"), sym(d, "h")
    return Fn("f", x, 1) + num("1/3") * h**2 * Fn("f", x, 3) + BigO(h**4)


# id -> (mistake, how it changes the main chain's result)
MUTATIONS: dict[str, tuple[str, Callable[[Derivation], Expr]]] = {
    "sigmoid-derivative": ("σ(z) alone", lambda d: Fn("sigmoid", sym(d, "z"))),
    "tanh-derivative": ("1 − tanh z", lambda d: 1 - Fn("tanh", sym(d, "z"))),
    "relu-derivative": ("𝟙[z < 0]", lambda d: Indicator(Cond(sym(d, "z"), "<", num(0)))),
    "leaky-relu-derivative": (
        "ReLU's derivative",
        lambda d: Piecewise(((num(1), Cond(sym(d, "z"), ">", num(0))), (num(0), None))),
    ),
    "elu-derivative": (
        "no factor α",
        lambda d: Piecewise(((num(1), Cond(sym(d, "z"), ">", num(0))), (Fn("exp", sym(d, "z")), None))),
    ),
    "softplus-derivative": ("sigmoid(−z)", lambda d: Fn("sigmoid", -sym(d, "z"))),
    "maxout-gradient": ("x without the indicator", lambda d: sym(d, "x")),
    "softmax-jacobian": (
        "diag(p ⊙ (1 − p))",
        lambda d: Diag(Hadamard(sym(d, "p"), 1 - sym(d, "p"))),
    ),
    "softmax-ce-gradient": ("y − p", lambda d: sym(d, "y") - sym(d, "p")),
    "log-softmax-ce": ("p − y for a y that is not a distribution", lambda d: sym(d, "p") - sym(d, "y")),
    "sigmoid-bce-gradient": (
        "the MSE pattern (σ − y) σ'",
        lambda d: (Fn("sigmoid", sym(d, "z")) - sym(d, "y")) * Fn("sigmoid", sym(d, "z"), 1),
    ),
    "mse-output-delta": ("a − y without σ'", lambda d: sym(d, "a_L") - sym(d, "y")),
    "central-difference": ("h²/3 in place of h²/6", _cd_wrong_constant),
}

IDS = list(MUTATIONS)

# Where the probe cannot see the mistake above, the numeric test uses another one: the probe's ELU
# has α = 1, its targets are distributions (Σy = 1), and its series check compares whole values,
# in which a wrong constant in the h² term stays below its tolerance (1e-3).
NUMERIC_MUTATIONS: dict[str, tuple[str, Callable[[Derivation], Expr]]] = {
    **MUTATIONS,
    "elu-derivative": (
        "the activation α(e^z − 1) in place of its derivative",
        lambda d: Piecewise(((num(1), Cond(sym(d, "z"), ">", num(0))),
                             (sym(d, "alpha") * (Fn("exp", sym(d, "z")) - 1), None))),
    ),
    "log-softmax-ce": ("the sign flipped", lambda d: Neg(d.result)),
    "central-difference": (
        "the one-sided error h/2 f''",
        lambda d: Fn("f", sym(d, "x"), 1) + num("1/2") * sym(d, "h") * Fn("f", sym(d, "x"), 2),
    ),
}


def _derivation(derivation_id: str) -> Derivation:
    return all_derivations()[derivation_id]


def _with_result(d: Derivation, result: Expr) -> Derivation:
    """``d`` with the last step of its main chain replaced by ``result``."""
    main = d.chains[0]
    steps = main.steps[:-1] + (Step(result, "mutated"),)
    return dataclasses.replace(d, chains=(Chain(main.start, steps, main.name), *d.chains[1:]))


def _equal_everywhere(d: Derivation, a: Expr, b: Expr) -> list[bool]:
    defs = dict(d.definitions)
    simplex = [s for s in d.symbols if s.key in d.simplex]
    return [equal(a, b, SympyEnv(combo, defs), simplex)[0] for combo in sizes_for(d)]


def test_all_part1_ids_are_in_the_catalogue() -> None:
    missing = set(IDS) - set(all_derivations())
    assert not missing, f"missing derivations: {sorted(missing)}"


@pytest.mark.parametrize("derivation_id", IDS)
def test_derivation_steps(derivation_id: str) -> None:
    d = _derivation(derivation_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checks, result_ok, sizes = verify_symbolic(d)
    failed = [(c.chain, c.index, c.detail) for c in checks if not c.ok]
    assert not failed, failed
    assert result_ok, "start = result does not hold by sympy's own differentiation"
    assert 2 <= d.step_count <= 8 and all(2 <= len(c.steps) <= 6 for c in d.chains)
    dims = {dim for s in d.symbols for dim in s.shape if isinstance(dim, str)}
    if dims:  # vector derivations: two combinations, each dimension taking two different sizes
        assert len(sizes) >= 2
        assert all(len({combo[dim] for combo in sizes}) >= 2 for dim in dims)


@pytest.mark.parametrize("derivation_id", IDS)
def test_mutated_result_is_rejected(derivation_id: str) -> None:
    d = _derivation(derivation_id)
    _, mutate = MUTATIONS[derivation_id]
    wrong = mutate(d)
    verdicts = _equal_everywhere(d, d.chains[0].start, wrong)
    assert not any(verdicts), f"the mistake passed at sizes {sizes_for(d)}: {verdicts}"


@pytest.mark.parametrize("derivation_id", IDS)
def test_derivation_numeric(derivation_id: str) -> None:
    d = _derivation(derivation_id)
    checks = check_probe(d)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]


@pytest.mark.parametrize("derivation_id", IDS)
def test_numeric_check_rejects_the_mistake(derivation_id: str) -> None:
    d = _derivation(derivation_id)
    _, mutate = NUMERIC_MUTATIONS[derivation_id]
    checks = check_probe(_with_result(d, mutate(d)))
    assert checks and not all(c.ok for c in checks)


def test_maxout_bias_chain_needs_the_indicator() -> None:
    d = _derivation("maxout-gradient")
    start = d.chains[1].start
    assert _equal_everywhere(d, start, d.result_of("b1")) == [True, True]
    z1, z2 = sym(d, "z1"), sym(d, "z2")
    swapped = Indicator(Cond(z2, ">", z1))
    assert not any(_equal_everywhere(d, start, swapped))
    assert not any(_equal_everywhere(d, start, num("1/2")))


def test_central_difference_orders() -> None:
    """A weaker O-claim is true; a stronger one, or a missing error term, is not."""
    d = _derivation("central-difference")
    x, h = sym(d, "x"), sym(d, "h")
    start = d.chains[0].start
    first = Fn("f", x, 1)
    assert _equal_everywhere(d, start, first + BigO(h**2)) == [True]
    assert _equal_everywhere(d, start, first + BigO(h**4)) == [False]
    too_strong = first + num("1/6") * h**2 * Fn("f", x, 3) + BigO(h**5)
    assert _equal_everywhere(d, start, too_strong) == [False]


def test_log_softmax_ce_general_target() -> None:
    """(𝟏ᵀy) p − y holds for any y; p − y needs Σy = 1, which softmax-ce-gradient assumes."""
    d = _derivation("log-softmax-ce")
    p, y = sym(d, "p"), sym(d, "y")
    general = T(Ones("n_L")) * y * p - y
    assert _equal_everywhere(d, d.chains[0].start, general) == [True, True]
    simplex_d = dataclasses.replace(d, simplex=("y",))
    assert _equal_everywhere(simplex_d, d.chains[0].start, p - y) == [True, True]


def test_mse_output_delta_keeps_sigma_generic() -> None:
    """σ' stays the generic derivative: the sigmoid-only a ⊙ (1 − a) is not the same formula."""
    d = _derivation("mse-output-delta")
    a, y = sym(d, "a_L"), sym(d, "y")
    sigmoid_only = Hadamard(a - y, Hadamard(a, 1 - a))
    assert not any(_equal_everywhere(d, d.chains[0].start, sigmoid_only))
    assert not any(_equal_everywhere(d, d.chains[0].start, Neg(d.result)))


def test_every_symbol_of_a_result_is_declared() -> None:
    for derivation_id in IDS:
        d = _derivation(derivation_id)
        declared = set(d.symbols)
        for chain in d.chains:
            assert symbols_of(chain.result) <= declared, derivation_id
