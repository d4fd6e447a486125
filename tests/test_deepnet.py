"""The deep network of the depth experiments: its backward pass (hidden-delta, batchnorm-backward)
against central differences, with and without batch norm, and a wrong batch-norm backward caught."""

from __future__ import annotations

import numpy as np
import pytest

from checker.network.deepnet import DeepNet
from checker.network.gradcheck import check_function


def problem(batch_norm: bool, act: str) -> tuple[DeepNet, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((5, 7)), np.eye(3)[:, rng.integers(0, 3, 7)]
    net = DeepNet.create([5, 4, 6, 3], act, "xavier", batch_norm=batch_norm, seed=1)
    for b in net.biases:  # off zero: a ReLU unit whose inputs are all 0 would sit on its kink
        b[...] = rng.normal(size=b.shape) * 0.5
    if batch_norm:  # away from γ = 1, β = 0, so that a missing factor shows
        for g, b in zip(net.gammas, net.betas, strict=True):
            g[...] = rng.uniform(0.5, 1.5, g.shape)
            b[...] = rng.normal(size=b.shape) * 0.1
    return net, X, Y


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_gradients_pass_the_check(batch_norm: bool, act: str) -> None:
    net, X, Y = problem(batch_norm, act)
    grads, deltas = net.gradients(X, Y)
    result = check_function(lambda: net.loss(X, Y), net.params(), grads)
    assert result.passed, result.report()
    assert len(deltas) == net.depth


def test_batch_norm_backward_without_its_mean_terms_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """∂L/∂x = γ g / √(σ² + ε) alone: the terms through μ and σ² are dropped."""
    net, X, Y = problem(True, "tanh")

    def wrong(dY, gamma, cache):  # noqa: ANN001, ANN202
        sums = (dY * cache.x_hat).sum(axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)
        return (gamma * dY / cache.std, *sums)

    monkeypatch.setattr(net.bn, "backward", wrong)
    grads, _ = net.gradients(X, Y)
    result = check_function(lambda: net.loss(X, Y), net.params(), grads)
    assert not result.passed and result.max_rel_error > 1e-3


def test_dropout_gradients_pass_the_check_with_the_mask_held_fixed() -> None:
    """dropout-backward: with the same masks (the same seed) the loss is smooth and checkable."""
    from checker.network.layers import Dropout

    net, X, Y = problem(False, "tanh")
    net.dropout = Dropout(0.4)
    p, cache = net.forward(X, np.random.default_rng(3))
    grads, _ = net.backward(p, cache, Y)

    def loss() -> float:
        q, _ = net.forward(X, np.random.default_rng(3))
        return float(-(Y * np.log(q)).sum() / Y.shape[1])

    result = check_function(loss, net.params(), grads)
    assert result.passed, result.report()
    assert cache.masks and not all(m.all() for m in cache.masks)  # some units were dropped
