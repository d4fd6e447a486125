"""Builders and walkers of expression trees: ``sigma``, ``vec``, ``summ``, ``children``, ``depth``."""

from __future__ import annotations

from fractions import Fraction

from derivations.expr.nodes import (
    ELEMENTWISE,
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
    Pad,
    Piecewise,
    Pow,
    Softmax,
    Sym,
    T,
)


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


def same_index(i: str, j: str) -> Cond:
    """The condition ``i = j`` on two index letters (δ_ij = 1), for the cases of a component formula."""
    return Cond(KDelta(i, j), "==", Num(Fraction(1)))


def other_index(i: str, j: str) -> Cond:
    """The condition ``i ≠ j`` on two index letters (δ_ij ≠ 1)."""
    return Cond(KDelta(i, j), "!=", Num(Fraction(1)))


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


def has_indices(e: Expr) -> bool:
    """Whether ``e`` uses index notation anywhere (an entry, a sum over an index, a δ_ij)."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Entry | IndexSum | KDelta):
            return True
        stack.extend(children(node))
    return False


def free_indices(e: Expr) -> tuple[str, ...]:
    """The index letters of ``e`` not bound by a ``Σ``, in alphabetical order (row, then column)."""
    return tuple(sorted(_free(e)))


def _free(e: Expr) -> set[str]:
    match e:
        case Entry(arg, row, col):
            return _free(arg) | {row} | ({col} if col else set())
        case KDelta(i, j):
            return {x for x in (i, j) if not x.isdigit()}  # δ_{i3}: 3 is a fixed place, not a letter
        case IndexSum(index, body):
            return _free(body) - {index}
    out: set[str] = set()
    for c in children(e):
        out |= _free(c)
    return out


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
