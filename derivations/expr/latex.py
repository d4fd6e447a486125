"""The LaTeX printer of expression trees (the site and the grader's echo-back both use it)."""

from __future__ import annotations

from fractions import Fraction
from functools import singledispatch

from derivations.expr.builders import has_indices
from derivations.expr.nodes import (
    SCALAR,
    Add,
    BigO,
    Cond,
    Corr,
    Deriv,
    Diag,
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
    Softmax,
    Sym,
    T,
)


def tex(e: Expr) -> str:
    """``e`` as inline math for a message: its LaTeX between dollar signs."""
    return f"${to_latex(e)}$"


def shape_tex(shape: Shape) -> str:
    """A shape as inline math for a message: ``$n_l \\times 1$``."""
    return f"${shape[0]} \\times {shape[1]}$"




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


def _subscripted(e: Expr, letters: str) -> str:
    """A symbol with index letters: ``W_{ij}^{(l)}``; anything else bracketed, then subscripted."""
    if isinstance(e, Sym):
        head, hat, sup = (e.tex or e.key).partition("^")
        base, low, sub = head.partition("_")
        if low:  # W_2 with letters jc is W_{2,jc}: a second subscript would not typeset
            inner = sub[1:-1] if sub.startswith("{") and sub.endswith("}") else sub
            head = f"{base}_{{{inner},{letters}}}"
        else:
            head = f"{head}_{{{letters}}}"
        return head + (f"^{sup}" if hat else "")
    return rf"{_wrap(_tex(e), _P_ATOM)}_{{{letters}}}"


def _entry_of_derivative(e: Entry) -> str | None:
    r"""An entry of a derivative as it is written by hand: ``\frac{\partial L}{\partial W_{ij}}``
    for a gradient, ``\frac{\partial p_i}{\partial z_j}`` for a Jacobian; None when neither fits."""
    d = e.arg
    assert isinstance(d, Deriv)
    letters = e.row + (e.col or "")
    if not isinstance(d.f, Sym | Entry) and has_indices(d.f):  # a component formula: ∂/∂z_j (…)
        return rf"\frac{{\partial}}{{\partial {_subscripted(d.wrt, letters)}}} \left({to_latex(d.f)}\right)"
    scalar_f = isinstance(d.f, Entry) or (isinstance(d.f, Sym) and d.f.shape == SCALAR)
    if scalar_f:
        top, bottom = to_latex(d.f), _subscripted(d.wrt, letters)
    elif isinstance(d.f, Sym) and d.f.cols == 1 and d.wrt.cols == 1 and e.col is not None:
        top, bottom = _subscripted(d.f, e.row), _subscripted(d.wrt, e.col)
    else:
        return None
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


@_tex.register
def _(e: Entry) -> tuple[str, int]:
    idx = e.row + (e.col or "")
    base = e.arg
    if isinstance(base, Deriv):
        written = _entry_of_derivative(e)
        if written is not None:
            return written, _P_ATOM
    return _subscripted(base, idx), _P_ATOM


@_tex.register
def _(e: IndexSum) -> tuple[str, int]:
    # The body is a product (juxtaposition); an elementwise product binds more loosely: braced.
    body = _wrap(_tex(e.body), _P_MUL + 1 if isinstance(e.body, Hadamard) else _P_MUL)
    return rf"\sum_{{{e.index}}} {body}", _P_MUL


@_tex.register
def _(e: KDelta) -> tuple[str, int]:
    return rf"\delta_{{{e.i}{e.j}}}", _P_ATOM


def _cond_tex(c: Cond) -> str:
    if isinstance(c.lhs, KDelta) and c.rhs == Num(Fraction(1)) and c.op in ("==", "!="):
        # δ_ij = 1 exactly when i = j: the case split of a component formula reads as such
        return f"{c.lhs.i} {_OP_TEX[c.op]} {c.lhs.j}"
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
