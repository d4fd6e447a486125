"""A deep fully connected network with optional batch normalisation, for the depth experiments.

Column convention as in :mod:`checker.network.mlp`. Hidden layer l computes
z̃^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, then (with batch norm) z^{(l)} = BN(z̃^{(l)}; γ^{(l)}, β^{(l)}),
a^{(l)} = σ(z^{(l)}); the output layer is softmax with cross-entropy. The backward pass is the
catalogue's: softmax-ce-gradient for δ^{(L)}, hidden-delta for each layer below, batchnorm-backward
through each normalisation, batch-weight-gradient and batch-bias-gradient for the parameters. It
keeps ∂J/∂z̃^{(l)} of every layer, so the experiments can show how it shrinks with depth.

Initialisation: W^{(l)} ~ N(0, s²) with s² = 1/n_{l-1} ("xavier", for tanh-like units),
2/n_{l-1} ("he", for ReLU: xavier-init-variance, he-init-variance), or a fixed ``small`` s = 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from checker.network.activations import activation
from checker.network.layers import BatchNorm, BatchNormCache, Dropout

Array = np.ndarray
SMALL_STD = 0.1
INITS = ("xavier", "he", "small")


@dataclass
class DeepCache:
    """Per hidden layer: z̃ (before batch norm), z (after it), a; and the batch-norm caches."""

    a: list[Array]
    z_pre: list[Array] = field(default_factory=list)
    z: list[Array] = field(default_factory=list)
    norm: list[BatchNormCache] = field(default_factory=list)
    masks: list[Array] = field(default_factory=list)  # dropout's kept units, when training with it


@dataclass
class DeepNet:
    """sizes [n_0, ..., n_L]; one activation for every hidden layer; batch norm on or off."""

    weights: list[Array]
    biases: list[Array]
    act: str
    gammas: list[Array] | None = None
    betas: list[Array] | None = None
    bn: BatchNorm = field(default_factory=BatchNorm)
    dropout: Dropout | None = None  # on every hidden layer's output, while training

    @classmethod
    def create(cls, sizes: list[int], act: str, init: str, batch_norm: bool = False,
               seed: int = 0) -> DeepNet:
        """A fresh network; the same seed gives the same draws whatever the init's scale."""
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
        rng = np.random.default_rng(seed)
        weights, biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            std = {"xavier": np.sqrt(1 / n_in), "he": np.sqrt(2 / n_in), "small": SMALL_STD}[init]
            weights.append(rng.standard_normal((n_out, n_in)) * std)
            biases.append(np.zeros((n_out, 1)))
        hidden = sizes[1:-1]
        gammas = [np.ones((n, 1)) for n in hidden] if batch_norm else None
        betas = [np.zeros((n, 1)) for n in hidden] if batch_norm else None
        return cls(weights, biases, act, gammas, betas)

    @property
    def depth(self) -> int:
        """The number of weight layers L."""
        return len(self.weights)

    def params(self) -> dict[str, Array]:
        """Every parameter array by name (W1, b1, ..., gamma1, beta1, ...)."""
        out: dict[str, Array] = {}
        for l, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"W{l + 1}"], out[f"b{l + 1}"] = W, b
        if self.gammas is not None and self.betas is not None:
            for l, (g, b) in enumerate(zip(self.gammas, self.betas, strict=True)):
                out[f"gamma{l + 1}"], out[f"beta{l + 1}"] = g, b
        return out

    def forward(self, X: Array, rng: np.random.Generator | None = None) -> tuple[Array, DeepCache]:
        """Class probabilities (n_L, m) and the cache; with ``rng`` (training) dropout draws its masks."""
        sigma = activation(self.act)
        cache = DeepCache([X])
        a = X
        for l in range(self.depth - 1):
            z_pre = self.weights[l] @ a + self.biases[l]
            z = z_pre
            if self.gammas is not None and self.betas is not None:
                z, norm = self.bn.forward(z_pre, self.gammas[l], self.betas[l])
                cache.norm.append(norm)
            a = sigma.fn(z)
            if self.dropout is not None and rng is not None:  # inverted dropout: nothing changes at test time
                mask = self.dropout.mask(a.shape, rng)
                a = self.dropout.forward(a, mask)
                cache.masks.append(mask)
            cache.z_pre.append(z_pre)
            cache.z.append(z)
            cache.a.append(a)
        logits = self.weights[-1] @ a + self.biases[-1]
        e = np.exp(logits - logits.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True), cache

    def loss(self, X: Array, Y: Array) -> float:
        """The mean cross-entropy of the batch."""
        p, _ = self.forward(X)
        return float(-(Y * np.log(np.maximum(p, 1e-300))).sum() / Y.shape[1])

    def backward(self, p: Array, cache: DeepCache, Y: Array) -> tuple[dict[str, Array], list[Array]]:
        """The gradient of every parameter, and δ̃^{(l)} = ∂J/∂z̃^{(l)} for l = 1..L (L last)."""
        sigma = activation(self.act)
        grads: dict[str, Array] = {}
        delta = (p - Y) / Y.shape[1]  # softmax-ce-gradient, 1/m of the batch mean
        deltas = [delta]
        for l in range(self.depth - 1, -1, -1):
            grads[f"W{l + 1}"] = delta @ cache.a[l].T  # batch-weight-gradient (1/m already in δ)
            grads[f"b{l + 1}"] = delta.sum(axis=1, keepdims=True)  # batch-bias-gradient
            if l == 0:
                break
            delta = self.weights[l].T @ delta
            if cache.masks:  # dropout-backward: the same mask and scale as the forward pass
                assert self.dropout is not None
                delta = self.dropout.backward(delta, cache.masks[l - 1])
            delta = delta * sigma.prime(cache.z[l - 1])  # hidden-delta
            if self.gammas is not None:
                delta, grads[f"gamma{l}"], grads[f"beta{l}"] = self.bn.backward(  # batchnorm-backward
                    delta, self.gammas[l - 1], cache.norm[l - 1])
            deltas.append(delta)
        return grads, deltas[::-1]

    def gradients(self, X: Array, Y: Array, rng: np.random.Generator | None = None
                  ) -> tuple[dict[str, Array], list[Array]]:
        """Forward then backward on one batch (with ``rng``: dropout's masks drawn from it)."""
        p, cache = self.forward(X, rng)
        return self.backward(p, cache, Y)

    def sgd_epoch(self, X: Array, Y: Array, lr: float, batch: int, rng: np.random.Generator,
                  momentum: float = 0.0, velocity: dict[str, Array] | None = None) -> None:
        """One epoch of mini-batch SGD, in place; X, Y are (features, N), one example per column.
        With ``momentum`` μ, ``velocity`` (kept by the caller across epochs) follows v ← μv − ηg."""
        params = self.params()
        order = rng.permutation(X.shape[1])
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            grads, _ = self.gradients(X[:, idx], Y[:, idx], rng if self.dropout is not None else None)
            for name, p in params.items():
                if velocity is None:
                    p -= lr * grads[name]
                    continue
                v = velocity.setdefault(name, np.zeros_like(p))
                v *= momentum
                v -= lr * grads[name]
                p += v
