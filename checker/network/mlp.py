"""The reference multilayer perceptron, in the course's column convention.

One example is a column; a batch ``X`` is ``(n_0, m)``. For layers l = 1..L::

    z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)},   a^{(l)} = σ(z^{(l)}),   a^{(0)} = X,   δ^{(l)} = ∂J/∂z^{(l)}

``W^{(l)}`` is ``n_l × n_{l-1}`` and ``b^{(l)}`` is ``n_l × 1``. In code, ``weights[l-1]`` is W^{(l)}
(lists start at 0, layers at 1); the caches and gradients are dicts keyed by the layer number, so
``cache.z[l]``, ``grads.delta[l]`` and ``grads.W[l]`` read like the notation.

The backward pass is the four backpropagation equations, one small function each, every one citing
the derivation it implements::

    BP1  δ^{(L)} = ∂J/∂z^{(L)}                          output_delta       (mse-output-delta, ...)
    BP2  δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ σ'(z^{(l)})   hidden_delta       (hidden-delta)
    BP3  ∂J/∂b^{(l)} = Δ^{(l)} 𝟏                       bias_gradient      (batch-bias-gradient)
    BP4  ∂J/∂W^{(l)} = Δ^{(l)} (A^{(l-1)})ᵀ             weight_gradient    (batch-weight-gradient)
         + λ₂ W^{(l)} + λ₁ sign(W^{(l)})               regularisation_gradient (l2-update, l1-update)

The 1/m of the batch formulas is applied once, in δ^{(L)} (the losses' ``delta``), so that every
δ^{(l)} is exactly ∂J/∂z^{(l)} of the batch cost; BP3 and BP4 therefore do not divide again.
:meth:`MLP.backward` calls these functions by their module-level names at call time, so a test
can replace any one of them (the injected-bug tests do) and the gradient checker must notice.

Initialisation: W^{(l)} ~ N(0, g²/n_{l-1}) — the scaled Gaussian, with gain g = √2 (He) when layer
l's activation is relu, leaky-relu or elu and g = 1 (LeCun, as in network2.py's default) otherwise;
b^{(l)} ~ N(0, 0.1²). Small random biases rather than zeros keep a pre-activation from sitting
exactly on a ReLU kink when an input is 0 (XOR's (0, 0), black MNIST pixels). Values are drawn in
float64 from ``np.random.default_rng(seed)`` and then cast, so a float32 and a float64 network with
the same seed start from the same point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.network import activations as _act
from checker.network import losses as _losses
from checker.network.activations import Activation, activation, softmax_jacobian
from checker.network.losses import Loss
from checker.network.optimisers import Optimiser

Array = np.ndarray

BIAS_INIT_STD = 0.1


# ---------------------------------------------------------------------------------------------
# The backward pass, one formula per function
# ---------------------------------------------------------------------------------------------


def output_delta(loss: Loss, z_L: Array, a_L: Array, Y: Array, act: Activation) -> Array:
    """BP1 — δ^{(L)} of the batch, 1/m included.

    mse-output-delta (a − y) ⊙ σ'(z), softmax-ce-gradient p − y, sigmoid-bce-gradient σ(z) − y:
    each formula lives with its cost in :mod:`checker.network.losses`, as in network2.py.
    """
    return loss.delta(z_L, a_L, Y, act)


def hidden_delta(W_next: Array, delta_next: Array, z: Array, act: Activation) -> Array:
    """BP2, hidden-delta: δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)} ⊙ σ'(z^{(l)})."""
    d = W_next.T @ delta_next
    d *= activation_prime(act, z)
    return d


def activation_prime(act: Activation, z: Array) -> Array:
    """σ'(z^{(l)}), evaluated at the pre-activation z, never at a = σ(z).

    sigmoid-derivative, tanh-derivative, relu-derivative, leaky-relu-derivative, elu-derivative,
    softplus-derivative: the formulas are in :mod:`checker.network.activations`.
    """
    return act.prime(z)


def weight_gradient(delta: Array, a_prev: Array) -> Array:
    """BP4, batch-weight-gradient: ∂J/∂W^{(l)} = (1/m) Δ^{(l)} (A^{(l-1)})ᵀ; ``delta`` holds the 1/m."""
    return delta @ a_prev.T


def bias_gradient(delta: Array) -> Array:
    r"""BP3, batch-bias-gradient: ∂J/∂b^{(l)} = (1/m) Δ^{(l)} \mathbf{1}_m; ``delta`` holds the 1/m."""
    return delta.sum(axis=1, keepdims=True)


def regularisation_gradient(W: Array, l1: float, l2: float) -> Array:
    """l2-update and l1-update: the gradient of λ₂/2 ‖W‖²_F + λ₁ ‖W‖₁ is λ₂ W + λ₁ sign(W).

    Applied to weights only: biases are never regularised.
    """
    g = l2 * W
    if l1:
        g += l1 * np.sign(W)
    return g


# ---------------------------------------------------------------------------------------------
# Plain data: the forward cache and the gradients
# ---------------------------------------------------------------------------------------------


@dataclass
class Cache:
    """What the forward pass keeps for the backward pass: ``z[l]`` for l = 1..L, ``a[l]`` for l = 0..L."""

    z: dict[int, Array]
    a: dict[int, Array]


@dataclass
class Grads:
    """δ^{(l)}, ∂J/∂W^{(l)} and ∂J/∂b^{(l)} of the regularised batch cost, keyed by layer l = 1..L."""

    delta: dict[int, Array]
    W: dict[int, Array]
    b: dict[int, Array]

    def named(self) -> dict[str, Array]:
        """The gradients named like :meth:`MLP.param_arrays`: ``W1``, ``b1``, ``W2``, ..."""
        out: dict[str, Array] = {}
        for l in sorted(self.W):
            out[f"W{l}"] = self.W[l]
            out[f"b{l}"] = self.b[l]
        return out

    def flat(self) -> Array:
        """All gradients as one vector, in the order of :meth:`MLP.params`."""
        return np.concatenate([g.ravel() for g in self.named().values()])


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


@dataclass
class MLP:
    """A fully connected network: sizes [n_0, ..., n_L], one activation name per layer 1..L."""

    sizes: list[int]
    activations: list[str]
    loss: str
    l1: float
    l2: float
    weights: list[Array]
    biases: list[Array]
    dtype: Any = field(default=np.float64)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        loss: str = "mse",
        output_activation: str | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        dtype: Any = np.float64,
        seed: int = 0,
    ) -> MLP:
        """A freshly initialised network (see the module doc for the initialisation).

        ``activation`` names the hidden layers' σ, one name for all or a list of L−1 names. The
        output activation is fixed by the loss (softmax for softmax-ce, sigmoid for sigmoid-bce);
        for mse it is ``output_activation`` if given, else the (last) hidden activation — σ
        everywhere, as in the course's notation.
        """
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output width, all ≥ 1; got {sizes}")
        L = len(sizes) - 1
        if isinstance(activation, str):
            hidden = [activation] * (L - 1)
            default_out = activation
        else:
            hidden = list(activation)
            if len(hidden) != L - 1:
                raise ValueError(f"{L - 1} hidden layers but {len(hidden)} activation names: {hidden}")
            default_out = hidden[-1] if hidden else "identity"
        cost = _losses.loss(loss)
        if cost.output_activation is not None:
            if output_activation not in (None, cost.output_activation):
                raise ValueError(
                    f"the {loss} loss fixes the output activation to {cost.output_activation}, "
                    f"not {output_activation}"
                )
            output_activation = cost.output_activation
        out = output_activation or default_out
        names = [*hidden, out]
        for l, name in enumerate(names, start=1):
            _act.activation(name)  # raises on an unknown name, listing the known ones
            if name == _act.SOFTMAX.name and (l < L or loss != "softmax-ce"):
                raise ValueError("softmax is only the output activation of the softmax-ce loss")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")

        rng = np.random.default_rng(seed)
        weights, biases = [], []
        for l in range(1, L + 1):
            gain = _act.INIT_GAIN.get(names[l - 1], 1.0)
            W = rng.standard_normal((sizes[l], sizes[l - 1])) * (gain / np.sqrt(sizes[l - 1]))
            b = rng.standard_normal((sizes[l], 1)) * BIAS_INIT_STD
            weights.append(W.astype(dtype))
            biases.append(b.astype(dtype))
        return cls(sizes, names, loss, float(l1), float(l2), weights, biases, dtype.type)

    def astype(self, dtype: Any) -> MLP:
        """A copy of this network with every parameter in ``dtype``."""
        dtype = np.dtype(dtype)
        return MLP(
            list(self.sizes),
            list(self.activations),
            self.loss,
            self.l1,
            self.l2,
            [W.astype(dtype) for W in self.weights],
            [b.astype(dtype) for b in self.biases],
            dtype.type,
        )

    def copy(self) -> MLP:
        """A deep copy (parameters included)."""
        return self.astype(self.dtype)

    @property
    def depth(self) -> int:
        """L, the number of layers with parameters."""
        return len(self.weights)

    def act(self, l: int) -> Activation:
        """σ of layer l (1..L), looked up by name at call time."""
        return activation(self.activations[l - 1])

    # -- forward -----------------------------------------------------------------------------

    def forward(self, X: Array) -> Cache:
        """z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, a^{(l)} = σ(z^{(l)}) for l = 1..L; X is (n_0, m)."""
        X = np.asarray(X, dtype=self.dtype)  # a no-op when X already has the network's dtype
        z: dict[int, Array] = {}
        a: dict[int, Array] = {0: X}
        for l in range(1, self.depth + 1):
            zl = self.weights[l - 1] @ a[l - 1]
            zl += self.biases[l - 1]  # in place: one (n_l, m) array per layer, not two
            z[l] = zl
            a[l] = self.act(l).fn(zl)
        return Cache(z, a)

    def predict(self, X: Array) -> Array:
        """The network's output a^{(L)} (probabilities for softmax-ce and sigmoid-bce)."""
        return self.forward(X).a[self.depth]

    def regularisation(self) -> float:
        """λ₂/2 Σ_l ‖W^{(l)}‖²_F + λ₁ Σ_l ‖W^{(l)}‖₁ — weights only, never biases."""
        r = 0.0
        if self.l2:
            r += 0.5 * self.l2 * sum(float((W * W).sum()) for W in self.weights)
        if self.l1:
            r += self.l1 * sum(float(np.abs(W).sum()) for W in self.weights)
        return r

    def cost(self, X: Array, Y: Array) -> float:
        """J_λ = J + λ₂/2 Σ‖W‖²_F + λ₁ Σ‖W‖₁, J the batch mean of the loss."""
        cache = self.forward(X)
        L = self.depth
        return _losses.loss(self.loss).fn(cache.z[L], cache.a[L], Y) + self.regularisation()

    def cost_from_layer(self, l: int, z_l: Array, cache: Cache, Y: Array) -> float:
        """J_λ recomputed with z^{(l)} replaced by ``z_l`` and layers l+1..L re-run.

        A central difference of this in one entry of z^{(l)} is that entry of δ^{(l)} = ∂J/∂z^{(l)}.
        ``cache`` is the forward cache of the same batch (only its shapes matter here).
        """
        L = self.depth
        if not 1 <= l <= L:
            raise ValueError(f"layer must be in 1..{L}, got {l}")
        if z_l.shape != cache.z[l].shape:
            raise ValueError(f"z^({l}) is {cache.z[l].shape}, the replacement is {z_l.shape}")
        z, a = z_l, self.act(l).fn(z_l)
        for k in range(l + 1, L + 1):
            z = self.weights[k - 1] @ a + self.biases[k - 1]
            a = self.act(k).fn(z)
        return _losses.loss(self.loss).fn(z, a, Y) + self.regularisation()

    def accuracy(self, X: Array, Y: Array) -> float:
        """Fraction of columns classified right (see :func:`count_correct`)."""
        return count_correct(self.predict(X), Y) / Y.shape[1]

    # -- backward ----------------------------------------------------------------------------

    def backward(self, cache: Cache, Y: Array) -> Grads:
        """δ^{(l)}, ∂J_λ/∂W^{(l)}, ∂J_λ/∂b^{(l)} for l = L..1: the four BP equations."""
        L = self.depth
        z, a = cache.z, cache.a
        Y = np.asarray(Y, dtype=self.dtype)
        delta: dict[int, Array] = {}
        gW: dict[int, Array] = {}
        gb: dict[int, Array] = {}
        delta[L] = output_delta(_losses.loss(self.loss), z[L], a[L], Y, self.act(L))
        for l in range(L, 0, -1):
            if l < L:
                # weights[l] is W^{(l+1)}
                delta[l] = hidden_delta(self.weights[l], delta[l + 1], z[l], self.act(l))
            gW[l] = weight_gradient(delta[l], a[l - 1])
            gb[l] = bias_gradient(delta[l])
            if self.l1 or self.l2:  # skip a pass over W when there is nothing to add
                gW[l] += regularisation_gradient(self.weights[l - 1], self.l1, self.l2)
        return Grads(delta, gW, gb)

    def gradients(self, X: Array, Y: Array) -> Grads:
        """Forward then backward on one batch."""
        return self.backward(self.forward(X), Y)

    # -- ∂y/∂x -------------------------------------------------------------------------------

    def input_jacobian(self, x: Array) -> Array:
        """input-gradient: ∂a^{(L)}/∂x = diag(σ'(z^{(L)})) W^{(L)} ⋯ diag(σ'(z^{(1)})) W^{(1)}.

        ``x`` is one example, shape (n_0,) or (n_0, 1); the result is (n_L, n_0). A softmax output
        contributes its full Jacobian diag(p) − p pᵀ in place of the diagonal.
        """
        x = np.asarray(x, dtype=self.dtype).reshape(-1, 1)
        cache = self.forward(x)
        J = np.eye(self.sizes[0], dtype=self.dtype)
        for l in range(1, self.depth + 1):
            act = self.act(l)
            if act is _act.SOFTMAX:
                J = softmax_jacobian(cache.a[l]) @ (self.weights[l - 1] @ J)
            else:
                # diag(v) M is M with row i scaled by v_i: no n×n diagonal matrix is formed
                J = act.prime(cache.z[l]) * (self.weights[l - 1] @ J)
        return J

    # -- flat access for the gradient checker ------------------------------------------------

    def param_arrays(self) -> dict[str, Array]:
        """The parameter arrays themselves (not copies), named ``W1``, ``b1``, ``W2``, ..."""
        out: dict[str, Array] = {}
        for l in range(1, self.depth + 1):
            out[f"W{l}"] = self.weights[l - 1]
            out[f"b{l}"] = self.biases[l - 1]
        return out

    @property
    def n_params(self) -> int:
        """The number of scalar parameters."""
        return sum(p.size for p in self.param_arrays().values())

    def params(self) -> Array:
        """All parameters as one new vector: W1, b1, W2, b2, ... each flattened row by row."""
        return np.concatenate([p.ravel() for p in self.param_arrays().values()])

    def set_params(self, theta: Array) -> None:
        """Write a vector laid out like :meth:`params` back into the parameter arrays."""
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected a vector of {self.n_params} parameters, got shape {theta.shape}")
        start = 0
        for p in self.param_arrays().values():
            p[...] = theta[start : start + p.size].reshape(p.shape)
            start += p.size


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def count_correct(out: Array, Y: Array) -> int:
    """How many columns are classified right.

    Several outputs: the arg-max of ``out`` against the arg-max of Y. One output: a binary
    problem, predicted and true labels are ``out ≥ 0.5`` and ``Y ≥ 0.5``.
    """
    if out.shape[0] == 1:
        return int(np.count_nonzero((out >= 0.5) == (Y >= 0.5)))
    return int(np.count_nonzero(out.argmax(axis=0) == Y.argmax(axis=0)))


def _check_targets(model: MLP, Y: Array) -> None:
    if Y.shape[0] != model.sizes[-1]:
        raise ValueError(f"Y has {Y.shape[0]} rows but the network has {model.sizes[-1]} outputs")
    if model.loss == "softmax-ce" and Y.size and not np.allclose(Y.sum(axis=0), 1, atol=1e-3):
        raise ValueError("softmax-ce needs each column of Y to be a distribution (summing to 1)")


def _rows(X: Array, dtype: Any) -> Array:
    """X (n, N) as a C-contiguous (N, n) array whose rows are the examples.

    ``X = rows.T`` (what :func:`checker.training.datasets.columns` returns for the loaders' row arrays) gives
    a view, no copy; any other layout (a C-contiguous (n, N) array, say) is copied once here, so
    that gathering a shuffled mini-batch is a copy of whole rows.
    """
    return np.ascontiguousarray(np.asarray(X).T, dtype=dtype)


def sgd(
    model: MLP,
    X: Array,
    Y: Array,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    momentum: float = 0.0,
    optimizer: Optimiser | None = None,
    seed: int = 0,
    X_val: Array | None = None,
    Y_val: Array | None = None,
    callback: Callable[[dict[str, Any]], Any] | None = None,
) -> list[dict[str, Any]]:
    """Mini-batch SGD with optional classical momentum, in place on ``model``.

    X is (n_0, N) and Y is (n_L, N), one example per column; pass them as transposed views of
    row arrays (as :func:`checker.training.datasets.columns` and ``targets`` make them) and no copy of the
    data set is made. Each epoch shuffles the examples with
    ``np.random.default_rng(seed)`` and walks them in batches of ``batch_size`` (the last one may be
    smaller). The update is θ ← θ − η g, or with momentum μ: v ← μ v − η g, θ ← θ + v; an
    ``optimizer`` of :mod:`checker.network.optimisers` (Nesterov, AdaGrad, RMSProp, Adam, AdamW)
    takes the gradients instead, with its own learning rate.

    Returns one record per epoch: ``epoch``, ``loss`` (the mean of the mini-batch losses seen during
    the epoch plus the regularisation term at its end), ``accuracy`` (over the same mini-batches),
    ``val_loss`` and ``val_accuracy`` (on X_val/Y_val after the epoch, None without them) and
    ``seconds``. ``callback(record)`` is called after each epoch.
    """
    if epochs < 0 or batch_size < 1 or lr <= 0 or not 0 <= momentum < 1:
        raise ValueError("need epochs ≥ 0, batch_size ≥ 1, lr > 0 and 0 ≤ momentum < 1")
    if momentum and optimizer is not None:
        raise ValueError("give either momentum or an optimizer: the optimizer keeps its own state")
    dtype = np.dtype(model.dtype)
    XT, YT = _rows(X, dtype), _rows(Y, dtype)
    if XT.shape[1] != model.sizes[0] or XT.shape[0] != YT.shape[0]:
        raise ValueError(
            f"X is {XT.shape[1]}×{XT.shape[0]} and Y is {YT.shape[1]}×{YT.shape[0]}; the network wants "
            f"{model.sizes[0]} input rows and the same number of columns in both"
        )
    _check_targets(model, YT.T)
    validation = None
    if X_val is not None and Y_val is not None:  # cast once, not every epoch
        validation = np.asarray(X_val, dtype), np.asarray(Y_val, dtype)
    N, L = XT.shape[0], model.depth
    cost = _losses.loss(model.loss)
    rng = np.random.default_rng(seed)
    lr_ = dtype.type(lr)  # a NumPy scalar of the model's dtype keeps the in-place updates in it
    mu = dtype.type(momentum)
    params = [p for pair in zip(model.weights, model.biases, strict=True) for p in pair]
    velocity = [np.zeros_like(p) for p in params] if momentum else None
    history: list[dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        start_time = time.perf_counter()
        order = rng.permutation(N)
        loss_sum, correct = 0.0, 0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            # (n_0, m) views of gathered rows: BLAS reads them as transposed operands, no copy
            Xb, Yb = XT[idx].T, YT[idx].T
            cache = model.forward(Xb)
            grads = model.backward(cache, Yb)
            loss_sum += cost.fn(cache.z[L], cache.a[L], Yb) * len(idx)
            correct += count_correct(cache.a[L], Yb)
            steps = [g for l in range(1, L + 1) for g in (grads.W[l], grads.b[l])]
            if optimizer is not None:  # its own update rule and state (checker.network.optimisers)
                optimizer.step(params, steps)
                continue
            for i, (p, g) in enumerate(zip(params, steps, strict=True)):
                g *= lr_  # the gradient is a fresh array: scale it in place
                if velocity is None:
                    p -= g
                else:
                    v = velocity[i]
                    v *= mu
                    v -= g
                    p += v
        record: dict[str, Any] = {
            "epoch": epoch,
            "loss": loss_sum / N + model.regularisation(),
            "accuracy": correct / N,
            "val_loss": None,
            "val_accuracy": None,
        }
        if validation is not None:
            Xv, Yv = validation
            cache = model.forward(Xv)
            record["val_loss"] = cost.fn(cache.z[L], cache.a[L], Yv) + model.regularisation()
            record["val_accuracy"] = count_correct(cache.a[L], Yv) / Yv.shape[1]
        record["seconds"] = time.perf_counter() - start_time
        history.append(record)
        if callback is not None:
            callback(record)
    return history
