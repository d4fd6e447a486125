r"""The values of a derivation's steps on random instances of the question's network.

Every step is evaluated at the same draws: distinct sizes per dimension (so a missing transpose
cannot hide), free inputs sampled away from kinks (and as distributions or one-hot rows where the
question says so), a generic σ read as sigmoid, tanh and softplus in turn. Defined quantities are
never sampled: they are computed from their definitions, so that ∂f/∂x can set x free and see f
move. Each ∂f/∂x node of a step is replaced by a placeholder whose value is computed by central
differences (:mod:`checker.network.central_difference`), then the step is evaluated like an
answer (index notation included) by the judge's evaluator.

Tolerance: the one policy of :mod:`checker.network.central_difference` (relative error at most
``TOLERANCE`` = 1e-6 with an absolute floor of 1e-3·max(1, |value|)). A central difference with
h = 1e-5 on these small smooth networks is off by h²·|f'''|/6 + eps·|f|/h, about 1e-10 relative;
a wrong step differs by a missing factor, term or transpose: 1e-1 or more at random values.

Work is counted, never timed: every evaluation inside a central difference costs the size of the
differentiated tree, and a derivation may spend at most :data:`WORK_BUDGET` of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from checker.grading import sampling
from checker.grading.derivation.model import model_of
from checker.grading.derivation.names import FORMULAS, derivation_vocabulary
from checker.grading.indexed import concrete_index_sizes, evaluate_indexed, has_indices, index_shape, places
from checker.grading.sampling import Draw
from checker.grading.trees import contains, size
from checker.network.central_difference import TOLERANCE, central_gradient, floor_for, relative_error
from checker.proof.evaluate import EvaluationError, NumEnv, evaluate
from derivations import get
from derivations.expr import SCALAR, Deriv, Expr, Sym, children, shape_of, symbols_of, to_latex
from derivations.questions import Question, get_question

DISTINCT_DRAWS = 3
WORK_BUDGET = 3_000_000
"""Tree nodes evaluated inside central differences, per derivation."""

Values = list[dict[str, np.ndarray]]


class BudgetExceeded(Exception):  # noqa: N818 - a condition, not a failure of the code
    """The derivation needs more counted work than it may spend."""


@dataclass
class Instances:
    """The draws of one question: sizes and, per reading of σ, the free inputs' values."""

    question: str
    draws: list[Draw]
    activations: tuple[str, ...]
    definitions: dict[Sym, Expr]
    known: list[dict[str, dict[str, np.ndarray]]] = field(default_factory=list)
    """Per draw, per reading of σ: the values of every quantity, free and defined (computed once,
    so that evaluating a step never walks the definitions again)."""


@dataclass
class Evaluator:
    """Evaluates steps of one derivation on the question's draws, within a work budget."""

    inst: Instances
    work: int = 0
    naming_work: int = 0  # counted apart: see mistake.NAMING_BUDGET
    derivs: dict[Expr, tuple[Sym, Values]] = field(default_factory=dict)

    def spend(self, amount: int) -> None:
        self.work += amount
        if self.work > WORK_BUDGET:
            raise BudgetExceeded(f"checking needs more than {WORK_BUDGET:,} units of work")

    def lower(self, e: Expr) -> Expr:
        """``e`` with every ∂f/∂x replaced by a placeholder symbol whose values are computed."""
        if isinstance(e, Deriv):
            return self._placeholder(e)
        kids = children(e)
        if not kids or not has_derivative(e):
            return e
        from checker.grading.mistakes import rebuild

        return rebuild(e, tuple(self.lower(k) for k in kids))

    def _placeholder(self, d: Deriv) -> Sym:
        if d in self.derivs:
            return self.derivs[d][0]
        rows, cols = shape_of(d)
        key = "d:" + hashlib.sha1(repr(d).encode()).hexdigest()[:12]
        sym = Sym(key, rows, cols, to_latex(d))
        values: Values = []
        for draw in self.inst.draws:
            row = {}
            for act in self.inst.activations:
                row[act] = self._jacobian(d, draw.envs[act])
            values.append(row)
        self.derivs[d] = (sym, values)
        return sym

    def _jacobian(self, d: Deriv, env: NumEnv) -> np.ndarray:
        f = FORMULAS.get(d.f, d.f)  # inner derivatives are left to the evaluator: they move with x
        x0 = evaluate(d.wrt, env)
        cost = size(f) * (2 * x0.size + 1)
        self.spend(cost)
        indexed = has_indices(f)
        sizes = None
        if indexed:
            _, letters = index_shape(f)
            sizes = concrete_index_sizes(letters, _sizes_of(env))

        def at(x: np.ndarray) -> np.ndarray:
            moved = env.with_values(**{d.wrt.key: x})
            return evaluate_indexed(f, moved, sizes) if indexed else evaluate(f, moved)

        with np.errstate(all="ignore"):
            out = central_gradient(at, x0)
            if x0.size == 1 and out.size > 1:  # by a scalar, entry by entry: f's shape (∂Y/∂b)
                out = out.reshape(at(x0).shape)
            return out

    def diagonal(self, sym: Sym) -> Sym | None:
        """The column of a placeholder's diagonal, if its value is a diagonal matrix at every draw."""
        found = next(((d, v) for d, v in self.derivs.values() if d == sym), None)
        if found is None or sym.rows != sym.cols:
            return None
        _, vals = found
        if not all(np.allclose(m, np.diag(np.diag(m)), atol=1e-9) for row in vals for m in row.values()):
            return None
        diag = Sym(sym.key + ":diag", sym.rows, 1, sym.tex)
        key = Deriv(diag, diag)  # a key of its own among the placeholders; never evaluated
        self.derivs[key] = (diag, [{a: np.diag(m).reshape(-1, 1) for a, m in row.items()} for row in vals])
        return diag

    def values(self, e: Expr, letters: Mapping[str, str | int] | None = None) -> Values:
        """``e`` (already lowered) at every draw under every reading of σ (each one evaluated:
        a placeholder's values differ between readings even where ``e`` shows no σ)."""
        out: Values = []
        indexed = has_indices(e)
        if indexed:
            self._reaches_places(e, letters or {})
        with np.errstate(all="ignore"):
            for k, draw in enumerate(self.inst.draws):
                row = {}
                for act, base in draw.envs.items():
                    extra = {sym.key: vals[k][act] for sym, vals in self.derivs.values()}
                    known = self.inst.known[k][act]
                    env = NumEnv({**known, **extra}, {}, base.generic_as, base.index_sizes)
                    if indexed:
                        sizes = concrete_index_sizes(letters or {}, draw.sizes)
                        row[act] = evaluate_indexed(e, env, sizes)
                    else:
                        row[act] = evaluate(e, env)
                out.append(row)
        return out


    def _reaches_places(self, e: Expr, letters: Mapping[str, str | int]) -> None:
        """An entry written out at a fixed place (row 3 of a 3 × 3 matrix) must lie inside the
        sizes of some draw; otherwise the step would be checked without it: it is not checked."""
        for letter, number in places(e).items():
            reach = max(concrete_index_sizes(letters, d.sizes).get(letter, 0) for d in self.inst.draws)
            if reach < number:
                raise EvaluationError(
                    f"no size tried reaches place {number} of the index {letter} (the largest is {reach}): "
                    "write the entry as part of a formula for entry (i, j)"
                )


def _sizes_of(env: NumEnv) -> dict[str, int]:
    return dict(env.index_sizes)


def has_derivative(e: Expr) -> bool:
    """Whether a ∂-fraction occurs anywhere in ``e``."""
    return contains(e, lambda node: isinstance(node, Deriv))


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """One entry-wise comparison under the central-difference module's tolerance policy."""
    if a.shape != b.shape or not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return False
    if a.size == 0:
        return True
    floor = floor_for(float(np.max(np.abs(b))))
    return bool(np.max(relative_error(a, b, floor)) <= TOLERANCE)


def agreement(a: Values, b: Values) -> dict[str, bool]:
    """Per reading of σ: whether ``a`` and ``b`` agree at every draw."""
    return {act: all(close(ra[act], rb[act]) for ra, rb in zip(a, b, strict=True)) for act in a[0]}


def same(a: Values, b: Values) -> bool:
    """Whether two value lists agree at every draw under every reading of σ."""
    return all(agreement(a, b).values())


@cache
def instances(question_id: str) -> Instances:
    """The draws of a question, made once per process from a seed derived from its id."""
    q = get_question(question_id)
    model = model_of(question_id)
    vocab = derivation_vocabulary(question_id)
    definitions = dict(q.definitions)
    definitions.update(model.definitions)
    symbols: set[Sym] = set(vocab.symbols.values()) | set(vocab.code_names.values())
    exprs = [q.reference, model.asked, *definitions.values()]
    for e in exprs:
        symbols |= symbols_of(e)
    free = {s for s in symbols if s not in definitions and not s.depends}
    # The judge's sampler draws the free inputs (positive, unit-interval, simplex, one-hot where
    # the question says so); defined quantities are left to their definitions, so that a
    # derivative can set its variable free and see them move.
    # the derivation's domains hold too: ε of batch norm is positive wherever the question lists it
    d = get(q.derivation)
    domain = dataclasses.replace(q, positive=tuple(dict.fromkeys(q.positive + d.positive)),
                                 unit_interval=tuple(dict.fromkeys(q.unit_interval + d.unit_interval)))
    try:
        return _instances(domain, symbols, exprs, free, definitions)
    except EvaluationError:
        if not d.sizes:
            raise
    # sizes that depend on each other (a convolution's output is h − k_h + 1): the derivation's own
    return _instances(domain, symbols, exprs, free, definitions, d.sizes)


def _instances(
    q: Question,
    symbols: set[Sym],
    exprs: list[Expr],
    free: set[Sym],
    definitions: dict[Sym, Expr],
    fixed: tuple[dict[str, int], ...] = (),
) -> Instances:
    # an answer in scalars (soft-thresholding of an entry u by t) is drawn on the whole scalar
    # ladder, both sides of every kink, even where the derivation also defines matrices (U, V)
    ladder = all(s.shape == SCALAR for s, _ in q.symbols) and shape_of(q.reference) == SCALAR
    sampled = sampling.instances(q, {s for s in symbols if not s.depends}, exprs, fixed, ladder)
    draws = []
    for draw in sampled.draws:
        values = {s.key: draw.envs[sampled.activations[0]].values[s.key] for s in free}
        envs = {
            act: NumEnv(values, definitions, {"sigma": act, "f": act}, draw.sizes)
            for act in sampled.activations
        }
        draws.append(Draw(draw.sizes, envs))
    known = [{act: _all_values(env) for act, env in draw.envs.items()} for draw in draws]
    return Instances(q.id, draws, sampled.activations, definitions, known)


def _all_values(env: NumEnv) -> dict[str, np.ndarray]:
    out = dict(env.values)
    with np.errstate(all="ignore"):
        for sym in env.definitions:
            out[sym.key] = evaluate(sym, env)
    return out


__all__ = ["BudgetExceeded", "EvaluationError", "Evaluator", "agreement", "close", "instances", "same"]
