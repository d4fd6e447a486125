"""The one expression language of gradproof.

Student LaTeX, plain text, NumPy code, reference answers and the steps of every derivation all
become this small typed tree: symbols with (symbolic) shapes, products, elementwise functions,
transposes, derivatives, sums over indices. From it ``checker`` builds a NumPy evaluator and a
sympy translation, and :func:`to_latex` prints it for the site and for the grader's echo-back.

Shapes are pairs ``(rows, cols)`` whose entries are dimension names (``"n_l"``) or the integer 1:
every value is a matrix; a column vector is ``(n, 1)`` and a scalar ``(1, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import singledispatch

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


def tex(e: Expr) -> str:
    """``e`` as inline math for a message: its LaTeX between dollar signs."""
    return f"${to_latex(e)}$"


def shape_tex(shape: Shape) -> str:
    """A shape as inline math for a message: ``$n_l \\times 1$``."""
    return f"${shape[0]} \\times {shape[1]}$"


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


# ------------------------------------------------------------------------------------ helpers


def sigma(x: Expr, d: int = 0) -> Fn:
    """The generic activation σ(x), or its d-th derivative."""
    return Fn("sigma", x, d)


def dsigma(x: Expr) -> Fn:
    """σ'(x)."""
    return Fn("sigma", x, 1)


def exp(x: Expr) -> Fn:
    """e^x, elementwise."""
    return Fn("exp", x)


def log(x: Expr) -> Fn:
    """The natural logarithm, elementwise."""
    return Fn("log", x)


def fn(name: str, x: Expr, d: int = 0) -> Fn:
    """An elementwise function by name (see ``ELEMENTWISE``)."""
    if name not in ELEMENTWISE:
        raise ValueError(f"unknown function {name!r}")
    return Fn(name, x, d)


def num(value: int | Fraction | str) -> Num:
    """An exact constant: ``num(1)``, ``num("1/2")``."""
    return Num(Fraction(value))


def vec(key: str, n: Dim, tex: str = "") -> Sym:
    """A column vector symbol."""
    return Sym(key, n, 1, tex or key)


def mat(key: str, rows: Dim, cols: Dim, tex: str = "") -> Sym:
    """A matrix symbol."""
    return Sym(key, rows, cols, tex or key)


def scalar(key: str, tex: str = "", depends: tuple[Sym, ...] = ()) -> Sym:
    """A scalar symbol (``depends`` makes it an unknown function of those symbols)."""
    return Sym(key, 1, 1, tex or key, depends)


def summ(*terms: Expr) -> Expr:
    """A sum; flattens nested sums so printing stays flat."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.terms if isinstance(t, Add) else (t,))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node (conditions' sides included)."""
    match e:
        case Add(terms):
            return terms
        case Neg(a) | T(a) | Fn(_, a) | Softmax(a) | Diag(a) | Norm(a) | BigO(a) | Entry(a):
            return (a,)
        case Flip(a) | Pad(a) | MaxOf(a):
            return (a,)
        case Mul(a, b) | Hadamard(a, b) | Div(a, b) | Pow(a, b) | Max(a, b):
            return (a, b)
        case Corr(a, b):
            return (a, b)
        case Deriv(f, x):
            return (f, x)
        case IndexSum(_, body):
            return (body,)
        case Indicator(c):
            return (c.lhs, c.rhs)
        case Piecewise(cases):
            out: list[Expr] = []
            for value, cond in cases:
                out.append(value)
                if cond is not None:
                    out.extend((cond.lhs, cond.rhs))
            return tuple(out)
    return ()


def symbols_of(e: Expr) -> set[Sym]:
    """Every symbol that occurs in ``e``."""
    found: set[Sym] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Sym):
            found.add(node)
        stack.extend(children(node))
    return found


def depth(e: Expr) -> int:
    """Nesting depth of the tree (iterative, so hostile input cannot exhaust the stack)."""
    best, stack = 0, [(e, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in children(node))
    return best


# ------------------------------------------------------------------------------------- shapes


def _is_scalar(s: Shape) -> bool:
    return s == SCALAR


@dataclass
class ShapeContext:
    """Dimensions of index letters, gathered while shapes are inferred, and, when ``memo`` is
    given, the shape (or the :class:`ShapeError`) of every node already seen, by identity."""

    index_dims: dict[str, Dim] = field(default_factory=dict)
    memo: dict[int, tuple[Expr, Shape | ShapeError]] | None = None


def shape_of(e: Expr, ctx: ShapeContext | None = None) -> Shape:
    """The symbolic shape of ``e``; raises :class:`ShapeError` with a readable message."""
    return _shape(e, ctx if ctx is not None else ShapeContext())


class ShapeCache:
    """Shapes of many trees that share nodes, each node's shape computed once.

    A reader asks for the shape of the growing left operand at every ``*`` of a long chain;
    remembering every node's shape keeps that linear. A shape that does not fit is ``None``
    here (whoever judges the tree reports it later, with its message). The rules are those of
    :func:`shape_of`: there is one shape algebra.
    """

    def __init__(self) -> None:
        self._ctx = ShapeContext(memo={})

    def __call__(self, e: Expr) -> Shape | None:
        try:
            return _shape(e, self._ctx)
        except (ShapeError, TypeError):
            return None


def _shape(e: Expr, ctx: ShapeContext) -> Shape:
    memo = ctx.memo
    if memo is None:
        return _node_shape(e, ctx)
    hit = memo.get(id(e))
    if hit is None or hit[0] is not e:
        try:
            found: Shape | ShapeError = _node_shape(e, ctx)
        except ShapeError as err:
            found = err
        hit = (e, found)
        memo[id(e)] = hit  # the node is kept alive by the memo, so its id is not reused
    if isinstance(hit[1], ShapeError):
        raise hit[1]
    return hit[1]


def _elementwise(a: Shape, b: Shape, what: str, left: Expr, right: Expr) -> Shape:
    if a == b or _is_scalar(b):
        return a
    if _is_scalar(a):
        return b
    raise ShapeError(
        f"{tex(left)} is {shape_tex(a)} and {tex(right)} is {shape_tex(b)}: "
        f"the {what} needs equal shapes"
    )


def _node_shape(e: Expr, ctx: ShapeContext) -> Shape:  # noqa: C901 - one case per node kind
    match e:
        case Sym():
            return e.shape
        case Num() | Norm() | KDelta() | IndexSum() | BigO():
            if isinstance(e, Norm | IndexSum | BigO):
                for c in children(e):
                    _shape(c, ctx)
            return SCALAR
        case Entry(arg, row, col):
            s = _shape(arg, ctx)
            for letter, dim in ((row, s[0]), (col, s[1])):
                if letter is None:
                    continue
                known = ctx.index_dims.setdefault(letter, dim)
                if known != dim:
                    raise ShapeError(
                        f"index {letter} runs over {known} in one place and over {dim} in another"
                    )
            if col is None and s[1] != 1 and s[0] != 1:
                raise ShapeError(f"{tex(arg)} is a {shape_tex(s)} matrix: it needs two indices")
            return SCALAR
        case Add(terms):
            shapes = [_shape(t, ctx) for t in terms]
            result = shapes[0]
            for t, s in zip(terms[1:], shapes[1:], strict=True):
                if s == result or _is_scalar(s):
                    continue
                if _is_scalar(result):
                    result = s
                    continue
                raise ShapeError(
                    f"cannot add {tex(terms[0])} ({shape_tex(result)}) and {tex(t)} ({shape_tex(s)})"
                )
            return result
        case Neg(a) | Fn(_, a) | Softmax(a) | Flip(a):
            return _shape(a, ctx)
        case Corr() | Pad() | MaxOf():
            return _image_shape(e, ctx)
        case T(a):
            r, c = _shape(a, ctx)
            return (c, r)
        case Mul(a, b):
            sa, sb = _shape(a, ctx), _shape(b, ctx)
            if _is_scalar(sa):
                return sb
            if _is_scalar(sb):
                return sa
            if sa[1] != sb[0]:
                hint = ""
                if sa[0] == sb[0]:
                    hint = f"did you mean ${{{to_latex(a)}}}^\\top {to_latex(b)}$?"
                elif sa[1] == sb[1]:
                    hint = f"did you mean ${to_latex(a)} {{{to_latex(b)}}}^\\top$?"
                raise ShapeError(
                    f"{tex(a)} is {shape_tex(sa)} and {tex(b)} is {shape_tex(sb)}: "
                    f"{tex(Mul(a, b))} does not fit",
                    hint,
                )
            return (sa[0], sb[1])
        case Hadamard(a, b):
            return _elementwise(_shape(a, ctx), _shape(b, ctx), "elementwise product", a, b)
        case Div(a, b):
            return _elementwise(_shape(a, ctx), _shape(b, ctx), "elementwise division", a, b)
        case Max(a, b):
            return _elementwise(_shape(a, ctx), _shape(b, ctx), "elementwise maximum", a, b)
        case Pow(a, b):
            sb = _shape(b, ctx)
            if not _is_scalar(sb):
                raise ShapeError(f"the exponent {tex(b)} must be a scalar, not {shape_tex(sb)}")
            return _shape(a, ctx)
        case Diag(a):
            r, c = _shape(a, ctx)
            if c != 1:
                raise ShapeError(f"diag needs a column vector; {tex(a)} is {shape_tex((r, c))}")
            return (r, r)
        case Ones(n):
            return (n, 1)
        case Deriv(f, x):
            sf, sx = _shape(f, ctx), x.shape
            if _is_scalar(sf):
                return sx
            if sf[1] == 1 and sx[1] == 1:
                return (sf[0], sx[0])
            raise ShapeError(
                f"$\\partial {to_latex(f)} / \\partial {to_latex(x)}$: {shape_tex(sf)} by {shape_tex(sx)} "
                "is not supported"
            )
        case Indicator(c):
            return _elementwise(_shape(c.lhs, ctx), _shape(c.rhs, ctx), "comparison", c.lhs, c.rhs)
        case Piecewise(cases):
            result: Shape = SCALAR
            for value, cond in cases:
                s = _shape(value, ctx)
                if cond is not None:
                    s = _elementwise(s, _shape(cond.lhs, ctx), "case", value, cond.lhs)
                result = s if _is_scalar(result) else _elementwise(result, s, "cases", value, value)
            return result
    raise TypeError(f"unknown node {type(e).__name__}")


def _image_shape(e: Corr | Pad | MaxOf, ctx: ShapeContext) -> Shape:
    """The shape of a cross-correlation, a padding or a max; sizes are checked where they are numbers."""
    match e:
        case MaxOf(a):
            _shape(a, ctx)
            return SCALAR
        case Corr(image, kernel, rows, cols):
            si, sk = _shape(image, ctx), _shape(kernel, ctx)
            for n, k, out in ((si[0], sk[0], rows), (si[1], sk[1], cols)):
                if all(isinstance(x, int) for x in (n, k, out)) and out != n - k + 1:  # type: ignore[operator]
                    raise ShapeError(
                        f"{tex(image)} is {shape_tex(si)} and {tex(kernel)} is {shape_tex(sk)}: "
                        f"their cross-correlation is not {shape_tex((rows, cols))}"
                    )
            return (rows, cols)
        case Pad(a, by_rows, by_cols, rows, cols):
            s = _shape(a, ctx)
            for n, by, out in ((s[0], by_rows, rows), (s[1], by_cols, cols)):
                if all(isinstance(x, int) for x in (n, by, out)) and out != n + 2 * by:  # type: ignore[operator]
                    raise ShapeError(f"{tex(a)} is {shape_tex(s)}: padded, it is not "
                                     f"{shape_tex((rows, cols))}")
            return (rows, cols)
    raise TypeError(type(e).__name__)


# -------------------------------------------------------------------------------------- LaTeX

# Precedence: higher binds tighter.
_P_ADD, _P_MUL, _P_NEG, _P_POW, _P_ATOM = 1, 2, 3, 4, 5

_FN_TEX = {
    "sigma": r"\sigma",
    "f": "f",
    "sigmoid": r"\operatorname{sigmoid}",
    "tanh": r"\tanh",
    "relu": r"\operatorname{ReLU}",
    "leaky_relu": r"\operatorname{LeakyReLU}",
    "elu": r"\operatorname{ELU}",
    "softplus": r"\operatorname{softplus}",
    "exp": r"\exp",
    "log": r"\log",
    "sign": r"\operatorname{sign}",
    "abs": r"\operatorname{abs}",
    "step": r"\mathbb{1}",
    "sech": r"\operatorname{sech}",
    "sqrt": r"\sqrt",
}
_OP_TEX = {">": ">", "<": "<", ">=": r"\ge", "<=": r"\le", "==": "=", "!=": r"\ne"}


def to_latex(e: Expr) -> str:
    """Print ``e`` as LaTeX (the site and the grader's echo-back both use this)."""
    return _tex(e)[0]


def _wrap(pair: tuple[str, int], above: int) -> str:
    text, prec = pair
    return text if prec >= above else rf"\left({text}\right)"


def _frac(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"


@singledispatch
def _tex(e: Expr) -> tuple[str, int]:
    raise TypeError(f"no LaTeX for {type(e).__name__}")


@_tex.register
def _(e: Sym) -> tuple[str, int]:
    return e.tex or e.key, _P_ATOM


@_tex.register
def _(e: Num) -> tuple[str, int]:
    text = _frac(abs(e.value))
    if e.value < 0:
        return "-" + text, _P_NEG
    return text, _P_ATOM if e.value.denominator == 1 else _P_MUL


@_tex.register
def _(e: Add) -> tuple[str, int]:
    parts = [to_latex(e.terms[0])]
    for t in e.terms[1:]:
        if isinstance(t, Neg):
            parts.append("- " + _wrap(_tex(t.arg), _P_MUL))
        elif isinstance(t, Num) and t.value < 0:
            parts.append("- " + _frac(-t.value))
        else:
            parts.append("+ " + to_latex(t))
    return " ".join(parts), _P_ADD


@_tex.register
def _(e: Neg) -> tuple[str, int]:
    return "-" + _wrap(_tex(e.arg), _P_MUL), _P_NEG


def _is_leading_const(e: Expr) -> bool:
    return isinstance(e, Num) or (isinstance(e, Sym) and e.shape == SCALAR)


@_tex.register
def _(e: Mul) -> tuple[str, int]:
    # A sum over an index on the left is braced: its body would otherwise run on into the right;
    # so is an elementwise product, which binds more loosely than juxtaposition when read back.
    left = _wrap(_tex(e.left), _P_MUL + 1 if isinstance(e.left, IndexSum | Hadamard) else _P_MUL)
    # A negative right factor is braced: W -δ would read as a difference.
    negative = isinstance(e.right, Neg) or (isinstance(e.right, Num) and e.right.value < 0)
    above = _P_ATOM if negative else _P_MUL if isinstance(e.right, Mul) else _P_MUL + 1
    right = _wrap(_tex(e.right), above)
    # A number followed by a number needs a visible operator.
    sep = r" \cdot " if isinstance(e.right, Num) or left[-1:].isdigit() and right[:1].isdigit() else " "
    return f"{left}{sep}{right}", _P_MUL


@_tex.register
def _(e: Hadamard) -> tuple[str, int]:
    return rf"{_wrap(_tex(e.left), _P_MUL)} \odot {_wrap(_tex(e.right), _P_MUL + 1)}", _P_MUL


@_tex.register
def _(e: Div) -> tuple[str, int]:
    return rf"\frac{{{to_latex(e.num)}}}{{{to_latex(e.den)}}}", _P_ATOM


@_tex.register
def _(e: Pow) -> tuple[str, int]:
    if isinstance(e.base, Fn) and e.base.d == 0 and e.base.name not in ("sqrt", "step"):
        # tanh^2(z), the homework's way of writing (tanh z)^2
        inner = to_latex(e.base.arg)
        return rf"{_FN_TEX[e.base.name]}^{{{to_latex(e.exp)}}}\left({inner}\right)", _P_ATOM
    return rf"{_base_for_superscript(e.base)}^{{{to_latex(e.exp)}}}", _P_POW


def _base_for_superscript(e: Expr) -> str:
    """``e`` printed as the base of a superscript: ``{W^{(l)}}`` so that no ``^`` is doubled."""
    if isinstance(e, Div | Deriv):
        # \frac{a}{b}^{\top} reads as a transpose of the denominator's line: bracket the fraction
        return rf"\left({to_latex(e)}\right)"
    text = _wrap(_tex(e), _P_ATOM)
    return f"{{{text}}}" if isinstance(e, Sym) and "^" in text else text


@_tex.register
def _(e: T) -> tuple[str, int]:
    return rf"{_base_for_superscript(e.arg)}^{{\top}}", _P_POW


@_tex.register
def _(e: Fn) -> tuple[str, int]:
    inner = to_latex(e.arg)
    if e.name == "sqrt":
        return rf"\sqrt{{{inner}}}", _P_ATOM
    if e.name == "step":
        return rf"\mathbb{{1}}\left[{inner} > 0\right]", _P_ATOM
    primes = {0: "", 1: "'", 2: "''", 3: "'''"}.get(e.d, f"^{{({e.d})}}")
    return rf"{_FN_TEX[e.name]}{primes}\left({inner}\right)", _P_ATOM


@_tex.register
def _(e: Max) -> tuple[str, int]:
    return rf"\max\left({to_latex(e.left)}, {to_latex(e.right)}\right)", _P_ATOM


@_tex.register
def _(e: Softmax) -> tuple[str, int]:
    return rf"\operatorname{{softmax}}\left({to_latex(e.arg)}\right)", _P_ATOM


@_tex.register
def _(e: Diag) -> tuple[str, int]:
    return rf"\operatorname{{diag}}\left({to_latex(e.arg)}\right)", _P_ATOM


@_tex.register
def _(e: Ones) -> tuple[str, int]:
    return rf"\mathbf{{1}}_{{{e.n}}}", _P_ATOM


@_tex.register
def _(e: Norm) -> tuple[str, int]:
    inner = to_latex(e.arg)
    if e.kind == "fro2":
        return rf"\left\lVert {inner} \right\rVert_F^2", _P_ATOM
    return rf"\left\lVert {inner} \right\rVert_1", _P_ATOM


@_tex.register
def _(e: Deriv) -> tuple[str, int]:
    return rf"\frac{{\partial {_wrap(_tex(e.f), _P_ATOM)}}}{{\partial {to_latex(e.wrt)}}}", _P_ATOM


@_tex.register
def _(e: BigO) -> tuple[str, int]:
    return rf"O\left({to_latex(e.arg)}\right)", _P_ATOM


@_tex.register
def _(e: Entry) -> tuple[str, int]:
    idx = e.row + (e.col or "")
    base = e.arg
    if isinstance(base, Sym) and "^" in (base.tex or ""):
        head, _, sup = (base.tex or base.key).partition("^")
        return f"{head}_{{{idx}}}^{sup}", _P_ATOM
    return rf"{_wrap(_tex(base), _P_ATOM)}_{{{idx}}}", _P_ATOM


@_tex.register
def _(e: IndexSum) -> tuple[str, int]:
    # The body is a product (juxtaposition); an elementwise product binds more loosely: braced.
    body = _wrap(_tex(e.body), _P_MUL + 1 if isinstance(e.body, Hadamard) else _P_MUL)
    return rf"\sum_{{{e.index}}} {body}", _P_MUL


@_tex.register
def _(e: KDelta) -> tuple[str, int]:
    return rf"\delta_{{{e.i}{e.j}}}", _P_ATOM


def _cond_tex(c: Cond) -> str:
    return f"{to_latex(c.lhs)} {_OP_TEX[c.op]} {to_latex(c.rhs)}"


@_tex.register
def _(e: Indicator) -> tuple[str, int]:
    return rf"\mathbb{{1}}\left[{_cond_tex(e.cond)}\right]", _P_ATOM


@_tex.register
def _(e: Piecewise) -> tuple[str, int]:
    rows = [
        f"{to_latex(v)} & " + (rf"\text{{if }} {_cond_tex(c)}" if c else r"\text{otherwise}")
        for v, c in e.cases
    ]
    return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}", _P_ATOM


@_tex.register
def _(e: Corr) -> tuple[str, int]:
    return rf"{_wrap(_tex(e.image), _P_POW)} \star {_wrap(_tex(e.kernel), _P_POW)}", _P_MUL


@_tex.register
def _(e: Flip) -> tuple[str, int]:
    return rf"\operatorname{{rot}}_{{180}}\left({to_latex(e.arg)}\right)", _P_ATOM


@_tex.register
def _(e: Pad) -> tuple[str, int]:
    return rf"\operatorname{{pad}}_{{{e.by_rows}, {e.by_cols}}}\left({to_latex(e.arg)}\right)", _P_ATOM


@_tex.register
def _(e: MaxOf) -> tuple[str, int]:
    return rf"\max\left({to_latex(e.arg)}\right)", _P_ATOM
