"""The second half's derivations: each check rejects the named mistakes, and the new machinery
(image nodes, nested kinks, impossible regions, the new probes) can fail."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from checker.proof.numeric import check_probe
from checker.proof.symbolic import SympyEnv, equal
from checker.proof.verify import verify_symbolic
from derivations import get
from derivations.base import Chain, Step
from derivations.catalogue import conv2d_backward as conv
from derivations.catalogue import l1_proximal_step as prox
from derivations.catalogue import label_smoothing_ce_gradient as ls
from derivations.expr import Corr, Fn, Max, Pad, ShapeError, num, scalar, shape_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NO_FLIP = Corr(Pad(conv.delta, "k_h - 1", "k_w - 1", *conv.FULL), conv.K, "h", "w")
SWAPPED = Corr(conv.delta, conv.X, "k_h", "k_w")


def with_result(d, chain_name, result):  # noqa: ANN001, ANN201
    chains = tuple(
        Chain(c.start, c.steps[:-1] + (Step(result, "mutated"),), c.name) if c.name == chain_name else c
        for c in d.chains
    )
    return dataclasses.replace(d, chains=chains)


def test_conv_without_the_flip_is_rejected_exactly_and_numerically() -> None:
    d = with_result(get("conv2d-backward"), "dX", NO_FLIP)
    checks, result_ok, _ = verify_symbolic(d)
    assert not result_ok and not all(c.ok for c in checks)
    assert not all(c.ok for c in check_probe(d))


def test_conv_swapped_arguments_are_rejected() -> None:
    """δ ⋆ X for X ⋆ δ: δ is smaller than X, so the correlation has no entries at the real sizes."""
    d = with_result(get("conv2d-backward"), "dK", SWAPPED)
    checks, result_ok, _ = verify_symbolic(d)
    assert not result_ok and [c.ok for c in checks][:2] == [True, False]


def test_image_nodes_check_their_named_sizes() -> None:
    from derivations.expr import mat

    X, K = mat("X", 4, 5), mat("K", 2, 3)
    assert shape_of(Corr(X, K, 3, 3)) == (3, 3)
    with pytest.raises(ShapeError):
        shape_of(Corr(X, K, 3, 4))
    with pytest.raises(ShapeError):
        shape_of(Pad(X, 1, 1, 6, 6))


def test_label_smoothing_unsmoothed_delta_is_rejected() -> None:
    d = get("label-smoothing-ce-gradient")
    c = d.chains[0]
    wrong = dataclasses.replace(d, chains=(Chain(c.start, c.steps[:-1] + (Step(ls.p - ls.y, "mutated"),)),))
    assert not verify_symbolic(wrong)[1]
    assert not all(c.ok for c in check_probe(wrong))


def test_nested_kinks_are_split_inner_first() -> None:
    """sign(u) max(|u| − t, 0) is the soft threshold; without the sign it is not."""
    u, t = prox.u, prox.t
    env = SympyEnv({}, {}, positive=frozenset({"t"}))
    free_t = scalar("t", "t")
    soft = Max(u - free_t, num(0)) - Max(-u - free_t, num(0))
    assert equal(Fn("sign", u) * Max(Fn("abs", u) - free_t, num(0)), soft, env)[0]
    assert not equal(Max(Fn("abs", u) - free_t, num(0)), soft, env)[0]
    assert t.key == "t"


def test_impossible_regions_need_the_sign_of_the_threshold() -> None:
    """The three cases equal the two maxima only because t > 0: with t of unknown sign the region
    u > t, u < −t exists and the check must refuse."""
    u, t = prox.u, scalar("t", "t")
    cases, soft = prox.CASES, prox.SOFT
    assert equal(cases, soft, SympyEnv({}, {}, positive=frozenset({"t"})))[0]
    assert not equal(cases, soft, SympyEnv({}, {}))[0]
    assert u.key == "u" and t.key == "t"


def test_prox_probe_rejects_the_subgradient_step() -> None:
    d = get("l1-proximal-step")
    wrong = with_result(d, "soft-threshold", prox.u - prox.t * Fn("sign", prox.u))
    checks = {c.network.split(",")[0]: c.ok for c in check_probe(wrong)}
    assert not checks["the soft-threshold minimises F_1"]


def test_modes_probe_rejects_a_wrong_work_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.network import modes

    d = get("reverse-vs-forward-mode")
    assert all(c.ok for c in check_probe(d))
    monkeypatch.setattr(modes, "predicted_work", lambda sizes, mode: sum(sizes))
    assert not any(c.ok for c in check_probe(d))


def test_forward_and_reverse_jacobians_agree_and_cost_as_predicted() -> None:
    from checker.network import modes
    from checker.network.mlp import MLP

    model = MLP.create((7, 5, 2), "tanh", "mse", seed=1)
    x = np.random.default_rng(0).normal(size=(7, 1))
    forward, fw = modes.jacobian(model, x, "forward")
    reverse, rw = modes.jacobian(model, x, "reverse")
    assert np.allclose(forward, reverse) and np.allclose(forward, model.input_jacobian(x))
    assert (fw, rw) == (7 * (35 + 10), 2 * (35 + 10)) and rw < fw


def test_max_of_a_window_is_checked_over_every_ordering() -> None:
    """δ 𝟙[X = max X] holds in each of the 24 orderings of a 2×2 window (the 40 sign patterns of
    the six differences that go round in a circle are skipped); the ReLU rule and the average
    pooling rule do not."""
    from derivations.catalogue import max_pool_backward as pool
    from derivations.expr import Cond, Deriv, Indicator

    d = get("max-pool-backward")
    env = SympyEnv({}, dict(d.definitions))
    start = Deriv(pool.L, pool.X)
    assert equal(start, d.result, env)[0]
    assert not equal(start, pool.delta * Indicator(Cond(pool.X, ">", num(0))), env)[0]
    assert not equal(start, pool.delta * num("1/4"), env)[0]


def test_circular_orderings_are_impossible_regions() -> None:
    import sympy as sp

    from checker.proof.symbolic import _impossible

    a, b, c = sp.symbols("a b c", real=True)
    assert _impossible([a - b, b - c, c - a])
    assert not _impossible([a - b, b - c, a - c])


def test_pool_probe_rejects_average_pooling() -> None:
    from derivations.catalogue import max_pool_backward as pool

    d = get("max-pool-backward")
    wrong = dataclasses.replace(d, chains=(Chain(d.chains[0].start, d.chains[0].steps[:-1] + (
        Step(pool.delta * num("1/4"), "mutated"),)),))
    assert not all(c.ok for c in check_probe(wrong))
