"""The one central-difference module: the step, the relative error and the tolerance policy.

Every numeric check of gradproof — ``gradproof verify``'s check 3 (:mod:`checker.proof.numeric`),
``gradproof gradcheck`` (:mod:`checker.network.gradcheck`) and the tests — differentiates with
(f(x + h e) − f(x − h e)) / 2h and compares with the relative error

    |a − n| / max(|a| + |n|, floor(scale)),   floor(scale) = FLOOR · max(1, |scale|)

where ``scale`` is the size of the differentiated function's value (the cost J for a gradient
check; 1 where no better size is known). The floor keeps entries whose true derivative is (nearly)
zero from dividing rounding noise by almost nothing; it grows with the value because that noise
does: f(x ± h e) is computed to about eps·|f|, so the numeric derivative carries an error of about
eps·|f| / h whatever the entry. A comparison passes when its worst entry is at most TOLERANCE.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray

# h balances truncation (h²·|third derivative|/6) against rounding (eps·|J|/h); of 1e-6, 1e-5,
# 2e-5, 3e-5 and 1e-4, 1e-5 gave the smallest worst-case error on random networks.
H = 1e-5
# Rounding noise of a central difference is about eps·|J| / h: measured up to ~1e-10·max(1, |J|) in
# absolute terms on correct networks. A floor of 1e-3·max(1, |J|) turns that into a relative error
# of at most ~1e-7 for entries whose true gradient is ~0, instead of a meaningless ~1.
FLOOR = 1e-3
# Measured on 300 random correct float64 checks (every activation and loss, depth 1–4, widths 1–200,
# batch 1–30, inputs scaled by 0.1–3, costs up to ~200, with L1/L2): the worst entry stays below
# 2e-7 (784-100-100-10, batch 50: 9e-8), and the catalogue's formulas below 4e-8. Every injected
# bug of tests/test_injected_bugs.py and every mutated formula of tests/test_derivations.py scores
# 0.6 or more. 1e-6 sits between them.
TOLERANCE = 1e-6


def floor_for(scale: float = 1.0) -> float:
    """The absolute floor of the relative error for a function whose value is about ``scale``."""
    return FLOOR * max(1.0, abs(float(scale)))


def relative_error(analytic: Array, numeric: Array, floor: float | None = None) -> Array:
    """|a − n| / max(|a| + |n|, floor), elementwise; anything not finite counts as an infinite error.

    ``floor`` is absolute (see :func:`floor_for`); by default that of a value of size 1.
    """
    floor = floor_for() if floor is None else floor
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)
    return np.where(np.isfinite(rel), rel, np.inf)


def max_relative_error(analytic: Array, numeric: Array, floor: float | None = None) -> float:
    """The worst entry of :func:`relative_error`; arrays of different sizes are infinitely apart.

    Arrays of the same size but different shapes (a column against a flat vector) are compared
    entry by entry in the numeric array's shape.
    """
    a, n = np.asarray(analytic, float), np.asarray(numeric, float)
    if a.shape != n.shape:
        if a.size != n.size:
            return float("inf")
        a = a.reshape(n.shape)
    if a.size == 0:
        return 0.0
    return float(np.max(relative_error(a, n, floor)))


def passes(error: float, tolerance: float = TOLERANCE) -> bool:
    """The one tolerance policy: a finite worst relative error at most ``tolerance``."""
    return bool(np.isfinite(error) and error <= tolerance)


def central_gradient(f: Callable[[Array], float | Array], x: Array, h: float = H) -> Array:
    """∂f/∂x by central differences: x's shape for a scalar f, (f.size, x.size) otherwise."""
    x = np.array(x, dtype=float)
    flat = x.reshape(-1)
    # copies (np.array, not np.asarray): f may return x itself (f the identity), which the loop moves
    first = np.array(f(x), float)
    out = np.zeros(x.shape) if first.size == 1 else np.zeros((first.size, flat.size))
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + h
        up = np.array(f(x), float)
        flat[k] = keep - h
        down = np.array(f(x), float)
        flat[k] = keep
        g = (up - down) / (2 * h)
        if first.size == 1:
            out.reshape(-1)[k] = float(g.reshape(-1)[0])
        else:
            out[:, k] = g.reshape(-1)
    return out
