"""The reference convolution and pooling layers: gradient-checked, and every classic bug of their
backward pass, injected, is caught by the check.

Each bug replaces one of the named functions of :mod:`checker.network.conv` (``kernel_gradient``,
``input_gradient``, ``conv_bias_gradient``, ``pool_backward``, ``unwindows``) with a wrong
formula; the cost, and so the numeric gradient, is untouched, so the check must fail — by a wide
margin, or as a reported failure (not a crash) when the wrong gradient has the wrong shape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from checker.network import conv
from checker.network.conv import CNN, Conv2D, MaxPool2D, cnn_gradcheck, layer_gradcheck
from checker.network.gradcheck import GradcheckResult
from checker.training.cnn import images, train_cnn

ORIGINAL = {name: getattr(conv, name) for name in
            ("kernel_gradient", "input_gradient", "conv_bias_gradient", "pool_backward", "unwindows")}


def layer_problem(pad: int = 0) -> tuple[Conv2D, np.ndarray]:
    """The measured layer of the issue: 1×8×8 → 4×6×6 (with pad 1: 4×8×8), two images."""
    return Conv2D.create(1, 4, 3, pad=pad, seed=3), np.random.default_rng(4).standard_normal((2, 1, 8, 8))


def cnn_problem() -> tuple[CNN, np.ndarray, np.ndarray]:
    """A small CNN on three random 8×8 images (c1 ≠ c2, so transposes do not fit by chance)."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 1, 8, 8))
    Y = np.eye(10)[:, rng.integers(0, 10, 3)]
    return CNN.create((1, 8, 8), 10, c1=3, c2=5, seed=6), X, Y


@pytest.mark.parametrize("pad", [0, 1])
def test_conv_layer_passes_the_gradient_check(pad: int) -> None:
    layer, X = layer_problem(pad)
    result = layer_gradcheck(layer, X)
    assert result.passed, result.report()
    assert result.params_checked == 36 + 4 + 128  # every kernel entry, bias and input pixel


def test_cnn_passes_the_gradient_check() -> None:
    result = cnn_gradcheck(*cnn_problem())
    assert result.passed, result.report()
    assert result.params_checked == result.n_params


def test_pooling_routes_to_the_largest_entry() -> None:
    X = np.array([[[[1.0, 5.0], [3.0, -2.0]]]])
    Y, cache = MaxPool2D(2).forward(X)
    assert Y.item() == 5.0
    assert np.array_equal(MaxPool2D(2).backward(np.array([[[[2.0]]]]), cache), [[[[0, 2.0], [0, 0]]]])


def test_im2col_agrees_with_a_direct_loop() -> None:
    layer, X = layer_problem()
    Y, _ = layer.forward(X)
    direct = np.zeros_like(Y)
    for o in range(4):
        for i in range(6):
            for j in range(6):
                direct[:, o, i, j] = (X[:, :, i:i + 3, j:j + 3] * layer.K[o]).sum(axis=(1, 2, 3)) + layer.b[o]
    assert np.allclose(Y, direct)


# -- the bugs ---------------------------------------------------------------------------------


def kernel_gradient_transposed(mp: pytest.MonkeyPatch) -> None:
    """(windows)ᵀ δ for δᵀ (windows), reshaped into the kernel's shape: right size, wrong values."""
    mp.setattr(conv, "kernel_gradient", lambda cols, delta: (cols.T @ delta).reshape(delta.shape[1], -1))


def input_gradient_not_flipped(mp: pytest.MonkeyPatch) -> None:
    """pad(δ) ⋆ K for pad(δ) ⋆ rot180(K): the kernel read in forward order on the way back."""
    def wrong(delta, K_rows, shape, kh, kw):  # noqa: ANN001, ANN202
        flipped = K_rows.reshape(K_rows.shape[0], -1, kh, kw)[:, :, ::-1, ::-1].reshape(K_rows.shape)
        return ORIGINAL["input_gradient"](delta, flipped, shape, kh, kw)

    mp.setattr(conv, "input_gradient", wrong)


def col2im_assigns(mp: pytest.MonkeyPatch) -> None:
    """col2im that writes each window back instead of adding: overlapping windows overwrite."""
    def wrong(cols, shape, kh, kw):  # noqa: ANN001, ANN202
        N, C, H, W = shape
        OH, OW = H - kh + 1, W - kw + 1
        grid = cols.reshape(N, OH, OW, C, kh, kw)
        out = np.zeros(shape)
        for u in range(kh):
            for v in range(kw):
                out[:, :, u:u + OH, v:v + OW] = grid[:, :, :, :, u, v].transpose(0, 3, 1, 2)
        return out

    mp.setattr(conv, "unwindows", wrong)


def bias_mean(mp: pytest.MonkeyPatch) -> None:
    """The bias gradient averaged over the positions instead of summed."""
    mp.setattr(conv, "conv_bias_gradient", lambda delta: delta.mean(axis=0))


def bias_not_summed(mp: pytest.MonkeyPatch) -> None:
    """δ itself for ∂L/∂b: one entry per position, not per channel."""
    mp.setattr(conv, "conv_bias_gradient", lambda delta: delta)


def pool_average(mp: pytest.MonkeyPatch) -> None:
    """δ/4 to every entry of the window: average pooling's rule."""
    mp.setattr(conv, "pool_backward", lambda delta, winner: np.ones_like(winner) * delta[..., None] / 4)


def pool_first_entry(mp: pytest.MonkeyPatch) -> None:
    """δ always to the window's first entry, wherever the maximum was."""
    def wrong(delta, winner):  # noqa: ANN001, ANN202
        first = np.zeros_like(winner)
        first[..., 0] = 1
        return first * delta[..., None]

    mp.setattr(conv, "pool_backward", wrong)


LAYER_BUGS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "kernel-gradient-transposed": kernel_gradient_transposed,
    "input-gradient-not-flipped": input_gradient_not_flipped,
    "col2im-assigns": col2im_assigns,
    "bias-mean": bias_mean,
    "bias-not-summed": bias_not_summed,
}
POOL_BUGS = {"pool-average": pool_average, "pool-first-entry": pool_first_entry}


def assert_caught(result: GradcheckResult) -> None:
    assert not result.passed, result.report()
    assert result.error or result.max_rel_error > 100 * result.threshold, result.report()


@pytest.mark.parametrize("bug", list(LAYER_BUGS))
def test_layer_check_catches(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    layer, X = layer_problem()
    LAYER_BUGS[bug](monkeypatch)
    assert_caught(layer_gradcheck(layer, X))


@pytest.mark.parametrize("bug", list(LAYER_BUGS) + list(POOL_BUGS))
def test_cnn_check_catches(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    net, X, Y = cnn_problem()
    {**LAYER_BUGS, **POOL_BUGS}[bug](monkeypatch)
    assert_caught(cnn_gradcheck(net, X, Y))


def test_a_wrong_shape_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    layer, X = layer_problem()
    bias_not_summed(monkeypatch)
    result = layer_gradcheck(layer, X)
    assert not result.passed and result.error and "b" in result.error


def test_the_cnn_learns_the_digits() -> None:
    from checker.training.datasets import load_digits

    ds = load_digits()
    X = images(ds.X_train[:600], (1, 8, 8))
    net = CNN.create((1, 8, 8), 10, seed=0)
    history = train_cnn(net, X, ds.y_train[:600], epochs=3, batch_size=32, lr=0.05,
                        X_val=images(ds.X_test, (1, 8, 8)), labels_val=ds.y_test)
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["val_accuracy"] > 0.6  # chance is 0.1
