"""Every classic backprop bug, injected into the backward pass, is caught by the gradient checker.

Each bug replaces one of the named functions the backward pass calls (``checker.network.mlp``'s
``output_delta``, ``hidden_delta``, ``weight_gradient``, ``bias_gradient``,
``regularisation_gradient``, an entry of ``ACTIVATIONS``, or a function of ``checker.network.rownet``) with
the wrong formula. Only the backward pass changes; the cost, and hence the numeric gradient, stays
right, so the check must fail.

Shape errors: a missing transpose between non-square matrices cannot even be multiplied. That
counts as caught when the checker *reports* a failed check naming the error, not when it crashes:
the test calls the checker without ``pytest.raises`` and asserts ``passed is False`` and the message.
The same holds for a gradient returned with the wrong shape (a bias summed over the wrong axis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pytest

from checker.network import activations, gradcheck, losses, mlp, rownet
from checker.network.activations import Activation, sigmoid, sigmoid_prime
from checker.network.gradcheck import GradcheckResult
from checker.network.mlp import MLP

NAMED = ("output_delta", "hidden_delta", "weight_gradient", "bias_gradient", "regularisation_gradient")
ORIGINAL = {name: getattr(mlp, name) for name in NAMED}


@dataclass(frozen=True)
class Net:
    """The network a bug is injected into: non-square by default, so transposes matter."""

    sizes: tuple[int, ...] = (3, 5, 4, 2)
    activation: str = "tanh"
    loss: str = "softmax-ce"
    l1: float = 0.0
    l2: float = 0.0
    batch: int = 6

    def build(self) -> tuple[MLP, np.ndarray, np.ndarray]:
        model = MLP.create(self.sizes, self.activation, self.loss, l1=self.l1, l2=self.l2, seed=7)
        X, Y = gradcheck.random_problem(model, self.batch, seed=8)
        return model, X, Y


class Tracker:
    """Remembers the network whose backward pass is running, for bugs that reach into other layers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.model: MLP | None = None
        original = MLP.backward

        def backward(model: MLP, cache: mlp.Cache, Y: np.ndarray) -> mlp.Grads:
            self.model = model
            return original(model, cache, Y)

        monkeypatch.setattr(MLP, "backward", backward)


# -- the bugs ---------------------------------------------------------------------------------
# Each takes pytest's monkeypatch and installs one wrong formula.


def missing_transpose(mp: pytest.MonkeyPatch) -> None:
    """δ^{(l)} = W^{(l+1)} δ^{(l+1)} ⊙ σ'(z): W for Wᵀ."""
    mp.setattr(mlp, "hidden_delta", lambda W, d, z, act: (W @ d) * act.prime(z))


def activation_for_derivative(mp: pytest.MonkeyPatch) -> None:
    """σ(z) where σ'(z) belongs (the table entry's prime is σ itself)."""
    tanh = activations.ACTIVATIONS["tanh"]
    mp.setitem(activations.ACTIVATIONS, "tanh", replace(tanh, prime=tanh.fn))


def derivative_of_activation(mp: pytest.MonkeyPatch) -> None:
    """σ'(a) = σ'(σ(z)) where σ'(z) belongs."""
    mp.setattr(mlp, "hidden_delta", lambda W, d, z, act: (W.T @ d) * act.prime(act.fn(z)))


def sigmoid_specific(mp: pytest.MonkeyPatch) -> None:
    """a ⊙ (1 − a) for σ'(z) in a tanh network: right only for the sigmoid."""
    mp.setattr(mlp, "hidden_delta", lambda W, d, z, act: (W.T @ d) * (act.fn(z) * (1 - act.fn(z))))


def missing_activation_derivative(mp: pytest.MonkeyPatch) -> None:
    """δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)}, the σ'(z) factor left out."""
    mp.setattr(mlp, "hidden_delta", lambda W, d, z, act: W.T @ d)


def missing_one_over_m(mp: pytest.MonkeyPatch) -> None:
    """δ^{(L)} not divided by m: the gradient of the summed loss, not of the mean."""
    right = ORIGINAL["output_delta"]
    mp.setattr(mlp, "output_delta", lambda loss, z, a, Y, act: right(loss, z, a, Y, act) * Y.shape[1])


def sign_flip(mp: pytest.MonkeyPatch) -> None:
    """y − p for p − y."""
    right = ORIGINAL["output_delta"]
    mp.setattr(mlp, "output_delta", lambda loss, z, a, Y, act: -right(loss, z, a, Y, act))


def softmax_diagonal_jacobian(mp: pytest.MonkeyPatch) -> None:
    """∂L/∂p = −y/p pushed through diag(p(1 − p)) only, dropping −p pᵀ: δ = −y(1 − p)/m."""
    wrong = staticmethod(lambda z, p, Y, act: -Y * (1 - p) / Y.shape[1])
    mp.setattr(losses.SoftmaxCrossEntropy, "delta", wrong)


def bce_extra_sigmoid_prime(mp: pytest.MonkeyPatch) -> None:
    """(σ(z) − y) ⊙ σ'(z): the σ' that the cross-entropy cancels, multiplied in anyway."""
    mp.setattr(
        losses.SigmoidBinaryCrossEntropy,
        "delta",
        staticmethod(lambda z, a, Y, act: (sigmoid(z) - Y) * sigmoid_prime(z) / Y.shape[1]),
    )


def mse_missing_derivative(mp: pytest.MonkeyPatch) -> None:
    """δ^{(L)} = a − y for the mse loss with a sigmoid output: σ'(z^{(L)}) left out."""
    mp.setattr(losses.MeanSquaredError, "delta", staticmethod(lambda z, a, Y, act: (a - Y) / Y.shape[1]))


def weight_gradient_transposed(mp: pytest.MonkeyPatch) -> None:
    """(δ aᵀ)ᵀ = a δᵀ for δ aᵀ, in a network of square layers (right shape, wrong values)."""
    mp.setattr(mlp, "weight_gradient", lambda d, a: (d @ a.T).T)


def wrong_layer(mp: pytest.MonkeyPatch) -> None:
    """W^{(l)} where W^{(l+1)} belongs in the hidden delta (square layers, so the shapes fit)."""
    tracker = Tracker(mp)

    def hidden_delta(W_next: np.ndarray, d: np.ndarray, z: np.ndarray, act: Activation) -> np.ndarray:
        assert tracker.model is not None
        weights = tracker.model.weights
        k = next(i for i, W in enumerate(weights) if W is W_next)  # W_next is weights[k] = W^{(k+1)}
        return ORIGINAL["hidden_delta"](weights[k - 1], d, z, act)

    mp.setattr(mlp, "hidden_delta", hidden_delta)


def regularised_bias(mp: pytest.MonkeyPatch) -> None:
    """∂J/∂b gets λ₂ b added, as if biases were weights (weight decay on every parameter)."""
    tracker = Tracker(mp)

    def bias_gradient(d: np.ndarray) -> np.ndarray:
        assert tracker.model is not None
        # the widths are distinct, so δ's row count names the layer
        b = next(b for b in tracker.model.biases if b.shape[0] == d.shape[0])
        return ORIGINAL["bias_gradient"](d) + tracker.model.l2 * b

    mp.setattr(mlp, "bias_gradient", bias_gradient)


def l1_with_weights(mp: pytest.MonkeyPatch) -> None:
    """The L1 gradient λ₁ W for λ₁ sign(W): the L2 rule where L1 belongs."""
    mp.setattr(mlp, "regularisation_gradient", lambda W, l1, l2: l2 * W + l1 * W)


def l2_half(mp: pytest.MonkeyPatch) -> None:
    """λ₂ W / 2 for λ₂ W: the ½ of the penalty kept after differentiating."""
    mp.setattr(mlp, "regularisation_gradient", lambda W, l1, l2: 0.5 * l2 * W + l1 * np.sign(W))


def bias_wrong_axis(mp: pytest.MonkeyPatch) -> None:
    """∂J/∂b summed over the units (axis 0) instead of the examples: a 1×m row, not n_l×1."""
    mp.setattr(mlp, "bias_gradient", lambda d: d.sum(axis=0, keepdims=True))


@dataclass(frozen=True)
class Bug:
    inject: Callable[[pytest.MonkeyPatch], None]
    net: Net = Net()
    shape_error: bool = False  # the bug cannot even run: the checker must report it, not crash


SQUARE = Net(sizes=(4, 4, 4, 4))

BUGS = {
    "missing-transpose-shape-error": Bug(missing_transpose, shape_error=True),
    "missing-transpose-square": Bug(missing_transpose, SQUARE),
    "activation-instead-of-derivative": Bug(activation_for_derivative),
    "derivative-of-activation-sigma-prime-of-a": Bug(derivative_of_activation),
    "sigmoid-specific-derivative": Bug(sigmoid_specific),
    "missing-activation-derivative": Bug(missing_activation_derivative),
    "missing-one-over-m": Bug(missing_one_over_m),
    "sign-flip": Bug(sign_flip),
    "softmax-diagonal-jacobian": Bug(softmax_diagonal_jacobian),
    "bce-extra-sigmoid-prime": Bug(bce_extra_sigmoid_prime, Net(loss="sigmoid-bce")),
    "mse-missing-output-derivative": Bug(mse_missing_derivative, Net(activation="sigmoid", loss="mse")),
    "weight-gradient-transposed": Bug(weight_gradient_transposed, SQUARE),
    "wrong-layer": Bug(wrong_layer, SQUARE),
    "regularised-bias": Bug(regularised_bias, Net(l2=0.5)),
    "l1-rule-with-W-not-sign": Bug(l1_with_weights, Net(l1=0.05)),
    "l2-gradient-halved": Bug(l2_half, Net(l2=0.5)),
    "bias-gradient-wrong-axis": Bug(bias_wrong_axis, shape_error=True),
}


def _assert_caught(result: GradcheckResult, bug: Bug) -> None:
    assert not result.passed, result.report()
    if bug.shape_error:
        assert result.error, result.report()
        assert "backward pass raised" in result.error or "is 1×" in result.error
    else:
        assert result.error is None
        assert result.max_rel_error > 100 * result.threshold, result.report()
        assert result.worst and result.worst[0].param[0] in "Wb"


@pytest.mark.parametrize("bug_id", list(BUGS))
def test_full_mode_catches(bug_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bug = BUGS[bug_id]
    model, X, Y = bug.net.build()
    clean = gradcheck.gradcheck(model, X, Y)
    assert clean.passed, clean.report()  # the same network passes before the bug goes in
    bug.inject(monkeypatch)
    _assert_caught(gradcheck.gradcheck(model, X, Y, mode="full"), bug)


@pytest.mark.parametrize("bug_id", list(BUGS))
def test_fast_mode_catches(bug_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bug = BUGS[bug_id]
    model, X, Y = bug.net.build()
    bug.inject(monkeypatch)
    _assert_caught(gradcheck.gradcheck(model, X, Y, mode="fast"), bug)


def test_control_unpatched_network_passes() -> None:
    for net in {bug.net for bug in BUGS.values()}:
        model, X, Y = net.build()
        for mode in ("full", "fast"):
            result = gradcheck.gradcheck(model, X, Y, mode=mode)
            assert result.passed, result.report()
            assert result.error is None


# -- the row-convention network ----------------------------------------------------------------


def _row_problem(d: int = 3, h: int = 4, c: int = 4, m: int = 5) -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((m, d))
    Y = np.eye(c)[rng.integers(0, c, m)]
    return rownet.init_params(d, h, c, seed=4), X, Y


def test_rownet_control_passes() -> None:
    result = gradcheck.rownet_gradcheck(*_row_problem())
    assert result.passed, result.report()


def test_rownet_row_column_mixup(monkeypatch: pytest.MonkeyPatch) -> None:
    """dW2 = delta3ᵀ A1, the column convention's δ aᵀ, in the row network (h = c: shapes fit)."""
    monkeypatch.setattr(rownet, "row_grad_W2", lambda a1, delta3: delta3.T @ a1)
    result = gradcheck.rownet_gradcheck(*_row_problem(h=4, c=4))
    assert not result.passed and result.error is None, result.report()
    assert result.worst[0].param == "W2"


def test_rownet_row_column_mixup_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same mix-up with h ≠ c gives dW2 the transposed shape: a reported failure, not a crash."""
    monkeypatch.setattr(rownet, "row_grad_W2", lambda a1, delta3: delta3.T @ a1)
    result = gradcheck.rownet_gradcheck(*_row_problem(h=5, c=3))
    assert not result.passed
    assert result.error is not None and "W2" in result.error and "transpose" in result.error


def test_rownet_db_wrong_axis(monkeypatch: pytest.MonkeyPatch) -> None:
    """db summed over the classes (axis 1) instead of the examples: an m×1 column, not 1×c."""
    monkeypatch.setattr(rownet, "row_grad_b", lambda delta: delta.sum(axis=1, keepdims=True))
    result = gradcheck.rownet_gradcheck(*_row_problem())
    assert not result.passed
    assert result.error is not None and "b" in result.error


def test_rownet_hidden_delta_without_transpose(monkeypatch: pytest.MonkeyPatch) -> None:
    """delta3 W2 for delta3 W2ᵀ (h = c, so it runs) gives a wrong value."""
    monkeypatch.setattr(rownet, "row_hidden_delta", lambda delta3, W2, a1: (delta3 @ W2) * (1 - a1 * a1))
    result = gradcheck.rownet_gradcheck(*_row_problem(h=4, c=4))
    assert not result.passed and result.error is None, result.report()
    assert result.worst[0].param in ("W1", "b1")
