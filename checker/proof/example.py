"""The worked example of a derivation: the first case its numerical check compared, with numbers.

While :func:`checker.proof.numeric.check_probe` runs, every evaluation of a result (the values
it was given and the array it gave) and every comparison (the formula's array beside the
reference's: central differences of the reference MLP, the reference layer, a sample mean) are
remembered. The example is the first comparison of a formula: its inputs, its result, what it
was compared with and the relative error measured there. Nothing is typed by hand and nothing
is computed twice: the numbers are those the check itself used, so an example whose formula is
wrong shows the failure of the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass

import numpy as np

from checker.network.central_difference import TOLERANCE, max_relative_error, passes

Array = np.ndarray

_EVALUATIONS: ContextVar[list[tuple[str, dict[str, Array], Array]] | None] = ContextVar(
    "evaluations", default=None)
_COMPARISONS: ContextVar[list[tuple[str, list, float]] | None] = ContextVar("comparisons", default=None)


def remember_evaluation(chain: str, values: dict[str, Array], result: Array) -> None:
    """Note that a chain's result was evaluated at ``values`` (when a recording is on)."""
    found = _EVALUATIONS.get()
    if found is not None:
        found.append((chain, dict(values), result))


def remember_comparison(label: str, pairs: list, tolerance: float = TOLERANCE) -> None:
    """Note the pairs (what, formula or reference value, measured value) of one case."""
    found = _COMPARISONS.get()
    if found is not None:
        found.append((label, list(pairs), tolerance))


@dataclass
class Example:
    """One case of the numerical check, with its numbers (lists, so that it is stored as JSON)."""

    case: str
    chain: str
    what: str
    inputs: dict[str, list]
    result: list
    measured: list
    error: float
    ok: bool

    def to_dict(self) -> dict:
        """The example as plain JSON data."""
        return asdict(self)


@contextmanager
def recording() -> Iterator[list[Example]]:
    """Remember what the checks inside evaluate and compare; the list gets the example at the end
    (empty when no comparison used an evaluated formula)."""
    out: list[Example] = []
    evaluations: list = []
    comparisons: list = []
    tokens = _EVALUATIONS.set(evaluations), _COMPARISONS.set(comparisons)
    try:
        yield out
    finally:
        _EVALUATIONS.reset(tokens[0])
        _COMPARISONS.reset(tokens[1])
    example = first_example(evaluations, comparisons)
    if example is not None:
        out.append(example)


def first_example(evaluations: list, comparisons: list) -> Example | None:
    """The first compared pair whose first value is an evaluated formula, as an :class:`Example`."""
    by_array = {id(result): (chain, values) for chain, values, result in evaluations}
    for label, pairs, tolerance in comparisons:
        for what, formula, measured in pairs:
            if id(formula) not in by_array:
                continue
            chain, values = by_array[id(formula)]
            formula, measured = np.asarray(formula, float), np.asarray(measured, float)
            error = max_relative_error(formula, measured)
            return Example(
                case=label, chain=chain, what=what,
                inputs={k: _listed(v) for k, v in values.items()},
                result=_listed(formula), measured=_listed(measured),
                error=float(error), ok=bool(passes(error, tolerance)),
            )
    return None


def _listed(value: object) -> list:
    a = np.asarray(value, float)
    return np.atleast_2d(a if a.ndim <= 2 else a.reshape(-1, a.shape[-1])).tolist()
