"""Hostile and random answers: every reader returns a tree or an AnswerError, fast, nothing else."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import checker.grading.readers.limits as limits
from checker.grading.readers import AnswerError, Parsed, parse_answer, vocabulary_from_spellings
from derivations.expr import Add, Mul, Neg, Num, depth, mat, scalar, vec

# The judge's hard per-answer limit: reading alone must fit inside it for any answer of at most
# limits.MAX_CHARS characters (idle worst case ~0.25 s; speed itself is measured in bench/). It is
# counted in this process's CPU time, so a busy machine cannot fail the test.
TIME_BOUND = 2.0

W = mat("W_next", "n_{l+1}", "n_l", "W^{(l+1)}")
d = vec("delta_next", "n_{l+1}", r"\delta^{(l+1)}")
z = vec("z_l", "n_l", "z^{(l)}")
a_prev = vec("a_prev", "n_{l-1}", "a^{(l-1)}")
aL, y = vec("a_L", "n_L", "a^{(L)}"), vec("y", "n_L", "y")
Dl = mat("Delta_l", "n_l", "m", r"\Delta^{(l)}")
m, eta = scalar("m", "m"), scalar("eta", r"\eta")
A1, W2, delta3 = mat("A1", "m", "h", "A_1"), mat("W2", "h", "c", "W_2"), mat("delta3", "m", "c", r"\delta_3")

VOCAB = vocabulary_from_spellings(
    [(W, []), (d, []), (z, []), (a_prev, []), (aL, []), (y, []), (Dl, []), (m, []), (eta, []),
     (A1, ["a_1"]), (W2, []), (delta3, [])],
    code_names={"W2": W2, "a1": A1, "delta3": delta3, "W": W, "z": z, "y": y},
)
FORMATS = ("latex", "text", "numpy", "auto")


def read_within_bound(text: str, fmt: str) -> Parsed | AnswerError:
    """Read ``text``; only a Parsed or an AnswerError may come out, within the time bound."""
    start = time.process_time()
    try:
        result: Parsed | AnswerError = parse_answer(text, fmt, VOCAB)
    except AnswerError as err:
        result = err
        assert err.message, "an AnswerError must say why"
    elapsed = time.process_time() - start
    assert elapsed < TIME_BOUND, f"{elapsed:.2f} s CPU for {text[:80]!r}"
    if isinstance(result, Parsed):
        assert depth(result.expr) <= limits.MAX_DEPTH
        assert isinstance(result.interpreted, str) and result.interpreted
    return result


def normal(e: object) -> object:
    """A tree as nested tuples, with products and sums flattened (they associate) and the signs of
    a product's factors taken out (-W δ is (-W) δ)."""
    if isinstance(e, Mul | Add):
        kind = type(e)
        parts, stack, negative = [], [e], False
        while stack:
            node = stack.pop()
            if isinstance(node, kind):
                stack.extend(reversed((node.left, node.right) if isinstance(node, Mul) else node.terms))
            elif kind is Mul and isinstance(node, Neg):
                negative, _ = not negative, stack.append(node.arg)
            elif kind is Mul and isinstance(node, Num) and node.value < 0:
                negative, _ = not negative, stack.append(Num(-node.value))
            else:
                parts.append(normal(node))
        flat = (kind.__name__, *parts)
        return ("Neg", flat) if negative else flat
    if isinstance(e, Neg) and isinstance(e.arg, Num):
        return normal(Num(-e.arg.value))
    if isinstance(e, Neg):
        inner = normal(e.arg)
        return inner[1] if isinstance(inner, tuple) and inner[0] == "Neg" else ("Neg", inner)
    if dataclasses.is_dataclass(e):
        return (type(e).__name__, *(normal(getattr(e, f.name)) for f in dataclasses.fields(e)))
    if isinstance(e, tuple):
        return tuple(normal(x) for x in e)
    return e


# ---- grammar-built LaTeX: valid fragments composed into nested answers

LATEX_ATOMS = st.sampled_from([
    "W^{(l+1)}", r"\delta^{(l+1)}", "z^{(l)}", "a^{(l-1)}", "a^{(L)}", "y", "m", r"\eta", "1", "0.5", "2",
    r"\mathbf{1}", r"\Delta^{(l)}", r"\delta_3", "W_2", "A_1", "a_1", "a^{(L)}_i", "y_i", r"\delta_{ij}",
    "W^{(l+1)}_{ji}", r"\mathbf{W}^{(l+1)}", r"\boldsymbol{\delta}^{(l+1)}", "W^{(l+1)T}", "e",
])
BINARY = st.sampled_from([" + ", " - ", r" \odot ", r" \circ ", " * ", r" \times ", r" \cdot ", " ", "/"])
WRAPPERS = [
    "({})^T", "{{{}}}^{{\\top}}", "\\sigma'({})", "\\sigma^{{\\prime}}({})", "f({})", "\\tanh({})",
    "\\tanh {}",
    "\\tanh^2({})", "\\left({}\\right)", "\\left[{}\\right]", "\\operatorname{{diag}}({})", "\\max(0, {})",
    "e^{{{}}}", "\\sum_k {}", "\\sum_{{j=1}}^{{n}} {}", "-{}", "\\mathbb{{1}}[{} > 0]", "\\exp({})",
    "\\log {}",
    "\\mathrm{{ReLU}}({})", "\\operatorname{{softmax}}({})", "({})^2", "\\sqrt{{{}}}", "\\mathrm{{sign}}({})",
]


def _compose(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, BINARY, children).map("".join)
    wrapped = st.tuples(st.sampled_from(WRAPPERS), children).map(lambda p: p[0].format(p[1]))
    frac = st.tuples(children, children).map(lambda p: f"\\frac{{{p[0]}}}{{{p[1]}}}")
    cases = st.tuples(children, children).map(
        lambda p: f"\\begin{{cases}} {p[0]} & z^{{(l)}} > 0 \\\\ {p[1]} & \\text{{otherwise}} \\end{{cases}}"
    )
    return st.one_of(binary, wrapped, frac, cases)


LATEX = st.recursive(LATEX_ATOMS, _compose, max_leaves=24)
LHS = st.sampled_from(["", r"\delta^{(l)} = ", r"\frac{\partial L}{\partial z} = ", "$", "$$"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LHS, LATEX)
def test_grammar_built_latex_reads_or_is_refused(lhs: str, body: str) -> None:
    text = lhs + body + ("$" if lhs.startswith("$") else "")
    result = read_within_bound(text, "latex")
    if isinstance(result, Parsed):
        # the echo is LaTeX that reads back to the same tree (up to how products and sums group)
        again = parse_answer(result.interpreted, "latex", VOCAB)
        assert normal(again.expr) == normal(result.expr), result.interpreted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LATEX, st.sampled_from(FORMATS))
def test_grammar_built_latex_in_any_format(body: str, fmt: str) -> None:
    read_within_bound(body, fmt)


# ---- grammar-built plain text and NumPy

TEXT_ATOMS = st.sampled_from([
    "W^(l+1)", "delta^(l+1)", "z^(l)", "a^(L)", "y", "m", "eta", "1", "0.5", "ones", "delta3", "W2", "a1",
    "a^(L)_i", "y_i", "W_2", "delta_3", "A_1", "σ(z^(l))",
])
TEXT_WRAPPERS = [
    "({})^T", "({})'", "({}).T", "sigma'({})", "f({})", "tanh({})", "max(0, {})", "diag({})", "e^({})",
    "sum_k {}", "-{}", "1[{} > 0]", "exp({})", "({})**2", "({})^2", "where({} > 0, 1, 0.1)", "softmax({})",
]
NUMPY_ATOMS = st.sampled_from(["W", "z", "y", "W2", "a1", "delta3", "1", "0.5", "2"])
NUMPY_WRAPPERS = [
    "np.dot({0}, {1})", "{0}.dot({1})", "np.matmul({0}, {1})", "({0}).T", "np.transpose({0})", "np.exp({0})",
    "np.tanh({0})", "np.log({0})", "np.power({0}, 2)", "{0} ** 2", "np.maximum(0, {0})", "np.sign({0})",
    "np.where({0} > 0, 1, 0)", "np.sum({0}, axis=0, keepdims=True)", "np.sum({0}, axis=1)", "-{0}",
    "({0} > 0).astype(float)", "np.ones_like({0})", "np.outer({0}, {1})", "({0})",
]


def _compose_with(binary: list[str], wrappers: list[str]):  # noqa: ANN202 - a strategy builder
    def compose(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        pairs = st.tuples(children, st.sampled_from(binary), children).map("".join)
        wrapped = st.tuples(st.sampled_from(wrappers), children, children).map(
            lambda p: p[0].format(p[1], p[2])
        )
        return st.one_of(pairs, wrapped)

    return compose


TEXT_ANSWERS = st.recursive(
    TEXT_ATOMS, _compose_with([" + ", " - ", " .* ", " * ", " @ ", " ", " o ", " / ", " ⊙ "],
                              [w.replace("{}", "{0}") for w in TEXT_WRAPPERS]), max_leaves=20
)
NUMPY_ANSWERS = st.recursive(
    NUMPY_ATOMS, _compose_with([" + ", " - ", " * ", " @ ", " / "], NUMPY_WRAPPERS), max_leaves=20
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT_ANSWERS, NUMPY_ANSWERS), st.sampled_from(FORMATS))
def test_grammar_built_text_and_numpy_read_or_are_refused(text: str, fmt: str) -> None:
    result = read_within_bound(text, fmt)
    if isinstance(result, Parsed):
        # what was read is echoed as LaTeX, which the LaTeX reader reads to the same tree (strictly:
        # the echo of a misfit product W W is not to be read as the W ⊙ W it must have meant)
        again = parse_answer(result.interpreted, "latex", VOCAB, strict_notation=True)
        assert normal(again.expr) == normal(result.expr), (text, result.interpreted)


# ---- random text, from all of Unicode and from the characters the readers care about

TOKENS = st.sampled_from([
    "\\", "{", "}", "(", ")", "[", "]", "^", "_", "'", "+", "-", "*", "/", "=", "<", ">", "&", ",", ".", " ",
    "0", "1", "9", "e", "T", "W", "z", "y", "l", "L", "a", "i", "j", "k", "\\frac", "\\sigma", "\\odot",
    "\\sum", "\\mathbf", "\\mathbb{1}", "\\left", "\\right", "\\begin{cases}", "\\end{cases}", "\\\\",
    "\\top", "\\prime", "\\partial", "\\hat", "\\tanh", "\\max", "\\text{if }", "np.", ".dot(", ".T",
    "@", ".*", "**", "sum_k", "delta3", "W2", "a1", "sigma'", "np.sum(", "axis=0", "lambda", "__", "'s'",
    "ᵀ", "⊙", "σ", "δ", "∑", "𝟙", "−",
])
SOUP = st.lists(TOKENS, max_size=60).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOUP, st.sampled_from(FORMATS))
def test_token_soup_reads_or_is_refused(text: str, fmt: str) -> None:
    read_within_bound(text, fmt)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.sampled_from(FORMATS))
def test_any_unicode_text_reads_or_is_refused(text: str, fmt: str) -> None:
    read_within_bound(text, fmt)


# ---- hostile inputs, explicitly

HOSTILE = {
    "too-long": "a" * (limits.MAX_CHARS + 1),
    "deep-parentheses": "(" * 150 + "y" + ")" * 150,
    "deep-braces": "{" * 150 + "y" + "}" * 150,
    "deep-left-right": "\\left(" * 120 + "y" + "\\right)" * 120,
    "deep-functions": "\\sigma(" * 120 + "y" + ")" * 120,
    "deep-superscripts": "y^{" * 150 + "2" + "}" * 150,
    "deep-fractions": "\\frac{" * 110 + "1" + "}{2}" * 110,
    "deep-numpy": "np.exp(" * 120 + "z" + ")" * 120,
    "deep-unary-numpy": "-" * 1990 + "z",
    "long-minus-chain": "-" * 1999 + "y",
    "long-product": "y " * 999,
    "long-star-chain": "z^{(l)} * " * 199 + "z^{(l)}",
    "long-sum": "y + " * 499 + "y",
    "long-numpy-sum": "z + " * 499 + "z",
    "many-primes": "\\sigma" + "'" * 1900 + "(y)",
    "long-function-chain": "\\tanh " * 330 + "y",
    "huge-exponent-tower": "10^{10^{10}}",
    "huge-exponent": "y^{1000000}",
    "huge-numpy-power": "z ** 10 ** 10",
    "huge-number": "9" * 400,
    "huge-decimal": "0." + "1" * 200,
    "numpy-huge-float": "1e308 * z",
    "def": "\\def\\x{y}\\x",
    "edef": "\\edef\\x{y}",
    "input": "\\input{/etc/passwd}",
    "include": "\\include{secret}",
    "newcommand": "\\newcommand{\\x}{y} \\x",
    "catcode": "\\catcode`\\@=11",
    "csname": "\\csname relax\\endcsname",
    "write18": "\\immediate\\write18{rm -rf /}",
    "import": "__import__('os').system('true')",
    "open": "open('/etc/passwd').read()",
    "eval": "eval('1+1')",
    "attribute-chain": "z.__class__.__bases__",
    "nul": "y\x00",
    "unbalanced": "\\frac{1}{2",
    "only-operators": "+-*/^_",
    "empty": "   ",
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_inputs(name: str, fmt: str) -> None:
    result = read_within_bound(HOSTILE[name], fmt)
    refused = {"too-long", "deep-parentheses", "deep-braces", "deep-left-right", "deep-functions",
               "deep-superscripts", "deep-fractions", "deep-numpy", "huge-exponent-tower", "huge-exponent",
               "huge-number", "def", "edef", "input", "include", "newcommand", "catcode", "csname", "write18",
               "import", "open", "eval", "attribute-chain", "nul", "unbalanced", "empty", "long-product",
               "long-star-chain", "many-primes", "long-function-chain"}
    if name in refused:
        assert isinstance(result, AnswerError), f"{name} was read as {result}"


def test_definitions_are_refused_with_a_clear_message() -> None:
    with pytest.raises(AnswerError, match=r"\\def at character 1 is not allowed"):
        parse_answer("\\def\\x{y}\\x", "auto", VOCAB)


def test_too_long_is_refused_before_parsing() -> None:
    with pytest.raises(AnswerError, match="limit is 2000"):
        parse_answer("(" * 5000, "latex", VOCAB)


def test_huge_exponents_are_never_computed() -> None:
    with pytest.raises(AnswerError, match="exponent"):
        parse_answer("10^{10^{10}}", "latex", VOCAB)
    with pytest.raises(AnswerError, match="exponent"):
        parse_answer("z ** 10 ** 10", "numpy", VOCAB)
    with pytest.raises(AnswerError, match="digits"):
        parse_answer("9" * 20, "latex", VOCAB)


def _at_depth(frames: int, f):  # noqa: ANN001, ANN202 - calls f with `frames` more frames on the stack
    return f() if frames == 0 else _at_depth(frames - 1, f)


@pytest.mark.parametrize(
    "text",
    ["\\frac{" * 99 + "y" + "}{y}" * 99, "\\sigma(" * 99 + "y" + ")" * 99, "y^{" * 99 + "2" + "}" * 99,
     "\\tanh " * 99 + "y"],
    ids=["fractions", "functions", "powers", "function-chain"],
)
def test_nesting_within_the_limit_reads_whatever_the_callers_depth(text: str) -> None:
    shallow = parse_answer(text, "latex", VOCAB)
    deep = _at_depth(700, lambda: parse_answer(text, "latex", VOCAB))
    assert deep.expr == shallow.expr
    assert depth(shallow.expr) <= limits.MAX_DEPTH
