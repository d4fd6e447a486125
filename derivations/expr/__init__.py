"""The one expression language of gradproof.

Student LaTeX, plain text, NumPy code, reference answers and the steps of every derivation all
become this small typed tree: symbols with (symbolic) shapes, products, elementwise functions,
transposes, derivatives, sums over indices. From it ``checker`` builds a NumPy evaluator and a
sympy translation, and :func:`to_latex` prints it for the site and for the grader's echo-back.

Shapes are pairs ``(rows, cols)`` whose entries are dimension names (``"n_l"``) or the integer 1:
every value is a matrix; a column vector is ``(n, 1)`` and a scalar ``(1, 1)``.

The package: :mod:`.nodes` (the tree and its operators), :mod:`.builders` (constructors and
walkers), :mod:`.shapes` (the shape algebra), :mod:`.latex` (the printer).
"""

from derivations.expr.builders import (
    children,
    depth,
    dsigma,
    exp,
    fn,
    free_indices,
    has_indices,
    log,
    mat,
    num,
    other_index,
    same_index,
    scalar,
    sigma,
    summ,
    symbols_of,
    vec,
)
from derivations.expr.latex import shape_tex, tex, to_latex
from derivations.expr.nodes import (
    ELEMENTWISE,
    SCALAR,
    Add,
    BigO,
    Cond,
    Corr,
    Deriv,
    Diag,
    Dim,
    Div,
    Entry,
    Expr,
    Flip,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    MaxOf,
    Mul,
    Neg,
    Norm,
    Num,
    Ones,
    Pad,
    Piecewise,
    Pow,
    Shape,
    ShapeError,
    Softmax,
    Sym,
    T,
    lift,
)
from derivations.expr.shapes import ShapeCache, ShapeContext, shape_of

__all__ = [
    "ELEMENTWISE", "SCALAR", "Add", "BigO", "Cond", "Corr", "Deriv", "Diag", "Dim", "Div", "Entry", "Expr",
    "Flip", "Fn", "Hadamard", "IndexSum", "Indicator", "KDelta", "Max", "MaxOf", "Mul", "Neg", "Norm",
    "Num", "Ones", "Pad", "Piecewise", "Pow", "Shape", "ShapeCache", "ShapeContext", "ShapeError",
    "Softmax", "Sym", "T", "children", "depth", "dsigma", "exp", "fn", "free_indices",
    "has_indices", "lift", "log", "mat", "num",
    "other_index", "same_index", "scalar", "shape_of", "shape_tex", "sigma", "summ", "symbols_of", "tex",
    "to_latex", "vec",
]
