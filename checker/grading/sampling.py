"""Random instances of a question, and answers evaluated and compared on them.

A question is instantiated several times: *distinct* dimension sizes per draw (so a missing
transpose cannot hide behind a square matrix), values inside each symbol's domain (positive,
a probability distribution, one-hot rows where the question says so), and a generic σ read as
several concrete activations (so a sigmoid-only form is caught). A scalar question's variable
also runs through a fixed ladder of magnitudes, from 0.02 to 4 on both sides of 0, so that a
threshold moved off a kink (``𝟙[z > 0.1]`` for ``𝟙[z > 0]``) shows in the numbers even when the
exact check cannot run.

Where the reference answer branches (𝟙[z₁ > z₂], a ``cases``), a few draws at random sizes may
all fall on one side of a condition, and then an answer wrong on the other side would pass: more
draws are made, up to :data:`MAX_BRANCH_DRAWS`, until every condition of the reference has been
seen both true and false.

The draws come from a seed derived from the question's id: the same answer always meets the
same values. Nothing here knows about mistakes or verdicts.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from checker.grading.indexed import concrete_index_sizes, evaluate_indexed, has_indices, is_place
from checker.grading.trees import contains
from checker.proof.evaluate import NumEnv, evaluate
from derivations.expr import (
    SCALAR,
    Cond,
    Entry,
    Expr,
    Fn,
    IndexSum,
    Indicator,
    KDelta,
    Ones,
    Piecewise,
    Sym,
    children,
)
from derivations.questions import Question

GENERIC_ACTIVATIONS = ("sigmoid", "tanh", "softplus")
RTOL, ATOL = 1e-6, 1e-9
DISTINCT_DRAWS, SQUARE_SIZES = 3, (3, 4)
SCALAR_LADDER = (0.02, 0.06, 0.15, 0.4, 0.9, 1.7, 2.6, 4.0)
"""Magnitudes a scalar question's variable takes, each once positive and once negative."""
SCALAR_DRAWS = 2 * len(SCALAR_LADDER)
MAX_BRANCH_DRAWS = 12
"""At most this many distinct draws are made to see every condition of the reference both ways."""


@dataclass
class Draw:
    """One instantiation: concrete sizes, and an environment per reading of σ."""

    sizes: dict[str, int]
    envs: dict[str, NumEnv]


Values = list[dict[str, np.ndarray]]
"""Values of one expression: per draw, per activation."""


@dataclass
class Instances:
    """A question's draws at distinct sizes, its draws at equal (square) sizes, and its readings of σ."""

    activations: tuple[str, ...]
    draws: list[Draw]
    square: list[Draw]


def seed_of(question_id: str) -> int:
    """A fixed seed per question, so the same answer always gets the same verdict."""
    return int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:8], "big")


def dimensions(symbols: Iterable[Sym], exprs: Iterable[Expr]) -> list[str]:
    """The dimension names of ``symbols`` and of every ``1_n`` in ``exprs``, sorted."""
    found = {d for s in symbols for d in (s.rows, s.cols) if isinstance(d, str)}
    for e in exprs:
        stack = [e]
        while stack:
            node = stack.pop()
            if isinstance(node, Ones) and isinstance(node.n, str):
                found.add(node.n)
            stack.extend(children(node))
    return sorted(found)


def _scalar_value(k: int, rng: np.random.Generator) -> np.ndarray:
    """The k-th draw of a scalar variable: alternating sign (both sides of a kink), magnitude
    from :data:`SCALAR_LADDER` with a little jitter so that no value is a round number."""
    magnitude = SCALAR_LADDER[(k // 2) % len(SCALAR_LADDER)] * rng.uniform(0.9, 1.1)
    return np.array([[magnitude if k % 2 == 0 else -magnitude]])


def _sample(q: Question, symbols: list[Sym], sizes: Mapping[str, int], rng: np.random.Generator,
            k: int) -> dict[str, np.ndarray]:
    """Random values: positive/simplex/one-hot where declared, else |v| in [0.2, 2] (scalars:
    the ladder of magnitudes)."""
    defined = {s for s, _ in q.definitions}
    values: dict[str, np.ndarray] = {}
    for s in symbols:
        if s in defined:
            continue
        r = s.rows if isinstance(s.rows, int) else sizes[s.rows]
        c = s.cols if isinstance(s.cols, int) else sizes[s.cols]
        if (r, c) == (1, 1) and s.key in sizes:  # a count such as m is the size it counts
            v = np.array([[float(sizes[s.key])]])
        elif s.key in q.positive:
            v = rng.uniform(0.2, 1.5, (r, c))
        elif s.key in q.unit_interval:  # a decay rate: 1 − ρ must stay positive under a root
            v = rng.uniform(0.1, 0.9, (r, c))
        elif s.key in q.simplex:
            x = rng.uniform(0.1, 1.0, (r, c))
            v = x / x.sum(axis=0, keepdims=True)
        elif s.key in q.one_hot:
            v = np.zeros((r, c))
            v[np.arange(r), rng.integers(0, c, r)] = 1.0
        elif (r, c) == (1, 1):
            v = _scalar_value(k, rng)
        else:
            v = rng.choice([-1.0, 1.0], (r, c)) * rng.uniform(0.2, 2.0, (r, c))
        values[s.key] = v
    return values


def _draw(q: Question, symbols: list[Sym], sizes: dict[str, int], rng: np.random.Generator, k: int,
          activations: tuple[str, ...]) -> Draw:
    free = _sample(q, symbols, sizes, rng, k)
    envs: dict[str, NumEnv] = {}
    for act in activations:
        generic = {"sigma": act, "f": act}
        env = NumEnv(dict(free), dict(q.definitions), generic, sizes)
        values = dict(free)
        for s, definition in q.definitions:
            values[s.key] = evaluate(definition, env)
            env = NumEnv(dict(values), dict(q.definitions), generic, sizes)
        envs[act] = env
    return Draw(sizes, envs)


def instances(q: Question, symbols: Iterable[Sym], exprs: Iterable[Expr],
              fixed: tuple[Mapping[str, int], ...] = (), scalar_ladder: bool = False) -> Instances:
    """The draws of a question whose answers may use ``symbols`` (and the dimensions of ``exprs``).

    ``fixed`` are size combinations to draw at instead of random ones, in turn: dimensions that
    depend on each other (a convolution's output o_h = h − k_h + 1) cannot be drawn apart.
    ``scalar_ladder``: as many draws as a question without dimensions gets, so that its scalars
    climb the whole :data:`SCALAR_LADDER` even where other quantities have dimensions.
    """
    ordered = sorted(set(symbols), key=lambda s: s.key)
    dims = dimensions(ordered, exprs)
    activations = GENERIC_ACTIVATIONS if q.sigma == "generic" else ("sigmoid",)
    rng = np.random.default_rng(seed_of(q.id))
    pool = list(range(2, 2 + max(len(dims), 1) + 3))
    count = SCALAR_DRAWS if not dims or scalar_ladder else DISTINCT_DRAWS
    draws = []
    for k in range(count):
        sizes = dict(zip(dims, (int(v) for v in rng.choice(pool, len(dims), replace=False)), strict=True))
        if fixed:
            sizes.update(fixed[k % len(fixed)])
        draws.append(_draw(q, ordered, sizes, rng, k, activations))
    square = [_draw(q, ordered, dict.fromkeys(dims, n), rng, k, activations)
              for k, n in enumerate(SQUARE_SIZES)]
    conditions = branch_conditions(q.reference)
    while len(draws) < MAX_BRANCH_DRAWS and not both_ways(conditions, draws, activations[0]):
        sizes = dict(zip(dims, (int(v) for v in rng.choice(pool, len(dims), replace=False)), strict=True))
        draws.append(_draw(q, ordered, sizes, rng, len(draws), activations))
    return Instances(activations, draws, square)


def branch_conditions(e: Expr) -> list[Cond]:
    """The conditions ``e`` branches on: those of its indicators and of its cases."""
    found: list[Cond] = []
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Indicator):
            found.append(node.cond)
        elif isinstance(node, Piecewise):
            found.extend(c for _, c in node.cases if c is not None)
        stack.extend(children(node))
    return found


def both_ways(conditions: list[Cond], draws: list[Draw], activation: str) -> bool:
    """Whether every condition has held, and failed, for some entry of some draw (a condition that
    cannot be evaluated counts as seen: it is not a branch the draws can steer)."""
    for cond in conditions:
        seen: set[float] = set()
        for draw in draws:
            try:
                with np.errstate(all="ignore"):
                    seen.update(np.unique(evaluate(Indicator(cond), draw.envs[activation])).tolist())
            except Exception:  # noqa: BLE001 - an index-form condition has no value on its own
                seen = {0.0, 1.0}
                break
        if not {0.0, 1.0} <= seen:
            return False
    return True


def uses_generic(e: Expr, definitions: Mapping[Sym, Expr]) -> bool:
    """Whether ``e`` (through the definitions it uses) applies the generic σ."""
    return contains(e, lambda node: isinstance(node, Fn) and node.name in ("sigma", "f"), definitions)


def index_letters(e: Expr) -> set[str]:
    """Every index letter ``e`` uses, free or summed."""
    out, stack = set(), [e]
    while stack:
        node = stack.pop()
        match node:
            case Entry(_, row, col):
                out |= {row} | ({col} if col else set())
            case KDelta(i, j):
                out |= {x for x in (i, j) if not is_place(x)}  # δ_{i3}: 3 is a place, not a letter
            case IndexSum(index, _):
                out.add(index)
        stack.extend(children(node))
    return out


def values_of(e: Expr, draws: list[Draw], activations: tuple[str, ...],
              definitions: Mapping[Sym, Expr], letters: Mapping[str, str | int] | None = None) -> Values:
    """``e`` evaluated at every draw under every reading of σ.

    ``letters`` maps index letters to dimensions (from the symbolic shape check); without it
    (an answer whose shapes do not fit, evaluated at equal sizes) every letter takes the size
    shared by all dimensions.
    """
    indexed = has_indices(e)
    readings = activations if len(activations) > 1 and uses_generic(e, definitions) else activations[:1]
    out: Values = []
    with np.errstate(all="ignore"):  # an answer may overflow; the comparison sees inf or nan
        for draw in draws:
            out.append(_values_at(e, draw, readings, activations, indexed, letters))
    return out


def _values_at(e: Expr, draw: Draw, readings: tuple[str, ...], activations: tuple[str, ...],
               indexed: bool, letters: Mapping[str, str | int] | None) -> dict[str, np.ndarray]:
    row: dict[str, np.ndarray] = {}
    for act in readings:
        env = draw.envs[act]
        if indexed:
            if letters is not None:
                sizes = concrete_index_sizes(letters, draw.sizes)
            else:
                shared = next(iter(draw.sizes.values()), 1)
                sizes = dict.fromkeys(index_letters(e), shared)
            row[act] = evaluate_indexed(e, env, sizes)
        else:
            row[act] = evaluate(e, env)
    for act in activations[len(readings):]:
        row[act] = row[readings[0]]
    return row


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes, finite, and equal within the grader's tolerance (NaN and ∞ never match)."""
    if a.shape != b.shape:
        return False
    size = np.abs(b)
    largest = float(size.max()) if size.size else 0.0
    if not math.isfinite(largest):
        return False
    with np.errstate(invalid="ignore"):  # inf − inf in an answer is NaN, which compares False
        return bool((np.abs(a - b) <= RTOL * size + ATOL * max(1.0, largest)).all())


def agreement(a: Values, b: Values) -> dict[str, bool]:
    """Per reading of σ: whether ``a`` and ``b`` agree at every draw."""
    return {act: all(close(ra[act], rb[act]) for ra, rb in zip(a, b, strict=True)) for act in a[0]}


def same(a: Values | None, b: Values | None) -> bool:
    """Whether two value sets agree everywhere (two missing sets are the same)."""
    if a is None or b is None:
        return a is b
    return all(agreement(a, b).values())


def distance(a: Values, b: Values) -> float:
    """How far ``a`` is from ``b``: the largest relative difference over draws and readings
    (infinite where shapes differ or a value is not finite)."""
    worst = 0.0
    with np.errstate(all="ignore"):
        for ra, rb in zip(a, b, strict=True):
            for act, x in ra.items():
                y = rb[act]
                if x.shape != y.shape or not np.all(np.isfinite(x)):
                    return float("inf")
                scale = max(1.0, float(np.max(np.abs(y), initial=0.0)))
                worst = max(worst, float(np.max(np.abs(x - y), initial=0.0)) / scale)
    return worst


def first_difference(a: Values, b: Values, act: str, draws: list[Draw],
                     scalars: list[Sym] | None = None) -> str:
    """Where ``a`` and ``b`` first differ: an entry at named sizes, or for a scalar question the
    value of its symbols (``at z = -0.53``), which a student can check by hand."""
    for ra, rb, draw in zip(a, b, draws, strict=True):
        x, y = ra[act], rb[act]
        if x.shape == y.shape == SCALAR and scalars:
            if not close(x, y):
                values = draw.envs[act].values
                at = ", ".join(f"${s.tex or s.key} = {float(values[s.key][0, 0]):.4g}$"
                               for s in scalars if s.key in values)
                return f"at {at} it is {x[0, 0]:.4g} where {y[0, 0]:.4g} is expected"
            continue
        if x.shape == y.shape:
            with np.errstate(all="ignore"):
                bad = np.argwhere(~(np.abs(x - y) <= RTOL * np.abs(y) + ATOL * max(1.0, np.max(np.abs(y)))))
            if len(bad):
                i, j = (int(v) for v in bad[0])
                where = ", ".join(f"{k}={v}" for k, v in sorted(draw.sizes.items()))
                at = f" at sizes {where}" if where else ""
                return f"entry ({i + 1}, {j + 1}){at} is {x[i, j]:.4g} where {y[i, j]:.4g} is expected"
    return "it differs at some of the values tried"
