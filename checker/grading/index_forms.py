r"""Re-reading a sum over an index that is written half in components, half in whole vectors.

Students write ``\sum_k (a^{(L)} - y_k)\,\sigma'(z^{(L)})`` (seed 001) or
``\sum_k (a_k^{(L)} - y_k)\,\sigma'(z^{(L)})``: a sum over the outputs k whose body mixes
components (``y_k``), a whole vector written without its index (``a^{(L)}``, read as ``a_k``)
and a whole vector outside the sum's index (``σ'(z^{(L)})``). Read literally the shapes do not
fit; a teacher reads the sum over k and the vector beside it: ``(𝟏ᵀ(a − y)) σ'(z)``. That
reading is what :func:`vectorised` returns, so the answer can be judged (and named
``summed-over-outputs``) instead of refused.
"""

from __future__ import annotations

from checker.grading.trees import chain, rebuild
from derivations.expr import Add, Entry, Expr, Fn, Hadamard, IndexSum, Mul, Neg, Num, Ones, Sym, T, children


def vectorised(e: Expr) -> Expr | None:
    """``e`` with each such sum read as 𝟏ᵀ(…) times the whole vectors beside it; None if none is."""
    changed = False

    def visit(node: Expr) -> Expr:
        nonlocal changed
        if isinstance(node, IndexSum):
            product = _sum_as_product(node)
            if product is not None:
                changed = True
                return product
        kids = children(node)
        return rebuild(node, tuple(visit(k) for k in kids)) if kids else node

    out = visit(e)
    return out if changed else None


def _factors(e: Expr) -> list[Expr]:
    if isinstance(e, Mul | Hadamard):
        return _factors(e.left) + _factors(e.right)
    return [e]


def _mentions(e: Expr, index: str) -> bool:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Entry) and index in (node.row, node.col):
            return True
        stack.extend(children(node))
    return False


def _sum_as_product(s: IndexSum) -> Expr | None:
    factors = _factors(s.body)
    inner = [f for f in factors if _mentions(f, s.index)]
    outer = [f for f in factors if not _mentions(f, s.index)]
    if not inner:
        return None
    dims: set[object] = set()
    body = _as_vector(chain(inner) if len(inner) > 1 else inner[0], s.index, dims)
    if body is None or len(dims) != 1:
        return None
    product: Expr = Mul(T(Ones(dims.pop())), body)
    for f in outer:
        product = Mul(product, f)
    return product


def _as_vector(e: Expr, index: str, dims: set[object]) -> Expr | None:
    """The component formula ``e`` (in ``index``) as an elementwise vector formula, or None."""
    match e:
        case Entry(arg, row, None) if row == index and isinstance(arg, Sym) and arg.cols == 1:
            dims.add(arg.rows)
            return arg
        case Sym() if e.cols == 1 and e.rows != 1:  # a vector written without its index
            dims.add(e.rows)
            return e
        case Sym() | Num():
            return e
        case Add(terms):
            parts = [_as_vector(t, index, dims) for t in terms]
            return None if any(p is None for p in parts) else Add(tuple(parts))  # type: ignore[arg-type]
        case Neg(arg):
            inner = _as_vector(arg, index, dims)
            return None if inner is None else Neg(inner)
        case Mul(left, right) | Hadamard(left, right):
            a, b = _as_vector(left, index, dims), _as_vector(right, index, dims)
            if a is None or b is None:
                return None
            return Mul(a, b) if _scalar(a) or _scalar(b) else Hadamard(a, b)
        case Fn(_, arg, _):
            inner = _as_vector(arg, index, dims)
            return None if inner is None else rebuild(e, (inner,))
    return None


def _scalar(e: Expr) -> bool:
    return isinstance(e, Num) or (isinstance(e, Sym) and e.shape == (1, 1))
