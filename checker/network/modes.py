"""∂y/∂x of the reference MLP in both orders of the chain rule, counting the work each takes.

The Jacobian is a product of layer Jacobians, J = D_L W_L ⋯ D_1 W_1 with D_l = diag(σ'(z^{(l)}))
(input-gradient). Matrix products are associative, so the product can be formed in either order
(reverse-vs-forward-mode):

* forward mode carries ∂z^{(l)}/∂x, n_l × n_0, up from the input: a Jacobian–vector product per
  input direction, n_0 of them for the whole Jacobian, Σ_l n_l n_{l−1} multiply-adds each;
* reverse mode carries ∂y_k/∂a^{(l)} down from the output: a vector–Jacobian product per output,
  n_L of them, the same Σ_l n_l n_{l−1} each. Backpropagation is reverse mode with one output, the
  scalar loss: one pass gives the gradient with respect to every input and weight.

The diagonal factors cost n_l per column and are left out of the counts.
"""

from __future__ import annotations

import numpy as np

from checker.network.mlp import MLP

Array = np.ndarray


def _derivatives(model: MLP, x: Array) -> list[Array]:
    """σ'(z^{(l)}) for l = 1..L at one example (softmax outputs are not supported here)."""
    cache = model.forward(np.asarray(x, float).reshape(-1, 1))
    return [model.act(l).prime(cache.z[l]) for l in range(1, model.depth + 1)]


def jvp(model: MLP, x: Array, V: Array) -> tuple[Array, int]:
    """Forward mode: (∂y/∂x) V for a block of directions V (n_0 × k), and the multiply-adds used.

    σ'(z^{(l)}) ⊙ (W^{(l)} T) layer by layer, from the input up."""
    T, work = np.asarray(V, float), 0
    for W, d in zip(model.weights, _derivatives(model, x), strict=True):
        work += W.shape[0] * W.shape[1] * T.shape[1]
        T = d * (W @ T)
    return T, work


def vjp(model: MLP, x: Array, G: Array) -> tuple[Array, int]:
    """Reverse mode: (∂y/∂x)ᵀ G for a block of output weights G (n_L × k), and the multiply-adds.

    (W^{(l)})ᵀ (σ'(z^{(l)}) ⊙ R) layer by layer, from the output down: the backward pass."""
    R, work = np.asarray(G, float), 0
    for W, d in zip(model.weights[::-1], _derivatives(model, x)[::-1], strict=True):
        work += W.shape[0] * W.shape[1] * R.shape[1]
        R = W.T @ (d * R)
    return R, work


def jacobian(model: MLP, x: Array, mode: str) -> tuple[Array, int]:
    """The whole n_L × n_0 Jacobian by ``mode`` ``"forward"`` (n_0 JVPs) or ``"reverse"`` (n_L VJPs)."""
    if mode == "forward":
        return jvp(model, x, np.eye(model.sizes[0]))
    if mode == "reverse":
        R, work = vjp(model, x, np.eye(model.sizes[-1]))
        return R.T, work
    raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")


def predicted_work(sizes: list[int], mode: str) -> int:
    """The multiply-adds of :func:`jacobian`: n_0 (forward) or n_L (reverse) times Σ_l n_l n_{l−1}."""
    per_pass = sum(a * b for a, b in zip(sizes[1:], sizes[:-1], strict=True))
    return (sizes[0] if mode == "forward" else sizes[-1]) * per_pass
