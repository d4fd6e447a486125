"""Questions on backpropagation in the column convention: one example, a batch of them, and the
gradient with respect to the input."""

from __future__ import annotations

from derivations import notation as n
from derivations.catalogue import reverse_vs_forward_mode as modes
from derivations.expr import Ones, mat, sigma
from derivations.questions.question import LOSSES, Question, asked, defined, derivatives, spelled
from derivations.questions.spellings import (
    A_LL,
    A_NEXT,
    A_PREV,
    B_L,
    B_NEXT,
    D_LL,
    D_NEXT,
    LAYER_DEFINITIONS,
    LAYER_NAMES,
    W_L,
    W_NEXT,
    Z_LL,
    Z_NEXT,
)

# ---- a batch of m examples as columns
A_PREV_BATCH = spelled(n.A_prev, "A^{(l-1)}", "A^{l-1}", "A")
DELTA_BATCH = spelled(n.Delta_l, r"\Delta^{(l)}", r"\Delta^{l}", r"\Delta^l", r"\Delta")
M_COUNT = spelled(n.m, "m")
A_L_BATCH_SYM = mat("A_l", n.N_L, n.M, "A^{(l)}")
Z_L_BATCH = spelled(n.Z_l, "Z^{(l)}", "Z^{l}")
A_L_BATCH = spelled(A_L_BATCH_SYM, "A^{(l)}", "A^{l}")
BATCH_DEFINITIONS = (
    (n.Z_l, n.W_l @ n.A_prev + n.b_l @ Ones(n.M).T),
    (A_L_BATCH_SYM, sigma(n.Z_l)),
)

# ---- the two-layer network of the input gradient
X_IN = spelled(n.x_in, "x", "a^{(0)}")
W_1C = spelled(n.W_1, "W^{(1)}", "W^{1}", "W_1")
W_2C = spelled(n.W_2, "W^{(2)}", "W^{2}", "W_2")
B_1C = spelled(n.b_1, "b^{(1)}", "b^{1}", "b_1")
B_2C = spelled(n.b_2, "b^{(2)}", "b^{2}", "b_2")
Z_1C = spelled(n.z_1, "z^{(1)}", "z^{1}", "z_1")
Z_2C = spelled(n.z_2, "z^{(2)}", "z^{2}", "z_2")
A_1C = spelled(n.a_1, "a^{(1)}", "a^{1}")
TWO_LAYER_DEFINITIONS = (
    (n.z_1, n.W_1 @ n.x_in + n.b_1),
    (n.a_1, sigma(n.z_1)),
    (n.z_2, n.W_2 @ n.a_1 + n.b_2),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="hidden-delta",
        title="Hidden-layer delta",
        prompt=r"Column convention: $z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$, $a^{(l)} = \sigma(z^{(l)})$ "
        r"with a *generic* activation $\sigma$. Given $\delta^{(l+1)} = \partial L/\partial z^{(l+1)}$, "
        r"give $\delta^{(l)} = \partial L / \partial z^{(l)}$ in terms of $W^{(l+1)}$, $\delta^{(l+1)}$ "
        r"and $z^{(l)}$. Index notation is accepted.",
        derivation="hidden-delta",
        asks=((n.delta_l, (r"\delta^{(l)}", *derivatives(LOSSES, "z^{(l)}"))),),
        symbols=(W_NEXT, D_NEXT, Z_LL),
        extra=(W_L, B_L, A_LL, D_LL, A_PREV, B_NEXT, Z_NEXT, A_NEXT),
        definitions=defined(LAYER_DEFINITIONS, n.delta_l),
        named=LAYER_NAMES,
        index_notation=True,
        accepted=(
            r"((W^{(l+1)})^T \delta^{(l+1)}) \odot \sigma'(z^{(l)})",
            r"\operatorname{diag}(\sigma'(z^{(l)}))\, W^{(l+1)T} \delta^{(l+1)}",
            r"\left(\sum_j W^{(l+1)}_{ji}\delta^{(l+1)}_j\right)\sigma'(z^{(l)}_i)",
        ),
    ),
    Question(
        id="weight-gradient",
        title="Weight gradient",
        prompt=r"Column convention, one example: $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$ and "
        r"$\delta^{(l)} = \partial L/\partial z^{(l)}$. Give $\partial L / \partial W^{(l)}$ from "
        r"$\delta^{(l)}$ and $a^{(l-1)}$. Index notation is accepted.",
        derivation="weight-gradient",
        asks=(asked("dL_dW", n.W_l, derivatives(LOSSES, "W^{(l)}", "W")),),
        symbols=(D_LL, A_PREV),
        extra=(W_L, B_L, Z_LL, A_LL, W_NEXT, B_NEXT, Z_NEXT, A_NEXT, D_NEXT),
        definitions=defined(LAYER_DEFINITIONS),
        named=LAYER_NAMES,
        index_notation=True,
        accepted=(
            r"\delta^{(l)} (a^{(l-1)})^T",
            r"\delta^{(l)}_j a^{(l-1)}_k",
            r"\delta^{(l)} a^{(l-1)T}",
        ),
    ),
    Question(
        id="bias-gradient",
        title="Bias gradient",
        prompt=r"Column convention, one example: $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$ and "
        r"$\delta^{(l)} = \partial L/\partial z^{(l)}$. Give $\partial L / \partial b^{(l)}$.",
        derivation="bias-gradient",
        asks=(asked("dL_db", n.b_l, derivatives(LOSSES, "b^{(l)}", "b")),),
        symbols=(D_LL,),
        extra=(W_L, B_L, Z_LL, A_LL, A_PREV, W_NEXT, B_NEXT, Z_NEXT, A_NEXT, D_NEXT),
        definitions=defined(LAYER_DEFINITIONS),
        named=LAYER_NAMES,
        index_notation=True,
        accepted=(r"\delta^{(l)}", r"\delta^{(l)}_i"),
    ),
    Question(
        id="batch-weight-gradient",
        title="Weight gradient over a batch",
        prompt=r"$m$ examples as columns: $A^{(l-1)}$ is $n_{l-1} \times m$, $\Delta^{(l)}$ is "
        r"$n_l \times m$ (column $i$ is $\unchecked{\delta^{(l)}}$ of example $i$) and $\unchecked{J = "
        r"\frac{1}{m}\sum_i L_i}$. "
        r"Give $\partial J / \partial W^{(l)}$.",
        derivation="batch-weight-gradient",
        asks=(asked("dJ_dW", n.W_l, derivatives(LOSSES, "W^{(l)}", "W")),),
        symbols=(A_PREV_BATCH, DELTA_BATCH, M_COUNT),
        extra=(W_L, B_L, Z_L_BATCH, A_L_BATCH),
        definitions=BATCH_DEFINITIONS,
        index_notation=True,
        accepted=(
            r"\frac{1}{m} \Delta^{(l)} (A^{(l-1)})^T",
            r"\frac{1}{m}\sum_k \Delta^{(l)}_{ik} A^{(l-1)}_{jk}",
            r"\frac{\Delta^{(l)} A^{(l-1)T}}{m}",
        ),
    ),
    Question(
        id="batch-bias-gradient",
        title="Bias gradient over a batch",
        prompt=r"Same setting as the batch weight gradient: $\Delta^{(l)}$ is $n_l \times m$ and "
        r"$\unchecked{J = \frac{1}{m}\sum_i L_i}$. Give $\partial J / \partial b^{(l)}$ "
        r"($\mathbf{1}$ is a column of ones).",
        derivation="batch-bias-gradient",
        asks=(asked("dJ_db", n.b_l, derivatives(LOSSES, "b^{(l)}", "b")),),
        symbols=(DELTA_BATCH, M_COUNT),
        extra=(A_PREV_BATCH, W_L, B_L, Z_L_BATCH, A_L_BATCH),
        definitions=BATCH_DEFINITIONS,
        index_notation=True,
        accepted=(
            r"\frac{1}{m} \Delta^{(l)} \mathbf{1}",
            r"\frac{1}{m}\sum_k \Delta^{(l)}_{ik}",
        ),
    ),
    Question(
        id="input-gradient",
        title="Gradient with respect to the input",
        prompt=r"$y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)})$ with a generic $\sigma$, "
        r"$z^{(1)} = W^{(1)} x + b^{(1)}$ and $z^{(2)} = W^{(2)} \sigma(z^{(1)}) + b^{(2)}$. Give the "
        r"Jacobian $\partial y / \partial x$ (entry $(i, j)$ is $\partial y_i / \partial x_j$).",
        derivation="input-gradient",
        asks=(asked("dy_dx", n.x_in, derivatives(("y",), "x"), n.N2),),
        symbols=(W_1C, W_2C, Z_1C, Z_2C),
        extra=(X_IN, B_1C, B_2C, A_1C, spelled(n.y_out, "y", "a^{(2)}", "a^{2}")),
        definitions=TWO_LAYER_DEFINITIONS,
        index_notation=True,
        accepted=(
            r"\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} \operatorname{diag}(\sigma'(z^{(1)})) W^{(1)}",
            r"\sigma'(z^{(2)}_i) \sum_k W^{(2)}_{ik} \sigma'(z^{(1)}_k) W^{(1)}_{kj}",
        ),
    ),
    Question(
        id="reverse-vs-forward-mode",
        title="Reverse mode: the gradient with respect to the input",
        prompt=r"$y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)})$ with a generic $\sigma$, "
        r"$z^{(1)} = W^{(1)} x + b^{(1)}$, $z^{(2)} = W^{(2)} \sigma(z^{(1)}) + b^{(2)}$, and a loss "
        r"$L(y)$ with $g = \partial L / \partial y$. Give $\partial L / \partial x$ the way reverse "
        r"mode (backpropagation) computes it, from $g$ down.",
        derivation="reverse-vs-forward-mode",
        asks=(asked("dL_dx", n.x_in, derivatives(LOSSES, "x")),),
        chain="reverse",
        symbols=(W_1C, W_2C, Z_1C, Z_2C, spelled(modes.g, "g")),
        extra=(X_IN, B_1C, B_2C),
        index_notation=True,
        accepted=(
            r"W^{(1)T} \left(\sigma'(z^{(1)}) \odot \left(W^{(2)T} (\sigma'(z^{(2)}) \odot g)\right)\right)",
            r"\left(\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} \operatorname{diag}(\sigma'(z^{(1)})) "
            r"W^{(1)}\right)^T g",
        ),
    ),
)
