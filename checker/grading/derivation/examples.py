"""Model solutions and graded examples for the site: a question's own catalogue steps, written as
a student would hand them in, and the same derivation with a known mistake in its last step.

Both are graded by :func:`~checker.grading.derivation.grade_derivation` when the site is built,
so a page shows what the grader really says, never a typed verdict.
"""

from __future__ import annotations

import checker.grading.derivation.network as network
from checker.grading.derivation.grade import grade_derivation
from checker.grading.derivation.mistake import reference_mutants
from derivations.base import Chain
from derivations.expr import to_latex
from derivations.questions import get_question


def chain_of(question_id: str) -> Chain:
    """The catalogue chain whose result is the question's reference answer."""
    return network.chain_of(get_question(question_id))


def model_solution(question_id: str) -> str:
    """The question's catalogue chain as an ``aligned`` block: one step per line."""
    chain = chain_of(question_id)
    lines = [f"{to_latex(chain.start)} &= {to_latex(chain.steps[0].expr)}"]
    lines += [f"&= {to_latex(s.expr)}" for s in chain.steps[1:]]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def wrong_solution(question_id: str) -> tuple[str, str] | None:
    """The model solution with its last step replaced by a known wrong answer: (text, its tag)."""
    try:
        mutants = reference_mutants(question_id)
    except Exception:  # noqa: BLE001 - a question whose draws cannot be made has no wrong example
        return None
    if not mutants:
        return None
    # a mistake inside the formula teaches more than the transpose of the whole result
    mutant = min((m for m, _ in mutants), key=lambda m: m.tag == "transposed")
    chain = chain_of(question_id)
    lines = [f"{to_latex(chain.start)} &= {to_latex(chain.steps[0].expr)}"]
    lines += [f"&= {to_latex(s.expr)}" for s in chain.steps[1:-1]]
    lines.append(f"&= {to_latex(mutant.expr)}")
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$", mutant.tag


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
