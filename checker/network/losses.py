"""The costs, one tiny class each, in the manner of Nielsen's ``network2.py``.

Each cost has

* ``per_example(z_L, a_L, Y)`` — the loss of every column of the batch, shape ``(m,)``;
* ``fn(z_L, a_L, Y)`` — the batch cost J = (1/m) Σ_i L_i, a float;
* ``delta(z_L, a_L, Y, act)`` — δ^{(L)} = ∂J/∂z^{(L)} for the whole batch, shape ``(n_L, m)``.

**Where the 1/m lives.** J is a mean over the batch, so ∂J/∂z^{(L)} carries the factor 1/m, and
``delta`` is the one place that divides by m. Every δ^{(l)} below it is then ∂J/∂z^{(l)} with the
1/m already inside, and the weight and bias gradients (``batch-weight-gradient``,
``batch-bias-gradient``) need no further division: (1/m) Δ Aᵀ is computed as (Δ/m) Aᵀ.

``z_L`` is the output pre-activation, ``a_L`` = σ(z_L) the output, ``Y`` the targets, one column per
example. Losses that come from logits (softmax-ce, sigmoid-bce) are computed from ``z_L`` through
log-sum-exp / softplus, so they never take the log of a rounded-to-zero probability.
"""

from __future__ import annotations

import numpy as np

from checker.network.activations import Activation

Array = np.ndarray


def logsumexp(z: Array) -> Array:
    """log Σ_k e^{z_k} for every column, shifted by the column maximum so that nothing overflows."""
    top = z.max(axis=0)
    return top + np.log(np.exp(z - top).sum(axis=0))


def _softplus(z: Array) -> Array:
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class MeanSquaredError:
    """J = (1/m) Σ_i ½‖a^{(L)}_i − y_i‖², with any elementwise output activation."""

    name = "mse"
    output_activation: str | None = None  # free: chosen by the network
    from_logits = False  # per_example reads a_L

    @staticmethod
    def per_example(z_L: Array, a_L: Array, Y: Array) -> Array:
        """½‖a_i − y_i‖² for every column i."""
        r = a_L - Y
        return 0.5 * (r * r).sum(axis=0)

    @staticmethod
    def fn(z_L: Array, a_L: Array, Y: Array) -> float:
        """The batch mean of :meth:`per_example`."""
        return float(MeanSquaredError.per_example(z_L, a_L, Y).mean())

    @staticmethod
    def delta(z_L: Array, a_L: Array, Y: Array, act: Activation) -> Array:
        """mse-output-delta: δ^{(L)} = (a^{(L)} − y) ⊙ σ'(z^{(L)}), divided by m (see the module doc)."""
        d = a_L - Y
        d *= act.prime(z_L)
        d /= Y.shape[1]
        return d


class SoftmaxCrossEntropy:
    """J = −(1/m) Σ_i Σ_k y_ki log p_ki with p = softmax(z^{(L)}); each column of Y is a distribution."""

    name = "softmax-ce"
    output_activation = "softmax"
    from_logits = True  # per_example reads z_L only

    @staticmethod
    def per_example(z_L: Array, a_L: Array, Y: Array) -> Array:
        """−Σ_k y_k log p_k = Σ_k y_k (logsumexp(z) − z_k), computed from the logits."""
        return logsumexp(z_L) * Y.sum(axis=0) - (Y * z_L).sum(axis=0)

    @staticmethod
    def fn(z_L: Array, a_L: Array, Y: Array) -> float:
        """The batch mean of :meth:`per_example`."""
        return float(SoftmaxCrossEntropy.per_example(z_L, a_L, Y).mean())

    @staticmethod
    def delta(z_L: Array, a_L: Array, Y: Array, act: Activation) -> Array:
        """softmax-ce-gradient: δ^{(L)} = p − y (requires Σ_k y_k = 1 per column), divided by m."""
        # The softmax Jacobian diag(p) − p pᵀ times −y/p collapses to p − y; no Jacobian is formed.
        d = a_L - Y
        d /= Y.shape[1]
        return d


class SigmoidBinaryCrossEntropy:
    """J = −(1/m) Σ_i Σ_k [y log σ(z) + (1 − y) log(1 − σ(z))], one independent sigmoid per output."""

    name = "sigmoid-bce"
    output_activation = "sigmoid"
    from_logits = True  # per_example reads z_L only

    @staticmethod
    def per_example(z_L: Array, a_L: Array, Y: Array) -> Array:
        """Σ_k softplus(z_k) − y_k z_k, the same quantity written from the logits."""
        return (_softplus(z_L) - Y * z_L).sum(axis=0)

    @staticmethod
    def fn(z_L: Array, a_L: Array, Y: Array) -> float:
        """The batch mean of :meth:`per_example`."""
        return float(SigmoidBinaryCrossEntropy.per_example(z_L, a_L, Y).mean())

    @staticmethod
    def delta(z_L: Array, a_L: Array, Y: Array, act: Activation) -> Array:
        """sigmoid-bce-gradient: ∂L/∂z = σ(z) − y for the logit z = z^{(L)}, divided by m; σ' cancels."""
        d = a_L - Y
        d /= Y.shape[1]
        return d


def smooth_labels(Y: Array, epsilon: float) -> Array:
    """Label smoothing: ỹ = (1 − ε) y + ε/K for K classes (the rows of Y).

    Softmax-ce against ỹ has δ^{(L)} = p − ỹ = p − (1 − ε) y − (ε/K) 𝟏 (label-smoothing-ce-gradient):
    ỹ is again a distribution, so :class:`SoftmaxCrossEntropy` trains with it unchanged.
    """
    if not 0 <= epsilon < 1:
        raise ValueError(f"label smoothing needs 0 ≤ ε < 1, got {epsilon}")
    return (1 - epsilon) * Y + epsilon / Y.shape[0]


Loss = type[MeanSquaredError] | type[SoftmaxCrossEntropy] | type[SigmoidBinaryCrossEntropy]

LOSSES: dict[str, Loss] = {
    cls.name: cls for cls in (MeanSquaredError, SoftmaxCrossEntropy, SigmoidBinaryCrossEntropy)
}


def loss(name: str) -> Loss:
    """The loss called ``name``; the error lists the known names."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
