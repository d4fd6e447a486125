"""The questions on the derivations the bank used to skip (maxout, softplus, log-softmax-CE,
sigmoid-BCE, weight decay, ∂L/∂ŷ, the row network's b_1): each links its derivation's chain, its
model solution grades correct and a known mistake in it is caught, and the grader's general
rules they needed hold: draws that see both sides of a branch, a named activation that reads,
Unicode subscripts and the bold 𝟏, and a cost known only by its gradient."""

from __future__ import annotations

import pytest

from checker.grading.derivation.examples import graded_examples
from checker.grading.judge import grade, prepare
from checker.grading.sampling import both_ways, branch_conditions
from derivations import all_derivations, get
from derivations.expr import Deriv
from derivations.questions import QUESTIONS

NEW = ("softplus-derivative", "maxout-gradient", "mse-loss-gradient", "log-softmax-ce",
       "sigmoid-bce-gradient", "l2-weight-decay", "row-grad-b1", "central-difference")



def test_every_derivation_has_a_question() -> None:
    asked = {q.derivation for q in QUESTIONS.values()}
    assert set(all_derivations()) - asked == set()


@pytest.mark.parametrize("qid", NEW)
def test_the_question_links_its_derivations_chain(qid: str) -> None:
    q = QUESTIONS[qid]
    d = get(q.derivation)
    assert q.chain == "" or q.chain in {c.name for c in d.chains}
    chain = next(c for c in d.chains if c.name == q.chain) if q.chain else d.chains[0]
    if isinstance(chain.start, Deriv):  # a derivative is asked: writing it down earns nothing
        assert q.asks, "an answer that restates the question must be recognised"
    assert len(q.accepted) >= 2


@pytest.mark.parametrize("qid", NEW)
def test_the_model_solution_grades_correct_and_its_wrong_twin_does_not(qid: str) -> None:
    graded = graded_examples(qid)
    assert graded["model_graded"]["verdict"] == "correct", graded["model_graded"]["feedback"]
    assert graded["wrong_graded"]["verdict"] == "incorrect"


def test_maxout_draws_see_both_sides_of_the_comparison() -> None:
    """With few draws every one may have z₁ < z₂, and then 0 (or −x 𝟙) would pass for x 𝟙."""
    prep = prepare("maxout-gradient")
    conditions = branch_conditions(prep.reference)
    assert conditions and both_ways(conditions, prep.inst.draws, prep.inst.activations[0])
    assert grade("maxout-gradient", r"-x \mathbb{1}[z_1 > z_2]").verdict == "incorrect"
    assert grade("maxout-gradient", r"x \mathbb{1}[z_2 > z_1]").verdict == "incorrect"


def test_both_ways_fails_on_draws_that_see_one_side() -> None:
    prep = prepare("maxout-gradient")
    conditions = branch_conditions(prep.reference)
    env = prep.inst.activations[0]
    one_side = [d for d in prep.inst.draws if not (d.envs[env].values["z1"] > d.envs[env].values["z2"]).any()]
    assert one_side and not both_ways(conditions, one_side, env)


def test_the_activation_named_in_a_question_reads() -> None:
    r = grade("softplus-derivative", r"\operatorname{softplus}(z)")
    assert (r.verdict, r.mistake) == ("incorrect", "activation-instead-of-derivative")
    assert grade("softplus-derivative", r"\operatorname{softplus}(z)", "latex").interpreted
    assert grade("sigmoid-derivative", r"\operatorname{softplus}(z)").verdict == "invalid"  # not named there


def test_bold_one_is_the_ones_vector_and_unicode_subscripts_read() -> None:
    for answer in ("𝟏ᵀδ₂", r"𝟏^T \delta_2"):
        assert grade("row-grad-b1", answer).verdict == "correct", answer
    assert grade("row-grad-b1", "1ᵀδ₂").verdict == "incorrect"  # the number 1 is no sum
    assert grade("maxout-gradient", "x 𝟙[z₁ > z₂]").verdict == "correct"


def test_a_cost_known_by_its_gradient_lets_the_regularised_step_be_derived() -> None:
    """J_λ = J + λ/2 ‖W‖² with G = ∂J/∂W given: W − η ∂J_λ/∂W reads and equals the weight decay."""
    good = (r"W - \eta \frac{\partial J_\lambda}{\partial W} = W - \eta(G + \lambda W) "
            r"= (1 - \eta\lambda) W - \eta G")
    from checker.grading.derivation import grade_derivation

    assert grade_derivation("l2-weight-decay", good)["verdict"] == "correct"
    wrong = good.replace(r"W - \eta(G + \lambda W)", r"W - \eta(G + 2\lambda W)")
    assert grade_derivation("l2-weight-decay", wrong)["verdict"] == "incorrect"
