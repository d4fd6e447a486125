"""Naming the mistake in a wrong answer: which mutant of the reference it equals, or which repair
of the answer makes it right.

Single mutants (:func:`checker.grading.mistakes.mutants`) are evaluated in full once per
question. Double mutants are many, so each is evaluated at one draw only (its *fingerprint*);
an answer is compared with all fingerprints of its shape at once, and only a double whose
fingerprint matches is evaluated in full. An answer whose products do not fit is repaired one
edit at a time (a transpose added, factors swapped, ⊙ for a product, a product regrouped) and the
repaired answer compared with the reference and the mutants; failing that it is compared with
them at *equal* sizes, where every product fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from checker.grading.indexed import has_indices, index_shape
from checker.grading.mistakes import Mutant, double_mutants, mutants
from checker.grading.sampling import Instances, Values, agreement, same, values_of
from checker.proof.evaluate import EvaluationError
from derivations.expr import Expr, Shape, ShapeError, Sym, shape_of
from derivations.questions import Question

FINGERPRINT_TOL = 1e-6
EVAL_ERRORS = (ShapeError, EvaluationError, ValueError, IndexError, KeyError, ZeroDivisionError)


@dataclass
class PreparedMutant:
    """A mutant with its symbolic shape (None: its products do not fit) and its values."""

    mutant: Mutant
    shape: Shape | None
    values: Values | None
    square: Values | None


@dataclass
class Fingerprints:
    """Mutants' values at one draw and one reading of σ, stacked per array shape for one lookup."""

    rows: dict[tuple[int, ...], list[np.ndarray]] = field(default_factory=dict)
    owners: dict[tuple[int, ...], list[int]] = field(default_factory=dict)
    stacked: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict)

    def add(self, value: np.ndarray, owner: int) -> None:
        """Index ``value`` (one array) as belonging to mutant number ``owner``."""
        self.rows.setdefault(value.shape, []).append(value.ravel())
        self.owners.setdefault(value.shape, []).append(owner)

    def freeze(self) -> None:
        """Stack the rows (after the last :meth:`add`)."""
        self.stacked = {k: np.vstack(v) for k, v in self.rows.items()}
        self.rows = {}

    def matching(self, value: np.ndarray) -> list[int]:
        """The owners whose fingerprint equals ``value`` within tolerance."""
        table = self.stacked.get(value.shape)
        if table is None or not np.all(np.isfinite(value)):
            return []
        flat = value.ravel()
        scale = max(1.0, float(np.max(np.abs(flat), initial=0.0)))
        with np.errstate(all="ignore"):
            hit = np.all(np.abs(table - flat) <= FINGERPRINT_TOL * scale, axis=1)
        return [self.owners[value.shape][i] for i in np.flatnonzero(hit)]


@dataclass
class MutantSet:
    """Every mutant of one question: singles evaluated in full, doubles by fingerprint."""

    singles: list[PreparedMutant]
    doubles: list[Mutant]
    double_shapes: list[Shape | None]
    at_draw: Fingerprints
    at_square: Fingerprints
    singles_at_draw: Fingerprints = field(default_factory=Fingerprints)
    singles_at_square: Fingerprints = field(default_factory=Fingerprints)
    full: dict[int, PreparedMutant] = field(default_factory=dict)

    def index_singles(self) -> None:
        """Fingerprint the single mutants too, so an answer is compared in full with few of them."""
        for i, pm in enumerate(self.singles):
            if pm.values is not None:
                self.singles_at_draw.add(_first(pm.values), i)
            if pm.square is not None:
                self.singles_at_square.add(_first(pm.square), i)
        self.singles_at_draw.freeze()
        self.singles_at_square.freeze()

    @property
    def shapes(self) -> set[Shape]:
        """The shapes of the mutants that fit, to skip repairs no mutant could match."""
        return {pm.shape for pm in self.singles if pm.shape is not None} | {
            s for s in self.double_shapes if s is not None}


def _first(values: Values) -> np.ndarray:
    row = values[0]
    return row[next(iter(row))]


def prepare_mutants(q: Question, reference: Expr, inst: Instances, ref_values: Values,
                    ref_square: Values) -> MutantSet:
    """Evaluate a question's single mutants, and fingerprint its double mutants."""
    definitions = dict(q.definitions)
    singles: list[PreparedMutant] = []
    raw = mutants(q, reference)
    for m in raw:
        pm = _evaluate(m, inst, definitions)
        if pm is None or _equals_reference(pm, ref_values, ref_square):
            continue
        if any(o.shape == pm.shape and same(o.values, pm.values) and same(o.square, pm.square)
               for o in singles):
            continue  # the same values as an earlier (more specific) mutant
        singles.append(pm)
    known = Fingerprints()
    for i, v in enumerate([ref_values, *(pm.values for pm in singles)]):
        if v is not None:
            known.add(_first(v), i)
    known.freeze()
    doubles, shapes = [], []
    at_draw, at_square = Fingerprints(), Fingerprints()
    one = Instances(inst.activations[:1], inst.draws[:1], inst.square[:1])
    for m in double_mutants(q, raw, reference):
        shape = _shape(m.expr)
        try:
            value = _first(values_of(m.expr, one.draws, one.activations, definitions)) if shape else None
            # at equal sizes only doubles whose products do not fit are looked up (for misfit answers)
            square = None if shape else _first(values_of(m.expr, one.square, one.activations, definitions))
        except EVAL_ERRORS:
            continue
        if value is not None and known.matching(value):
            continue  # a single mistake (or none) explains these values already
        owner = len(doubles)
        doubles.append(m)
        shapes.append(shape)
        if value is not None:
            at_draw.add(value, owner)
        if square is not None:
            at_square.add(square, owner)
    at_draw.freeze()
    at_square.freeze()
    out = MutantSet(singles, doubles, shapes, at_draw, at_square)
    out.index_singles()
    return out


def _shape(e: Expr) -> Shape | None:
    try:
        return shape_of(e)
    except ShapeError:
        return None


def _evaluate(m: Mutant, inst: Instances, definitions: Mapping[Sym, Expr]) -> PreparedMutant | None:
    shape = _shape(m.expr)
    try:
        vals = values_of(m.expr, inst.draws, inst.activations, definitions) if shape is not None else None
        sq = values_of(m.expr, inst.square, inst.activations, definitions)
    except EVAL_ERRORS:
        return None
    return PreparedMutant(m, shape, vals, sq)


def _equals_reference(pm: PreparedMutant, ref_values: Values, ref_square: Values) -> bool:
    if pm.values is not None:
        return all(agreement(pm.values, ref_values).values())
    return pm.square is not None and all(agreement(pm.square, ref_square).values())


def _double(ms: MutantSet, owner: int, inst: Instances,
            definitions: Mapping[Sym, Expr]) -> PreparedMutant | None:
    if owner not in ms.full:
        pm = _evaluate(ms.doubles[owner], inst, definitions)
        if pm is None:
            return None
        ms.full[owner] = pm
    return ms.full[owner]


def match(ms: MutantSet, shape: Shape, values: Values, inst: Instances,
          definitions: Mapping[Sym, Expr]) -> Mutant | None:
    """The first mutant, single then double, that equals an answer of ``shape`` and ``values``."""
    for i in ms.singles_at_draw.matching(_first(values)):  # in family order
        pm = ms.singles[i]
        if pm.shape == shape and pm.values is not None and all(agreement(values, pm.values).values()):
            return pm.mutant
    for owner in ms.at_draw.matching(_first(values)):
        pm = _double(ms, owner, inst, definitions)
        if pm is not None and pm.shape == shape and pm.values is not None and all(
                agreement(values, pm.values).values()):
            return pm.mutant
    return None


def match_square(ms: MutantSet, square: Values, inst: Instances,
                 definitions: Mapping[Sym, Expr]) -> Mutant | None:
    """The first mutant equal to a misfit answer at equal sizes (misfit mutants first)."""
    candidates = [ms.singles[i] for i in ms.singles_at_square.matching(_first(square))]
    for pm in sorted(candidates, key=lambda pm: pm.shape is not None):  # stable: family order kept
        if pm.square is not None and all(agreement(square, pm.square).values()):
            return pm.mutant
    for owner in ms.at_square.matching(_first(square)):
        pm = _double(ms, owner, inst, definitions)
        if pm is not None and pm.square is not None and all(agreement(square, pm.square).values()):
            return pm.mutant
    return None


def answer_shape(e: Expr) -> tuple[Shape, dict | None]:
    """The shape of an answer, and for index notation the dimension of each index letter."""
    if has_indices(e):
        shape, letters = index_shape(e)
        return shape, letters
    return shape_of(e), None
