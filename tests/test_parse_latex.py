"""The LaTeX reader: every notation of QUESTIONS.md section 1 reads into the tree it means."""

from __future__ import annotations

from fractions import Fraction

import pytest

from checker.grading.readers import AnswerError, Vocabulary, parse_answer, vocabulary_from_spellings
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
    KDelta,
    Max,
    Mul,
    Neg,
    Num,
    Ones,
    Piecewise,
    Pow,
    Softmax,
    T,
    mat,
    scalar,
    vec,
)

# ---- test symbols (the course's, declared here so the tests do not depend on the question bank)
W = mat("W_next", "n_{l+1}", "n_l", "W^{(l+1)}")
d = vec("delta_next", "n_{l+1}", r"\delta^{(l+1)}")
z = vec("z_l", "n_l", "z^{(l)}")
a_prev = vec("a_prev", "n_{l-1}", "a^{(l-1)}")
dl = vec("delta_l", "n_l", r"\delta^{(l)}")
aL = vec("a_L", "n_L", "a^{(L)}")
y = vec("y", "n_L", "y")
zL = vec("z_L", "n_L", "z^{(L)}")
Dl = mat("Delta_l", "n_l", "m", r"\Delta^{(l)}")
Ap = mat("A_prev", "n_{l-1}", "m", "A^{(l-1)}")
m = scalar("m", "m")
eta, lam = scalar("eta", r"\eta"), scalar("lambda", r"\lambda")
Wl = mat("W_l", "n_l", "n_{l-1}", "W^{(l)}")
G = mat("G", "n_l", "n_{l-1}", "G")
zs = scalar("z", "z")
p = vec("p", "n_L", "p")
z1, z2 = vec("z_1", "n_1", "z^{(1)}"), vec("z_2", "n_2", "z^{(2)}")
W1, W2c = mat("W_1", "n_1", "n_0", "W^{(1)}"), mat("W_2", "n_2", "n_1", "W^{(2)}")
x = vec("x", "n_0", "x")
# row convention
A1, W2, X = mat("A1", "m", "h", "A_1"), mat("W2", "h", "c", "W_2"), mat("X", "m", "d", "X")
Z1, P, Y = mat("Z1", "m", "h", "Z_1"), mat("P", "m", "c", "P"), mat("Y", "m", "c", "Y")
delta3, delta2 = mat("delta3", "m", "c", r"\delta_3"), mat("delta2", "m", "h", r"\delta_2")

COL = vocabulary_from_spellings(
    [(s, []) for s in (W, d, z, a_prev, dl, aL, y, zL, Dl, Ap, m)],
    named=[(r"\frac{\partial L}{\partial W^{(l)}}", Mul(dl, T(a_prev)))],
)
INDEX = vocabulary_from_spellings([(dl, [r"\delta"]), (a_prev, ["a"]), (p, [r"\hat{y}"])])
SCALAR = vocabulary_from_spellings([(zs, [])])
PVOC = vocabulary_from_spellings([(p, [])])
REG = vocabulary_from_spellings(
    [(Wl, ["W"]), (eta, []), (lam, []), (G, [r"\frac{\partial J}{\partial W}"])]
)
INPUT = vocabulary_from_spellings([(z1, []), (z2, []), (W1, []), (W2c, []), (x, [r"\mathbf{x}"])])
ROW = vocabulary_from_spellings(
    [(A1, ["a_1"]), (W2, []), (X, []), (Z1, ["z_1"]), (P, [r"\hat{y}"]), (Y, []), (delta3, []), (delta2, [])],
    row_convention=True,
)


def read(text: str, vocab: Vocabulary = COL) -> Expr:
    return parse_answer(text, "latex", vocab).expr


def num(v: int | str) -> Num:
    return Num(Fraction(v))


ONE, ZERO = num(1), num(0)


# ---- every notation of section 1, with the tree it must give
CASES: list[tuple[str, str, Vocabulary, Expr]] = [
    # layer index as a superscript
    ("layer-paren", "W^{(l+1)}", COL, W),
    ("layer-braces", "W^{l+1}", COL, W),
    ("layer-l-paren", "z^{(l)}", COL, z),
    ("layer-l-braces", "z^{l}", COL, z),
    ("layer-l-bare", "z^l", COL, z),
    ("layer-minus", "a^{l-1}", COL, a_prev),
    ("layer-L-paren", "a^{(L)}", COL, aL),
    ("layer-L-bare", "a^L", COL, aL),
    ("layer-2-paren", "z^{(2)}", INPUT, z2),
    ("layer-2-bare-is-declared-layer", "z^2", INPUT, z2),
    ("layer-spaces", "W^{( l + 1 )}", COL, W),
    # transposes
    ("T", "(W^{(l+1)})^T", COL, T(W)),
    ("T-braced", "(W^{(l+1)})^{T}", COL, T(W)),
    ("top", "(W^{(l+1)})^\\top", COL, T(W)),
    ("top-braced", "(W^{(l+1)})^{\\top}", COL, T(W)),
    ("intercal", "(W^{(l+1)})^\\intercal", COL, T(W)),
    ("mathsf-T", "(W^{(l+1)})^{\\mathsf{T}}", COL, T(W)),
    ("mathrm-T", "(W^{(l+1)})^{\\mathrm{T}}", COL, T(W)),
    ("rm-switch-T", "(W^{(l+1)})^{\\rm T}", COL, T(W)),
    ("fused-T", "W^{(l+1)T}", COL, T(W)),
    ("fused-top", "W^{(l+1)\\top}", COL, T(W)),
    ("braced-group-top", "{W^{(l+1)}}^{\\top}", COL, T(W)),
    ("double-superscript", "W^{(l+1)}^T", COL, T(W)),
    ("fused-vector", "a^{(l-1)T}", COL, T(a_prev)),
    ("bracket-T", "\\left[a^{(l-1)}\\right]^T", COL, T(a_prev)),
    ("unicode-T", "Wᵀ", REG, T(Wl)),
    # products
    ("juxtaposition", "W^{(l+1)T} \\delta^{(l+1)}", COL, Mul(T(W), d)),
    ("cdot", "W^{(l+1)T} \\cdot \\delta^{(l+1)}", COL, Mul(T(W), d)),
    ("odot", "z^{(l)} \\odot z^{(l)}", COL, Hadamard(z, z)),
    ("circ", "z^{(l)} \\circ z^{(l)}", COL, Hadamard(z, z)),
    ("star-same-shape", "z^{(l)} * z^{(l)}", COL, Hadamard(z, z)),
    ("times-same-shape", "z^{(l)} \\times z^{(l)}", COL, Hadamard(z, z)),
    ("star-matrix-vector", "W^{(l+1)T} * \\delta^{(l+1)}", COL, Mul(T(W), d)),
    ("star-scalars", "z * z", SCALAR, Mul(zs, zs)),
    ("star-scaling", "m * z^{(l)}", COL, Mul(m, z)),
    ("juxtaposition-before-odot", "W^{(l+1)T}\\delta^{(l+1)} \\odot \\sigma'(z^{(l)})", COL,
     Hadamard(Mul(T(W), d), Fn("sigma", z, 1))),
    ("hidden-delta", "((W^{(l+1)})^T \\delta^{(l+1)}) \\odot \\sigma'(z^{(l)})", COL,
     Hadamard(Mul(T(W), d), Fn("sigma", z, 1))),
    ("weight-gradient", "\\delta^{(l)} (a^{(l-1)})^T", COL, Mul(dl, T(a_prev))),
    # functions
    ("sigma", "\\sigma(z^{(l)})", COL, Fn("sigma", z)),
    ("sigma-prime", "\\sigma'(z^{(l)})", COL, Fn("sigma", z, 1)),
    ("sigma-prime-command", "\\sigma^{\\prime}(z^{(l)})", COL, Fn("sigma", z, 1)),
    ("sigma-prime-bare", "\\sigma^\\prime(z^{(l)})", COL, Fn("sigma", z, 1)),
    ("sigma-double-prime", "\\sigma''(z)", SCALAR, Fn("sigma", zs, 2)),
    ("f-alias", "f(z^{(l)})", COL, Fn("sigma", z)),
    ("f-prime-alias", "f'(z^{(l)})", COL, Fn("sigma", z, 1)),
    ("sigmoid-derivative", "\\sigma(z)(1-\\sigma(z))", SCALAR,
     Mul(Fn("sigma", zs), Add((ONE, Neg(Fn("sigma", zs)))))),
    ("tanh", "\\tanh(z)", SCALAR, Fn("tanh", zs)),
    ("function-chain", "\\tanh \\tanh z", SCALAR, Fn("tanh", Fn("tanh", zs))),
    ("log-of-a-sum", "\\log \\sum_k e^{a^{(L)}_k}", COL, Fn("log", IndexSum("k", Fn("exp", Entry(aL, "k"))))),
    ("tanh-no-parentheses", "\\tanh z", SCALAR, Fn("tanh", zs)),
    ("tanh-squared", "\\tanh^2(z)", SCALAR, Pow(Fn("tanh", zs), num(2))),
    ("tanh-squared-no-parentheses", "1 - \\tanh^2 z", SCALAR, Add((ONE, Neg(Pow(Fn("tanh", zs), num(2)))))),
    ("operatorname-tanh", "\\operatorname{tanh}(z)", SCALAR, Fn("tanh", zs)),
    ("mathrm-ReLU", "\\mathrm{ReLU}(z)", SCALAR, Fn("relu", zs)),
    ("operatorname-ReLU", "\\operatorname{ReLU}(z)", SCALAR, Fn("relu", zs)),
    ("text-ReLU", "\\text{ReLU}(z)", SCALAR, Fn("relu", zs)),
    ("max", "\\max(0, z)", SCALAR, Max(ZERO, zs)),
    ("max-set-braces", "\\max\\{0, z\\}", SCALAR, Max(ZERO, zs)),
    ("leaky-max", "\\max(0.1z, z)", SCALAR, Max(Mul(num("0.1"), zs), zs)),
    ("exp", "\\exp(z)", SCALAR, Fn("exp", zs)),
    ("euler-e", "e^{-z}", SCALAR, Fn("exp", Neg(zs))),
    ("euler-e-bare-script", "e^z", SCALAR, Fn("exp", zs)),
    ("sigmoid-derivative-exp", "\\frac{e^{-z}}{(1+e^{-z})^2}", SCALAR,
     Div(Fn("exp", Neg(zs)), Pow(Add((ONE, Fn("exp", Neg(zs)))), num(2)))),
    ("log", "\\log(z)", SCALAR, Fn("log", zs)),
    ("ln", "\\ln z", SCALAR, Fn("log", zs)),
    ("softmax", "\\operatorname{softmax}(z^{(L)})", COL, Softmax(zL, 0)),
    ("softmax-row", "\\operatorname{softmax}(Z_1)", ROW, Softmax(Z1, 1)),
    ("diag", "\\operatorname{diag}(p) - p p^T", INDEX, Add((Diag(p), Neg(Mul(p, T(p)))))),
    ("diag-letters-run-together", "\\operatorname{diag}(p) - pp^T", INDEX, Add((Diag(p), Neg(Mul(p, T(p)))))),
    ("sign", "\\mathrm{sign}(W)", REG, Fn("sign", Wl)),
    ("sgn", "\\operatorname{sgn}(W)", REG, Fn("sign", Wl)),
    ("indicator-brackets", "\\mathbb{1}[z>0]", SCALAR, Indicator(Cond(zs, ">", ZERO))),
    ("indicator-parentheses", "\\mathbb{1}(z>0)", SCALAR, Indicator(Cond(zs, ">", ZERO))),
    ("indicator-subscript", "\\mathbb{1}_{z>0}", SCALAR, Indicator(Cond(zs, ">", ZERO))),
    ("indicator-geq", "\\mathbb{1}[z \\geq 0]", SCALAR, Indicator(Cond(zs, ">=", ZERO))),
    ("ones-transposed-takes-rows", "\\mathbf{1}^T \\delta_3", ROW, Mul(T(Ones("m")), delta3)),
    ("ones-takes-columns", "\\frac{1}{m} \\Delta^{(l)} \\mathbf{1}", COL,
     Mul(Mul(Div(ONE, m), Dl), Ones("m"))),
    ("ones-explicit-length", "\\Delta^{(l)} \\mathbf{1}_m", COL, Mul(Dl, Ones("m"))),
    ("ones-in-a-sum-is-one", "\\mathbf{1} - A_1 \\odot A_1", ROW, Add((ONE, Neg(Hadamard(A1, A1))))),
    ("sech", "\\sech^2(z)", SCALAR, Pow(Fn("sech", zs), num(2))),
    ("operatorname-sech", "\\operatorname{sech}^2 z", SCALAR, Pow(Fn("sech", zs), num(2))),
    ("cases", "\\begin{cases} 1 & z > 0 \\\\ 0.1 & z < 0 \\end{cases}", SCALAR,
     Piecewise(((ONE, Cond(zs, ">", ZERO)), (num("0.1"), Cond(zs, "<", ZERO))))),
    ("cases-text-if-otherwise",
     "\\begin{cases} 1, & \\text{if } z > 0 \\\\ 0 & \\text{otherwise} \\end{cases}",
     SCALAR, Piecewise(((ONE, Cond(zs, ">", ZERO)), (ZERO, None)))),
    ("sum-index", "\\sum_{k} a^{(L)}_k", COL, IndexSum("k", Entry(aL, "k"))),
    ("sum-bounds", "\\sum_{k=1}^{n} a^{(L)}_k", COL, IndexSum("k", Entry(aL, "k"))),
    ("sum-takes-the-product", "\\sum_k y_k \\log a^{(L)}_k", COL,
     IndexSum("k", Mul(Entry(y, "k"), Fn("log", Entry(aL, "k"))))),
    ("frac", "\\frac{1}{m}", COL, Div(ONE, m)),
    ("frac-numbers-fold", "\\frac{1}{2}", COL, num("1/2")),
    ("frac-unbraced", "\\frac12 z", SCALAR, Mul(num("1/2"), zs)),
    ("left-right", "\\left( a^{(L)} - y \\right) \\odot \\sigma'\\left(z^{(L)}\\right)", COL,
     Hadamard(Add((aL, Neg(y))), Fn("sigma", zL, 1))),
    ("left-right-brackets", "\\left[ a^{(L)} - y \\right]", COL, Add((aL, Neg(y)))),
    # named quantities
    ("named-partial-J", "W - \\eta\\left(\\frac{\\partial J}{\\partial W} + \\lambda W\\right)", REG,
     Add((Wl, Neg(Mul(eta, Add((G, Mul(lam, Wl)))))))),
    ("named-partial-bold", "\\frac{\\partial J}{\\partial \\mathbf{W}}", REG, G),
    ("named-partial-inline", "\\partial J / \\partial W", REG, G),
    ("named-upright-d", "W - \\eta\\left(\\frac{dJ}{dW} + \\lambda W\\right)", REG,
     Add((Wl, Neg(Mul(eta, Add((G, Mul(lam, Wl)))))))),
    ("named-mathrm-d", "\\frac{\\mathrm{d}J}{\\mathrm{d}W}", REG, G),
    ("named-operator-form", "\\frac{\\partial}{\\partial W} J", REG, G),
    ("named-nabla", "\\nabla_W J", REG, G),
    ("named-quantity-expression", "\\frac{\\partial L}{\\partial W^{(l)}}", COL, Mul(dl, T(a_prev))),
    ("l1-update", "W - \\eta \\frac{\\partial J}{\\partial W} - \\eta\\lambda\\,\\mathrm{sign}(W)", REG,
     Add((Wl, Neg(Mul(eta, G)), Neg(Mul(Mul(eta, lam), Fn("sign", Wl)))))),
    # decorations
    ("hat-is-its-own-name", "\\hat{y}", INDEX, p),
    ("mathbf", "\\mathbf{W}^{(l+1)}", COL, W),
    ("boldsymbol", "\\boldsymbol{\\delta}^{(l+1)}", COL, d),
    ("bm", "\\bm{a}^{(l-1)}", COL, a_prev),
    ("vec", "W^{(1)}\\vec{x}", INPUT, Mul(W1, x)),
    ("spacing", "W^{(l+1)T}\\,\\delta^{(l+1)} \\! \\; \\quad", COL, Mul(T(W), d)),
    ("unicode", "σ'(z) ⊙ σ(z)", SCALAR, Hadamard(Fn("sigma", zs, 1), Fn("sigma", zs))),
    # index notation
    ("index-output-delta", "a_i^{(L)} - y_i", COL, Add((Entry(aL, "i"), Neg(Entry(y, "i"))))),
    ("index-hidden-delta", "\\left(\\sum_j W^{(l+1)}_{ji}\\delta^{(l+1)}_j\\right)\\sigma'(z^{(l)}_i)", COL,
     Mul(IndexSum("j", Mul(Entry(W, "j", "i"), Entry(d, "j"))), Fn("sigma", Entry(z, "i"), 1))),
    ("index-outer", "\\delta_j a_k", INDEX, Mul(Entry(dl, "j"), Entry(a_prev, "k"))),
    ("kronecker", "p_i(\\delta_{ij} - p_j)", PVOC,
     Mul(Entry(p, "i"), Add((KDelta("i", "j"), Neg(Entry(p, "j")))))),
    ("kronecker-vector-declared", "\\delta_{ij}", INDEX, KDelta("i", "j")),
    # the row convention: subscripts are layer numbers
    ("row-hidden-delta", "\\delta_3 W_2^T \\circ (1 - a_1^2)", ROW,
     Hadamard(Mul(delta3, T(W2)), Add((ONE, Neg(Pow(A1, num(2))))))),
    ("row-seed-order", "(1 - \\tanh^2 z_1) \\circ \\delta_3 W_2^T", ROW,
     Hadamard(Add((ONE, Neg(Pow(Fn("tanh", Z1), num(2))))), Mul(delta3, T(W2)))),
    ("row-grad-W2", "A_1^T \\delta_3", ROW, Mul(T(A1), delta3)),
    ("row-grad-W1", "X^T \\delta_2", ROW, Mul(T(X), delta2)),
    ("row-output-delta", "\\hat{y} - Y", ROW, Add((P, Neg(Y)))),
    # left-hand sides and wrappers
    ("lhs-dropped", "\\delta^{(l)} = (a^{(L)} - y) \\odot \\sigma'(z^{(L)})", COL,
     Hadamard(Add((aL, Neg(y))), Fn("sigma", zL, 1))),
    ("lhs-undeclared-derivative", "\\frac{\\partial L}{\\partial z^{(L)}} = a^{(L)} - y", COL,
     Add((aL, Neg(y)))),
    ("lhs-chain", "\\delta^{(L)} = \\frac{\\partial L}{\\partial z} = a^{(L)} - y", COL, Add((aL, Neg(y)))),
    ("lhs-arrow", "W \\leftarrow W - \\eta G", REG, Add((Wl, Neg(Mul(eta, G))))),
    ("dollars", "$a^{(L)} - y$", COL, Add((aL, Neg(y)))),
    ("double-dollars-and-period", "$$a^{(L)} - y.$$", COL, Add((aL, Neg(y)))),
    ("display-brackets", "\\[ a^{(L)} - y \\]", COL, Add((aL, Neg(y)))),
    # numbers
    ("decimal", "0.1 + 3.25", COL, Add((num("0.1"), num("3.25")))),
    ("negative-number", "-2 z", SCALAR, Neg(Mul(num(2), zs))),
]


@pytest.mark.parametrize(("text", "vocab", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_notation_reads_as_tree(text: str, vocab: Vocabulary, expected: Expr) -> None:
    assert read(text, vocab) == expected


def test_every_case_id_is_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


# ---- the echo shows what was read


def test_star_rule_is_visible_in_the_echo() -> None:
    elementwise = parse_answer("z^{(l)} * z^{(l)}", "latex", COL)
    product = parse_answer("W^{(l+1)T} * \\delta^{(l+1)}", "latex", COL)
    assert "\\odot" in elementwise.interpreted
    assert "\\odot" not in product.interpreted
    assert elementwise.format == product.format == "latex"


def test_echo_reads_back_to_the_same_tree() -> None:
    for _, text, vocab, expected in CASES:
        echo = parse_answer(text, "latex", vocab).interpreted
        assert read(echo, vocab) == expected or parse_answer(echo, "latex", vocab).interpreted == echo, text


def test_sum_on_the_left_of_a_product_is_braced_in_the_echo() -> None:
    text = "\\left(\\sum_j W^{(l+1)}_{ji}\\delta^{(l+1)}_j\\right)\\sigma'(z^{(l)}_i)"
    echo = parse_answer(text, "latex", COL).interpreted
    assert echo.startswith("\\left(\\sum")
    assert read(echo) == read(text)


# ---- what a superscript means


def test_power_when_no_layer_is_declared() -> None:
    assert read("a_1^2", ROW) == Pow(A1, num(2))
    assert read("(z^{(l)})^2") == Pow(z, num(2))


def test_parenthesised_superscript_is_never_a_power() -> None:
    with pytest.raises(AnswerError, match="z\\^\\{\\(3\\)\\}"):
        read("z^{(3)}", INPUT)


def test_missing_transpose_reads_as_written() -> None:
    # the reader reads; the judge says it does not fit
    assert read("W^{(l+1)} \\delta^{(l+1)}") == Mul(W, d)


def test_wrong_layer_is_an_unknown_symbol_naming_it() -> None:
    with pytest.raises(AnswerError) as err:
        read("W^{(l+2)} \\delta^{(l+1)}")
    assert "W^{(l+2)}" in err.value.message
    assert "W^{(l+1)}" in err.value.message  # what the question declares
    with pytest.raises(AnswerError, match="W\\^\\{l\\+2\\}"):
        read("W^{l+2}")


# ---- errors name the place and the token


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("V^{(l)} \\delta^{(l+1)}", "unknown symbol `V^{(l)}`"),
        ("\\foo(z^{(l)})", "unknown function `\\foo`"),
        ("\\foo z^{(l)}", "unknown command `\\foo`"),
        ("\\operatorname{gelu}(z^{(l)})", "unknown function `\\operatorname{gelu}`"),
        ("W^{(l+1)T} \\delta^{(l+1)", "never closed"),
        ("(a^{(L)} - y))", "has no matching"),
        ("a^{(L)} - ", "ends too early"),
        ("a^{(L)} @ y", "unexpected character `@`"),
        ("\\def\\x{W} \\x", "\\def"),
        ("\\input{/etc/passwd}", "\\input"),
        ("\\csname x\\endcsname", "\\csname"),
        ("\\newcommand{\\x}{1}", "\\newcommand"),
        ("\\catcode`\\^=11", "\\catcode"),
        ("\\begin{array}{c} 1 \\end{array}", "only"),
        ("\\tanh", "needs an argument"),
        ("\\sum_q a^{(L)}_q", "summation index"),
        ("\\mathbf{1} \\delta^{(l)T}", "\\mathbf{1}_m"),
        ("\\frac{1}{0}", "division by zero"),
        ("\\sigma'(z^{(l)}) \\max(z^{(l)})", "takes 2 arguments"),
        ("W^{(l+1)}'", "prime"),
    ],
)
def test_errors_name_the_token(text: str, fragment: str) -> None:
    with pytest.raises(AnswerError) as err:
        read(text)
    assert fragment in err.value.message
    assert err.value.position is None or err.value.position >= 0


def test_error_gives_the_character_position() -> None:
    with pytest.raises(AnswerError) as err:
        read("a^{(L)} - Q")
    assert err.value.position == 10
    assert "character 11" in err.value.message
    assert err.value.token == "Q"


def test_unknown_symbol_lists_the_declared_ones() -> None:
    with pytest.raises(AnswerError) as err:
        read("\\hat{y}", COL)
    for spelling in ("W^{(l+1)}", "\\delta^{(l+1)}", "z^{(l)}"):
        assert spelling in err.value.message


def test_row_convention_unknown_layer_number() -> None:
    with pytest.raises(AnswerError, match="W_3"):
        read("W_3", ROW)


# ---- the vocabulary canonicalises spellings with the reader


def test_spellings_share_one_key() -> None:
    keys = {key for s in ("W^{(l+1)}", "W^{l+1}", "\\mathbf{W}^{(l+1)}", "{W}^{( l+1 )}")
            for key in vocabulary_from_spellings([(W, [s])]).symbols}
    assert keys == {"W^{l+1}"}


def test_conflicting_spellings_are_refused() -> None:
    with pytest.raises(ValueError, match="used for both"):
        vocabulary_from_spellings([(W, ["A"]), (d, ["A"])])


def test_questions_without_index_notation_say_so() -> None:
    plain = vocabulary_from_spellings([(aL, []), (y, [])], index_letters=())
    with pytest.raises(AnswerError, match="does not read index notation"):
        read("\\sum_k a^{(L)}_k", plain)
    with pytest.raises(AnswerError, match="a\\^\\{\\(L\\)\\}_i"):
        read("a^{(L)}_i - y_i", plain)


def test_unknown_derivative_lists_the_named_ones() -> None:
    with pytest.raises(AnswerError) as err:
        read("\\frac{\\partial L}{\\partial W}", REG)
    assert "unknown quantity" in err.value.message
    assert "\\frac{\\partial J}{\\partial W}" in err.value.message
