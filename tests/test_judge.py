"""The judge on answers given as trees: equivalence by meaning, mistakes by name, limits."""

from __future__ import annotations

import time

import pytest

from checker.grading import judge
from checker.grading.indexed import evaluate_indexed, free_indices, index_shape
from checker.grading.judge import grade_expr, prepare
from checker.grading.mistakes import EXPANSION_TAGS, FAMILIES, TAGS, mutants, repairs
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
    counts = {t: sum(1 for *_, tag in WRONG if tag == t) for t in TAGS if t in FAMILIES}
    assert all(c >= 2 for c in counts.values()), counts
    assert (*FAMILIES, "restates-question", *EXPANSION_TAGS) == TAGS


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
    prepare("sigmoid-derivative")
    start = time.process_time()  # CPU time: the check is about work, not about how busy the machine is
    e = Pow(num(10), Pow(num(10), num(10)))
    r = grade_expr("sigmoid-derivative", e)
    assert r.verdict == "incorrect" and time.process_time() - start < 2


def test_deep_nesting_is_invalid():
    e = n.delta_l
    for _ in range(150):
        e = Neg(e)
    assert grade_expr("bias-gradient", e).verdict == "invalid"


def test_to_json_has_the_contract_keys():
    keys = set(grade_expr("bias-gradient", n.delta_l).to_json())
    contract = {"question", "verdict", "score", "mistake", "feedback", "interpreted"}
    assert keys == contract | {"mistakes", "judged"}


def test_a_checker_that_accepted_everything_would_fail_here():
    # guard against a judge that says "correct" to anything of the right shape
    assert verdict("bias-gradient", Mul(num(1), n.delta_l))[0] == "correct"
    assert verdict("bias-gradient", Add((n.delta_l, n.delta_l)))[0] == "incorrect"
    assert verdict("relu-derivative", Indicator(Cond(n.z, "<", num(0))))[0] == "incorrect"


# ---- restatements, the exact check failing closed, budgets


RESTATED = [
    ("sigmoid-derivative", dsigma(n.z)),
    ("tanh-derivative", Fn("tanh", n.z, 1)),
    ("relu-derivative", Fn("relu", n.z, 1)),
    ("hidden-delta", n.delta_l),
    ("hidden-delta", Mul(num(1), n.delta_l)),
    ("row-output-delta", n.delta3),
]


@pytest.mark.parametrize(("qid", "expr"), RESTATED, ids=[f"{q}-{i}" for i, (q, _) in enumerate(RESTATED)])
def test_an_answer_that_restates_the_question_is_never_credited(qid, expr):
    r = grade_expr(qid, expr)
    assert (r.verdict, r.mistake) == ("incorrect", "restates-question"), r.feedback
    assert "restates the question" in r.feedback


def test_a_restated_derivative_is_read_from_every_spelling():
    from checker.grading.judge import grade

    for qid, answer in [("sigmoid-derivative", r"\sigma'(z)"), ("sigmoid-derivative", "f'(z)"),
                        ("sigmoid-derivative", r"\sigma^{\prime}(z)"), ("tanh-derivative", r"\tanh'(z)"),
                        ("relu-derivative", r"\operatorname{ReLU}'(z)"),
                        ("weight-gradient", r"\frac{\partial L}{\partial W^{(l)}}"),
                        ("row-grad-W2", r"\frac{\partial L}{\partial W_2}")]:
        r = grade(qid, answer)
        assert (r.verdict, r.mistake) == ("incorrect", "restates-question"), (answer, r.feedback)


def test_a_generic_sigma_derivative_is_not_a_restatement():
    # in hidden-delta σ' is a given function: σ'(z) is part of the right answer
    assert verdict("hidden-delta", Hadamard(Mul(T(W), d), dsigma(z))) == ("correct", None)


def test_a_known_mistake_that_uses_the_asked_quantity_keeps_its_name():
    # δ_2 for δ_3 is a wrong layer, and contains the quantity asked for: named wrong-layer, not credited
    r = grade_expr("row-hidden-delta", Hadamard(Mul(n.delta2, T(n.W2)), ONE - Hadamard(n.A1, n.A1)))
    assert (r.verdict, r.mistake) == ("incorrect", "wrong-layer")


def test_the_exact_check_fails_closed(monkeypatch):
    from checker.grading import exact

    def never_finishes(*args):
        raise exact._ExactOutOfBudget()

    monkeypatch.setattr(exact, "_sympy_equal", never_finishes)
    # right by the numbers: correct, and the feedback says the exact check did not finish
    r = grade_expr("sigmoid-derivative", sigma(n.z) - Pow(sigma(n.z), num(2)))
    assert r.verdict == "correct" and "did not finish" in r.feedback
    # wrong by the numbers: the unfinished exact check changes nothing
    tower = Pow(Pow(Pow(num(3), num(64)), num(64)), num(64))
    shifted = Mul(Indicator(Cond(n.z, ">", num("1/10"))), Pow(tower, num(0)))
    assert verdict("relu-derivative", shifted) == ("incorrect", None)


def test_a_threshold_off_the_kink_is_caught_by_the_numbers_alone():
    from checker.grading.exact import confirm, digits

    tower = Pow(Pow(Pow(num(3), num(64)), num(64)), num(64))
    assert digits(Pow(tower, num(0))) > 10_000
    shifted = Mul(Indicator(Cond(n.z, ">", num("1/10"))), Pow(tower, num(0)))
    prep = prepare("relu-derivative")
    assert not confirm(prep.question, shifted, prep.reference).finished
    r = grade_expr("relu-derivative", shifted)
    assert r.verdict == "incorrect" and "$z = 0.0" in r.feedback, r.feedback


def test_cpu_budget_interrupts_work_and_nests():
    from checker.grading.budget import OutOfBudget, cpu_limit

    class Inner(BaseException):
        pass

    start = time.process_time()
    with pytest.raises(OutOfBudget), cpu_limit(0.4):
        with pytest.raises(Inner), cpu_limit(0.1, Inner):
            while True:
                pass
        while True:  # the outer budget still runs out
            pass
    assert time.process_time() - start < 1.5


def test_the_wall_clock_guard_gives_no_verdict(monkeypatch):
    from checker.grading import budget

    def stalled(*args):
        time.sleep(2)  # no CPU time used: only the wall clock runs

    monkeypatch.setattr(judge, "_grade_within_budget", stalled)
    monkeypatch.setattr(budget, "WALL_GUARD", 0.2)
    monkeypatch.setattr(judge, "wall_guard", lambda: budget.wall_guard(0.2))
    r = judge.grade("bias-gradient", r"\delta^{(l)}")
    assert r.verdict == "invalid" and r.judged is False and "again" in r.feedback
    assert r.to_json()["judged"] is False


# ---- double mistakes, mistakes across a definition, the seeds' mistakes


def test_two_mistakes_are_both_named():
    # W δ for Wᵀ δ, and σ for σ': both, in the feedback and in the JSON list
    r = grade_expr("hidden-delta", Hadamard(Mul(W, d), sigma(z)))
    assert r.verdict == "incorrect"
    assert set(r.mistakes) == {"missing-transpose", "activation-instead-of-derivative"}
    assert r.mistake == r.mistakes[0] and r.to_json()["mistakes"] == r.mistakes
    # a fitting answer with two mistakes: the wrong layer and σ for σ'
    r = grade_expr("hidden-delta", Hadamard(Mul(T(n.W_l), d), sigma(z)))
    assert set(r.mistakes) == {"wrong-layer", "activation-instead-of-derivative"}, r.feedback
    assert "two mistakes" in r.feedback.lower()


def test_both_derivative_factors_left_out_of_the_input_gradient():
    r = grade_expr("input-gradient", Mul(n.W_2, n.W_1))
    assert (r.verdict, r.mistake) == ("incorrect", "missing-activation-derivative")


def test_a_mistake_inside_a_definition():
    # tanh' taken at A_1: 1 − tanh²(A_1) where 1 − A_1 ⊙ A_1 = 1 − tanh²(Z_1) belongs
    e = Hadamard(Mul(n.delta3, T(n.W2)), ONE - Pow(Fn("tanh", n.A1), num(2)))
    assert verdict("row-hidden-delta", e) == ("incorrect", "derivative-wrong-argument")
    # diag(σ(z)) for diag(σ'(z)) in the hidden delta's diag form
    e = Mul(Diag(sigma(z)), Mul(T(W), d))
    assert verdict("hidden-delta", e) == ("incorrect", "activation-instead-of-derivative")


def test_the_seeds_mistakes_get_a_teachers_tag():
    from checker.grading.judge import grade

    # seed 001: a matrix product where ⊙ belongs (by default the reader reads it as ⊙, with a note)
    r = grade("hidden-delta", r"\sigma'(z^{(l)})(W^{(l+1)})^T\delta^{(l+1)}", strict_notation=True)
    assert (r.verdict, r.mistake) == ("incorrect", "hadamard-vs-matmul"), r.feedback
    cases = [
        ("mse-output-delta", r"\sum_k(a^{(L)}-y_k)\sigma'(z^{(L)})", "summed-over-outputs"),
        ("mse-output-delta", r"\sum_k (a_k^{(L)} - y_k)\sigma'(z^{(L)})", "summed-over-outputs"),
        ("l2-update", r"W-\eta(G+\frac{\lambda}{2}W)", "wrong-scale"),
        ("row-grad-b2", "np.sum(delta3, axis=1, keepdims=True)", "summed-over-outputs"),
        ("input-gradient", r"W^{(2)}W^{(1)}", "missing-activation-derivative"),
    ]
    for qid, answer, tag in cases:
        r = grade(qid, answer)
        assert (r.verdict, r.mistake) == ("incorrect", tag), (answer, r.feedback)
        assert "did you mean" not in r.feedback.lower(), r.feedback


def test_a_suggestion_is_closer_to_the_right_answer_or_absent():
    # δ aᵀ written a^T δ^T ... a misfit no repair explains: any "did you mean" must fit the answer's shape
    r = grade_expr("bias-gradient", Mul(n.delta_l, n.a_prev))
    assert r.verdict == "incorrect"
    if "Did you mean" in r.feedback:
        assert r"\times 1" in r.feedback


def test_feedback_never_capitalises_a_greek_letter():
    from checker.grading.wording import capital, sentence

    for text in ["σ'(z) is missing", "δ is wrong", "η times the gradient", "$\\sigma$ is generic"]:
        assert capital(text) == text and sentence(text).startswith(text[:2])
    assert capital("the sign") == "The sign"


def test_grade_cli_reads_an_answer_that_starts_with_a_minus(capsys):
    from checker.commands.main import main

    assert main(["grade", "sigmoid-derivative", r"-\sigma(z)(1-\sigma(z))", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"mistake": "sign-error"' in out


def test_grade_batch_grades_a_not_judged_answer_once_more(monkeypatch):
    from checker.grading import batch

    calls = []

    def stalled_once(question, answer, fmt="auto", strict_notation=False):
        calls.append(answer)
        if len(calls) == 1:
            result = judge.invalid(question, "not judged")
            result.judged = False
            return result
        return judge.grade(question, answer, fmt)

    monkeypatch.setattr(batch, "grade", stalled_once)
    out = batch.grade_submission(batch.Submission(1, "ada", "bias-gradient", r"\delta^{(l)}", line=2))
    assert len(calls) == 2 and out["verdict"] == "correct" and out["judged"] is True
