"""Dropout and batch-norm layers: backward passes held against central differences
(checker.network.central_difference), each classic bug injected into one caught by that check,
and the forward passes doing what their derivations assume."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from checker.network.central_difference import central_gradient, max_relative_error, passes
from checker.network.layers import BatchNorm, BatchNormCache, Dropout

Array = np.ndarray


def dropout_error(layer: Dropout, n: int = 6, m: int = 4, seed: int = 0) -> float:
    """The worst relative error of the layer's ∂L/∂X against central differences, L = Σ C ⊙ Y."""
    rng = np.random.default_rng(seed)
    X, C = rng.normal(size=(n, m)), rng.normal(size=(n, m))
    mask = layer.mask((n, m), rng)
    numeric = central_gradient(lambda v: float((C * layer.forward(v, mask)).sum()), X)
    return max_relative_error(layer.backward(C, mask), numeric)


def batchnorm_errors(layer: BatchNorm, n: int = 3, m: int = 5, seed: int = 0) -> dict[str, float]:
    """The worst relative errors of ∂L/∂X, ∂L/∂γ, ∂L/∂β against central differences, L = Σ C ⊙ Y."""
    rng = np.random.default_rng(seed)
    X = 2 * rng.normal(size=(n, m)) + 1
    gamma, beta, C = rng.normal(size=(n, 1)), rng.normal(size=(n, 1)), rng.normal(size=(n, m))

    def loss(X_: Array, gamma_: Array, beta_: Array) -> float:
        return float((C * layer.forward(X_, gamma_, beta_)[0]).sum())

    numeric = (
        central_gradient(lambda v: loss(v, gamma, beta), X),
        central_gradient(lambda v: loss(X, v, beta), gamma),
        central_gradient(lambda v: loss(X, gamma, v), beta),
    )
    _, cache = layer.forward(X, gamma, beta)
    analytic = layer.backward(C, gamma, cache)
    return {k: max_relative_error(a, g) for k, a, g in zip(("dX", "dgamma", "dbeta"), analytic, numeric,
                                                          strict=True)}


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_backward_passes_the_gradient_check(p: float) -> None:
    assert passes(dropout_error(Dropout(p)))


@pytest.mark.parametrize(("n", "m"), [(3, 5), (1, 2), (4, 17)])
def test_batchnorm_backward_passes_the_gradient_check(n: int, m: int) -> None:
    errors = batchnorm_errors(BatchNorm(), n, m)
    assert all(passes(e) for e in errors.values()), errors


# -- injected bugs ---------------------------------------------------------------------------

DROPOUT_BUGS: dict[str, Callable[[Dropout, Array, Array], Array]] = {
    "no scale in the backward pass": lambda self, dY, mask: dY * mask,
    "no mask in the backward pass": lambda self, dY, mask: dY / (1 - self.p),
    "a fresh mask in the backward pass": lambda self, dY, mask: dY * mask[::-1] / (1 - self.p),
}


@pytest.mark.parametrize("bug", list(DROPOUT_BUGS))
def test_a_dropout_bug_is_caught(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Dropout, "backward", DROPOUT_BUGS[bug])
    assert not passes(dropout_error(Dropout(0.4)))


def _without_variance_term(self: BatchNorm, dY: Array, gamma: Array, cache: BatchNormCache):  # noqa: ANN202
    m = dY.shape[1]
    d_beta, d_gamma = dY.sum(axis=1, keepdims=True), (dY * cache.x_hat).sum(axis=1, keepdims=True)
    return gamma / (m * cache.std) * (m * dY - d_beta), d_gamma, d_beta


def _statistics_as_constants(self: BatchNorm, dY: Array, gamma: Array, cache: BatchNormCache):  # noqa: ANN202
    d_gamma = (dY * cache.x_hat).sum(axis=1, keepdims=True)
    return gamma / cache.std * dY, d_gamma, dY.sum(axis=1, keepdims=True)


RIGHT_BACKWARD = BatchNorm.backward


def _gamma_beta_swapped(self: BatchNorm, dY: Array, gamma: Array, cache: BatchNormCache):  # noqa: ANN202
    dX, d_gamma, d_beta = RIGHT_BACKWARD(self, dY, gamma, cache)
    return dX, d_beta, d_gamma


BATCHNORM_BUGS = {
    "the variance's term left out": (_without_variance_term, "dX"),
    "mean and variance treated as constants": (_statistics_as_constants, "dX"),
    "∂L/∂γ and ∂L/∂β swapped": (_gamma_beta_swapped, "dgamma"),
}


@pytest.mark.parametrize("bug", list(BATCHNORM_BUGS))
def test_a_batchnorm_bug_is_caught(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong, where = BATCHNORM_BUGS[bug]
    monkeypatch.setattr(BatchNorm, "backward", wrong)
    errors = batchnorm_errors(BatchNorm())
    assert not passes(errors[where]), errors


# -- forward passes ----------------------------------------------------------------------------


def test_inverted_dropout_keeps_the_mean_and_changes_nothing_at_p_0() -> None:
    rng = np.random.default_rng(1)
    layer, x = Dropout(0.3), rng.normal(size=(4, 1))
    masks = layer.mask((4, 50_000), rng)
    np.testing.assert_allclose(layer.forward(x, masks).mean(axis=1, keepdims=True), x, rtol=0.02)
    assert abs(masks.mean() - 0.7) < 0.01
    np.testing.assert_array_equal(Dropout(0.0).forward(x, np.ones_like(x)), x)


def test_dropout_refuses_a_probability_outside_0_1() -> None:
    for p in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"\[0, 1\)"):
            Dropout(p)


def test_batchnorm_normalises_each_feature_over_the_batch() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(3.0, 5.0, size=(3, 40))
    Y, _ = BatchNorm(eps=0.0).forward(X, np.ones((3, 1)), np.zeros((3, 1)))
    np.testing.assert_allclose(Y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=1), 1, rtol=1e-12)


def test_batchnorm_gradient_sums_to_zero_over_the_batch() -> None:
    """Shifting every example by the same amount changes nothing after normalisation."""
    rng = np.random.default_rng(3)
    X, C = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    layer, gamma = BatchNorm(), rng.normal(size=(2, 1))
    _, cache = layer.forward(X, gamma, np.zeros((2, 1)))
    dX, _, _ = layer.backward(C, gamma, cache)
    np.testing.assert_allclose(dX.sum(axis=1), 0, atol=1e-12)
