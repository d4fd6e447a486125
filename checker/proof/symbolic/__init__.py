"""Exact checks: the expression tree translated into explicit sympy matrices of symbols.

At concrete sizes (say n_l = 3, n_{l+1} = 2) every matrix symbol becomes a matrix of sympy
symbols, a generic σ becomes an undefined sympy function whose derivatives are again undefined
functions (σ, σ', σ'', ...), and a derivative node is sympy's own differentiation of the
explicit function. Two expressions are equal when every entry of their difference simplifies
to zero: an equality sympy proves, not a float comparison.

The package: :mod:`.translate` (tree to sympy matrices, default sizes), :mod:`.kinks` (zero in
every sign region of a kinked difference), :mod:`.equality` (exact and series equality).
"""

from checker.proof.symbolic.equality import claimed_order, equal, series_coefficients, series_equal
from checker.proof.symbolic.kinks import _impossible
from checker.proof.symbolic.translate import (
    ELU_ALPHA,
    LEAKY_SLOPE,
    SympyEnv,
    apply_function,
    default_sizes,
    generic_function,
    to_sympy,
)

__all__ = [
    "ELU_ALPHA", "LEAKY_SLOPE", "SympyEnv", "_impossible", "apply_function", "default_sizes", "equal",
    "claimed_order", "generic_function", "series_coefficients", "series_equal", "to_sympy",
]
