r"""A step that is the step before times a power of one of the question's scalar quantities.

§3's ``wrong-scale`` is "off by a constant factor": an extra 2, but also a missing 1/m or λ for
ηλ, where the factor is a quantity of the question, not a number. Such a step is a·b with a ratio
that is constant inside each draw but moves from draw to draw with that quantity: c·s^k for a
scalar input s (m, n, η, λ) and k ∈ {±1, ±2}, the same c at every draw.
"""

from __future__ import annotations

import numpy as np

from checker.grading.derivation.state import Grading
from checker.grading.derivation.values import Values
from derivations.expr import Pow, Sym, num, to_latex

POWERS = (1, -1, 2, -2)
_CLOSE = 1e-6


def _ratio(ra: dict[str, np.ndarray], rb: dict[str, np.ndarray]) -> float | None:
    """The one number r with a = r·b at this draw (under every reading of σ), if there is one."""
    ratios = []
    for act in ra:
        x, y = ra[act], rb[act]
        mask = np.abs(y) > 1e-9
        if x.shape != y.shape or not mask.any():
            return None
        ratios.extend((x[mask] / y[mask]).ravel())
    r = np.array(ratios)
    if not np.all(np.isfinite(r)) or np.ptp(r) > _CLOSE * max(1.0, float(np.max(np.abs(r)))):
        return None
    return float(r[0])


def _same(values: list[float]) -> bool:
    return bool(np.ptp(values) <= _CLOSE * max(1.0, max(abs(v) for v in values)))


def scaled_by_quantity(g: Grading, a: Values, b: Values) -> str | None:
    """What the factor is, when ``a`` is ``b`` times c·s^k for a scalar input s of the question."""
    ratios = [_ratio(ra, rb) for ra, rb in zip(a, b, strict=True)]
    if len(ratios) < 2 or any(r is None for r in ratios):
        return None
    defined = {s.key for s in g.ev.inst.definitions}
    first = next(iter(a[0]))
    scalars = {s.key: s for s in g.vocab.symbols.values() if s.shape == (1, 1) and s.key not in defined}
    for key, sym in scalars.items():
        try:
            values = [float(g.ev.inst.known[d][first][key].reshape(-1)[0]) for d in range(len(ratios))]
        except (KeyError, IndexError):
            continue
        if any(abs(v) < 1e-9 for v in values) or _same(values):
            continue  # a quantity that does not move between draws cannot be told from a constant
        for k in POWERS:
            cs = [r / v**k for r, v in zip(ratios, values, strict=True)]  # type: ignore[operator]
            if _same(cs):
                return _factor(cs[0], sym, k)
    return None


def _factor(c: float, sym: Sym, k: int) -> str:
    power = to_latex(Pow(sym, num(k))) if k != 1 else to_latex(sym)
    coefficient = "" if abs(c - 1) < _CLOSE else f"{c:.4g} \\cdot "
    return f"it is ${coefficient}{power}$ times the step before"
