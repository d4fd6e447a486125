"""The reference convolution and max-pooling layers, in NumPy (im2col), and a small CNN.

Images are batches ``(N, C, H, W)``. A convolution layer of ``C_out`` kernels ``K`` of shape
``(C_out, C_in, k_h, k_w)``, bias ``b`` (``C_out``), zero padding ``pad`` and stride 1 computes the
valid cross-correlation of the padded input with each kernel, summed over the input channels::

    Y[n, o, i, j] = Σ_{c,u,v} pad(X)[n, c, i+u, j+v] K[o, c, u, v] + b[o]

im2col lays every k_h×k_w window of every channel out as one row of a matrix, so the forward pass is
one matrix product, and so are both halves of the backward pass. Each backward formula is a small
function citing the derivation it implements, like :mod:`checker.network.mlp`; :class:`CNN` calls
them by their module-level names at call time, so a test can replace one (the injected-bug tests
do) and the gradient check must notice.

    conv2d-backward    ∂L/∂K = X ⋆ δ                     kernel_gradient (a product with the windows)
                       ∂L/∂X = pad(δ) ⋆ rot180(K)        input_gradient (windows scattered back)
                       ∂L/∂b = Σ δ                       conv_bias_gradient
    max-pool-backward  ∂L/∂x = δ · 𝟙[x is its window's max]   pool_backward
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from checker.network.gradcheck import GradcheckResult
from checker.network.losses import loss as _loss

Array = np.ndarray


# ---------------------------------------------------------------------------------------------
# im2col
# ---------------------------------------------------------------------------------------------


def windows(X: Array, kh: int, kw: int) -> Array:
    """The im2col matrix of a (padded) batch: one row per output position (n, i, j), holding the
    k_h×k_w window of every channel under it, in (c, u, v) order. Shape (N·OH·OW, C·k_h·k_w)."""
    N, C = X.shape[:2]
    view = np.lib.stride_tricks.sliding_window_view(X, (kh, kw), axis=(2, 3))  # N, C, OH, OW, kh, kw
    OH, OW = view.shape[2:4]
    return view.transpose(0, 2, 3, 1, 4, 5).reshape(N * OH * OW, C * kh * kw)


def unwindows(cols: Array, shape: tuple[int, ...], kh: int, kw: int) -> Array:
    """col2im: the adjoint of :func:`windows`. Every row's window is added back where it came from,
    so a pixel under several windows receives the sum of their entries."""
    N, C, H, W = shape
    OH, OW = H - kh + 1, W - kw + 1
    grid = cols.reshape(N, OH, OW, C, kh, kw)
    out = np.zeros(shape, dtype=cols.dtype)
    for u in range(kh):  # k_h·k_w slice additions, each over the whole batch
        for v in range(kw):
            out[:, :, u:u + OH, v:v + OW] += grid[:, :, :, :, u, v].transpose(0, 3, 1, 2)
    return out


def _pad(X: Array, p: int) -> Array:
    return X if p == 0 else np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


# ---------------------------------------------------------------------------------------------
# The backward formulas, one per function
# ---------------------------------------------------------------------------------------------


def kernel_gradient(cols: Array, delta: Array) -> Array:
    """conv2d-backward, ∂L/∂K = X ⋆ δ: each kernel entry (c, u, v) meets input (i+u, j+v) at
    output (i, j), so its gradient is Σ δ_ij X_{i+u, j+v} — δ as rows times the window matrix.
    ``delta`` is (N·OH·OW, C_out); the result is (C_out, C_in·k_h·k_w)."""
    return delta.T @ cols


def input_gradient(delta: Array, K_rows: Array, shape: tuple[int, ...], kh: int, kw: int) -> Array:
    """conv2d-backward, ∂L/∂X = pad(δ) ⋆ rot180(K): each window's share δ_ij K is scattered back
    onto the pixels it read (col2im), which is the full convolution of δ with K."""
    return unwindows(delta @ K_rows, shape, kh, kw)


def conv_bias_gradient(delta: Array) -> Array:
    """conv2d-backward, ∂L/∂b = Σ δ: each bias is shared by every position of its output channel."""
    return delta.sum(axis=0)


def pool_backward(delta: Array, winner: Array) -> Array:
    """max-pool-backward: the gradient of a window's max goes to its largest entry alone,
    δ · 𝟙[x = max]; the other entries of the window did not change the output."""
    return winner * delta[..., None]


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------


@dataclass
class Conv2D:
    """C_in → C_out channels, k×k kernels, zero padding ``pad``, stride 1."""

    K: Array
    b: Array
    pad: int = 0

    @classmethod
    def create(cls, c_in: int, c_out: int, k: int, pad: int = 0, seed: int = 0,
               dtype: type = np.float64) -> Conv2D:
        """He-initialised kernels (each unit sums c_in·k² inputs), small random biases."""
        rng = np.random.default_rng(seed)
        fan_in = c_in * k * k
        K = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2.0 / fan_in)
        b = rng.standard_normal(c_out) * 0.1
        return cls(K.astype(dtype), b.astype(dtype), pad)

    def forward(self, X: Array) -> tuple[Array, dict]:
        """Y (N, C_out, OH, OW) and what the backward pass needs."""
        C_out, _, kh, kw = self.K.shape
        Xp = _pad(X, self.pad)
        cols = windows(Xp, kh, kw)
        N, OH, OW = X.shape[0], Xp.shape[2] - kh + 1, Xp.shape[3] - kw + 1
        Y = cols @ self.K.reshape(C_out, -1).T + self.b
        return Y.reshape(N, OH, OW, C_out).transpose(0, 3, 1, 2), {"cols": cols, "padded": Xp.shape}

    def backward(self, dY: Array, cache: dict) -> tuple[Array, Array, Array]:
        """∂L/∂X, ∂L/∂K, ∂L/∂b from δ = ∂L/∂Y (conv2d-backward)."""
        C_out, _, kh, kw = self.K.shape
        delta = dY.transpose(0, 2, 3, 1).reshape(-1, C_out)
        mod = _this_module()
        dK = mod.kernel_gradient(cache["cols"], delta).reshape(self.K.shape)
        dXp = mod.input_gradient(delta, self.K.reshape(C_out, -1), cache["padded"], kh, kw)
        p = self.pad
        dX = dXp[:, :, p:dXp.shape[2] - p, p:dXp.shape[3] - p] if p else dXp
        return dX, dK, mod.conv_bias_gradient(delta)


@dataclass
class MaxPool2D:
    """Non-overlapping s×s max pooling (stride s); H and W must be multiples of s."""

    size: int = 2

    def forward(self, X: Array) -> tuple[Array, dict]:
        """The max of each window and a mask of the entry that won it (the first, at a tie)."""
        N, C, H, W = X.shape
        s = self.size
        if H % s or W % s:
            raise ValueError(f"max pooling by {s} needs H and W divisible by {s}; got {H}×{W}")
        blocks = X.reshape(N, C, H // s, s, W // s, s).transpose(0, 1, 2, 4, 3, 5).reshape(
            N, C, H // s, W // s, s * s)
        arg = blocks.argmax(axis=-1)
        winner = np.zeros_like(blocks)
        np.put_along_axis(winner, arg[..., None], 1.0, axis=-1)
        pooled = np.take_along_axis(blocks, arg[..., None], axis=-1)[..., 0]
        return pooled, {"winner": winner, "shape": X.shape}

    def backward(self, dY: Array, cache: dict) -> Array:
        """∂L/∂X: each window's δ routed to its maximum (max-pool-backward)."""
        N, C, H, W = cache["shape"]
        s = self.size
        grad = _this_module().pool_backward(dY, cache["winner"])
        return grad.reshape(N, C, H // s, W // s, s, s).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)


def _this_module():  # noqa: ANN202 - the module itself, so replaced functions are looked up at call time
    import sys

    return sys.modules[__name__]


# ---------------------------------------------------------------------------------------------
# A small CNN: conv-relu-pool-conv-relu-pool-dense, softmax cross-entropy
# ---------------------------------------------------------------------------------------------


@dataclass
class CNN:
    """conv(c1, 3×3, same) → ReLU → pool 2 → conv(c2, 3×3, same) → ReLU → pool 2 → dense → softmax."""

    conv1: Conv2D
    conv2: Conv2D
    W: Array
    b: Array
    pool: MaxPool2D = field(default_factory=MaxPool2D)

    @classmethod
    def create(cls, image: tuple[int, int, int], classes: int, c1: int = 8, c2: int = 16, seed: int = 0,
               dtype: type = np.float64) -> CNN:
        """A network for (C, H, W) images with H, W divisible by 4."""
        C, H, W = image
        conv1 = Conv2D.create(C, c1, 3, pad=1, seed=seed, dtype=dtype)
        conv2 = Conv2D.create(c1, c2, 3, pad=1, seed=seed + 1, dtype=dtype)
        flat = c2 * (H // 4) * (W // 4)
        rng = np.random.default_rng(seed + 2)
        Wd = (rng.standard_normal((classes, flat)) / np.sqrt(flat)).astype(dtype)
        return cls(conv1, conv2, Wd, np.zeros((classes, 1), dtype))

    def params(self) -> dict[str, Array]:
        """The parameter arrays themselves, by name."""
        return {"K1": self.conv1.K, "b1": self.conv1.b, "K2": self.conv2.K, "b2": self.conv2.b,
                "W": self.W, "b": self.b}

    def forward(self, X: Array) -> tuple[Array, list]:
        """Class probabilities (classes, N), one example per column as in the MLP, and the caches."""
        caches = []
        h = X
        for conv in (self.conv1, self.conv2):
            z, c_conv = conv.forward(h)
            a = np.maximum(z, 0)
            h, c_pool = self.pool.forward(a)
            caches.append((c_conv, z, c_pool))
        flat = h.reshape(h.shape[0], -1).T
        logits = self.W @ flat + self.b
        return logits, [caches, flat, h.shape]

    def loss(self, X: Array, Y: Array) -> float:
        """The mean softmax cross-entropy of the batch."""
        logits, _ = self.forward(X)
        return _loss("softmax-ce").fn(logits, _softmax(logits), Y)

    def gradients(self, X: Array, Y: Array) -> tuple[float, dict[str, Array], Array]:
        """The batch's mean loss, its gradient with respect to every parameter, and the logits."""
        logits, (caches, flat, shape) = self.forward(X)
        p = _softmax(logits)
        ce = _loss("softmax-ce")
        delta = ce.delta(logits, p, Y, None)  # p − y over m (softmax-ce-gradient)
        grads = {"W": delta @ flat.T, "b": delta.sum(axis=1, keepdims=True)}
        dh = (self.W.T @ delta).T.reshape(shape)
        for name, conv, (c_conv, z, c_pool) in zip(("2", "1"), (self.conv2, self.conv1), caches[::-1],
                                                   strict=True):
            da = self.pool.backward(dh, c_pool)
            dz = da * (z > 0)  # relu-derivative
            dh, grads["K" + name], grads["b" + name] = conv.backward(dz, c_conv)
        return ce.fn(logits, p, Y), grads, logits

    def predict(self, X: Array) -> Array:
        """Class probabilities (classes, N)."""
        return _softmax(self.forward(X)[0])


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Gradient checks (central differences, float64, the one tolerance policy)
# ---------------------------------------------------------------------------------------------


def layer_gradcheck(layer: Conv2D, X: Array, seed: int = 0) -> GradcheckResult:
    """∂L/∂K, ∂L/∂b and ∂L/∂X of one convolution layer against central differences of
    L = Σ G ⊙ sin(Y), G random: every entry of the kernels, the biases and the input."""
    rng = np.random.default_rng(seed)
    layer = Conv2D(np.array(layer.K, dtype=np.float64), np.array(layer.b, dtype=np.float64), layer.pad)
    X = np.array(X, dtype=np.float64)
    Y, cache = layer.forward(X)
    G = rng.standard_normal(Y.shape)
    params = {"K": layer.K, "b": layer.b, "X": X}

    def backward() -> dict[str, Array]:
        dX, dK, db = layer.backward(G * np.cos(Y), cache)
        return {"K": dK, "b": db, "X": dX}

    return checked(lambda: float((G * np.sin(layer.forward(X)[0])).sum()), params, backward)


def cnn_gradcheck(net: CNN, X: Array, Y: Array) -> GradcheckResult:
    """Every parameter of a (float64) :class:`CNN` against central differences of its mean loss."""
    params = net.params()
    return checked(lambda: net.loss(X, Y), params, lambda: net.gradients(X, Y)[1])


def checked(cost: Callable[[], float], params: dict[str, Array],
            backward: Callable[[], dict[str, Array]]) -> GradcheckResult:
    """A backward pass against central differences of ``cost``; a backward pass that raises or
    returns a gradient of the wrong shape is a failed check that says so, not a crash."""
    from checker.network import gradcheck

    started = time.perf_counter()
    try:
        grads = backward()
    except Exception as exc:  # any exception is the backward pass failing, which is what is judged
        return gradcheck._failed(f"the backward pass raised {type(exc).__name__}: {exc}", mode="full",
                                 threshold=gradcheck.DEFAULT_THRESHOLD, started=started,
                                 n_params=sum(p.size for p in params.values()))
    return gradcheck.check_function(cost, params, grads)
