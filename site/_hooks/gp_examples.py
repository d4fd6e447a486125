"""Worked examples with numbers, computed by the reference code when the site is built.

A derivation page shows its result on one small case: the numbers come from the reference MLP's
own functions (``checker.network``), never typed by hand, and the result is compared with central
differences (``checker.network.central_difference``) on the spot. A derivation without an entry in
:data:`EXAMPLES` has no worked example yet; its page says nothing about one.
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


def softmax_ce_gradient() -> dict[str, Any]:
    """δ = p − y on seed 002's logits."""
    c = _softmax_case()
    return {"intro": _intro(c), "lines": [
        rf"z = {_column(c['z'], 1)}, \quad y = {_column(c['y'], 0)}",
        rf"p = \operatorname{{softmax}}(z) = {_column(c['p'])}, \quad L = -\ln p_1 = {c['loss']:.3f}",
        rf"\delta^{{(L)}} = p - y = {_column(c['delta'])}",
        rf"\text{{central differences of }} L\text{{: }} {_column(c['numeric'])}",
    ]}


def softmax_jacobian() -> dict[str, Any]:
    """The Jacobian diag(p) − p pᵀ on seed 002's logits."""
    c = _softmax_case()
    return {"intro": _intro(c), "lines": [
        rf"p = \operatorname{{softmax}}\left({_column(c['z'], 1)}\right) = {_column(c['p'])}",
        rf"\frac{{\partial p}}{{\partial z}} = \operatorname{{diag}}(p) - pp^\top = {_matrix(c['J'])}",
    ]}


EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "softmax-ce-gradient": softmax_ce_gradient,
    "softmax-jacobian": softmax_jacobian,
}


def example(derivation_id: str) -> dict[str, Any] | None:
    """The worked example of a derivation, or None when it has none."""
    make = EXAMPLES.get(derivation_id)
    return make() if make else None
