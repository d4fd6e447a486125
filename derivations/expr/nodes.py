"""Nodes of the expression language: the typed tree, its operators and :func:`lift`.

Shapes are pairs ``(rows, cols)`` whose entries are dimension names (``"n_l"``) or the integer 1:
every value is a matrix; a column vector is ``(n, 1)`` and a scalar ``(1, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

Dim = str | int
Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)


class ShapeError(ValueError):
    """Shapes that do not fit; the message names the shapes and, where it can, the fix.

    ``reason`` says what does not fit and ``hint`` (possibly empty) the transpose that would
    make it fit, so that a caller with a better diagnosis can keep the one and drop the other.
    Formulas in both are LaTeX between dollar signs, like every message of the grader.
    """

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(f"{reason}; {hint}" if hint else reason)
        self.reason = reason
        self.hint = hint


class Expr:
    """Base of every node. Operators build trees; they never evaluate anything."""

    __slots__ = ()

    def __add__(self, other: object) -> Expr:
        return Add((self, lift(other)))

    def __radd__(self, other: object) -> Expr:
        return Add((lift(other), self))

    def __sub__(self, other: object) -> Expr:
        return Add((self, Neg(lift(other))))

    def __rsub__(self, other: object) -> Expr:
        return Add((lift(other), Neg(self)))

    def __neg__(self) -> Expr:
        return Neg(self)

    def __mul__(self, other: object) -> Expr:
        return Mul(self, lift(other))

    def __rmul__(self, other: object) -> Expr:
        return Mul(lift(other), self)

    def __matmul__(self, other: object) -> Expr:
        return Mul(self, lift(other))

    def __truediv__(self, other: object) -> Expr:
        return Div(self, lift(other))

    def __rtruediv__(self, other: object) -> Expr:
        return Div(lift(other), self)

    def __pow__(self, other: object) -> Expr:
        return Pow(self, lift(other))

    def odot(self, other: Expr) -> Expr:
        """Elementwise (Hadamard) product ``self ⊙ other``."""
        return Hadamard(self, other)

    @property
    def T(self) -> Expr:  # noqa: N802 - the mathematical name
        return T(self)


def lift(value: object) -> Expr:
    """Turn a Python number into :class:`Num`; pass expressions through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise TypeError("booleans are not expressions")
    if isinstance(value, int | Fraction):
        return Num(Fraction(value))
    if isinstance(value, float):
        return Num(Fraction(value).limit_denominator(10**9))
    raise TypeError(f"cannot use {value!r} in an expression")


# --------------------------------------------------------------------------------------- nodes


@dataclass(frozen=True, eq=True)
class Sym(Expr):
    """A named quantity with a shape.

    ``key`` is the canonical identifier (``"W_next"``), ``tex`` how it is printed
    (``"W^{(l+1)}"``). ``depends`` lists the symbols an *unknown* function depends on (for J(W)
    in the regularisation derivations: its gradient exists but has no formula).
    """

    key: str
    rows: Dim = 1
    cols: Dim = 1
    tex: str = ""
    depends: tuple[Sym, ...] = ()

    @property
    def shape(self) -> Shape:
        return (self.rows, self.cols)

    def __repr__(self) -> str:
        return f"Sym({self.key})"


@dataclass(frozen=True)
class Num(Expr):
    """An exact scalar constant."""

    value: Fraction


@dataclass(frozen=True)
class Add(Expr):
    """A sum of terms of one shape (a scalar term broadcasts)."""

    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Neg(Expr):
    """``-x``."""

    arg: Expr


@dataclass(frozen=True)
class Mul(Expr):
    """The ordinary product: a matrix product, or scaling when one side is a scalar."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Hadamard(Expr):
    """The elementwise product ``⊙``."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Div(Expr):
    """Elementwise division; the denominator is a scalar or of the numerator's shape."""

    num: Expr
    den: Expr


@dataclass(frozen=True)
class Pow(Expr):
    """Elementwise power with a scalar exponent."""

    base: Expr
    exp: Expr


@dataclass(frozen=True)
class T(Expr):
    """Transpose."""

    arg: Expr


# Elementwise functions. ``sigma`` is the *generic* activation of the course (σ, also f);
# ``f`` and ``g`` are generic smooth scalar functions (the central-difference derivation).
# ``d`` is the order of derivative: Fn("sigma", z, 1) is σ'(z).
ELEMENTWISE = (
    "sigma", "f", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
    "exp", "log", "sign", "abs", "step", "sech", "sqrt",
)


@dataclass(frozen=True)
class Fn(Expr):
    """An elementwise function (or its ``d``-th derivative) applied to ``arg``."""

    name: str
    arg: Expr
    d: int = 0


@dataclass(frozen=True)
class Max(Expr):
    """Elementwise maximum of two expressions."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Softmax(Expr):
    """Softmax of each column (``axis=0``, the column convention) or each row (``axis=1``)."""

    arg: Expr
    axis: int = 0


@dataclass(frozen=True)
class Diag(Expr):
    """The diagonal matrix of a column vector."""

    arg: Expr


@dataclass(frozen=True)
class Ones(Expr):
    """The column of ``n`` ones, 𝟏_n."""

    n: Dim


@dataclass(frozen=True)
class Norm(Expr):
    """A scalar norm of a matrix: ``kind`` is ``"fro2"`` (‖X‖²_F) or ``"l1"`` (‖X‖₁, entrywise)."""

    arg: Expr
    kind: str


@dataclass(frozen=True)
class Deriv(Expr):
    """∂f/∂x.

    A scalar f and a matrix x give the gradient of x's shape; a column f (n×1) and a column x
    (k×1) give the Jacobian (n×k), entry (i, j) = ∂f_i/∂x_j.
    """

    f: Expr
    wrt: Sym


@dataclass(frozen=True)
class BigO(Expr):
    """Landau's O(arg): the terms of that order and higher, in a series step."""

    arg: Expr


# ---- index notation (component formulas of the grader; free indices name entries)


@dataclass(frozen=True)
class Entry(Expr):
    """A component of a matrix or vector: ``x_i`` (col=None) or ``W_{ij}``."""

    arg: Expr
    row: str
    col: str | None = None


@dataclass(frozen=True)
class IndexSum(Expr):
    """``Σ_index body``, the index running over the dimension it indexes in ``body``."""

    index: str
    body: Expr


@dataclass(frozen=True)
class KDelta(Expr):
    """Kronecker's δ_ij."""

    i: str
    j: str


@dataclass(frozen=True)
class Cond:
    """A comparison ``lhs op rhs`` with op in ``> < >= <= == !=``."""

    lhs: Expr
    op: str
    rhs: Expr


@dataclass(frozen=True)
class Indicator(Expr):
    """𝟙[cond], elementwise."""

    cond: Cond


@dataclass(frozen=True)
class Piecewise(Expr):
    """``\\begin{cases}``: the first case whose condition holds; ``None`` is "otherwise"."""

    cases: tuple[tuple[Expr, Cond | None], ...]


# ---- images: 2-D cross-correlation (convolution layers) and pooling. Dimension names carry no
# arithmetic, so these nodes name the dimensions of their result; at concrete sizes the checkers
# verify that the named sizes are the ones the operation produces.


@dataclass(frozen=True)
class Corr(Expr):
    """The valid 2-D cross-correlation of ``image`` with ``kernel``, stride 1 (what a convolution
    layer computes): ``out_{ij} = Σ_{u,v} image_{i+u, j+v} kernel_{uv}``, of size
    (rows(image) − rows(kernel) + 1) × (cols(image) − cols(kernel) + 1) = ``rows`` × ``cols``."""

    image: Expr
    kernel: Expr
    rows: Dim
    cols: Dim


@dataclass(frozen=True)
class Flip(Expr):
    """The matrix turned by 180°: ``out_{ij} = arg_{r-1-i, c-1-j}`` (rows and columns reversed)."""

    arg: Expr


@dataclass(frozen=True)
class Pad(Expr):
    """``arg`` with a border of zeros: ``by_rows`` rows above and below, ``by_cols`` columns on
    either side; the result is ``rows`` × ``cols``."""

    arg: Expr
    by_rows: Dim
    by_cols: Dim
    rows: Dim
    cols: Dim


@dataclass(frozen=True)
class MaxOf(Expr):
    """The largest entry of a matrix, a scalar (max pooling over one window)."""

    arg: Expr
