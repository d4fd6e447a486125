"""The expression language: shapes inferred before anything is evaluated, with errors a student
can act on, and the LaTeX that the site and the grader's echo-back print."""

from __future__ import annotations

from fractions import Fraction

import pytest

from derivations.expr import (
    Add,
    BigO,
    Cond,
    Deriv,
    Diag,
    Div,
    Entry,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    Mul,
    Norm,
    Num,
    Ones,
    Piecewise,
    Pow,
    ShapeError,
    Softmax,
    T,
    num,
    scalar,
    shape_of,
    to_latex,
)
from derivations.notation import (
    W_l,
    W_next,
    a_l,
    a_prev,
    b_l,
    delta_l,
    delta_next,
    eta,
    h,
    lam,
    m,
    z_L,
    z_l,
)

# ------------------------------------------------------------------------------- shapes


def test_the_backprop_shapes_fit() -> None:
    assert shape_of(Hadamard(Mul(T(W_next), delta_next), Fn("sigma", z_l, 1))) == ("n_l", 1)
    assert shape_of(Mul(delta_l, T(a_prev))) == W_l.shape == ("n_l", "n_{l-1}")
    assert shape_of(Mul(eta, W_l)) == shape_of(Add((W_l, eta))) == W_l.shape  # scalars broadcast


def test_derivative_shapes() -> None:
    assert shape_of(Deriv(scalar("L"), W_l)) == W_l.shape  # a gradient has the variable's shape
    assert shape_of(Deriv(a_l, z_l)) == ("n_l", "n_l")  # a Jacobian of columns
    with pytest.raises(ShapeError) as err:
        shape_of(Deriv(W_l, W_l))
    assert r"$n_l \times n_{l-1}$ by $n_l \times n_{l-1}$ is not supported" in str(err.value)


def test_missing_transpose_names_the_shapes_and_the_fix() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of(Mul(W_next, delta_next))
    text = str(err.value)
    assert r"$W^{(l+1)}$ is $n_{l+1} \times n_l$ and $\delta^{(l+1)}$ is $n_{l+1} \times 1$" in text
    assert "does not fit" in text
    assert text.endswith(r"did you mean ${W^{(l+1)}}^\top \delta^{(l+1)}$?")
    # the grader replaces the hint with a diagnosis of its own, so the two are kept apart
    assert err.value.hint == r"did you mean ${W^{(l+1)}}^\top \delta^{(l+1)}$?"
    assert err.value.reason.endswith("does not fit") and "did you mean" not in err.value.reason


def test_inner_product_for_outer_product_suggests_the_transpose_on_the_right() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of(Mul(delta_l, a_prev))
    text = str(err.value)
    assert r"$\delta^{(l)}$ is $n_l \times 1$ and $a^{(l-1)}$ is $n_{l-1} \times 1$" in text
    assert text.endswith(r"did you mean $\delta^{(l)} {a^{(l-1)}}^\top$?")


def test_swapped_product_suggests_the_transpose_on_the_left() -> None:
    with pytest.raises(ShapeError, match=r"did you mean \$\{\\delta\^\{\(l\)\}\}\^\\top W\^\{\(l\)\}\$\?"):
        shape_of(Mul(delta_l, W_l))


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            Add((delta_l, a_prev)),
            r"cannot add $\delta^{(l)}$ ($n_l \times 1$) and $a^{(l-1)}$ ($n_{l-1} \times 1$)",
        ),
        (
            Hadamard(delta_l, a_prev),
            r"and $a^{(l-1)}$ is $n_{l-1} \times 1$: the elementwise product needs equal shapes",
        ),
        (Div(delta_l, a_prev), "the elementwise division needs equal shapes"),
        (Diag(W_l), r"diag needs a column vector; $W^{(l)}$ is $n_l \times n_{l-1}$"),
        (Pow(z_l, delta_l), r"the exponent $\delta^{(l)}$ must be a scalar, not $n_l \times 1$"),
        (Entry(W_l, "i"), r"$W^{(l)}$ is a $n_l \times n_{l-1}$ matrix: it needs two indices"),
        (
            Add((Entry(W_l, "i", "j"), Entry(W_next, "i", "j"))),
            "index i runs over n_l in one place and over n_{l+1} in another",
        ),
    ],
    ids=["add", "hadamard", "div", "diag", "pow", "entry", "index"],
)
def test_shape_errors_name_the_shapes(expr, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ShapeError) as err:
        shape_of(expr)
    assert message in str(err.value)


def test_a_shape_error_is_a_value_error() -> None:
    """Callers that only know ValueError (the CLI, the grader) still catch it."""
    assert issubclass(ShapeError, ValueError)


# -------------------------------------------------------------------------------- LaTeX


@pytest.mark.parametrize(
    ("expr", "latex"),
    [
        (Num(Fraction(1, 2)), r"\frac{1}{2}"),
        (Num(Fraction(-3)), "-3"),
        (z_l - b_l, "z^{(l)} - b^{(l)}"),
        (-(z_l + b_l), r"-\left(z^{(l)} + b^{(l)}\right)"),
        (Mul(Num(2), z_l), "2 z^{(l)}"),
        (Mul(W_l + W_l, a_prev), r"\left(W^{(l)} + W^{(l)}\right) a^{(l-1)}"),
        (Mul(Num(1) - Mul(eta, lam), W_l), r"\left(1 - \eta \lambda\right) W^{(l)}"),
        (Mul(T(W_next), delta_next), r"{W^{(l+1)}}^{\top} \delta^{(l+1)}"),
        (T(Mul(W_next, Diag(z_l))), r"\left(W^{(l+1)} \operatorname{diag}\left(z^{(l)}\right)\right)^{\top}"),
        (Hadamard(delta_l, Fn("sigma", z_l, 1)), r"\delta^{(l)} \odot \sigma'\left(z^{(l)}\right)"),
        (Fn("sigma", z_l, 4), r"\sigma^{(4)}\left(z^{(l)}\right)"),
        (Fn("tanh", z_l) ** 2, r"\tanh^{2}\left(z^{(l)}\right)"),
        (Fn("relu", z_l), r"\operatorname{ReLU}\left(z^{(l)}\right)"),
        (Max(num(0), z_l), r"\max\left(0, z^{(l)}\right)"),
        (Softmax(z_L), r"\operatorname{softmax}\left(z^{(L)}\right)"),
        (Ones("n_l"), r"\mathbf{1}_{n_l}"),
        (Norm(W_l, "fro2"), r"\left\lVert W^{(l)} \right\rVert_F^2"),
        (Norm(W_l, "l1"), r"\left\lVert W^{(l)} \right\rVert_1"),
        (Deriv(scalar("L"), W_l), r"\frac{\partial L}{\partial W^{(l)}}"),
        (Div(Num(1), m), r"\frac{1}{m}"),
        (Entry(W_l, "i", "j"), "W_{ij}^{(l)}"),
        (
            IndexSum("j", Mul(Entry(W_next, "j", "i"), Entry(delta_next, "j"))),
            r"\sum_{j} W_{ji}^{(l+1)} \delta_{j}^{(l+1)}",
        ),
        (KDelta("i", "j"), r"\delta_{ij}"),
        (Indicator(Cond(z_l, ">", num(0))), r"\mathbb{1}\left[z^{(l)} > 0\right]"),
        (
            Piecewise(((num(1), Cond(z_l, ">", num(0))), (num(0), None))),
            r"\begin{cases} 1 & \text{if } z^{(l)} > 0 \\ 0 & \text{otherwise} \end{cases}",
        ),
        (BigO(h**2), r"O\left(h^{2}\right)"),
    ],
    ids=[
        "half", "negative", "difference", "negated-sum", "scaled", "sum-times", "decay-factor",
        "transpose-times", "transposed-product", "hadamard", "fourth-derivative", "tanh-squared",
        "relu", "max", "softmax", "ones", "frobenius", "l1", "gradient", "one-over-m", "entry",
        "index-sum", "kronecker", "indicator", "cases", "big-o",
    ],
)
def test_to_latex(expr, latex: str) -> None:  # noqa: ANN001
    assert to_latex(expr) == latex


def test_operators_build_trees_and_never_evaluate() -> None:
    e = 2 * delta_l @ a_prev.T + b_l
    assert isinstance(e, Add) and isinstance(e.terms[0], Mul)
    assert e.terms[0].right == T(a_prev)
    assert delta_l.odot(z_l) == Hadamard(delta_l, z_l)
    assert (z_l / 2).den == Num(Fraction(2))
