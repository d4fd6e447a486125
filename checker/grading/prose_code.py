r"""The formulas the reference code states in its docstrings, checked against the derivations it cites.

A function of the reference network whose docstring begins ``hidden-delta: δ^{(l)} = (W^{(l+1)})ᵀ
δ^{(l+1)} ⊙ σ'(z^{(l)})`` claims the result of that derivation (of one of its chains). The formula
(its last side, when it is an equation) is read by the grader's plain-text reader (Unicode ᵀ, ⊙,
σ' and LaTeX alike) in the derivation's notation and compared, on random instances, with the
derivation's verified result. Verdicts: ``proved`` (equal), ``false`` (it reads and differs: a
failure), ``unchecked`` (no formula found, or one the reader cannot read, such as ``v ← μv − ηG``:
the page says so).
"""

from __future__ import annotations

import re

from checker.grading.prose import ProseCheck, _context, _holds, _values
from checker.grading.readers import AnswerError, parse_answer
from derivations.base import Derivation
from derivations.expr import to_latex

_CLAIM = re.compile(r"^(?P<ids>[\w-]+(?:, [\w-]+)*):\s*(?P<formula>.+)$")
_END = re.compile(r";|, | \((?=[a-z]{3,} |\d+ [a-z])| for | where | after | then |\.\s*$")
_FUNCTION_WORDS = frozenset(["diag", "sign", "tanh", "sigmoid", "softmax", "sqrt", "relu", "softplus",
                             "mathbf"])


def _first_clause(text: str) -> str:
    """``text`` up to its first top-level ``;``, ``, ``, `` (``, `` for ``... or final full stop."""
    depth = 0
    for i, ch in enumerate(text):
        if depth == 0 and _END.match(text, i):
            return text[:i]
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(ch, 0)
    return text


def claimed_formula(summary: str, derivation_id: str) -> str:
    """The formula a docstring's first line states for ``derivation_id`` ("" when it states none)."""
    m = _CLAIM.match(summary.strip())
    if not m or derivation_id not in m.group("ids").split(", "):
        return ""
    formula = _first_clause(m.group("formula")).strip()
    words = set(re.findall(r"[a-z]{4,}", formula)) - _FUNCTION_WORDS  # prose: "the sigmoid σ(z)"
    return formula if re.search(r"[=^ᵀ⊙σ∂()²]", formula) and not words else ""


def _same_shape(a: list, b: list) -> bool:
    return all(x[k].shape == y[k].shape for x, y in zip(a, b, strict=True) for k in x)


def check_claim(d: Derivation, where: str, summary: str) -> ProseCheck:
    """The verdict on the formula a docstring's first line claims for ``d`` (see the module doc)."""
    formula = claimed_formula(summary, d.id)

    def verdict(v: str, detail: str = "") -> ProseCheck:
        return ProseCheck(d.id, where, formula or summary, "", v, detail)

    if not formula:
        return verdict("unchecked", "no formula of the derivation's result in the first line")
    side = formula.split("=")[-1] if formula.count("=") == 1 else formula
    held = []
    for sigma in ("", "sigmoid"):  # in the code's docstrings σ may name the logistic sigmoid itself
        ctx = _context(d, sigma)
        try:
            claimed = parse_answer(side.strip(), "auto", ctx.vocab).expr
        except AnswerError as err:
            return verdict("unchecked", f"the reader cannot read it: {getattr(err, 'message', '') or err}")
        try:
            values = _values(ctx, claimed)
            held.append(any(_same_shape(values, r) and _holds(values, r, "=")
                            for r in (_values(ctx, c.result) for c in d.chains)))
        except Exception as err:  # noqa: BLE001 - read, but its shapes do not fit or it cannot be evaluated
            return verdict("false", f"it reads as {to_latex(claimed)} but cannot be evaluated: {err}")
        if held[-1]:
            return verdict("proved", "σ read as the sigmoid" if sigma else "")
    return verdict("false", "differs from the derivation's verified result at random values")
