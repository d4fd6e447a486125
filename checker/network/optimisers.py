"""The optimisers of the course, one small class each, every update citing its derivation.

An optimiser updates a list of parameter arrays in place from their gradients, and keeps one
state array per parameter (a velocity, a running mean of squares, ...) under a name that matches
the derivation's symbol (``v``, ``s``, ``m``). For a parameter W with gradient G = ∂J/∂W:

    SGD       W ← W − ηG
    Momentum  v ← μv − ηG;  W ← W + v                                   (momentum-update)
    Nesterov  v ← μv − ηG;  W ← W + μv − ηG, G taken at the stored W,
              which is the look-ahead point W + μv of the textbook form   (momentum-update)
    AdaGrad   s ← s + G⊙G;  W ← W − ηG ⊘ (√s + ε)                      (adagrad-update)
    RMSProp   s ← ρs + (1−ρ)G⊙G;  W ← W − ηG ⊘ (√s + ε)                 (rmsprop-update)
    Adam      m ← β₁m + (1−β₁)G;  v ← β₂v + (1−β₂)G⊙G;
              W ← W − η m̂ ⊘ (√v̂ + ε),  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ)   (adam-update)
    AdamW     Adam's step, then the decoupled decay −ηλW                 (adamw-decoupled-decay)

Square roots, squares and divisions are elementwise. ``step`` works in the arrays' own dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

Array = np.ndarray


@dataclass
class Optimiser:
    """Plain gradient descent, W ← W − ηG; the base of the others (state, step counting)."""

    lr: float = 0.1
    t: int = 0
    state: dict[str, list[Array]] = field(default_factory=dict)

    STATE: ClassVar[tuple[str, ...]] = ()

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """One update of every parameter, in place; the gradients are left unchanged."""
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        if not self.state and self.STATE:
            self.state = {name: [np.zeros_like(p) for p in params] for name in self.STATE}
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if p.shape != g.shape:
                raise ValueError(f"parameter {i} is {p.shape} but its gradient is {g.shape}")
            self.update(i, p, g)

    def update(self, i: int, p: Array, g: Array) -> None:
        """Update parameter ``i`` in place from its gradient ``g``."""
        p -= self.lr * g

    def _state(self, name: str, i: int) -> Array:
        return self.state[name][i]


@dataclass
class Momentum(Optimiser):
    """momentum-update, classical: v ← μv − ηG; W ← W + v."""

    mu: float = 0.9
    STATE: ClassVar[tuple[str, ...]] = ("v",)

    def update(self, i: int, p: Array, g: Array) -> None:
        """momentum-update, classical: v ← μv − ηG, then W ← W + v."""
        v = self._state("v", i)
        v *= self.mu
        v -= self.lr * g
        p += v


@dataclass
class Nesterov(Optimiser):
    """momentum-update, Nesterov in the shifted variable W̃ = W + μv (the look-ahead point):
    v ← μv − ηG(W̃); W̃ ← W̃ + μv_{t+1} − ηG(W̃). The stored parameters are W̃, so the gradient the
    caller passes, taken at the stored parameters, is the look-ahead gradient."""

    mu: float = 0.9
    STATE: ClassVar[tuple[str, ...]] = ("v",)

    def update(self, i: int, p: Array, g: Array) -> None:
        """momentum-update, Nesterov: v ← μv − ηG, then W̃ ← W̃ + μv − ηG with the new v."""
        v = self._state("v", i)
        v *= self.mu
        v -= self.lr * g
        p += self.mu * v - self.lr * g


@dataclass
class AdaGrad(Optimiser):
    """adagrad-update: s ← s + G⊙G; W ← W − ηG ⊘ (√s + ε)."""

    eps: float = 1e-8
    STATE: ClassVar[tuple[str, ...]] = ("s",)

    def update(self, i: int, p: Array, g: Array) -> None:
        """adagrad-update: s ← s + G⊙G, then W ← W − ηG ⊘ (√s + ε)."""
        s = self._state("s", i)
        s += g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


@dataclass
class RMSProp(Optimiser):
    """rmsprop-update: s ← ρs + (1−ρ)G⊙G; W ← W − ηG ⊘ (√s + ε)."""

    rho: float = 0.9
    eps: float = 1e-8
    STATE: ClassVar[tuple[str, ...]] = ("s",)

    def update(self, i: int, p: Array, g: Array) -> None:
        """rmsprop-update: s ← ρs + (1 − ρ)G⊙G, then W ← W − ηG ⊘ (√s + ε)."""
        s = self._state("s", i)
        s *= self.rho
        s += (1 - self.rho) * g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


@dataclass
class Adam(Optimiser):
    """adam-update: running means m of G and v of G⊙G, bias-corrected by 1 − βᵗ (E[m̂_t] = E[G])."""

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    STATE: ClassVar[tuple[str, ...]] = ("m", "v")

    def corrected(self, i: int) -> tuple[Array, Array]:
        """adam-update's bias correction: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) after ``t`` steps."""
        m, v = self._state("m", i), self._state("v", i)
        return m / (1 - self.beta1**self.t), v / (1 - self.beta2**self.t)

    def update(self, i: int, p: Array, g: Array) -> None:
        """adam-update: both moments, then W ← W − η m̂ ⊘ (√v̂ + ε)."""
        m, v = self._state("m", i), self._state("v", i)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat, v_hat = self.corrected(i)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


@dataclass
class AdamW(Adam):
    """adamw-decoupled-decay: Adam's step on the gradient of J alone, and the decay −ηλW beside
    it, so every weight shrinks by the same factor 1 − ηλ whatever its gradient history."""

    weight_decay: float = 0.01

    def update(self, i: int, p: Array, g: Array) -> None:
        """adamw-decoupled-decay: (1 − ηλ)W − η m̂ ⊘ (√v̂ + ε), the decay taken from W before the step."""
        decay = self.lr * self.weight_decay * p
        super().update(i, p, g)
        p -= decay


OPTIMISERS: dict[str, type[Optimiser]] = {
    "sgd": Optimiser,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adam": Adam,
    "adamw": AdamW,
}


def optimiser(name: str, lr: float, **settings: float) -> Optimiser:
    """An optimiser by name (see :data:`OPTIMISERS`) with learning rate ``lr``; the error lists the names."""
    if name not in OPTIMISERS:
        raise ValueError(f"unknown optimiser {name!r}; known: {', '.join(OPTIMISERS)}")
    if lr <= 0:
        raise ValueError(f"the learning rate must be positive, got {lr:g}")
    return OPTIMISERS[name](lr=lr, **settings)
