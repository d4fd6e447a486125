"""The slides' row-convention network, exactly as their NumPy code writes it.

Rows are examples: ``X`` is ``(m, d)``, ``Y`` one-hot rows ``(m, c)``::

    Z1 = X W1 + b1,   A1 = tanh(Z1),   Z2 = A1 W2 + b2,   P = softmax(Z2) per row,
    L = −Σ_n Σ_c Y_nc log P_nc          (a SUM over the batch, as in the slides — no 1/m)

W1 is (d, h), b1 (1, h), W2 (h, c), b2 (1, c). The backward pass (derivation ``row-backprop``) is one
small function per formula, called through this module at run time so that a test can replace one::

    delta3 = P − Y                          row_output_delta   (row-output-delta)
    delta2 = delta3 W2ᵀ ⊙ (1 − A1²)         row_hidden_delta   (row-hidden-delta)
    dW2 = A1ᵀ delta3,  db2 = 𝟏ᵀ delta3       row_grad_W2, row_grad_b (row-grad-W2, row-grad-b2)
    dW1 = Xᵀ delta2,   db1 = 𝟏ᵀ delta2       row_grad_W1, row_grad_b (row-grad-W1)
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray
Params = dict[str, Array]


def init_params(d: int, h: int, c: int, seed: int = 0) -> Params:
    """W1, b1, W2, b2 with the scaled Gaussian initialisation (1/√fan_in), small random biases."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((d, h)) / np.sqrt(d),
        "b1": rng.standard_normal((1, h)) * 0.1,
        "W2": rng.standard_normal((h, c)) / np.sqrt(h),
        "b2": rng.standard_normal((1, c)) * 0.1,
    }


def _log_softmax_rows(Z: Array) -> Array:
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def row_forward(params: Params, X: Array) -> dict[str, Array]:
    """The forward pass; the cache holds ``X``, ``z1``, ``a1``, ``z2`` and ``probs`` (the slides' names)."""
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    probs = np.exp(_log_softmax_rows(z2))
    return {"X": X, "z1": z1, "a1": a1, "z2": z2, "probs": probs}


def row_loss(params: Params, X: Array, Y: Array) -> float:
    """L = −Σ_n Σ_c Y_nc log P_nc, summed over the batch, via a stable log-softmax."""
    cache = row_forward(params, X)
    return float(-(Y * _log_softmax_rows(cache["z2"])).sum())


def row_output_delta(probs: Array, Y: Array) -> Array:
    """row-output-delta: delta3 = ∂L/∂Z2 = P − Y (no 1/m: L is a sum)."""
    return probs - Y


def row_hidden_delta(delta3: Array, W2: Array, a1: Array) -> Array:
    """row-hidden-delta: delta2 = (delta3 W2ᵀ) ⊙ (1 − A1 ⊙ A1), tanh' written through A1 = tanh(Z1)."""
    return (delta3 @ W2.T) * (1 - a1 * a1)


def row_grad_W2(a1: Array, delta3: Array) -> Array:
    """row-grad-W2: ∂L/∂W2 = A1ᵀ delta3 (rows are examples, so the sum over examples is A1ᵀ ·)."""
    return a1.T @ delta3


def row_grad_W1(X: Array, delta2: Array) -> Array:
    """row-grad-W1: ∂L/∂W1 = Xᵀ delta2."""
    return X.T @ delta2


def row_grad_b(delta: Array) -> Array:
    """row-grad-b2 (and b1): the column sums 𝟏ᵀ delta, shape (1, n) like the bias row."""
    return delta.sum(axis=0, keepdims=True)


def row_backward(params: Params, cache: dict[str, Array], Y: Array) -> dict[str, Array]:
    """delta3, delta2 and the gradients dW2, db2, dW1, db1 of the summed loss (derivation row-backprop)."""
    delta3 = row_output_delta(cache["probs"], Y)
    delta2 = row_hidden_delta(delta3, params["W2"], cache["a1"])
    return {
        "delta3": delta3,
        "delta2": delta2,
        "dW2": row_grad_W2(cache["a1"], delta3),
        "db2": row_grad_b(delta3),
        "dW1": row_grad_W1(cache["X"], delta2),
        "db1": row_grad_b(delta2),
    }
