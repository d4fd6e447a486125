"""Proximal steps for the weight penalties: the penalty solved exactly after a gradient step on J.

l1-proximal-step: after U = W − η ∂J/∂W, the L1 penalty λ‖W‖₁ is applied as soft-thresholding by
ηλ, which sets every |U_ij| ≤ ηλ to exactly 0 (the subgradient step of l1-update never does: it
overshoots and flips sign); the L2 penalty's proximal step U / (1 + ηλ) shrinks every entry by the
same factor.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def soft_threshold(U: Array, t: float) -> Array:
    """l1-proximal-step: max(u − t, 0) − max(−u − t, 0) = sign(u) max(|u| − t, 0) for each entry u of U."""
    return np.sign(U) * np.maximum(np.abs(U) - t, 0.0)


def l1_proximal_step(W: Array, G: Array, eta: float, lam: float) -> Array:
    """One proximal-gradient step on J(W) + λ‖W‖₁: soft-thresholding of W − ηG by ηλ."""
    return soft_threshold(W - eta * G, eta * lam)


def l2_proximal_step(W: Array, G: Array, eta: float, lam: float) -> Array:
    """One proximal-gradient step on J(W) + λ/2 ‖W‖²_F: (W − ηG) / (1 + ηλ), never exactly 0."""
    return (W - eta * G) / (1 + eta * lam)
