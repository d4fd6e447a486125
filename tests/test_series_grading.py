"""Answers and derivations that are asymptotic expansions (the central difference's error): read in
every notation a class writes, compared exactly as series in h, the usual mistakes named."""

from __future__ import annotations

import pytest

from checker.grading.derivation import grade_derivation
from checker.grading.judge import grade, vocabulary_of
from checker.grading.readers import AnswerError, parse_answer
from checker.proof.symbolic import SympyEnv, series_coefficients, to_sympy
from derivations.catalogue.central_difference import x
from derivations.expr import BigO, Fn, num, to_latex
from derivations.notation import h

Q = "central-difference"
RIGHT = Fn("f", x, 1) + h**2 / num(6) * Fn("f", x, 3) + BigO(h**4)


@pytest.mark.parametrize("answer", [
    r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)",
    r"f'(x) + \frac{h^2}{6} f^{(3)}(x) + \mathcal{O}(h^4)",
    r"f'(x) + \frac{h^2}{6} f^{\prime\prime\prime}(x) + \mathcal O(h^4)",
    "f'(x) + h^2/6 f'''(x) + O(h^4)",
    "f'(x) + h²/6 f‴(x) + O(h⁴)",
    "f'(x) + h²/6 f⁽³⁾(x) + 𝒪(h⁴)",
])
def test_every_notation_reads_as_the_same_expansion(answer: str) -> None:
    assert parse_answer(answer, "auto", vocabulary_of(Q)).interpreted == to_latex(RIGHT)
    assert grade(Q, answer).verdict == "correct"


def test_fourth_derivatives_read_as_derivatives_not_powers() -> None:
    vocab = vocabulary_of(Q)
    for answer in ("f''''(x)", r"f^{(4)}(x)", "f⁽⁴⁾(x)"):
        assert parse_answer(answer, "auto", vocab).expr == Fn("f", x, 4), answer


def test_landau_o_is_read_only_where_the_question_allows_it() -> None:
    """Elsewhere an O-term would evaluate to 0 and hide a wrong answer: it stays unknown."""
    r = grade("sigmoid-derivative", r"\sigma(z)(1 - \sigma(z)) + O(z^2)")
    assert r.verdict == "invalid"
    with pytest.raises(AnswerError):
        parse_answer(r"\mathcal{O}(z^2)", "latex", vocabulary_of("sigmoid-derivative"))


@pytest.mark.parametrize(("answer", "verdict", "tag"), [
    (r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)", "correct", None),
    (r"f'(x) + \frac{h^2}{6} f'''(x) + \frac{h^4}{120} f^{(5)}(x) + O(h^6)", "correct", None),
    (r"f'(x) + \frac{h^2}{3} f'''(x) + O(h^4)", "incorrect", "wrong-scale"),  # wrong coefficient
    (r"f'(x) + \frac{h^2}{2} f'''(x) + O(h^4)", "incorrect", "wrong-scale"),
    (r"f'(x) + \frac{h}{2} f''(x) + O(h^2)", "incorrect", "one-sided-difference"),
    (r"2 f'(x) + \frac{h^2}{3} f'''(x) + O(h^4)", "incorrect", "wrong-scale"),  # divided by h
    (r"f'(x) + O(h^2)", "incorrect", "missing-term"),  # true, but coarser than asked
    (r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^3)", "incorrect", None),  # every term, the rest understated
    (r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^6)", "incorrect", "missing-term"),  # claims too fine an order
    (r"f'(x) + \frac{h^2}{6} f'''(x)", "incorrect", "missing-term"),  # no O-term
    (r"\frac{f(x + h) - f(x - h)}{2h}", "incorrect", "restates-question"),
])
def test_expansions_are_judged_as_series(answer: str, verdict: str, tag: str | None) -> None:
    r = grade(Q, answer, "latex")
    assert (r.verdict, r.mistake) == (verdict, tag), r.feedback
    assert r.feedback.strip()


def test_each_verdict_says_why() -> None:
    assert "leading error term" in grade(Q, "f'(x) + O(h^2)").feedback
    assert "not only $O(h^{3})$" in grade(Q, "f'(x) + h^2/6 f'''(x) + O(h^3)").feedback
    assert "no O-term" in grade(Q, "f'(x) + h^2/6 f'''(x)").feedback
    assert "one-sided" in grade(Q, "f'(x) + h/2 f''(x) + O(h^2)").feedback
    assert "wrong coefficient" in grade(Q, "f'(x) + h^2/3 f'''(x) + O(h^4)").feedback


def test_series_coefficients_see_a_wrong_coefficient() -> None:
    env = SympyEnv({})
    doubled = RIGHT + h**2 / num(6) * Fn("f", x, 3)
    right, wrong = (to_sympy(e, env)[0].removeO() for e in (RIGHT, doubled))
    var = to_sympy(h, env)[0]
    assert series_coefficients(right, var, 4, right) == {}
    assert set(series_coefficients(wrong, var, 4, right)) == {2}


def _chain(*steps: str) -> str:
    lines = [rf"\frac{{f(x+h) - f(x-h)}}{{2h}} &= {steps[0]}", *(f"&= {s}" for s in steps[1:])]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


MIDDLE = r"\frac{2h f'(x) + \frac{h^3}{3} f'''(x) + O(h^5)}{2h}"


def test_the_chain_grades_correct_and_a_wrong_coefficient_is_found_at_its_step() -> None:
    right = grade_derivation(Q, _chain(MIDDLE, r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)"))
    assert right["verdict"] == "correct"
    r = grade_derivation(Q, _chain(MIDDLE, r"f'(x) + \frac{h^2}{3} f'''(x) + O(h^4)"))
    assert (r["verdict"], r["first_wrong_step"], r["steps"][2]["mistake"]) == ("incorrect", 3, "wrong-scale")


def test_even_terms_that_do_not_cancel_are_found_at_their_step() -> None:
    kept = r"\frac{2h f'(x) + h^2 f''(x) + \frac{h^3}{3} f'''(x) + O(h^5)}{2h}"
    r = grade_derivation(Q, _chain(kept, r"f'(x) + \frac{h}{2} f''(x) + \frac{h^2}{6} f'''(x) + O(h^4)"))
    assert (r["verdict"], r["first_wrong_step"]) == ("incorrect", 2)
    assert r["steps"][2]["verdict"] == "follows"  # the step after it follows from it


def test_a_step_cannot_gain_precision() -> None:
    r = grade_derivation(Q, _chain(r"f'(x) + O(h^2)", r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)"))
    assert (r["verdict"], r["first_wrong_step"]) == ("incorrect", 3)
    assert "establish" in r["steps"][2]["feedback"]


def test_hostile_orders_are_refused_not_expanded() -> None:
    """An O-term past MAX_ORDER would make sympy expand that far: the answer, or the step, is refused."""
    assert grade(Q, r"f'(x) + O(h^{60})").verdict == "invalid"
    r = grade_derivation(Q, _chain(r"f'(x) + O(h^{60})"))
    assert r["verdict"] == "incorrect" and r["steps"][1]["verdict"] == "unreadable"


def test_every_function_spelling_the_question_page_shows_reads() -> None:
    from checker.grading.series import function_notation
    from derivations.questions import get_question

    rows = function_notation(get_question(Q))
    assert {name for name, _, _ in rows} == {"f", "O"}
    for _, _, spellings in rows:
        for spelling in spellings:
            assert parse_answer(spelling, "auto", vocabulary_of(Q)).expr is not None, spelling


def test_factorials_of_taylor_coefficients_read() -> None:
    assert grade(Q, r"f'(x) + \frac{h^2}{3!} f^{(3)}(x) + O(h^4)").verdict == "correct"
    assert grade(Q, "f'(x) + h^2/3! f'''(x) + O(h^4)").verdict == "correct"
    assert grade(Q, "f'(x) + h^2/2! f'''(x) + O(h^4)").mistake == "wrong-scale"
    with pytest.raises(AnswerError):  # only whole numbers, and small ones: no 1000! to compute
        parse_answer("x! + h", "text", vocabulary_of(Q))
    with pytest.raises(AnswerError):
        parse_answer("13! h", "text", vocabulary_of(Q))


@pytest.mark.parametrize("answer", [r"\exp(O(h))", "f'(x) + O(h^4)/O(h^2)", "O(h)^2", "f'(x) + O(h^{-2})",
                                    "f'(x) + O(1/h)", "f'(x) + O(O(h^2))"])
def test_an_o_term_that_is_not_a_term_of_the_expansion_is_refused_with_a_reason(answer: str) -> None:
    r = grade(Q, answer)
    assert r.verdict == "invalid" and "O-term" in r.feedback, r.feedback


def test_a_value_of_f_away_from_x_is_not_an_expansion() -> None:
    r = grade(Q, "f(x+h)/h + O(h)")
    assert (r.verdict, r.mistake) == ("incorrect", None) and "expand" in r.feedback
