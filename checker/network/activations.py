"""Activation functions σ and their derivatives σ', one small pure function each.

Every function keeps the dtype of its argument (a float32 network stays float32 end to end), and
every derivative is written as a function of the pre-activation ``z`` — the course's σ'(z^{(l)}) —
never of the activation ``a``: σ'(a) is a classic mistake, and keeping the argument ``z`` makes it
visible.

``kinks`` lists the points where σ is not twice differentiable; a central difference whose
stencil straddles one of them is not trustworthy, so the gradient checker avoids them.
ELU with α = 1 has a continuous first derivative at 0 but a jump in the second, which is enough
to spoil a central difference to O(h), so 0 counts as a kink there too.

Softmax is not elementwise: it is the output activation of the ``softmax-ce`` loss only, and its
derivative is a full Jacobian (``softmax-jacobian``) that the loss folds into δ^{(L)} = p − y.
It therefore lives apart from :data:`ACTIVATIONS`, in :data:`SOFTMAX`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.1  # LeakyReLU(z) = max(0.1 z, z), as in the course
ELU_ALPHA = 1.0


@dataclass(frozen=True)
class Activation:
    """An elementwise activation: its name, σ, σ' (as a function of z) and its kink points."""

    name: str
    fn: Callable[[Array], Array]
    prime: Callable[[Array], Array]
    kinks: tuple[float, ...]


def identity(z: Array) -> Array:
    """σ(z) = z."""
    return z


def identity_prime(z: Array) -> Array:
    """σ'(z) = 1."""
    return np.ones_like(z)


def sigmoid(z: Array) -> Array:
    """Logistic sigmoid 1/(1 + e^{−z}), without overflow for large |z|."""
    # e^{-|z|} never overflows; the two branches are the same function written for each sign.
    e = np.exp(-np.abs(z))
    r = 1 / (1 + e)
    return np.where(z >= 0, r, e * r)


def sigmoid_prime(z: Array) -> Array:
    """sigmoid-derivative: σ'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: Array) -> Array:
    """tanh(z)."""
    return np.tanh(z)


def tanh_prime(z: Array) -> Array:
    """tanh-derivative: 1 − tanh²(z)."""
    t = np.tanh(z)
    return 1 - t * t


def relu(z: Array) -> Array:
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z: Array) -> Array:
    """relu-derivative: 𝟙[z > 0] (0 is taken at the kink itself)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: Array) -> Array:
    """LeakyReLU(z) = max(0.1 z, z)."""
    return np.maximum(z, LEAKY_SLOPE * z)


def leaky_relu_prime(z: Array) -> Array:
    """leaky-relu-derivative: 1 where z > 0, 0.1 where z < 0 (0.1 at the kink)."""
    one, slope = z.dtype.type(1), z.dtype.type(LEAKY_SLOPE)
    return np.where(z > 0, one, slope)


def elu(z: Array) -> Array:
    """ELU(z) = z for z ≥ 0, α(e^z − 1) for z < 0, with α = 1."""
    # expm1 of min(z, 0) keeps e^z from overflowing on the branch np.where discards.
    return np.where(z >= 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0)))


def elu_prime(z: Array) -> Array:
    """elu-derivative: 1 where z > 0, αe^z where z < 0."""
    return np.where(z > 0, z.dtype.type(1), ELU_ALPHA * np.exp(np.minimum(z, 0)))


def softplus(z: Array) -> Array:
    """softplus(z) = log(1 + e^z), computed as max(z, 0) + log1p(e^{−|z|}) so it never overflows."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z: Array) -> Array:
    """softplus-derivative: the sigmoid σ(z)."""
    return sigmoid(z)


def softmax(z: Array) -> Array:
    """Softmax over each column (axis 0); shifting by the column maximum avoids overflow."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    e /= e.sum(axis=0, keepdims=True)
    return e


def softmax_jacobian(p: Array) -> Array:
    """softmax-jacobian: ∂p/∂z = diag(p) − p pᵀ for one column p (shape (n,) or (n, 1))."""
    p = p.reshape(-1)
    return np.diag(p) - np.outer(p, p)


def _softmax_prime(z: Array) -> Array:
    raise TypeError(
        "softmax has no elementwise derivative: its Jacobian is diag(p) − p pᵀ (softmax_jacobian); "
        "with the cross-entropy loss δ^{(L)} = p − y is computed by the loss (softmax-ce-gradient)"
    )


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", identity, identity_prime, ()),
        Activation("sigmoid", sigmoid, sigmoid_prime, ()),
        Activation("tanh", tanh, tanh_prime, ()),
        Activation("relu", relu, relu_prime, (0.0,)),
        Activation("leaky-relu", leaky_relu, leaky_relu_prime, (0.0,)),
        Activation("elu", elu, elu_prime, (0.0,)),
        Activation("softplus", softplus, softplus_prime, ()),
    )
}

SOFTMAX = Activation("softmax", softmax, _softmax_prime, ())

# Gain of the scaled Gaussian initialisation: He (√2) where half the units are cut off.
INIT_GAIN: dict[str, float] = {"relu": 2**0.5, "leaky-relu": 2**0.5, "elu": 2**0.5}


def activation(name: str) -> Activation:
    """The activation called ``name``: one of :data:`ACTIVATIONS`, or ``softmax``.

    Looked up at call time, so replacing an entry of :data:`ACTIVATIONS` (as the injected-bug tests
    do) changes every network that uses it.
    """
    if name == SOFTMAX.name:
        return SOFTMAX
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join([*ACTIVATIONS, SOFTMAX.name])
        raise ValueError(f"unknown activation {name!r}; known: {known}") from None
