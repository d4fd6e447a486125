"""The course material's known mistakes, each graded by gradproof's grader when the site is built.

Each erratum says where the course material goes wrong (in this project's words), the answer a
student who followed it would give to a question of the bank, and what the grader said about that
answer in this build — its real verdict, mistake tag and feedback. The grading is cached by the
content of the grader's code and of this list. One mistake is arithmetic, not a formula: its
numbers are computed with NumPy, and the page says so.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import gp_jobs


@dataclass(frozen=True)
class Erratum:
    """One mistake of the course material and the answer that carries it."""

    title: str
    where: str  # which part of the course material
    what: str  # what goes wrong, in Markdown
    question: str  # the bank's question the answer is graded against
    answer: str  # LaTeX, as a student following the material would write it
    note: str = ""


ERRATA: tuple[Erratum, ...] = (
    Erratum("BP4 transposed", "seed 003, the fourth backpropagation equation",
            "The weight gradient is written as the activation times the transposed delta, the "
            "transpose of the right product: the shapes are swapped.",
            "weight-gradient", r"a^{(l-1)} (\delta^{(l)})^T"),
    Erratum("A bias inside σ′ in ∂y/∂x", "seed 001, question 2",
            "The derivative of the network with respect to its input evaluates σ′ at "
            "$z^{(1)} + b^{(1)}$ and $z^{(2)} + b^{(2)}$, adding the bias a second time: the "
            "pre-activation $z^{(1)} = W^{(1)} x + b^{(1)}$ already holds it.",
            "input-gradient",
            r"\operatorname{diag}(\sigma'(z^{(2)} + b^{(2)})) W^{(2)} "
            r"\operatorname{diag}(\sigma'(z^{(1)} + b^{(1)})) W^{(1)}"),
    Erratum("A sum over the outputs in δ^(L)", "seed 001, the output delta",
            "The output delta keeps the sum over $k$ of the cost: the result is one number where a "
            "vector with one entry per output belongs.",
            "mse-output-delta", r"\sum_k (a_k^{(L)} - y_k) \sigma'(z^{(L)})"),
    Erratum("The sign of the softmax Jacobian", "the softmax Jacobian of the course material",
            "The Jacobian of softmax written with its two terms swapped: the negative of the right "
            "matrix.",
            "softmax-jacobian", r"pp^T - \operatorname{diag}(p)"),
    Erratum("The ½ dropped from λ‖w‖²", "seed 002, L2 regularisation",
            "The penalty is written $\\lambda \\lVert w \\rVert^2$ but its gradient as $\\lambda w$: "
            "that gradient belongs to $\\frac{\\lambda}{2} \\lVert w \\rVert^2$. With the penalty as "
            "written, the update needs $2\\lambda W$.",
            "l2-update", r"W - \eta (G + 2 \lambda W)",
            note="The bank's question uses the penalty $\\frac{\\lambda}{2}\\lVert W \\rVert_F^2$; graded "
                 "against it, the update that follows the material's written penalty is off by the "
                 "factor 2, and the material's own update $W - \\eta(G + \\lambda W)$ is correct."),
)

# The one arithmetic erratum: seed 002 prints −log 0.13 = 0.89, which is log base 10.
LOG_PROBABILITY = 0.13


def _grade_all() -> dict:
    from checker.grading.judge import grade

    rows = []
    for e in ERRATA:
        r = grade(e.question, e.answer)
        rows.append({**asdict(e), "verdict": r.verdict, "mistake": r.mistake, "feedback": r.feedback,
                     "interpreted": r.interpreted})
    p = LOG_PROBABILITY
    log = {"p": p, "natural": -math.log(p), "base10": -math.log10(p)}
    return {"errata": rows, "log": log}


def graded(root: Path, grader_files: tuple[str, ...]) -> dict:
    """Every erratum graded (cached by the grader's code and this module's source)."""
    import gp_measure

    key = gp_jobs.digest(root, grader_files, inspect.getsource(inspect.getmodule(_grade_all)),
                         gp_measure.meaning_of(e.question for e in ERRATA))
    return gp_jobs.cached_or_run("errata", "seeds", key, lambda work: _grade_all())
