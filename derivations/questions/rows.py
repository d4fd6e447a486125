"""Questions on the row convention of the slides' code: examples as rows, X W + b."""

from __future__ import annotations

from collections.abc import Iterable

from derivations import notation as n
from derivations.expr import Fn, Ones, Softmax
from derivations.questions.question import (
    LOSSES,
    Question,
    Spelled,
    asked,
    defined,
    derivatives,
    gradient_names,
    spelled,
)

ROW_SYMBOLS = {
    "X": spelled(n.X, "X"),
    "W1": spelled(n.W1, "W_1", "W_{1}"),
    "b1": spelled(n.b1, "b_1", "b_{1}"),
    "Z1": spelled(n.Z1, "Z_1", "Z_{1}", "z_1", "z_{1}"),
    "A1": spelled(n.A1, "A_1", "A_{1}", "a_1", "a_{1}"),
    "W2": spelled(n.W2, "W_2", "W_{2}"),
    "b2": spelled(n.b2, "b_2", "b_{2}"),
    "Z2": spelled(n.Z2, "Z_2", "Z_{2}", "z_2", "z_{2}"),
    "P": spelled(n.P, "P", r"\hat{y}", r"\hat{Y}"),
    "Y": spelled(n.Y, "Y", "y"),
    "delta3": spelled(n.delta3, r"\delta_3", r"\delta_{3}"),
    "delta2": spelled(n.delta2, r"\delta_2", r"\delta_{2}"),
    "m": spelled(n.m, "m"),
}
ROW_CODE_NAMES = (
    ("X", n.X), ("W1", n.W1), ("b1", n.b1), ("z1", n.Z1), ("a1", n.A1), ("W2", n.W2),
    ("b2", n.b2), ("z2", n.Z2), ("probs", n.P), ("y_onehot", n.Y), ("delta3", n.delta3),
    ("delta2", n.delta2),
)
ROW_DEFINITIONS = (
    (n.Z1, n.X @ n.W1 + Ones(n.M) @ n.b1),
    (n.A1, Fn("tanh", n.Z1)),
    (n.Z2, n.A1 @ n.W2 + Ones(n.M) @ n.b2),
    (n.P, Softmax(n.Z2, axis=1)),
    (n.delta3, n.P - n.Y),
    (n.delta2, (n.delta3 @ n.W2.T).odot(1 - n.A1.odot(n.A1))),
)
ROW_NAMES = gradient_names((n.delta3, "Z_2"), (n.delta2, "Z_1"))
ROW_CONTEXT = (
    "The slides' code, row convention: $X$ is $m \\times d$ (one example per row), "
    "$Z_1 = X W_1 + b_1$, $A_1 = \\tanh(Z_1)$, $Z_2 = A_1 W_2 + b_2$, $P = \\operatorname{softmax}(Z_2)$ "
    "row by row, $Y$ the one-hot labels as rows, $L = -\\sum_n \\sum_c Y_{nc} \\log P_{nc}$; "
    "$\\delta_3 = \\partial L/\\partial Z_2$, $\\delta_2 = \\partial L/\\partial Z_1$. "
    "Subscripts are layer numbers. "
)



def _row_question(qid: str, title: str, ask: str, chain: str, listed: Iterable[str],
                  accepted: tuple[str, ...], asks: Spelled) -> Question:
    """A question on the slides' network: ``listed`` are the row symbols the answer uses, ``asks``
    the quantity asked for (a δ of the network, which then stays free, or a stand-in for ∂L/∂W)."""
    listed = tuple(listed)
    return Question(
        id=qid,
        title=title,
        prompt=ROW_CONTEXT + ask,
        derivation="row-backprop",
        chain=chain,
        symbols=tuple(ROW_SYMBOLS[k] for k in listed),
        extra=tuple(v for k, v in ROW_SYMBOLS.items() if k not in listed),
        code_names=ROW_CODE_NAMES,
        definitions=defined(ROW_DEFINITIONS, asks[0]),
        named=ROW_NAMES,
        one_hot=("Y",),
        accepted=accepted,
        convention="row",
        asks=(asks,),
    )


QUESTIONS: tuple[Question, ...] = (
    _row_question(
        "row-output-delta",
        "Row convention: output delta",
        r"Give $\delta_3 = \partial L / \partial Z_2$ (code names: `probs` for $P$, `y_onehot` for $Y$).",
        "delta3",
        ("P", "Y"),
        (r"P - Y", r"\hat{y} - Y", "probs - y_onehot"),
        asks=(n.delta3, (r"\delta_3", *derivatives(LOSSES, "Z_2"))),
    ),
    _row_question(
        "row-hidden-delta",
        "Row convention: hidden delta",
        r"Give $\delta_2 = \partial L / \partial Z_1$ (code names: `delta3`, `W2`, `a1`, `z1`).",
        "delta2",
        ("delta3", "W2", "A1", "Z1"),
        (
            r"(\delta_3 W_2^T) \odot (1 - A_1 \odot A_1)",
            "delta3.dot(W2.T) * (1 - np.power(a1, 2))",
            r"\delta_3 W_2^{\top} \odot (1 - \tanh^2(Z_1))",
        ),
        asks=(n.delta2, (r"\delta_2", *derivatives(LOSSES, "Z_1"))),
    ),
    _row_question(
        "row-grad-W2",
        "Row convention: gradient of W_2",
        r"Give $\partial L / \partial W_2$ (code names: `a1`, `delta3`).",
        "dW2",
        ("A1", "delta3"),
        (r"A_1^T \delta_3", "a1.T.dot(delta3)", "np.dot(a1.T, delta3)"),
        asks=asked("dL_dW2", n.W2, derivatives(LOSSES, "W_2")),
    ),
    _row_question(
        "row-grad-b2",
        "Row convention: gradient of b_2",
        r"Give $\partial L / \partial b_2$; $b_2$ is $1 \times c$ (code name: `delta3`; "
        r"$\mathbf{1}$ is a column of ones).",
        "db2",
        ("delta3",),
        (r"\mathbf{1}^T \delta_3", "np.sum(delta3, axis=0, keepdims=True)"),
        asks=asked("dL_db2", n.b2, derivatives(LOSSES, "b_2")),
    ),
    _row_question(
        "row-grad-W1",
        "Row convention: gradient of W_1",
        r"Give $\partial L / \partial W_1$ (code names: `X`, `delta2`).",
        "dW1",
        ("X", "delta2"),
        (r"X^T \delta_2", "np.dot(X.T, delta2)", "X.T.dot(delta2)"),
        asks=asked("dL_dW1", n.W1, derivatives(LOSSES, "W_1")),
    ),
    _row_question(
        "row-grad-b1",
        "Row convention: gradient of b_1",
        r"Give $\partial L / \partial b_1$; $b_1$ is $1 \times h$, added to every row of $X W_1$ "
        r"(code name: `delta2`; $\mathbf{1}$ is a column of ones).",
        "db1",
        ("delta2",),
        (r"\mathbf{1}^T \delta_2", "np.sum(delta2, axis=0, keepdims=True)",
         r"\left(\delta_2^T \mathbf{1}\right)^T"),
        asks=asked("dL_db1", n.b1, derivatives(LOSSES, "b_1")),
    ),
)
