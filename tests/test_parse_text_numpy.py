"""The plain-text and NumPy readers, and how ``auto`` picks a reader."""

from __future__ import annotations

from fractions import Fraction

import pytest

from checker.grading.readers import (
    AnswerError,
    Vocabulary,
    guess_order,
    parse_answer,
    vocabulary_from_spellings,
)
from derivations.expr import (
    Add,
    Cond,
    Diag,
    Div,
    Entry,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    Max,
    Mul,
    Neg,
    Num,
    Ones,
    Piecewise,
    Pow,
    T,
    mat,
    scalar,
    vec,
)

W = mat("W_next", "n_{l+1}", "n_l", "W^{(l+1)}")
d = vec("delta_next", "n_{l+1}", r"\delta^{(l+1)}")
z = vec("z_l", "n_l", "z^{(l)}")
aL, y, zL = vec("a_L", "n_L", "a^{(L)}"), vec("y", "n_L", "y"), vec("z_L", "n_L", "z^{(L)}")
Dl, Ap = mat("Delta_l", "n_l", "m", r"\Delta^{(l)}"), mat("A_prev", "n_{l-1}", "m", "A^{(l-1)}")
m = scalar("m", "m")
p = vec("p", "n_L", "p")
Wl, G = mat("W_l", "n_l", "n_{l-1}", "W^{(l)}"), mat("G", "n_l", "n_{l-1}", "G")
eta, lam = scalar("eta", r"\eta"), scalar("lambda", r"\lambda")
A1, W2, X = mat("A1", "m", "h", "A_1"), mat("W2", "h", "c", "W_2"), mat("X", "m", "d", "X")
Z1, P, Y = mat("Z1", "m", "h", "Z_1"), mat("P", "m", "c", "P"), mat("Y", "m", "c", "Y")
delta3, delta2 = mat("delta3", "m", "c", r"\delta_3"), mat("delta2", "m", "h", r"\delta_2")

COL = vocabulary_from_spellings(
    [(W, []), (d, []), (z, []), (aL, []), (y, []), (zL, []), (Dl, []), (Ap, []), (m, []), (p, [r"\hat{y}"])]
)
REG = vocabulary_from_spellings(
    [(Wl, ["W"]), (eta, []), (lam, []), (G, [r"\frac{\partial J}{\partial W}"])]
)
ROW = vocabulary_from_spellings(
    [(A1, ["a_1"]), (W2, []), (X, []), (Z1, ["z_1"]), (P, [r"\hat{y}"]), (Y, []), (delta3, []), (delta2, [])],
    code_names={"delta3": delta3, "W2": W2, "a1": A1, "z1": Z1, "probs": P, "y_onehot": Y, "X": X,
                "delta2": delta2},
    row_convention=True,
)


def num(v: int | str) -> Num:
    return Num(Fraction(v))


ONE = num(1)

# ---- the plain-text syntax (the examples of the module's documentation among them)
TEXT: list[tuple[str, Vocabulary, Expr]] = [
    ("W^(l+1)^T @ delta^(l+1) .* sigma'(z^(l))", COL, Hadamard(Mul(T(W), d), Fn("sigma", z, 1))),
    ("(a^(L) - y) .* sigma'(z^(L))", COL, Hadamard(Add((aL, Neg(y))), Fn("sigma", zL, 1))),
    ("diag(p) - p p^T", COL, Add((Diag(p), Neg(Mul(p, T(p)))))),
    ("1/m * Delta^(l) A^(l-1)^T", COL, Mul(Div(ONE, m), Mul(Dl, T(Ap)))),
    ("1/m Delta^(l) A^(l-1)'", COL, Mul(Mul(Div(ONE, m), Dl), T(Ap))),
    ("W^(l+1).T @ delta^(l+1)", COL, Mul(T(W), d)),
    ("W^(l+1)ᵀ delta^(l+1) ⊙ σ'(z^(l))", COL, Hadamard(Mul(T(W), d), Fn("sigma", z, 1))),
    ("W^(l+1)' delta^(l+1) o f'(z^(l))", COL, Hadamard(Mul(T(W), d), Fn("sigma", z, 1))),
    ("z^(l) * z^(l)", COL, Hadamard(z, z)),
    ("W^(l+1)^T * delta^(l+1)", COL, Mul(T(W), d)),
    ("yhat - y", COL, Add((p, Neg(y)))),
    ("y_hat - y", COL, Add((p, Neg(y)))),
    ("a^(L)_i - y_i", COL, Add((Entry(aL, "i"), Neg(Entry(y, "i"))))),
    ("sum_j W^(l+1)_ji delta^(l+1)_j", COL, IndexSum("j", Mul(Entry(W, "j", "i"), Entry(d, "j")))),
    ("sum_(k=1)^n y_k log(a^(L)_k)", COL, IndexSum("k", Mul(Entry(y, "k"), Fn("log", Entry(aL, "k"))))),
    ("1[z^(l) > 0]", COL, Indicator(Cond(z, ">", num(0)))),
    ("(z^(l) > 0)", COL, Indicator(Cond(z, ">", num(0)))),
    ("max(0, z^(l))", COL, Max(num(0), z)),
    ("where(z^(l) > 0, 1, 0.1)", COL, Piecewise(((ONE, Cond(z, ">", num(0))), (num("0.1"), None)))),
    ("1 - tanh(z^(l))^2", COL, Add((ONE, Neg(Pow(Fn("tanh", z), num(2)))))),
    ("1 - tanh(z^(l))**2", COL, Add((ONE, Neg(Pow(Fn("tanh", z), num(2)))))),
    ("e^(-z^(l))", COL, Fn("exp", Neg(z))),
    ("exp(z^(l)) / (1 + exp(z^(l)))", COL, Div(Fn("exp", z), Add((ONE, Fn("exp", z))))),
    ("ones^T Delta^(l)", COL, Mul(T(Ones("n_l")), Dl)),
    ("Delta^(l) ones", COL, Mul(Dl, Ones("m"))),
    ("delta^(l) = (a^(L) - y) * sigma'(z^(L))", COL, Hadamard(Add((aL, Neg(y))), Fn("sigma", zL, 1))),
    ("W - eta (dJ/dW + lambda W)", REG, Add((Wl, Neg(Mul(eta, Add((G, Mul(lam, Wl)))))))),
    ("W - eta * (G + lam * sign(W))", REG, Add((Wl, Neg(Mul(eta, Add((G, Mul(lam, Fn("sign", Wl))))))))),
    ("delta_3 @ W_2^T .* (1 - A_1 .* A_1)", ROW,
     Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Hadamard(A1, A1)))))),
    ("delta3 @ W2^T .* (1 - a1^2)", ROW, Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Pow(A1, num(2))))))),
    ("probs - y_onehot", ROW, Add((P, Neg(Y)))),
]


@pytest.mark.parametrize(("text", "vocab", "expected"), TEXT, ids=[t[0] for t in TEXT])
def test_text_syntax(text: str, vocab: Vocabulary, expected: Expr) -> None:
    parsed = parse_answer(text, "text", vocab)
    assert parsed.expr == expected
    assert parsed.format == "text"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Wdelta^(l+1)", "unknown symbol `Wdelta^(l+1)`"),
        ("pp^T", "did you mean `p p`"),
        ("gelu(z^(l))", "unknown function `gelu`"),
        ("W^(l+2) delta^(l+1)", "W^(l+2)"),
        ("sigma(z^(l)", "never closed"),
        ("\\sigma(z)", "backslash"),
        ("a^(L) - ", "ends too early"),
        ("sum_q y_q", "summation index"),
    ],
)
def test_text_errors(text: str, fragment: str) -> None:
    with pytest.raises(AnswerError) as err:
        parse_answer(text, "text", COL)
    assert fragment in err.value.message


def test_text_error_lists_plain_text_spellings() -> None:
    with pytest.raises(AnswerError) as err:
        parse_answer("V", "text", COL)
    assert "delta^(l+1)" in err.value.message and "W^(l+1)" in err.value.message


# ---- NumPy: accepted forms
ones_m, ones_h, ones_c = Ones("m"), Ones("h"), Ones("c")
NUMPY: list[tuple[str, Expr]] = [
    ("delta3.dot(W2.T) * (1 - np.power(a1, 2))",
     Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Pow(A1, num(2))))))),
    ("np.dot(X.T, delta2)", Mul(T(X), delta2)),
    ("np.matmul(X.T, delta2)", Mul(T(X), delta2)),
    ("X.T @ delta2", Mul(T(X), delta2)),
    ("np.transpose(X).dot(delta2)", Mul(T(X), delta2)),
    ("X.transpose().dot(delta2)", Mul(T(X), delta2)),
    ("a1.T.dot(delta3)", Mul(T(A1), delta3)),
    ("np.sum(delta3, axis=0, keepdims=True)", Mul(T(ones_m), delta3)),
    ("np.sum(delta3, axis=0)", Mul(T(ones_m), delta3)),
    ("delta3.sum(axis=0, keepdims=True)", Mul(T(ones_m), delta3)),
    ("np.sum(delta3, 1)", Mul(delta3, ones_c)),
    ("np.sum(delta3)", Mul(Mul(T(ones_m), delta3), ones_c)),
    ("probs - y_onehot", Add((P, Neg(Y)))),
    ("delta3 @ W2.T * (1 - a1 ** 2)", Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Pow(A1, num(2))))))),
    ("delta3.dot(W2.T) * (1 - np.tanh(z1) ** 2)",
     Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Pow(Fn("tanh", Z1), num(2))))))),
    ("np.exp(z1) + np.log(a1)", Add((Fn("exp", Z1), Fn("log", A1)))),
    ("np.maximum(0, z1)", Max(num(0), Z1)),
    ("np.where(z1 > 0, 1, 0)", Indicator(Cond(Z1, ">", num(0)))),
    ("np.where(z1 > 0, 1, 0.1)", Piecewise(((ONE, Cond(Z1, ">", num(0))), (num("0.1"), None)))),
    ("(z1 > 0).astype(float)", Indicator(Cond(Z1, ">", num(0)))),
    ("np.sign(z1)", Fn("sign", Z1)),
    ("np.square(a1)", Pow(A1, num(2))),
    ("np.ones_like(a1) - a1 * a1", Add((Mul(Ones("m"), T(Ones("h"))), Neg(Hadamard(A1, A1))))),
    ("-delta3 / 2", Div(Neg(delta3), num(2))),
    ("0.5 * delta3", Mul(num("0.5"), delta3)),
    ("np.multiply(delta3, probs)", Hadamard(delta3, P)),
]


@pytest.mark.parametrize(("text", "expected"), NUMPY, ids=[t[0] for t in NUMPY])
def test_numpy_whitelist(text: str, expected: Expr) -> None:
    parsed = parse_answer(text, "numpy", ROW)
    assert parsed.expr == expected
    assert parsed.format == "numpy"


def test_numpy_star_is_always_elementwise() -> None:
    # the same shapes as a matrix product would need: still elementwise in NumPy
    assert parse_answer("a1 * W2", "numpy", ROW).expr == Hadamard(A1, W2)
    assert parse_answer("a1 * W2", "text", ROW).expr == Mul(A1, W2)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os')", "__import__"),
        ("__import__('os').system('ls')", "not"),
        ("open('/etc/passwd')", "calling `open(...)`"),
        ("eval('1')", "calling `eval(...)`"),
        ("np.linalg.inv(W2)", "attribute chain"),
        ("a1.__class__", "__class__"),
        ("a1.shape", "attribute `.shape`"),
        ("delta3[0]", "indexing"),
        ("delta3[:, 0]", "indexing"),
        ("lambda x: x", "lambda"),
        ("[a for a in X]", "list comprehension"),
        ("'delta3'", "string"),
        ("f'{delta3}'", "f-string"),
        ("(a1, W2)", "tuple"),
        ("X if a1 else W2", "conditional"),
        ("delta3 % 2", "%"),
        ("delta3 ^ 2", "**"),
        ("np.random.rand(3)", "attribute chain"),
        ("np.cumsum(delta3, axis=0)", "np.cumsum is not read"),
        ("np.sum(delta3, axis=2)", "axis"),
        ("np.sum(delta3, out=X)", "keyword `out`"),
        ("W3.dot(a1)", "unknown name `W3`"),
        ("np", "not a value"),
        ("True * a1", "True"),
        ("a1 ** 1000", "exponent"),
        ("1e400 * a1", "out of range"),
        ("1234567890123456789 * a1", "digits"),
        ("delta3.dot(", "never closed"),
        ("delta3 +* a1", "not a Python expression"),
        ("(x := a1)", "assignment"),
    ],
)
def test_numpy_refusals_name_the_construct(text: str, fragment: str) -> None:
    with pytest.raises(AnswerError) as err:
        parse_answer(text, "numpy", ROW)
    assert fragment in err.value.message


def test_numpy_is_never_executed(tmp_path, monkeypatch) -> None:
    marker = tmp_path / "touched"
    monkeypatch.chdir(tmp_path)
    for text in (f"open('{marker}', 'w')", f"__import__('pathlib').Path('{marker}').touch()"):
        with pytest.raises(AnswerError):
            parse_answer(text, "auto", ROW)
    assert not marker.exists()


# ---- auto


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (r"\delta_3 W_2^T", "latex"),
        ("delta3.dot(W2.T)", "numpy"),
        ("np.dot(X.T, delta2)", "numpy"),
        ("delta3 * a1", "numpy"),
        ("delta3 @ W2^T .* (1 - a1^2)", "text"),
        ("P - Y", "text"),
        ("W_{2}^T", "latex"),
        ("W_2^T", "text"),
    ],
)
def test_auto_picks_the_reader(text: str, fmt: str) -> None:
    assert parse_answer(text, "auto", ROW).format == fmt


def test_auto_sends_python_only_constructs_to_numpy_alone() -> None:
    assert guess_order("delta3[0]", ROW) == ["numpy"]
    assert guess_order("1[z > 0]", ROW) != ["numpy"]  # the plain-text indicator
    with pytest.raises(AnswerError, match="indexing"):
        parse_answer("delta3[0]", "auto", ROW)


def test_auto_reports_the_most_likely_readers_error() -> None:
    with pytest.raises(AnswerError, match="of the LaTeX answer"):
        parse_answer(r"\delta_3 W_2^{T} @ X", "auto", ROW)


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        parse_answer("P", "markdown", ROW)
