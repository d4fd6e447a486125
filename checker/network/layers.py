"""Dropout and batch normalisation as layers with a forward and a backward pass.

Column convention, as in :mod:`checker.network.mlp`: a batch ``X`` is ``(n, m)``, one example per
column, one feature (unit) per row. Each backward pass takes ``dY = ∂L/∂Y`` and returns the
gradients, written from the derivation it cites; :mod:`checker.network.central_difference` holds
them against central differences in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


# --------------------------------------------------------------------------------- dropout


@dataclass
class Dropout:
    """Inverted dropout (dropout-backward): each unit is dropped with probability ``p`` during
    training, and the kept ones are scaled by 1/(1 − p) in the same pass, so E[Y] = X and nothing
    changes at test time. The backward pass uses the same mask and the same scale."""

    p: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.p < 1:
            raise ValueError(f"the drop probability must be in [0, 1), got {self.p:g}")

    def mask(self, shape: tuple[int, ...], rng: np.random.Generator) -> Array:
        """A 0/1 mask, each entry 1 (kept) with probability 1 − p."""
        return (rng.random(shape) >= self.p).astype(float)

    def forward(self, X: Array, mask: Array) -> Array:
        """Y = (X ⊙ r) / (1 − p) with the mask r."""
        return X * mask / (1 - self.p)

    def backward(self, dY: Array, mask: Array) -> Array:
        """dropout-backward: ∂L/∂X = (∂L/∂Y ⊙ r) / (1 − p), the mask and the scale of the forward pass."""
        return dY * mask / (1 - self.p)


# ----------------------------------------------------------------------------- batch norm


@dataclass
class BatchNormCache:
    """What the backward pass needs: the normalised batch X̂ and √(σ² + ε) of each feature."""

    x_hat: Array
    std: Array


@dataclass
class BatchNorm:
    """Batch normalisation of each feature (row) over the m examples of a mini-batch (training mode):
    μ = X𝟏/m, σ² = ((X − μ𝟏ᵀ)⊙(X − μ𝟏ᵀ))𝟏/m, X̂ = (X − μ𝟏ᵀ) ⊘ √(σ² + ε), Y = γ ⊙ X̂ + β."""

    eps: float = 1e-5

    def forward(self, X: Array, gamma: Array, beta: Array) -> tuple[Array, BatchNormCache]:
        """Y and the cache; ``gamma`` and ``beta`` are ``(n, 1)``."""
        mu = X.mean(axis=1, keepdims=True)
        centred = X - mu
        std = np.sqrt((centred * centred).mean(axis=1, keepdims=True) + self.eps)
        x_hat = centred / std
        return gamma * x_hat + beta, BatchNormCache(x_hat, std)

    def backward(self, dY: Array, gamma: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
        """batchnorm-backward, compact form, row by row (one feature's m values at a time):

        ∂L/∂x = γ/(m √(σ²+ε)) (m g − (𝟏ᵀg)𝟏 − x̂ (x̂ᵀg)),  ∂L/∂γ = x̂ᵀg,  ∂L/∂β = 𝟏ᵀg,  g = ∂L/∂y.
        Returns (∂L/∂X, ∂L/∂γ, ∂L/∂β).
        """
        m = dY.shape[1]
        x_hat = cache.x_hat
        d_beta = dY.sum(axis=1, keepdims=True)
        d_gamma = (dY * x_hat).sum(axis=1, keepdims=True)
        dX = gamma / (m * cache.std) * (m * dY - d_beta - x_hat * d_gamma)
        return dX, d_gamma, d_beta
