"""The judge on answers given as trees: equivalence by meaning, mistakes by name, limits."""

from __future__ import annotations

import time

import pytest

from checker.grading import judge
from checker.grading.indexed import evaluate_indexed, free_indices, index_shape
from checker.grading.judge import grade_expr, prepare, time_limit
from checker.grading.mistakes import FAMILIES, TAGS, mutants, repairs
from derivations import notation as n
from derivations.expr import (
    Add,
    Cond,
    Diag,
    Entry,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    Mul,
    Neg,
    Ones,
    Piecewise,
    Pow,
    T,
    dsigma,
    num,
    sigma,
)
from derivations.questions import QUESTIONS

W, d, z = n.W_next, n.delta_next, n.z_l
ONE = num(1)


def verdict(qid, e):
    r = grade_expr(qid, e)
    return r.verdict, r.mistake


# ---- right answers written differently
RIGHT = [
    ("hidden-delta", Mul(Diag(dsigma(z)), Mul(T(W), d))),
    ("hidden-delta", Hadamard(dsigma(z), T(Mul(T(d), W)))),
    ("hidden-delta", IndexSum("j", Mul(Mul(Entry(W, "j", "i"), Entry(d, "j")), dsigma(Entry(z, "i"))))),
    ("weight-gradient", Mul(Entry(n.a_prev, "k"), Entry(n.delta_l, "j"))),
    ("weight-gradient", T(Mul(n.a_prev, T(n.delta_l)))),
    ("softmax-jacobian", Mul(Entry(n.p, "i"), Add((KDelta("i", "j"), Neg(Entry(n.p, "j")))))),
    ("softmax-ce-gradient", Add((Fn("exp", n.z_L) / Mul(T(Ones("n_L")), Fn("exp", n.z_L)), Neg(n.y)))),
    ("mse-output-delta", Hadamard(Hadamard(n.a_L - n.y, n.a_L), ONE - n.a_L)),  # σ is the sigmoid here
    ("l2-update", Mul(ONE - Mul(n.eta, n.lam), n.W_l) - Mul(n.eta, n.G)),
    ("batch-bias-gradient", IndexSum("k", Entry(n.Delta_l, "i", "k")) / n.m),
    ("sigmoid-derivative", Fn("exp", Neg(n.z)) / Pow(ONE + Fn("exp", Neg(n.z)), num(2))),
    ("sigmoid-derivative", sigma(n.z) - Pow(sigma(n.z), num(2))),
    ("tanh-derivative", Pow(Fn("sech", n.z), num(2))),
    ("relu-derivative", Piecewise(((ONE, Cond(n.z, ">", num(0))), (num(0), Cond(n.z, "<", num(0)))))),
    ("leaky-relu-derivative", num("1/10") + Mul(num("9/10"), Indicator(Cond(n.z, ">", num(0))))),
    ("row-hidden-delta", Hadamard(Mul(n.delta3, T(n.W2)), ONE - Pow(Fn("tanh", n.Z1), num(2)))),
    ("row-grad-b2", T(Mul(T(n.delta3), Ones("m")))),
]


@pytest.mark.parametrize(("qid", "expr"), RIGHT, ids=[f"{q}-{i}" for i, (q, _) in enumerate(RIGHT)])
def test_equivalent_forms_are_correct(qid, expr):
    assert verdict(qid, expr) == ("correct", None)


# ---- wrong answers and the mistake they show
WRONG = [
    ("hidden-delta", Hadamard(Mul(W, d), dsigma(z)), "missing-transpose"),
    ("weight-gradient", Mul(n.a_prev, T(n.delta_l)), "transposed"),
    ("row-grad-W2", Mul(n.delta3, T(n.A1)), "wrong-order"),
    ("hidden-delta", Mul(Mul(T(W), d), dsigma(z)), "hadamard-vs-matmul"),
    ("mse-output-delta", n.a_L - n.y, "missing-activation-derivative"),
    ("hidden-delta", Hadamard(Mul(T(W), d), sigma(z)), "activation-instead-of-derivative"),
    ("hidden-delta", Hadamard(Mul(T(W), d), dsigma(n.a_l)), "derivative-wrong-argument"),
    ("hidden-delta", Hadamard(Mul(T(n.W_l), d), dsigma(z)), "wrong-layer"),
    ("softmax-ce-gradient", n.y - n.p, "sign-error"),
    ("batch-weight-gradient", Mul(n.Delta_l, T(n.A_prev)), "wrong-scale"),
    ("mse-output-delta", Mul(Mul(T(Ones("n_L")), n.a_L - n.y), dsigma(n.z_L)), "summed-over-outputs"),
    ("l2-update", n.W_l - Mul(n.eta, n.G), "missing-term"),
    ("l1-update", n.W_l - Mul(n.eta, n.G + Mul(n.lam, n.W_l)), "wrong-regularizer"),
    ("hidden-delta", Hadamard(Mul(T(W), d), Hadamard(n.a_l, ONE - n.a_l)), "sigmoid-specific"),
    # a second of each, in other questions
    ("weight-gradient", Mul(n.delta_l, n.a_prev), "missing-transpose"),
    ("row-grad-W1", Mul(T(n.delta2), n.X), "transposed"),
    ("input-gradient", Mul(Mul(Mul(n.W_2, Diag(dsigma(n.z_2))), n.W_1), Diag(dsigma(n.z_1))), "wrong-order"),
    ("row-hidden-delta", Mul(Mul(n.delta3, T(n.W2)), ONE - Hadamard(n.A1, n.A1)), "hadamard-vs-matmul"),
    ("row-hidden-delta", Mul(n.delta3, T(n.W2)), "missing-activation-derivative"),
    ("row-hidden-delta", Hadamard(Mul(n.delta3, T(n.W2)), n.A1), "activation-instead-of-derivative"),
    ("row-hidden-delta", Hadamard(Mul(n.delta3, T(n.W2)), ONE - Hadamard(n.Z1, n.Z1)),
     "derivative-wrong-argument"),
    ("row-grad-W2", Mul(T(n.X), n.delta3), "wrong-layer"),
    ("row-output-delta", n.Y - n.P, "sign-error"),
    ("l2-update", n.W_l - Mul(n.eta, n.G) - Mul(n.lam, n.W_l), "wrong-scale"),
    ("softmax-jacobian", Mul(T(Ones("n_L")), Diag(n.p) - Mul(n.p, T(n.p))), "summed-over-outputs"),
    ("softmax-ce-gradient", n.p, "missing-term"),
    ("l2-update", n.W_l - Mul(n.eta, n.G + Mul(n.lam, Fn("sign", n.W_l))), "wrong-regularizer"),
    ("input-gradient", Mul(Mul(Mul(Diag(Hadamard(sigma(n.z_2), ONE - sigma(n.z_2))), n.W_2),
                               Diag(dsigma(n.z_1))), n.W_1), "sigmoid-specific"),
    ("relu-derivative", Max(num(0), n.z), "activation-instead-of-derivative"),
    ("tanh-derivative", ONE - Pow(n.z, num(2)), "derivative-wrong-argument"),
]


@pytest.mark.parametrize(("qid", "expr", "tag"), WRONG, ids=[f"{t}-{q}" for q, _, t in WRONG])
def test_mistakes_are_named(qid, expr, tag):
    result = grade_expr(qid, expr)
    assert (result.verdict, result.mistake) == ("incorrect", tag), result.feedback
    assert result.score == 0.0 and result.feedback


def test_every_tag_is_exercised_twice():
    counts = {t: sum(1 for *_, tag in WRONG if tag == t) for t in TAGS}
    assert all(c >= 2 for c in counts.values()), counts
    assert tuple(FAMILIES) == TAGS


def test_shape_misfit_names_the_shapes_and_never_crashes():
    r = grade_expr("hidden-delta", Hadamard(Mul(W, d), dsigma(z)))
    assert r"$n_{l+1} \times n_l$" in r.feedback and r.verdict == "incorrect"
    r = grade_expr("bias-gradient", Mul(n.delta_l, n.a_prev))  # no fix explains it
    assert r.verdict == "incorrect" and "does not fit" in r.feedback


def test_wrong_without_known_mistake_says_where():
    r = grade_expr("softmax-ce-gradient", n.p - Mul(num(3), n.y))
    assert (r.verdict, r.mistake) == ("incorrect", None)
    assert "different value" in r.feedback
    r = grade_expr("bias-gradient", Mul(n.delta_l, T(n.a_prev)))
    assert r.verdict == "incorrect" and r"$n_l \times 1$" in r.feedback


def test_a_diagnosed_misfit_says_the_fix_once():
    """The shape error's own "did you mean" gives way to the mistake's message, not beside it."""
    r = grade_expr("hidden-delta", Hadamard(Mul(W, d), dsigma(z)))
    assert r.mistake == "missing-transpose"
    assert "did you mean" not in r.feedback
    assert r.feedback.count("transpose") == 1, r.feedback


def test_a_misfit_whose_fix_is_still_wrong_names_the_second_mistake():
    # a δ for δ aᵀ: transposing δ makes it fit, and then it is the transpose of the answer
    r = grade_expr("weight-gradient", Mul(n.a_prev, n.delta_l))
    assert (r.verdict, r.mistake) == ("incorrect", "transposed")
    assert "does not fit" in r.feedback and "Even then" in r.feedback


def test_feedback_never_capitalises_a_symbol():
    # a^{(l-1)} is a vector and A^{(l-1)} the batch matrix: "A^{(l-1)} is ..." would name the wrong one
    r = grade_expr("weight-gradient", Mul(n.a_prev, n.delta_l))
    assert r.feedback.startswith("$a^{(l-1)}$ is"), r.feedback


def test_generic_sigma_is_tried_with_several_activations():
    # tanh's derivative written through a: right for tanh only, and σ is generic
    r = grade_expr("hidden-delta", Hadamard(Mul(T(W), d), ONE - Hadamard(n.a_l, n.a_l)))
    assert r.verdict == "incorrect" and "tanh" in r.feedback
    # where σ is the sigmoid, the sigmoid's own form is right
    assert verdict("mse-output-delta", Hadamard(n.a_L - n.y, Hadamard(n.a_L, ONE - n.a_L)))[0] == "correct"


def test_distinct_sizes_catch_a_missing_transpose_of_a_square_looking_product():
    prep = prepare("weight-gradient")
    for draw in prep.draws:
        assert len(set(draw.sizes.values())) == len(draw.sizes)


def test_same_answer_same_verdict():
    e = Hadamard(Mul(T(W), d), ONE - Hadamard(n.a_l, n.a_l))
    first = grade_expr("hidden-delta", e).to_json()
    assert all(grade_expr("hidden-delta", e).to_json() == first for _ in range(3))
    assert judge.seed_of("hidden-delta") == judge.seed_of("hidden-delta") != judge.seed_of("bias-gradient")


def test_scalar_questions_are_confirmed_exactly():
    r = grade_expr("sigmoid-derivative", Fn("exp", Neg(n.z)) / Pow(ONE + Fn("exp", Neg(n.z)), num(2)))
    assert "exactly" in r.feedback


def test_mutants_equal_to_the_reference_are_not_mistakes():
    # softmax's Jacobian is symmetric: its transpose is right, not "transposed"
    assert verdict("softmax-jacobian", T(Diag(n.p) - Mul(n.p, T(n.p)))) == ("correct", None)
    prep = prepare("softmax-jacobian")
    assert all(pm.mutant.tag != "transposed" for pm in prep.mutants)


def test_mutants_cover_every_question():
    for q in QUESTIONS.values():
        assert mutants(q), q.id


def test_repairs_find_a_missing_transpose():
    tags = {tag for tag, _, _ in repairs(Mul(n.delta_l, n.a_prev))}
    assert {"missing-transpose", "wrong-order"} <= tags


# ---- index notation


def test_index_notation_orders_free_indices_alphabetically():
    e = Mul(Entry(n.a_prev, "k"), Entry(n.delta_l, "j"))
    assert free_indices(e) == ("j", "k")
    shape, letters = index_shape(e)
    assert shape == ("n_l", "n_{l-1}") and letters == {"j": "n_l", "k": "n_{l-1}"}
    prep = prepare("weight-gradient")
    env = prep.draws[0].envs["sigmoid"]
    sizes = {k: prep.draws[0].sizes[v] for k, v in letters.items()}
    value = evaluate_indexed(e, env, sizes)
    assert value.shape == (sizes["j"], sizes["k"])


def test_index_notation_inconsistent_indices_is_incorrect():
    e = IndexSum("j", Mul(Mul(Entry(W, "i", "j"), Entry(d, "j")), Fn("sigma", Entry(z, "i"), 1)))
    r = grade_expr("hidden-delta", e)
    assert r.verdict == "incorrect" and "index" in r.feedback.lower()


# ---- hostile trees and limits


def test_huge_numbers_do_not_hang():
    start = time.perf_counter()
    e = Pow(num(10), Pow(num(10), num(10)))
    r = grade_expr("sigmoid-derivative", e)
    assert r.verdict == "incorrect" and time.perf_counter() - start < 2


def test_deep_nesting_is_invalid():
    e = n.delta_l
    for _ in range(150):
        e = Neg(e)
    assert grade_expr("bias-gradient", e).verdict == "invalid"


def test_time_limit_interrupts_a_long_computation():
    start = time.perf_counter()
    with pytest.raises(judge.AnswerTimeout), time_limit(0.2):
        while True:
            pass
    assert time.perf_counter() - start < 1.0


def test_time_limit_nests_and_restores_the_outer_limit():
    class Inner(BaseException):
        pass

    with pytest.raises(judge.AnswerTimeout), time_limit(0.5):
        with pytest.raises(Inner), time_limit(0.1, Inner):
            while True:
                pass
        while True:  # the outer limit still fires
            pass


def test_to_json_has_the_contract_keys():
    keys = set(grade_expr("bias-gradient", n.delta_l).to_json())
    assert keys == {"question", "verdict", "score", "mistake", "feedback", "interpreted"}


def test_a_checker_that_accepted_everything_would_fail_here():
    # guard against a judge that says "correct" to anything of the right shape
    assert verdict("bias-gradient", Mul(num(1), n.delta_l))[0] == "correct"
    assert verdict("bias-gradient", Add((n.delta_l, n.delta_l)))[0] == "incorrect"
    assert verdict("relu-derivative", Indicator(Cond(n.z, "<", num(0))))[0] == "incorrect"
