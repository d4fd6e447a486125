"""The shape algebra: the symbolic shape of every node, with readable :class:`ShapeError` messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from derivations.expr.builders import children
from derivations.expr.latex import shape_tex, tex, to_latex
from derivations.expr.nodes import (
    SCALAR,
    Add,
    BigO,
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
)


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
        case Entry():
            return _entry_shape(e, ctx)
        case Add():
            return _sum_shape(e, ctx)
        case Neg(a) | Fn(_, a) | Softmax(a) | Flip(a):
            return _shape(a, ctx)
        case Corr() | Pad() | MaxOf():
            return _image_shape(e, ctx)
        case T(a):
            r, c = _shape(a, ctx)
            return (c, r)
        case Mul():
            return _product_shape(e, ctx)
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
            if _is_scalar(sx):  # by a scalar, entry by entry: ∂Y/∂b has Y's shape
                return sf
            if sf[1] == 1 and sx[1] == 1:
                return (sf[0], sx[0])
            raise ShapeError(
                f"$\\partial {to_latex(f)} / \\partial {to_latex(x)}$: {shape_tex(sf)} by {shape_tex(sx)} "
                "is not supported"
            )
        case Indicator(c):
            return _elementwise(_shape(c.lhs, ctx), _shape(c.rhs, ctx), "comparison", c.lhs, c.rhs)
        case Piecewise():
            return _piecewise_shape(e, ctx)
    raise TypeError(f"unknown node {type(e).__name__}")


def _entry_shape(e: Entry, ctx: ShapeContext) -> Shape:
    arg, row, col = e.arg, e.row, e.col
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


def _sum_shape(e: Add, ctx: ShapeContext) -> Shape:
    terms = e.terms
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


def _product_shape(e: Mul, ctx: ShapeContext) -> Shape:
    a, b = e.left, e.right
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


def _piecewise_shape(e: Piecewise, ctx: ShapeContext) -> Shape:
    cases = e.cases
    result: Shape = SCALAR
    for value, cond in cases:
        s = _shape(value, ctx)
        if cond is not None:
            s = _elementwise(s, _shape(cond.lhs, ctx), "case", value, cond.lhs)
        result = s if _is_scalar(result) else _elementwise(result, s, "cases", value, value)
    return result


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
