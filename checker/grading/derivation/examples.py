"""Model solutions and graded examples for the site: a question's own catalogue steps, written as
a student would hand them in, and the same derivation with a known mistake in its last step.

Both are graded by :func:`~checker.grading.derivation.grade_derivation` when the site is built,
so a page shows what the grader really says, never a typed verdict.
"""

from __future__ import annotations

import checker.grading.derivation.network as network
from checker.grading.derivation.expansion import recognised
from checker.grading.derivation.grade import grade_derivation
from checker.grading.derivation.mistake import reference_mutants
from checker.grading.derivation.steps import is_name
from checker.grading.derivation.values import has_derivative
from checker.grading.series import is_series_question, order_of
from derivations.base import Chain
from derivations.expr import Expr, to_latex
from derivations.questions import get_question


def chain_of(question_id: str) -> Chain:
    """The catalogue chain whose result is the question's reference answer."""
    return network.chain_of(get_question(question_id))


def _lines(question_id: str, steps: list[Expr]) -> list[str]:
    """``start &= step 1``, ``&= step 2``, ...: the chain as a student aligns it. A chain that starts
    from a formula (the three cases of soft-thresholding, derived in another chain) rather than
    from a name of what the question asks is written after that name (W⁺ = …), as a student
    states what the formula is."""
    chain = chain_of(question_id)
    start = chain.start
    spellings = [names for _, names in get_question(question_id).asks]
    if not is_name(start) and not has_derivative(start) and spellings:
        steps, start_tex = [start, *steps], spellings[0][0]
    else:
        start_tex = to_latex(start)
    return [f"{start_tex} &= {to_latex(steps[0])}", *(f"&= {to_latex(e)}" for e in steps[1:])]


def _aligned(lines: list[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def model_solution(question_id: str) -> str:
    """The question's catalogue chain as an ``aligned`` block: one step per line."""
    return _aligned(_lines(question_id, [s.expr for s in chain_of(question_id).steps]))


def wrong_solution(question_id: str) -> tuple[str, str] | None:
    """The model solution with its last step replaced by a known wrong answer: (text, its tag). For
    an expansion, the derivation's own tagged mistake of the result's order (h²/3 for h²/6)."""
    q = get_question(question_id)
    if is_series_question(q):
        order = order_of(q, q.reference)
        last = [(tag, e) for tag, e, _ in recognised(q) if order_of(q, e) == order]
        if not last:
            return None
        steps = [s.expr for s in chain_of(question_id).steps[:-1]] + [last[0][1]]
        return _aligned(_lines(question_id, steps)), last[0][0]
    try:
        mutants = reference_mutants(question_id)
    except Exception:  # noqa: BLE001 - a question whose draws cannot be made has no wrong example
        return None
    if not mutants:
        return None
    # a mistake inside the formula teaches more than the transpose of the whole result
    mutant = min((m for m, _ in mutants), key=lambda m: m.tag == "transposed")
    steps = [s.expr for s in chain_of(question_id).steps[:-1]] + [mutant.expr]
    return _aligned(_lines(question_id, steps)), mutant.tag


def graded_examples(question_id: str) -> dict:
    """The model solution and a wrong one, each with the grader's real verdict (§6 JSON)."""
    model = model_solution(question_id)
    out: dict = {"question": question_id, "model": model}
    out["model_graded"] = grade_derivation(question_id, model)
    wrong = wrong_solution(question_id)
    if wrong is not None:
        out["wrong"], out["wrong_tag"] = wrong
        out["wrong_graded"] = grade_derivation(question_id, wrong[0])
    return out
