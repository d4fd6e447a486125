"""Central-difference gradient checks of the reference MLP, in float64.

The analytic gradient comes from :meth:`checker.network.mlp.MLP.backward`; the numeric one from the cost
alone, (J(θ + h e) − J(θ − h e)) / 2h. They are compared by the relative error

    |a − n| / max(|a| + |n|, floor · max(1, |J|))

which is scale-free for ordinary gradients. The floor keeps entries whose gradient is (nearly) zero
from dividing rounding noise by almost nothing; it is relative to the size of the cost J because
that noise is: J(θ ± h e) is computed to about eps·|J|, so the numeric gradient carries an error of
about eps·|J| / h whatever the entry.

Two modes:

* ``full`` — every parameter. Perturbing W^{(l)}_{ij} by ±h changes only row i of z^{(l)}, by
  ±h a_j^{(l-1)} (and b^{(l)}_i by ±h), and only layers ≥ l need re-running. So the perturbed copies
  of the network are not run one by one: for a block of entries the checker builds every perturbed
  row of z^{(l)} at once, updates z^{(l+1)} by the rank-one change W^{(l+1)}_{:,i} Δa_i, and pushes
  all copies through the remaining layers as one wide batch (a few big matmuls).
* ``fast`` — for each parameter array, a few random unit directions u supported on that array:
  (J(θ + hu) − J(θ − hu)) / 2h against ⟨g, u⟩. A failing direction still names its array.

Kinks. At a ReLU / leaky-ReLU / ELU kink (and at w = 0 for the L1 term) a central difference is
not the derivative. The checker compares every pre-activation of the perturbed copies with the
unperturbed one; an entry whose stencil moves any of them across a kink (or off one: a tie) is not
judged there. The point is resampled — noise drawn from ``np.random.default_rng(seed)`` is added to
the inputs and parameters — and only those entries are checked again at the new point, a few times;
entries still on a kink after that are skipped and counted in ``kinks_skipped``. A kink therefore
never causes a failure.

An exception raised by the backward pass (a missing transpose between non-square matrices is a
shape error) and a gradient of the wrong shape are *failed checks*, reported with the message and
the shapes; the checker itself does not crash on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.network import losses as _losses
from checker.network import rownet as _rownet
from checker.network.central_difference import FLOOR, TOLERANCE, H, relative_error
from checker.network.mlp import MLP, Cache

Array = np.ndarray

# One central-difference policy for every check (see checker.network.central_difference).
DEFAULT_H = H
DEFAULT_FLOOR = FLOOR
DEFAULT_THRESHOLD = TOLERANCE
JITTER = 0.05  # size of a resampling step, relative to the spread of each array
CHUNK = 1 << 20  # elements per stacked block of perturbed copies (8 MB of float64)

# Size caps of a check on a random problem (``gradproof gradcheck``), refused before anything is
# allocated. A parameter is 8 bytes in float64 and the check holds several copies of them (the
# network, its float64 copy, the gradients); 5 million parameters are 40 MB a copy. 784,30,10 has
# 23,860. The forward pass keeps z and a of every layer for the whole batch: batch × Σ widths
# values, at most 10 million (80 MB each).
MAX_PARAMETERS = 5_000_000
MAX_ACTIVATIONS = 10_000_000


def check_problem_size(sizes: list[int], batch: int) -> None:
    """Refuse a network or batch beyond :data:`MAX_PARAMETERS` / :data:`MAX_ACTIVATIONS`, saying why."""
    n_params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))
    shown = ",".join(map(str, sizes))
    if n_params > MAX_PARAMETERS:
        gib = 8 * n_params / 2**30
        raise ValueError(
            f"--layers {shown} has {n_params:,} parameters ({gib:.1f} GiB per float64 copy), more than the "
            f"{MAX_PARAMETERS:,} a gradient check allows; use narrower layers (e.g. 784,30,10)"
        )
    activations = batch * sum(sizes)
    if activations > MAX_ACTIVATIONS:
        raise ValueError(
            f"--batch {batch} with --layers {shown} keeps {activations:,} activations per forward pass, "
            f"more than the {MAX_ACTIVATIONS:,} a gradient check allows; use a smaller --batch"
        )


@dataclass
class Entry:
    """One compared entry: parameter name (``W2``, ``b1``), its index, both gradients and their error.

    In fast mode the entry is a random direction within the named array and the index is ``()``.
    """

    param: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``param``, ``index``, ``analytic``, ``numeric``, ``rel_error``."""
        return {
            "param": self.param,
            "index": list(self.index),
            "analytic": _json_float(self.analytic),
            "numeric": _json_float(self.numeric),
            "rel_error": _json_float(self.rel_error),
        }


@dataclass
class GradcheckResult:
    """The outcome of a gradient check.

    ``params_checked`` counts the comparisons made: parameters in full mode, directions in fast
    mode; entries skipped at kinks are not counted there but in ``kinks_skipped``.
    ``error`` is set when the backward pass raised or returned a gradient of the wrong shape.
    """

    max_rel_error: float
    params_checked: int
    seconds: float
    kinks_skipped: int
    worst: list[Entry]
    passed: bool
    mode: str = "full"
    threshold: float = DEFAULT_THRESHOLD
    resamples: int = 0
    error: str | None = None
    n_params: int = 0
    floor: float = DEFAULT_FLOOR  # the absolute floor used: floor · max(1, |J|)
    largest_gradient: float = float("nan")  # max |analytic|, |numeric|: 0 means nothing was really compared

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: exactly these keys."""
        return {
            "max_rel_error": _json_float(self.max_rel_error),
            "params_checked": self.params_checked,
            "seconds": self.seconds,
            "kinks_skipped": self.kinks_skipped,
            "worst": [e.to_dict() for e in self.worst],
            "passed": self.passed,
        }

    def report(self) -> str:
        """A readable summary that names the worst entries."""
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [f"gradient check ({self.mode} mode, float64 central differences): {verdict}"]
        if self.error:
            lines.append(f"  {self.error}")
            return "\n".join(lines)
        what = f"of {self.n_params:,} parameters" if self.mode == "full" else "random directions"
        lines.append(
            f"  {self.params_checked:,} {what} checked in {self.seconds:.3f} s; "
            f"{self.kinks_skipped} skipped at kinks after {self.resamples} resample(s)"
        )
        lines.append(f"  max relative error {self.max_rel_error:.3g} (threshold {self.threshold:.3g})")
        if self.params_checked and self.largest_gradient == 0:
            lines.append("  note: every gradient compared is exactly 0, so this check shows little; "
                         "try another --seed or other widths")
        if self.worst:
            lines.append("  worst entries:")
            lines.append(f"    {'param':<6} {'index':<12} {'analytic':>14} {'numeric':>14} {'rel error':>10}")
            for e in self.worst:
                index = str(e.index) if e.index else "direction"
                numbers = f"{e.analytic:>14.6g} {e.numeric:>14.6g} {e.rel_error:>10.3g}"
                lines.append(f"    {e.param:<6} {index:<12} {numbers}")
        return "\n".join(lines)


def _json_float(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


# ---------------------------------------------------------------------------------------------
# Collecting comparisons into a result
# ---------------------------------------------------------------------------------------------


class _BackwardFailed(Exception):
    """The backward pass raised, or returned gradients that do not fit the parameters."""


def _shape(a: Array) -> str:
    return "×".join(str(n) for n in np.shape(a)) or "a scalar"


def _check_shapes(params: dict[str, Array], grads: dict[str, Array]) -> None:
    for name, p in params.items():
        if name not in grads:
            raise _BackwardFailed(f"the backward pass returned no gradient for {name}")
        g = np.asarray(grads[name])
        if g.shape != p.shape:
            hint = ""
            if g.shape == p.shape[::-1]:
                hint = ": it is the transpose of the right shape — a transpose is missing or extra"
            elif p.ndim == 2 and 1 in p.shape:
                hint = ": a bias gradient sums Δ over the examples, keeping one entry per unit"
            raise _BackwardFailed(f"∂J/∂{name} is {_shape(g)} but {name} is {_shape(p)}{hint}")


def _run_backward(backward: Callable[[], dict[str, Array]], params: dict[str, Array]) -> dict[str, Array]:
    try:
        grads = backward()
    except Exception as exc:  # any exception is the backward pass failing, which is what we judge
        raise _BackwardFailed(f"the backward pass raised {type(exc).__name__}: {exc}") from exc
    _check_shapes(params, grads)
    return {k: np.asarray(g, dtype=np.float64) for k, g in grads.items()}


@dataclass
class _Comparisons:
    """Compared entries, kept as flat arrays; index tuples are built only for the worst few."""

    names: list[str] = field(default_factory=list)
    shapes: list[tuple[int, ...] | None] = field(default_factory=list)  # None: a random direction
    flat: list[Array] = field(default_factory=list)
    analytic: list[Array] = field(default_factory=list)
    numeric: list[Array] = field(default_factory=list)

    def add(
        self, name: str, shape: tuple[int, ...] | None, flat: Array, analytic: Array, numeric: Array
    ) -> None:
        self.names.append(name)
        self.shapes.append(shape)
        self.flat.append(np.asarray(flat))
        self.analytic.append(np.asarray(analytic, dtype=np.float64).ravel())
        self.numeric.append(np.asarray(numeric, dtype=np.float64).ravel())

    def _entry(self, k: int, analytic: float, numeric: float, rel: float) -> Entry:
        """The k-th compared entry overall, as an :class:`Entry`."""
        for name, shape, flat in zip(self.names, self.shapes, self.flat, strict=True):
            if k < flat.size:
                index = () if shape is None else tuple(int(i) for i in np.unravel_index(flat[k], shape))
                return Entry(name, index, analytic, numeric, rel)
            k -= flat.size
        raise IndexError(k)

    def result(self, *, mode: str, threshold: float, floor: float, n_worst: int, started: float,
               kinks_skipped: int, resamples: int, n_params: int) -> GradcheckResult:
        a = np.concatenate(self.analytic) if self.analytic else np.zeros(0)
        n = np.concatenate(self.numeric) if self.numeric else np.zeros(0)
        rel = relative_error(a, n, floor)
        order = np.argsort(-rel, kind="stable")[:n_worst]
        worst = [self._entry(int(i), float(a[i]), float(n[i]), float(rel[i])) for i in order]
        max_rel = float(rel.max()) if rel.size else 0.0
        return GradcheckResult(
            max_rel_error=max_rel,
            params_checked=int(rel.size),
            seconds=time.perf_counter() - started,
            kinks_skipped=kinks_skipped,
            worst=worst,
            passed=bool(max_rel <= threshold),
            mode=mode,
            threshold=threshold,
            resamples=resamples,
            n_params=n_params,
            floor=floor,
            largest_gradient=float(max(np.abs(a).max(), np.abs(n).max())) if a.size else float("nan"),
        )


def _failed(message: str, *, mode: str, threshold: float, started: float, n_params: int) -> GradcheckResult:
    return GradcheckResult(
        max_rel_error=float("inf"),
        params_checked=0,
        seconds=time.perf_counter() - started,
        kinks_skipped=0,
        worst=[],
        passed=False,
        mode=mode,
        threshold=threshold,
        error=message,
        n_params=n_params,
    )


# ---------------------------------------------------------------------------------------------
# Kinks
# ---------------------------------------------------------------------------------------------


def _crossed(kinks: tuple[float, ...], z_from: Array, z_to: Array) -> Array:
    """Where moving from z_from to z_to crosses a kink, or starts or ends exactly on one."""
    out = np.zeros(np.broadcast_shapes(np.shape(z_from), np.shape(z_to)), dtype=bool)
    for k in kinks:
        out |= np.sign(z_from - k) != np.sign(z_to - k)
    return out


def _resample(net: MLP, X: Array, rng: np.random.Generator) -> tuple[MLP, Array]:
    """A nearby point: noise of relative size JITTER added to the inputs and to every parameter."""
    new = net.copy()
    for p in new.param_arrays().values():
        p += JITTER * (float(p.std()) or 0.1) * rng.standard_normal(p.shape)
    X_new = X + JITTER * (float(X.std()) or 1.0) * rng.standard_normal(X.shape)
    return new, X_new


# ---------------------------------------------------------------------------------------------
# Full mode: stacked perturbed copies
# ---------------------------------------------------------------------------------------------


def _row_shift_costs(net: MLP, cache: Cache, Y: Array, l: int, rows: Array, V: Array) -> tuple[Array, Array]:
    """The data cost J of P perturbed copies of the network, and whether each crossed a kink.

    In copy p, row ``rows[p]`` of z^{(l)} gets ``V[p]`` (one value per example) added; layers after l
    are re-run for all copies at once, stacked along the batch axis.
    """
    L = net.depth
    P, m = V.shape
    act = net.act(l)
    row_before = cache.z[l][rows]
    row_after = row_before + V
    kinked = _crossed(act.kinks, row_before, row_after).any(axis=1)
    if l == L:
        z = np.repeat(cache.z[L][:, None, :], P, axis=1)
        z[rows, np.arange(P)] = row_after
    else:
        # Only row i of a^{(l)} moved, so z^{(l+1)} moves by the rank-one W^{(l+1)}_{:,i} Δa_i.
        change = act.fn(row_after) - cache.a[l][rows]
        z = cache.z[l + 1][:, None, :] + net.weights[l][:, rows, None] * change[None]
        for k in range(l + 1, L + 1):
            kinks = net.act(k).kinks
            if kinks:
                kinked |= _crossed(kinks, cache.z[k][:, None, :], z).any(axis=(0, 2))
            if k < L:
                a = net.act(k).fn(z.reshape(z.shape[0], P * m))
                z = (net.weights[k] @ a + net.biases[k]).reshape(-1, P, m)
    z_L = z.reshape(z.shape[0], P * m)
    cost = _losses.loss(net.loss)
    # softmax-ce and sigmoid-bce are computed from the logits: skip the unused output activation.
    a_L = z_L if cost.from_logits else net.act(L).fn(z_L)
    # Copy p's example i is column p·m + i, which is where np.tile puts Y's column i.
    per_example = cost.per_example(z_L, a_L, np.tile(Y, P))
    return per_example.reshape(P, m).mean(axis=1), kinked


def _regulariser(net: MLP, w: Array) -> Array:
    return 0.5 * net.l2 * w * w + net.l1 * np.abs(w)


def _full_numeric(net: MLP, cache: Cache, Y: Array, name: str, flat: Array, h: float) -> tuple[Array, Array]:
    """Central differences of J_λ in the entries ``flat`` of parameter ``name``, and their kink flags."""
    l = int(name[1:])
    m = Y.shape[1]
    if name[0] == "W":
        rows, cols = np.divmod(flat, net.sizes[l - 1])
    else:
        rows, cols = flat, None
    width = max(net.sizes[l:])
    step = max(1, CHUNK // (width * m))
    numeric = np.empty(flat.size)
    kinked = np.zeros(flat.size, dtype=bool)
    for s in range(0, flat.size, step):
        part = slice(s, s + step)
        # W^{(l)}_{ij} + h moves z^{(l)}_i by h a_j^{(l-1)}; b^{(l)}_i + h moves it by h.
        V = h * (cache.a[l - 1][cols[part]] if cols is not None else np.ones((rows[part].size, m)))
        J_plus, k_plus = _row_shift_costs(net, cache, Y, l, rows[part], V)
        J_minus, k_minus = _row_shift_costs(net, cache, Y, l, rows[part], -V)
        numeric[part] = (J_plus - J_minus) / (2 * h)
        kinked[part] = k_plus | k_minus
    if name[0] == "W" and (net.l1 or net.l2):
        # J_λ is J plus a sum over weights, so one entry moves it by r(w ± h) − r(w): exact, no re-run.
        w = net.weights[l - 1].ravel()[flat]
        numeric += (_regulariser(net, w + h) - _regulariser(net, w - h)) / (2 * h)
        if net.l1:
            kinked |= np.abs(w) <= h
    return numeric, kinked


# ---------------------------------------------------------------------------------------------
# Fast mode: random directions
# ---------------------------------------------------------------------------------------------


def _cost_and_cache(net: MLP, X: Array, Y: Array) -> tuple[float, Cache]:
    cache = net.forward(X)
    L = net.depth
    return _losses.loss(net.loss).fn(cache.z[L], cache.a[L], Y) + net.regularisation(), cache


def _fast_numeric(
    net: MLP, X: Array, Y: Array, grad: Array, name: str, k: int, h: float, rng: np.random.Generator
) -> tuple[Array, Array, Array]:
    """k random unit directions within array ``name``: ⟨g, u⟩, the central difference, kink flags."""
    p = net.param_arrays()[name]
    saved = p.copy()
    base = net.forward(X)
    analytic, numeric, kinked = np.empty(k), np.empty(k), np.zeros(k, dtype=bool)
    for i in range(k):
        u = rng.standard_normal(p.shape)
        # plain reductions, not BLAS dot/nrm2: on a busy machine a threaded BLAS call on a vector
        # this short costs milliseconds of thread hand-off for microseconds of work
        u /= np.sqrt((u * u).sum())
        p[...] = saved + h * u
        J_plus, c_plus = _cost_and_cache(net, X, Y)
        p[...] = saved - h * u
        J_minus, c_minus = _cost_and_cache(net, X, Y)
        p[...] = saved
        analytic[i] = (grad * u).sum()
        numeric[i] = (J_plus - J_minus) / (2 * h)
        for l in range(1, net.depth + 1):
            kinks = net.act(l).kinks
            if kinks and (
                _crossed(kinks, c_minus.z[l], c_plus.z[l]).any()
                or _crossed(kinks, base.z[l], c_plus.z[l]).any()
            ):
                kinked[i] = True
        if name[0] == "W" and net.l1 and np.any(np.abs(saved) <= h * np.abs(u)):
            kinked[i] = True
    return analytic, numeric, kinked


# ---------------------------------------------------------------------------------------------
# The public checks
# ---------------------------------------------------------------------------------------------


def gradcheck(
    model: MLP,
    X: Array,
    Y: Array,
    *,
    mode: str = "full",
    h: float = DEFAULT_H,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    directions: int = 3,
    seed: int = 0,
    resamples: int = 3,
    n_worst: int = 5,
) -> GradcheckResult:
    """Check ``model.backward`` against central differences of ``model.cost`` at (X, Y), in float64.

    ``mode`` is ``"full"`` (every parameter) or ``"fast"`` (``directions`` random directions per
    parameter array). An entry passes when its relative error is at most ``threshold``, the
    denominator being at least ``floor · max(1, |J|)`` (see the module doc). Entries at kinks are
    re-checked at up to ``resamples`` nearby points drawn from ``seed`` and skipped after that.
    ``model`` is not modified; a float32 model is checked as its float64 copy.
    """
    started = time.perf_counter()
    if mode not in ("full", "fast"):
        raise ValueError(f"mode must be 'full' or 'fast', got {mode!r}")
    net = model.astype(np.float64)
    X = np.array(X, dtype=np.float64)
    Y = np.array(Y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != net.sizes[0] or Y.shape != (net.sizes[-1], X.shape[1]):
        raise ValueError(
            f"X must be {net.sizes[0]}×m and Y {net.sizes[-1]}×m (one example per column); "
            f"got X {_shape(X)} and Y {_shape(Y)}"
        )
    rng = np.random.default_rng(seed)
    names = list(net.param_arrays())
    J = net.cost(X, Y)
    if not np.isfinite(J):
        return _failed(f"the cost is {J} at this point: nothing can be compared", mode=mode,
                       threshold=threshold, started=started, n_params=net.n_params)
    floor = floor * max(1.0, abs(J))
    if mode == "full":
        pending = {n: np.arange(p.size) for n, p in net.param_arrays().items()}
    else:
        pending = {n: np.arange(directions) for n in names}
    found = _Comparisons()
    point, X_point = net, X
    used = 0
    for attempt in range(resamples + 1):
        if attempt:
            point, X_point = _resample(net, X, rng)
            used += 1
        try:
            grads = _run_backward(lambda p=point, x=X_point: p.gradients(x, Y).named(), point.param_arrays())
        except _BackwardFailed as failure:
            return _failed(
                str(failure), mode=mode, threshold=threshold, started=started, n_params=net.n_params
            )
        cache = point.forward(X_point)
        still: dict[str, Array] = {}
        for name, items in pending.items():
            if mode == "full":
                numeric, kinked = _full_numeric(point, cache, Y, name, items, h)
                analytic = grads[name].ravel()[items]
                shape: tuple[int, ...] | None = grads[name].shape
            else:
                analytic, numeric, kinked = _fast_numeric(
                    point, X_point, Y, grads[name], name, items.size, h, rng
                )
                shape = None
            found.add(name, shape, items[~kinked], analytic[~kinked], numeric[~kinked])
            if kinked.any():
                still[name] = items[kinked]
        pending = still
        if not pending:
            break
    return found.result(
        mode=mode,
        threshold=threshold,
        floor=floor,
        n_worst=n_worst,
        started=started,
        kinks_skipped=sum(v.size for v in pending.values()),
        resamples=used,
        n_params=net.n_params,
    )


def check_function(
    cost: Callable[[], float],
    params: dict[str, Array],
    grads: dict[str, Array],
    *,
    h: float = DEFAULT_H,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    n_worst: int = 5,
) -> GradcheckResult:
    """Entry-by-entry central differences of a smooth ``cost()`` that reads ``params`` (float64 arrays).

    Each entry is moved by ±h in place and restored; the floor is scaled by max(1, |cost()|) as in
    :func:`gradcheck`. For small problems (the row-convention network); the MLP has the faster
    :func:`gradcheck`.
    """
    started = time.perf_counter()
    try:
        _check_shapes(params, grads)
    except _BackwardFailed as failure:
        return _failed(str(failure), mode="full", threshold=threshold, started=started,
                       n_params=sum(p.size for p in params.values()))
    found = _Comparisons()
    floor = floor * max(1.0, abs(cost()))
    for name, p in params.items():
        numeric = np.empty(p.size)
        flat = p.reshape(-1)  # a view: writing into it moves the parameter the cost reads
        for i in range(p.size):
            saved = flat[i]
            flat[i] = saved + h
            J_plus = cost()
            flat[i] = saved - h
            J_minus = cost()
            flat[i] = saved
            numeric[i] = (J_plus - J_minus) / (2 * h)
        found.add(name, p.shape, np.arange(p.size), np.asarray(grads[name]).ravel(), numeric)
    n = sum(p.size for p in params.values())
    return found.result(mode="full", threshold=threshold, floor=floor, n_worst=n_worst, started=started,
                        kinks_skipped=0, resamples=0, n_params=n)


def rownet_gradcheck(params: dict[str, Array], X: Array, Y: Array, **options: Any) -> GradcheckResult:
    """Check :func:`checker.network.rownet.row_backward` against central differences of ``row_loss``."""
    started = time.perf_counter()
    p64 = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)

    def backward() -> dict[str, Array]:
        g = _rownet.row_backward(p64, _rownet.row_forward(p64, X), Y)
        return {name: g["d" + name] for name in p64}

    try:
        grads = _run_backward(backward, p64)
    except _BackwardFailed as failure:
        return _failed(str(failure), mode="full", threshold=options.get("threshold", DEFAULT_THRESHOLD),
                       started=started, n_params=sum(p.size for p in p64.values()))
    return check_function(lambda: _rownet.row_loss(p64, X, Y), p64, grads, **options)


def random_problem(model: MLP, batch: int, seed: int = 0) -> tuple[Array, Array]:
    """Random inputs N(0, 1) and targets that suit the model's loss, one example per column.

    softmax-ce: one-hot columns; sigmoid-bce: 0/1 labels; mse: targets uniform in [0, 1).
    """
    rng = np.random.default_rng(seed)
    n_in, n_out = model.sizes[0], model.sizes[-1]
    X = rng.standard_normal((n_in, batch))
    if model.loss == "softmax-ce":
        Y = np.zeros((n_out, batch))
        Y[rng.integers(0, n_out, batch), np.arange(batch)] = 1.0
    elif model.loss == "sigmoid-bce":
        Y = rng.integers(0, 2, (n_out, batch)).astype(np.float64)
    else:
        Y = rng.random((n_out, batch))
    return X.astype(model.dtype), Y.astype(model.dtype)
