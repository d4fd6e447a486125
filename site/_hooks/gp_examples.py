"""Worked examples with numbers, computed by the reference code when the site is built.

A derivation page shows its result on one small case: the numbers come from the reference code
(``checker.network``), never typed by hand, and the result is compared with central differences
(``checker.network.central_difference``) or the reference code's own output on the spot.

Seed 002's softmax example has functions of its own (:data:`EXAMPLES`); every other derivation
shows the first case of its numerical check (``checker.proof.example``): the values the check
bound to the derivation's symbols, the result the derivation's formula gives on them, the value
it was compared with and the relative error measured, all recorded while ``gradproof verify``
ran when the site was built (or read from its cache for the same code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# Seed 002's example: three classes (cat, car, frog), the logits of one image, the true class cat.
SEED_LOGITS = (3.2, 5.1, -1.7)
SEED_CLASSES = ("cat", "car", "frog")


def _column(values: Any, digits: int = 3) -> str:
    cells = r" \\ ".join(_num(v, digits) for v in np.ravel(values))
    return rf"\begin{{bmatrix}} {cells} \end{{bmatrix}}"


def _matrix(rows: Any, digits: int = 3) -> str:
    body = r" \\ ".join(" & ".join(_num(v, digits) for v in row) for row in np.asarray(rows))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _num(v: float, digits: int) -> str:
    text = f"{v:.{digits}f}"
    return "0" if float(text) == 0 else text


def significant(v: float, digits: int = 3) -> str:
    """``v`` to ``digits`` significant digits, as LaTeX: 0.0123, 4.56, 1.23 \\times 10^{-5}."""
    if v == 0 or not np.isfinite(v):
        return "0" if v == 0 else str(v)
    text = f"{v:.{digits}g}"
    if "e" in text:
        mantissa, power = text.split("e")
        return rf"{mantissa} \times 10^{{{int(power)}}}"
    return text


def _grid(rows: list[list[float]]) -> str:
    """A small matrix of numbers (a 1×1 one as the bare number). Entries all below 0.01 share a
    power of ten written before the matrix (10^{-6} [7.32 5.46]), so that no entry is written
    0.000569 or 7.32 × 10^{-6} and a matrix stays narrow enough for a phone."""
    if len(rows) == 1 and len(rows[0]) == 1:
        return significant(rows[0][0])
    values = np.abs(np.asarray(rows, dtype=float))
    largest = float(values[np.isfinite(values)].max(initial=0.0))
    power = int(np.floor(np.log10(largest))) if 0 < largest < 0.01 else 0
    scaled = [[v / 10.0**power for v in row] for row in rows]
    body = r" \\ ".join(" & ".join(significant(v) for v in row) for row in scaled)
    factor = f"10^{{{power}}} " if power else ""
    return rf"{factor}\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _softmax_case() -> dict[str, Any]:
    from checker.network.activations import softmax, softmax_jacobian
    from checker.network.central_difference import central_gradient, max_relative_error
    from checker.network.losses import SoftmaxCrossEntropy

    z = np.array(SEED_LOGITS).reshape(-1, 1)
    y = np.array([1.0, 0.0, 0.0]).reshape(-1, 1)
    p = softmax(z)
    loss = float(SoftmaxCrossEntropy.per_example(z, p, y)[0])
    delta = SoftmaxCrossEntropy.delta(z, p, y, None)
    numeric = central_gradient(lambda v: float(SoftmaxCrossEntropy.per_example(v, softmax(v), y)[0]), z)
    return {"z": z, "y": y, "p": p, "J": softmax_jacobian(p), "loss": loss, "delta": delta,
            "numeric": numeric, "error": max_relative_error(delta, numeric)}


def _intro(c: dict[str, Any]) -> str:
    names = ", ".join(SEED_CLASSES)
    return (f"Seed 002's image: logits for ({names}) and the true class *{SEED_CLASSES[0]}*, computed "
            "when this page was built by the reference code (`checker.network.activations.softmax`, "
            "`SoftmaxCrossEntropy`) and compared with central differences "
            f"(largest relative error {c['error']:.1e}).")


def _shown(intro: str, rows: list[list[str]], **more: Any) -> dict[str, Any]:
    """An example for the page: each row a list of formulas that sit side by side where they fit
    and stack where they do not (a phone), and the same rows as single lines of LaTeX."""
    return {"intro": intro, "rows": rows, "lines": [" ".join(row) for row in rows], **more}


def softmax_ce_gradient() -> dict[str, Any]:
    """δ = p − y on seed 002's logits."""
    c = _softmax_case()
    return _shown(_intro(c), [
        [rf"z = {_column(c['z'], 1)},", rf"y = {_column(c['y'], 0)}"],
        [rf"p = \operatorname{{softmax}}(z) = {_column(c['p'])},", rf"L = -\ln p_1 = {c['loss']:.3f}"],
        [rf"\delta^{{(L)}} = p - y = {_column(c['delta'])}"],
        [rf"\text{{central differences of }} L\text{{: }}", _column(c["numeric"])],
    ])


def softmax_jacobian() -> dict[str, Any]:
    """The Jacobian diag(p) − p pᵀ on seed 002's logits."""
    c = _softmax_case()
    return _shown(_intro(c), [
        [rf"p = \operatorname{{softmax}}\left({_column(c['z'], 1)}\right)", rf"= {_column(c['p'])}"],
        [r"\frac{\partial p}{\partial z} = \operatorname{diag}(p) - pp^\top", f"= {_matrix(c['J'])}"],
    ])


EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "softmax-ce-gradient": softmax_ce_gradient,
    "softmax-jacobian": softmax_jacobian,
}


def example(d: Any, result: Any = None) -> dict[str, Any] | None:
    """The worked example of a derivation (``result``: its :class:`VerifyResult`), or None."""
    make = EXAMPLES.get(d.id)
    if make:
        return make()
    recorded = getattr(result, "example", None)
    return recorded_example(d, recorded) if recorded else None


# Inputs wider than this are named by their size only: a page shows small matrices.
MAX_SHOWN = 6


def recorded_example(d: Any, e: dict[str, Any]) -> dict[str, Any]:
    """The page's view of an example recorded by the numerical check (see the module docstring)."""
    from derivations.expr import symbols_of, to_latex

    chain = next((c for c in d.matrix_chains if c.name == e["chain"]), d.chains[0])
    used = _used_keys(chain.result, dict(d.definitions), set(e["inputs"]), symbols_of)
    names = {s.key: s for s in (*d.symbols, *(s for s, _ in d.definitions))}
    numbers, lines = [], []
    for key, rows in e["inputs"].items():
        if key not in used:
            continue
        name = to_latex(names[key]) if key in names else key
        if len(rows) == 1 and len(rows[0]) == 1:  # scalars share a row; a matrix has its own
            numbers.append(f"{name} = {_grid(rows)}")
        elif len(rows) > MAX_SHOWN or len(rows[0]) > MAX_SHOWN:
            lines.append([rf"{name} \text{{ is }} {len(rows)} \times {len(rows[0])}"])
        else:
            lines.append([f"{name} =", _grid(rows)])
    if numbers:
        lines.append([f"{n}," for n in numbers[:-1]] + numbers[-1:])
    lines.append([to_latex(chain.start), *_broken(chain.result, to_latex), f"= {_grid(e['result'])}"])
    lines.append([r"\text{measured: }", _grid(e["measured"])])
    verdict = "within" if e["ok"] else "**outside**"
    intro = (f"The first case of the numerical check below ({e['case']}), with the numbers it used: "
             "the values bound to the symbols, the result the formula gives on them, and the same "
             f"quantity measured by the reference code; largest relative error {e['error']:.1e}, "
             f"{verdict} the check's tolerance. Computed when this page was built.")
    return _shown(intro, lines, ok=e["ok"])


# A product longer than this (in LaTeX characters) is set on two lines where the page is narrow.
LONG_PRODUCT = 70


def _factors(e: Any) -> list[Any]:
    from derivations.expr import Mul

    return [*_factors(e.left), *_factors(e.right)] if isinstance(e, Mul) else [e]


def _broken(result: Any, to_latex: Callable) -> list[str]:
    """``= result`` as one formula, or a long product as two (its factors split where the lengths
    balance), which sit side by side where they fit and one under the other on a phone. A product
    is split only where its LaTeX is exactly its factors' side by side (no bracket is cut)."""
    whole = to_latex(result)
    factors = [to_latex(f) for f in _factors(result)]
    if len(whole) <= LONG_PRODUCT or len(factors) < 2 or " ".join(factors) != whole:
        return [f"= {whole}"]
    cut = min(range(1, len(factors)), key=lambda k: abs(len(" ".join(factors[:k])) - len(whole) / 2))
    return [f"= {' '.join(factors[:cut])}", " ".join(factors[cut:])]


def _used_keys(result: Any, definitions: dict, valued: set[str], symbols_of: Callable) -> set[str]:
    """The keys of the symbols a result uses, through the definitions of those without a value."""
    seen, stack = set(), list(symbols_of(result))
    while stack:
        s = stack.pop()
        if s.key in seen:
            continue
        seen.add(s.key)
        if s in definitions and s.key not in valued:
            stack.extend(symbols_of(definitions[s]))
    return seen
