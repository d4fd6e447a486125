"""The question bank: what the grader asks, in the notation of ``derivations.notation``.

A question names the catalogue derivation whose checked result is its reference answer (so the
reference is never typed twice), lists the symbols a student may use with their accepted
spellings, and declares what an answer may rely on: definitions (a^{(l)} := σ(z^{(l)}), so
a ⊙ (1 − a) is understood and judged as sigmoid-only), named quantities (∂J/∂W), index notation,
and whether σ is the sigmoid or a generic activation. The grader (``checker.grading``) reads
this data; ids, spellings and code names follow the contract in QUESTIONS.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from derivations import notation as n
from derivations.catalogue import conv2d_backward as _conv
from derivations.catalogue import l1_proximal_step as _prox
from derivations.catalogue import label_smoothing_ce_gradient as _ls
from derivations.catalogue import max_pool_backward as _pool
from derivations.catalogue import reverse_vs_forward_mode as _modes
from derivations.expr import Dim, Expr, Fn, Max, MaxOf, Ones, Softmax, Sym, dsigma, mat, num, sigma, vec

Spelled = tuple[Sym, tuple[str, ...]]
"""A symbol and the LaTeX spellings that name it."""


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    ``symbols`` are listed for the student; ``extra`` symbols are read too (so an answer that
    uses a neighbouring layer's W or a forbidden shortcut can be judged, not rejected) but are not
    advertised. ``sigma`` is ``"generic"`` (σ stands for any activation: a sigmoid-only form is
    wrong) or ``"sigmoid"`` (σ is the logistic sigmoid). ``simplex`` names vectors whose entries
    are a probability distribution, ``one_hot`` matrices whose rows are one-hot, ``positive``
    scalars that are positive, ``unit_interval`` those strictly between 0 and 1 (a decay rate ρ,
    β). ``activation`` is the function whose derivative is asked (for the activation questions:
    the mistake of answering with the function itself). ``asks`` is the quantity asked for, with
    the spellings that name it (δ^{(l)}, ∂L/∂W^{(l)}): an answer that contains it restates the
    question and is never credited.
    """

    id: str
    title: str
    prompt: str
    derivation: str
    symbols: tuple[Spelled, ...]
    accepted: tuple[str, ...]
    chain: str = ""
    extra: tuple[Spelled, ...] = ()
    code_names: tuple[tuple[str, Sym], ...] = ()
    named: tuple[tuple[str, Expr], ...] = ()
    definitions: tuple[tuple[Sym, Expr], ...] = ()
    index_notation: bool = False
    sigma: str = "generic"
    simplex: tuple[str, ...] = ()
    one_hot: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    unit_interval: tuple[str, ...] = ()
    activation: Expr | None = None
    convention: str = "column"
    asks: tuple[Spelled, ...] = ()

    @property
    def reference(self) -> Expr:
        """The reference answer: the result of the linked, verified catalogue derivation."""
        from derivations import get

        d = get(self.derivation)
        return d.result_of(self.chain) if self.chain else d.result

    @property
    def all_symbols(self) -> tuple[Sym, ...]:
        """Every symbol the reader knows for this question (listed ones first)."""
        seen: dict[Sym, None] = {}
        for s, _ in self.symbols + self.extra:
            seen.setdefault(s, None)
        for _, s in self.code_names:
            seen.setdefault(s, None)
        return tuple(seen)

    @property
    def scalar(self) -> bool:
        """Whether every listed symbol, and so the answer, is a scalar."""
        return all(s.shape == (1, 1) for s, _ in self.symbols)


def _sp(sym: Sym, *spellings: str) -> Spelled:
    return (sym, spellings)


Definitions = tuple[tuple[Sym, Expr], ...]


def _defined(definitions: Definitions, asks: Sym | None = None) -> Definitions:
    """The network's definitions, in evaluation order, but the quantity asked for: it stays free, so
    that an answer restating it is never right by value."""
    return tuple((s, d) for s, d in definitions if s != asks)


LOSS_LETTERS = ("L", "J", "C", "E")
"""How a class names the loss in ∂L/∂z^{(l)}, the named form of δ^{(l)}."""


def _gradient_names(*pairs: tuple[Sym, str]) -> tuple[tuple[str, Expr], ...]:
    """``\\frac{\\partial L}{\\partial z^{(l)}}`` (and J, C, E) for each (δ, its z's spelling)."""
    return tuple(
        (rf"\frac{{\partial {loss}}}{{\partial {z}}}", delta) for delta, z in pairs for loss in LOSS_LETTERS
    )


# ---- spellings shared by several questions
Z = _sp(n.z, "z")
ALPHA = _sp(n.alpha, r"\alpha")
ZL = _sp(n.z_L, "z^{(L)}", "z^{L}", "z^L", "z")
AL = _sp(n.a_L, "a^{(L)}", "a^{L}", "a^L", "a")
Y_COL = _sp(n.y, "y")
P_VEC = _sp(n.p, "p", r"\hat{y}")
P_CE = _sp(n.p, "p", r"\hat{y}", "a^{(L)}", "a^{L}", "a^L")
DELTA_L_OUT = _sp(n.delta_L, r"\delta^{(L)}", r"\delta^{L}", r"\delta^L")

W_L = _sp(n.W_l, "W^{(l)}", "W^{l}", "W^l")
B_L = _sp(n.b_l, "b^{(l)}", "b^{l}", "b^l")
Z_LL = _sp(n.z_l, "z^{(l)}", "z^{l}", "z^l")
A_LL = _sp(n.a_l, "a^{(l)}", "a^{l}", "a^l")
D_LL = _sp(n.delta_l, r"\delta^{(l)}", r"\delta^{l}", r"\delta^l")
A_PREV = _sp(n.a_prev, "a^{(l-1)}", "a^{l-1}")
W_NEXT = _sp(n.W_next, "W^{(l+1)}", "W^{l+1}")
B_NEXT = _sp(n.b_next, "b^{(l+1)}", "b^{l+1}")
Z_NEXT = _sp(n.z_next, "z^{(l+1)}", "z^{l+1}")
D_NEXT = _sp(n.delta_next, r"\delta^{(l+1)}", r"\delta^{l+1}")
A_NEXT_SYM = vec("a_next", n.N_NEXT, "a^{(l+1)}")
A_NEXT = _sp(A_NEXT_SYM, "a^{(l+1)}", "a^{l+1}")
LAYER_L_ALL = (W_L, B_L, Z_LL, A_LL, D_LL, A_PREV, W_NEXT, B_NEXT, Z_NEXT, A_NEXT, D_NEXT)
# Layer l and the next one, column convention: every quantity defined but the inputs a^{(l-1)},
# W, b and δ^{(l+1)} (the loss beyond layer l+1 is unknown).
LAYER_DEFINITIONS = (
    (n.z_l, n.W_l @ n.a_prev + n.b_l),
    (n.a_l, sigma(n.z_l)),
    (n.z_next, n.W_next @ n.a_l + n.b_next),
    (A_NEXT_SYM, sigma(n.z_next)),
    (n.delta_l, (n.W_next.T @ n.delta_next).odot(dsigma(n.z_l))),
)
LAYER_NAMES = _gradient_names((n.delta_l, "z^{(l)}"), (n.delta_next, "z^{(l+1)}"))

A_PREV_BATCH = _sp(n.A_prev, "A^{(l-1)}", "A^{l-1}", "A")
DELTA_BATCH = _sp(n.Delta_l, r"\Delta^{(l)}", r"\Delta^{l}", r"\Delta^l", r"\Delta")
M_COUNT = _sp(n.m, "m")
A_L_BATCH_SYM = mat("A_l", n.N_L, n.M, "A^{(l)}")
Z_L_BATCH = _sp(n.Z_l, "Z^{(l)}", "Z^{l}")
A_L_BATCH = _sp(A_L_BATCH_SYM, "A^{(l)}", "A^{l}")
BATCH_DEFINITIONS = (
    (n.Z_l, n.W_l @ n.A_prev + n.b_l @ Ones(n.M).T),
    (A_L_BATCH_SYM, sigma(n.Z_l)),
)

W_REG = _sp(n.W_l, "W", "W^{(l)}", "W^{l}")
G_REG = _sp(n.G, "G")
ETA = _sp(n.eta, r"\eta")
LAMBDA = _sp(n.lam, r"\lambda")
GRADIENT_NAMES = (
    (r"\frac{\partial J}{\partial W}", n.G),
    (r"\frac{\partial J}{\partial W^{(l)}}", n.G),
)

X_IN = _sp(n.x_in, "x", "a^{(0)}")
W_1C = _sp(n.W_1, "W^{(1)}", "W^{1}", "W_1")
W_2C = _sp(n.W_2, "W^{(2)}", "W^{2}", "W_2")
B_1C = _sp(n.b_1, "b^{(1)}", "b^{1}", "b_1")
B_2C = _sp(n.b_2, "b^{(2)}", "b^{2}", "b_2")
Z_1C = _sp(n.z_1, "z^{(1)}", "z^{1}", "z_1")
Z_2C = _sp(n.z_2, "z^{(2)}", "z^{2}", "z_2")
A_1C = _sp(n.a_1, "a^{(1)}", "a^{1}")
TWO_LAYER_DEFINITIONS = (
    (n.z_1, n.W_1 @ n.x_in + n.b_1),
    (n.a_1, sigma(n.z_1)),
    (n.z_2, n.W_2 @ n.a_1 + n.b_2),
)

ROW_SYMBOLS = {
    "X": _sp(n.X, "X"),
    "W1": _sp(n.W1, "W_1", "W_{1}"),
    "b1": _sp(n.b1, "b_1", "b_{1}"),
    "Z1": _sp(n.Z1, "Z_1", "Z_{1}", "z_1", "z_{1}"),
    "A1": _sp(n.A1, "A_1", "A_{1}", "a_1", "a_{1}"),
    "W2": _sp(n.W2, "W_2", "W_{2}"),
    "b2": _sp(n.b2, "b_2", "b_{2}"),
    "Z2": _sp(n.Z2, "Z_2", "Z_{2}", "z_2", "z_{2}"),
    "P": _sp(n.P, "P", r"\hat{y}", r"\hat{Y}"),
    "Y": _sp(n.Y, "Y", "y"),
    "delta3": _sp(n.delta3, r"\delta_3", r"\delta_{3}"),
    "delta2": _sp(n.delta2, r"\delta_2", r"\delta_{2}"),
    "m": _sp(n.m, "m"),
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
ROW_NAMES = _gradient_names((n.delta3, "Z_2"), (n.delta2, "Z_1"))
ROW_CONTEXT = (
    "The slides' code, row convention: $X$ is $m \\times d$ (one example per row), "
    "$Z_1 = X W_1 + b_1$, $A_1 = \\tanh(Z_1)$, $Z_2 = A_1 W_2 + b_2$, $P = \\operatorname{softmax}(Z_2)$ "
    "row by row, $Y$ the one-hot labels as rows, $L = -\\sum_n \\sum_c Y_{nc} \\log P_{nc}$; "
    "$\\delta_3 = \\partial L/\\partial Z_2$, $\\delta_2 = \\partial L/\\partial Z_1$. "
    "Subscripts are layer numbers. "
)


def _row_question(qid: str, title: str, ask: str, chain: str, listed: Iterable[str],
                  accepted: tuple[str, ...], asks: Sym | None = None) -> Question:
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
        definitions=_defined(ROW_DEFINITIONS, asks),
        named=ROW_NAMES,
        one_hot=("Y",),
        accepted=accepted,
        convention="row",
    )


_BANK: tuple[Question, ...] = (
    Question(
        id="sigmoid-derivative",
        title="Derivative of the sigmoid",
        prompt=r"Let $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ (here $\sigma$ *is* the logistic sigmoid). "
        r"Give $\sigma'(z)$ in terms of $z$ and/or $\sigma(z)$.",
        derivation="sigmoid-derivative",
        symbols=(Z,),
        sigma="sigmoid",
        activation=Fn("sigmoid", n.z),
        accepted=(r"\sigma(z)(1-\sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}", r"\sigma(z) - \sigma(z)^2"),
    ),
    Question(
        id="tanh-derivative",
        title="Derivative of tanh",
        prompt=r"Give $\dfrac{d}{dz}\tanh(z)$.",
        derivation="tanh-derivative",
        symbols=(Z,),
        activation=Fn("tanh", n.z),
        accepted=(r"1 - \tanh^2(z)", r"\operatorname{sech}^2(z)", r"\frac{4}{(e^{z} + e^{-z})^2}"),
    ),
    Question(
        id="relu-derivative",
        title="Derivative of ReLU",
        prompt=r"$\operatorname{ReLU}(z) = \max(0, z)$. Give its derivative for $z \ne 0$.",
        derivation="relu-derivative",
        symbols=(Z,),
        activation=Max(num(0), n.z),
        accepted=(r"\mathbb{1}[z>0]", r"\begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}"),
    ),
    Question(
        id="leaky-relu-derivative",
        title="Derivative of leaky ReLU",
        prompt=r"$\operatorname{LeakyReLU}(z) = \max(0.1z, z)$. Give its derivative for $z \ne 0$.",
        derivation="leaky-relu-derivative",
        symbols=(Z,),
        activation=Max(num("1/10") * n.z, n.z),
        accepted=(
            r"\begin{cases} 1 & z > 0 \\ 0.1 & z < 0 \end{cases}",
            r"0.1 + 0.9\,\mathbb{1}[z>0]",
        ),
    ),
    Question(
        id="elu-derivative",
        title="Derivative of ELU",
        prompt=r"$\operatorname{ELU}(z) = z$ for $z \ge 0$ and $\alpha(e^{z} - 1)$ for $z < 0$, "
        r"with $\alpha > 0$. Give its derivative for $z \ne 0$.",
        derivation="elu-derivative",
        symbols=(Z, ALPHA),
        positive=("alpha",),
        activation=None,
        accepted=(
            r"\begin{cases} 1 & z > 0 \\ \alpha e^{z} & z < 0 \end{cases}",
            r"\mathbb{1}[z>0] + \alpha e^{z}\,\mathbb{1}[z<0]",
        ),
    ),
    Question(
        id="softmax-jacobian",
        title="Jacobian of softmax",
        prompt=r"$p = \operatorname{softmax}(z)$ for $z \in \mathbb{R}^n$ (a column vector). Give the "
        r"Jacobian $\partial p / \partial z$, whose entry $(i, j)$ is $\partial p_i / \partial z_j$. "
        r"($\hat{y}$ is another name for $p$.) Index notation is accepted.",
        derivation="softmax-jacobian",
        symbols=(ZL, P_VEC),
        definitions=((n.p, Softmax(n.z_L)),),
        index_notation=True,
        accepted=(
            r"\operatorname{diag}(p) - p p^T",
            r"p_i(\delta_{ij} - p_j)",
            r"\operatorname{diag}(\hat{y}) - \hat{y}\hat{y}^{\top}",
        ),
    ),
    Question(
        id="softmax-ce-gradient",
        title="Softmax with cross-entropy",
        prompt=r"$p = \operatorname{softmax}(z)$ and $L = -\sum_k y_k \log p_k$ with $\sum_k y_k = 1$. "
        r"Give $\partial L / \partial z$. ($\hat{y}$ and $a^{(L)}$ are other names for $p$.)",
        derivation="softmax-ce-gradient",
        symbols=(ZL, P_CE, Y_COL),
        extra=(DELTA_L_OUT,),
        definitions=((n.p, Softmax(n.z_L)),),
        named=_gradient_names((n.delta_L, "z^{(L)}")),
        simplex=("y",),
        index_notation=True,
        accepted=(r"p - y", r"\hat{y} - y", r"\operatorname{softmax}(z) - y", r"p_i - y_i"),
    ),
    Question(
        id="mse-output-delta",
        title="Squared error: output delta",
        prompt=r"$\sigma$ is the sigmoid, $a^{(L)} = \sigma(z^{(L)})$ and "
        r"$L = \tfrac{1}{2}\lVert a^{(L)} - y \rVert^2$. "
        r"Give $\delta^{(L)} = \partial L / \partial z^{(L)}$.",
        derivation="mse-output-delta",
        symbols=(
            _sp(n.z_L, "z^{(L)}", "z^{L}", "z^L"), _sp(n.a_L, "a^{(L)}", "a^{L}", "a^L", r"\hat{y}"), Y_COL
        ),
        extra=(DELTA_L_OUT,),
        definitions=((n.a_L, Fn("sigma", n.z_L)),),
        named=_gradient_names((n.delta_L, "z^{(L)}")),
        sigma="sigmoid",
        index_notation=True,
        accepted=(
            r"(a^{(L)} - y) \odot \sigma'(z^{(L)})",
            r"(a^{(L)} - y) \odot a^{(L)} \odot (1 - a^{(L)})",
            r"(a^{(L)}_i - y_i)\,\sigma'(z^{(L)}_i)",
        ),
    ),
    Question(
        id="hidden-delta",
        title="Hidden-layer delta",
        prompt=r"Column convention: $z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$, $a^{(l)} = \sigma(z^{(l)})$ "
        r"with a *generic* activation $\sigma$. Given $\delta^{(l+1)} = \partial L/\partial z^{(l+1)}$, "
        r"give $\delta^{(l)} = \partial L / \partial z^{(l)}$ in terms of $W^{(l+1)}$, $\delta^{(l+1)}$ "
        r"and $z^{(l)}$. Index notation is accepted.",
        derivation="hidden-delta",
        symbols=(W_NEXT, D_NEXT, Z_LL),
        extra=(W_L, B_L, A_LL, D_LL, A_PREV, B_NEXT, Z_NEXT, A_NEXT),
        definitions=_defined(LAYER_DEFINITIONS, n.delta_l),
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
        symbols=(D_LL, A_PREV),
        extra=(W_L, B_L, Z_LL, A_LL, W_NEXT, B_NEXT, Z_NEXT, A_NEXT, D_NEXT),
        definitions=_defined(LAYER_DEFINITIONS),
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
        symbols=(D_LL,),
        extra=(W_L, B_L, Z_LL, A_LL, A_PREV, W_NEXT, B_NEXT, Z_NEXT, A_NEXT, D_NEXT),
        definitions=_defined(LAYER_DEFINITIONS),
        named=LAYER_NAMES,
        index_notation=True,
        accepted=(r"\delta^{(l)}", r"\delta^{(l)}_i"),
    ),
    Question(
        id="batch-weight-gradient",
        title="Weight gradient over a batch",
        prompt=r"$m$ examples as columns: $A^{(l-1)}$ is $n_{l-1} \times m$, $\Delta^{(l)}$ is "
        r"$n_l \times m$ (column $i$ is $\delta^{(l)}$ of example $i$) and $J = \frac{1}{m}\sum_i L_i$. "
        r"Give $\partial J / \partial W^{(l)}$.",
        derivation="batch-weight-gradient",
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
        r"$J = \frac{1}{m}\sum_i L_i$. Give $\partial J / \partial b^{(l)}$ "
        r"($\mathbf{1}$ is a column of ones).",
        derivation="batch-bias-gradient",
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
        id="l2-update",
        title="Gradient step with L2 regularization",
        prompt=r"$J_\lambda(W) = J(W) + \frac{\lambda}{2}\lVert W \rVert_F^2$. Give $W$ after one "
        r"gradient-descent step with learning rate $\eta$. Write the unregularized gradient as "
        r"$\frac{\partial J}{\partial W}$ (or $G$).",
        derivation="l2-update",
        symbols=(W_REG, G_REG, ETA, LAMBDA),
        named=GRADIENT_NAMES,
        positive=("eta", "lambda"),
        accepted=(
            r"W - \eta\left(\frac{\partial J}{\partial W} + \lambda W\right)",
            r"(1 - \eta\lambda) W - \eta \frac{\partial J}{\partial W}",
        ),
    ),
    Question(
        id="l1-update",
        title="Gradient step with L1 regularization",
        prompt=r"$J_\lambda(W) = J(W) + \lambda\lVert W \rVert_1$. Give $W$ after one gradient-descent "
        r"step with learning rate $\eta$ (away from $W_{ij} = 0$). Write the unregularized gradient as "
        r"$\frac{\partial J}{\partial W}$ (or $G$).",
        derivation="l1-update",
        symbols=(W_REG, G_REG, ETA, LAMBDA),
        named=GRADIENT_NAMES,
        positive=("eta", "lambda"),
        accepted=(
            r"W - \eta\left(\frac{\partial J}{\partial W} + \lambda \operatorname{sign}(W)\right)",
            r"W - \eta \frac{\partial J}{\partial W} - \eta\lambda\,\mathrm{sign}(W)",
        ),
    ),
    Question(
        id="input-gradient",
        title="Gradient with respect to the input",
        prompt=r"$y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)})$ with a generic $\sigma$, "
        r"$z^{(1)} = W^{(1)} x + b^{(1)}$ and $z^{(2)} = W^{(2)} \sigma(z^{(1)}) + b^{(2)}$. Give the "
        r"Jacobian $\partial y / \partial x$ (entry $(i, j)$ is $\partial y_i / \partial x_j$).",
        derivation="input-gradient",
        symbols=(W_1C, W_2C, Z_1C, Z_2C),
        extra=(X_IN, B_1C, B_2C, A_1C),
        definitions=TWO_LAYER_DEFINITIONS,
        index_notation=True,
        accepted=(
            r"\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} \operatorname{diag}(\sigma'(z^{(1)})) W^{(1)}",
            r"\sigma'(z^{(2)}_i) \sum_k W^{(2)}_{ik} \sigma'(z^{(1)}_k) W^{(1)}_{kj}",
        ),
    ),
    _row_question(
        "row-output-delta",
        "Row convention: output delta",
        r"Give $\delta_3 = \partial L / \partial Z_2$ (code names: `probs` for $P$, `y_onehot` for $Y$).",
        "delta3",
        ("P", "Y"),
        (r"P - Y", r"\hat{y} - Y", "probs - y_onehot"),
        asks=n.delta3,
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
        asks=n.delta2,
    ),
    _row_question(
        "row-grad-W2",
        "Row convention: gradient of W_2",
        r"Give $\partial L / \partial W_2$ (code names: `a1`, `delta3`).",
        "dW2",
        ("A1", "delta3"),
        (r"A_1^T \delta_3", "a1.T.dot(delta3)", "np.dot(a1.T, delta3)"),
    ),
    _row_question(
        "row-grad-b2",
        "Row convention: gradient of b_2",
        r"Give $\partial L / \partial b_2$; $b_2$ is $1 \times c$ (code name: `delta3`; "
        r"$\mathbf{1}$ is a column of ones).",
        "db2",
        ("delta3",),
        (r"\mathbf{1}^T \delta_3", "np.sum(delta3, axis=0, keepdims=True)"),
    ),
    _row_question(
        "row-grad-W1",
        "Row convention: gradient of W_1",
        r"Give $\partial L / \partial W_1$ (code names: `X`, `delta2`).",
        "dW1",
        ("X", "delta2"),
        (r"X^T \delta_2", "np.dot(X.T, delta2)", "X.T.dot(delta2)"),
    ),
)



def _derivatives(tops: tuple[str, ...], *wrt: str) -> tuple[str, ...]:
    return tuple(rf"\frac{{\partial {f}}}{{\partial {x}}}" for x in wrt for f in tops)


def _asked(key: str, like: Sym, spellings: tuple[str, ...], rows: Dim | None = None) -> Spelled:
    """A stand-in symbol for a quantity asked for that has no symbol of its own (∂L/∂W^{(l)}),
    shaped like ``like`` (or ``rows`` × ``like``'s rows, for a Jacobian)."""
    shape = (like.rows, like.cols) if rows is None else (rows, like.rows)
    return (Sym(f"asked:{key}", *shape, spellings[0]), spellings)


LOSSES = ("L", "J", "E", "C")
ASKED: dict[str, tuple[Spelled, ...]] = {
    "sigmoid-derivative": (_asked("dsigma_dz", n.z, (r"\frac{d\sigma}{dz}", r"\frac{d\sigma(z)}{dz}",
                                                     r"\frac{df}{dz}")),),
    "tanh-derivative": (_asked("dtanh_dz", n.z, (r"\frac{d\tanh}{dz}", r"\frac{d\tanh(z)}{dz}")),),
    "relu-derivative": (_asked("drelu_dz", n.z, (r"\frac{d\operatorname{ReLU}}{dz}",
                                                 r"\frac{d\operatorname{ReLU}(z)}{dz}")),),
    "softmax-jacobian": (_asked("dp_dz", n.z_L, _derivatives(("p", r"\hat{y}"), "z", "z^{(L)}"), n.N_OUT),),
    "softmax-ce-gradient": (_asked("dL_dz", n.p, _derivatives(LOSSES, "z", "z^{(L)}")),),
    "mse-output-delta": ((n.delta_L, (r"\delta^{(L)}", *_derivatives(LOSSES, "z^{(L)}", "z"))),),
    "hidden-delta": ((n.delta_l, (r"\delta^{(l)}", *_derivatives(LOSSES, "z^{(l)}"))),),
    "weight-gradient": (_asked("dL_dW", n.W_l, _derivatives(LOSSES, "W^{(l)}", "W")),),
    "bias-gradient": (_asked("dL_db", n.b_l, _derivatives(LOSSES, "b^{(l)}", "b")),),
    "batch-weight-gradient": (_asked("dJ_dW", n.W_l, _derivatives(LOSSES, "W^{(l)}", "W")),),
    "batch-bias-gradient": (_asked("dJ_db", n.b_l, _derivatives(LOSSES, "b^{(l)}", "b")),),
    "input-gradient": (_asked("dy_dx", n.x_in, _derivatives(("y",), "x"), n.N2),),
    "row-output-delta": ((n.delta3, (r"\delta_3", *_derivatives(LOSSES, "Z_2"))),),
    "row-hidden-delta": ((n.delta2, (r"\delta_2", *_derivatives(LOSSES, "Z_1"))),),
    "row-grad-W2": (_asked("dL_dW2", n.W2, _derivatives(LOSSES, "W_2")),),
    "row-grad-b2": (_asked("dL_db2", n.b2, _derivatives(LOSSES, "b_2")),),
    "row-grad-W1": (_asked("dL_dW1", n.W1, _derivatives(LOSSES, "W_1")),),
}
"""What each question asks for, by id (in the activation questions also any derivative of a
function, σ'(z), tanh'(z), which the judge recognises as such)."""

_BANK = tuple(replace(q, asks=ASKED.get(q.id, q.asks)) for q in _BANK)

# ---- the second half of the course: label smoothing, proximal L1, forward/reverse mode, convolution
_EPS = _sp(_ls.eps, r"\varepsilon", r"\epsilon")
_K_CLASSES = _sp(_ls.K, "K")
_U_ENTRY = _sp(_prox.u, "u")
_T_THRESHOLD = _sp(_prox.t, "t")

_SECOND_HALF: tuple[Question, ...] = (
    Question(
        id="label-smoothing-ce-gradient",
        title="Label smoothing: the output delta",
        prompt=r"$K$ classes, $p = \operatorname{softmax}(z)$, a target distribution $y$ "
        r"($\sum_k y_k = 1$) and the smoothed target $\tilde{y} = (1 - \varepsilon) y + "
        r"\frac{\varepsilon}{K}\mathbf{1}$. With $L = -\sum_k \tilde{y}_k \log p_k$, give "
        r"$\partial L / \partial z$ in terms of $p$, $y$, $\varepsilon$ and $K$. Index notation is "
        r"accepted.",
        derivation="label-smoothing-ce-gradient",
        asks=(_asked("dL_dz", n.p, _derivatives(LOSSES, "z", "z^{(L)}")),),
        symbols=(ZL, P_CE, Y_COL, _EPS, _K_CLASSES),
        extra=(_sp(_ls.y_smooth, r"\tilde{y}"),),
        definitions=((n.p, Softmax(n.z_L)), (_ls.K, _ls.ones.T @ _ls.ones),
                     (_ls.y_smooth, (1 - _ls.eps) * n.y + _ls.eps / _ls.K * _ls.ones)),
        simplex=("y",),
        positive=("epsilon",),
        index_notation=True,
        accepted=(
            r"p - (1 - \varepsilon) y - \frac{\varepsilon}{K}\mathbf{1}",
            r"p - \tilde{y}",
            r"p_i - (1 - \epsilon) y_i - \frac{\epsilon}{K}",
        ),
    ),
    Question(
        id="l1-proximal-step",
        title="Proximal step for L1: soft-thresholding",
        prompt=r"After the gradient step $U = W - \eta \frac{\partial J}{\partial W}$, the proximal "
        r"step for the penalty $\lambda \lVert W \rVert_1$ is $W^{+} = \arg\min_V \frac{1}{2}"
        r"\lVert V - U \rVert_F^2 + t \lVert V \rVert_1$ with $t = \eta\lambda > 0$. It acts on "
        r"each entry on its own: give the entry of $W^{+}$ for an entry $u$ of $U$, in terms of $u$ "
        r"and $t$.",
        derivation="l1-proximal-step",
        chain="soft-threshold",
        symbols=(_U_ENTRY, _T_THRESHOLD),
        positive=("t",),
        accepted=(
            r"\operatorname{sign}(u) \max(\operatorname{abs}(u) - t, 0)",
            r"\max(u - t, 0) - \max(-u - t, 0)",
            r"\begin{cases} u - t & u > t \\ u + t & u < -t \\ 0 & \text{otherwise} \end{cases}",
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
        asks=(_asked("dL_dx", n.x_in, _derivatives(LOSSES, "x")),),
        chain="reverse",
        symbols=(W_1C, W_2C, Z_1C, Z_2C, _sp(_modes.g, "g")),
        extra=(X_IN, B_1C, B_2C),
        index_notation=True,
        accepted=(
            r"W^{(1)T} \left(\sigma'(z^{(1)}) \odot \left(W^{(2)T} (\sigma'(z^{(2)}) \odot g)\right)\right)",
            r"\left(\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} \operatorname{diag}(\sigma'(z^{(1)})) "
            r"W^{(1)}\right)^T g",
        ),
    ),
    Question(
        id="conv2d-backward",
        title="Convolution layer: the kernel gradient, as im2col computes it",
        prompt=r"A convolution layer computed by im2col: row $r$ of $X_{\mathrm{col}}$ ($o \times k$) "
        r"holds the input window under output $r$, $\mathbf{k}$ ($k \times 1$) is the kernel read "
        r"row by row, and $y = X_{\mathrm{col}} \mathbf{k} + b \mathbf{1}$ is the output map as a "
        r"column. The backward pass has $\delta_y = \partial L / \partial y$. Give "
        r"$\partial L / \partial \mathbf{k}$.",
        derivation="conv2d-backward",
        chain="dK-im2col",
        asks=(_asked("dL_dk", _conv.kvec, _derivatives(LOSSES, r"\mathbf{k}", "k")),),
        symbols=(_sp(_conv.X_col, r"X_{\mathrm{col}}", "X_{col}", r"X_{\text{col}}"),
                 _sp(_conv.delta_y, r"\delta_{y}", r"\delta_y", r"\delta")),
        extra=(_sp(_conv.kvec, r"\mathbf{k}", "k"),),
        index_notation=True,
        accepted=(r"X_{\mathrm{col}}^T \delta_y", r"(\delta_y^T X_{col})^T"),
    ),
    Question(
        id="conv2d-bias-gradient",
        title="Convolution layer: the bias gradient",
        prompt=r"A convolution layer computes $Y = X \star K + b$ with one bias $b$ shared by every "
        r"position of its $o_h \times o_w$ output map, and the backward pass has "
        r"$\delta = \partial L / \partial Y$ ($o_h \times o_w$). Give $\partial L / \partial b$ "
        r"($\mathbf{1}$ is a column of ones). Index notation is accepted.",
        derivation="conv2d-backward",
        asks=(_asked("dL_db", _conv.b, _derivatives(LOSSES, "b")),),
        chain="db",
        symbols=(_sp(_conv.delta, r"\delta"),),
        index_notation=True,
        accepted=(
            r"\mathbf{1}^T \delta \mathbf{1}",
            r"\sum_i \sum_j \delta_{ij}",
        ),
    ),
)


# ---- the rest of the course: optimisers, dropout, batch norm, initialisation, bounds
W_T = _sp(n.W_t, "W_t", "W_{t}", "W")
G_T = _sp(n.G, "G", "g", "g_t", "G_t")
V_T = _sp(n.v_t, "v_t", "v_{t}", "v")
S_T = _sp(n.s_t, "s_t", "s_{t}", "s")
MU = _sp(n.mu, r"\mu")
RHO = _sp(n.rho, r"\rho")
EPS = _sp(n.eps, r"\epsilon", r"\varepsilon")


def _catalogue_symbol(derivation_id: str, key: str) -> Sym:
    """A symbol that one catalogue derivation declares (Adam's moments, the dropout mask, ...)."""
    from derivations import get

    d = get(derivation_id)
    return next(s for s in (*d.symbols, *(s for s, _ in d.definitions)) if s.key == key)


def _training_questions() -> tuple[Question, ...]:
    """The questions of the optimisers, dropout, batch norm, initialisation and bounds."""
    c = _catalogue_symbol
    return (
        Question(
            id="momentum-update",
            title="Momentum",
            prompt=r"Classical momentum with learning rate $\eta$ and momentum $\mu$: "
            r"$v_{t+1} = \mu v_t - \eta G$ and $W_{t+1} = W_t + v_{t+1}$, with $G = \partial J/\partial W$ "
            r"at $W_t$. Give $W_{t+1}$ in terms of $W_t$, $v_t$, $G$, $\mu$ and $\eta$.",
            derivation="momentum-update",
            symbols=(W_T, V_T, G_T, MU, ETA),
            positive=("eta", "mu"),
            accepted=(r"W_t + \mu v_t - \eta G", r"W_t - \eta G + \mu v_t"),
        ),
        Question(
            id="adagrad-update",
            title="AdaGrad",
            prompt=r"AdaGrad: $s_{t+1} = s_t + G \odot G$ and $W_{t+1} = W_t - \eta\, G \oslash "
            r"(\sqrt{s_{t+1}} + \epsilon)$ entry by entry. Give $W_{t+1}$ in terms of $W_t$, $s_t$, $G$, "
            r"$\eta$ and $\epsilon$ (write the entrywise division as a fraction).",
            derivation="adagrad-update",
            symbols=(W_T, S_T, G_T, ETA, EPS),
            positive=("s_t", "epsilon", "eta"),
            accepted=(
                r"W_t - \eta \frac{G}{\sqrt{s_t + G \odot G} + \epsilon}",
                r"W_t - \frac{\eta G}{\sqrt{s_t + G \odot G} + \epsilon}",
            ),
        ),
        Question(
            id="rmsprop-update",
            title="RMSProp",
            prompt=r"RMSProp: $s_{t+1} = \rho s_t + (1 - \rho)\, G \odot G$ and $W_{t+1} = W_t - \eta\, G "
            r"\oslash (\sqrt{s_{t+1}} + \epsilon)$ entry by entry. Give $W_{t+1}$ in terms of $W_t$, "
            r"$s_t$, $G$, $\rho$, $\eta$ and $\epsilon$.",
            derivation="rmsprop-update",
            symbols=(W_T, S_T, G_T, RHO, ETA, EPS),
            positive=("s_t", "epsilon", "eta"),
            unit_interval=("rho",),
            accepted=(
                r"W_t - \eta \frac{G}{\sqrt{\rho s_t + (1 - \rho) G \odot G} + \epsilon}",
                r"W_t - \frac{\eta G}{\sqrt{\rho s_t + (1-\rho) G \odot G} + \epsilon}",
            ),
        ),
        Question(
            id="adam-update",
            title="Adam",
            prompt=r"Adam at step $t$ (this step included): the moments are already updated to "
            r"$m_{t+1}$ and $v_{t+1}$. With bias correction, give $W_{t+1}$ in terms of $W_t$, "
            r"$m_{t+1}$, $v_{t+1}$, the corrections $c_1 = 1 - \beta_1^t$, $c_2 = 1 - \beta_2^t$, $\eta$ "
            r"and $\epsilon$.",
            derivation="adam-update",
            symbols=(W_T, _sp(n.m_t1, "m_{t+1}"), _sp(c("adam-update", "v2_t1"), "v_{t+1}"),
                     _sp(c("adam-update", "c1"), "c_1", "c_{1}"), _sp(c("adam-update", "c2"), "c_2", "c_{2}"),
                     ETA, EPS),
            positive=("v2_t1", "epsilon", "eta"),
            unit_interval=("c1", "c2"),
            accepted=(
                r"W_t - \eta \frac{m_{t+1} / c_1}{\sqrt{v_{t+1} / c_2} + \epsilon}",
                r"W_t - \eta \frac{\frac{m_{t+1}}{c_1}}{\sqrt{\frac{v_{t+1}}{c_2}} + \epsilon}",
            ),
        ),
        Question(
            id="adamw-decoupled-decay",
            title="AdamW",
            prompt=r"AdamW with weight decay $\lambda$: $W_{t+1} = W_t - \eta(\hat{m} \oslash "
            r"(\sqrt{\hat{v}} + \epsilon) + \lambda W_t)$ with Adam's corrected moments $\hat{m}$, "
            r"$\hat{v}$. Write $W_{t+1}$ as a decayed $W_t$ minus Adam's step.",
            derivation="adamw-decoupled-decay",
            symbols=(W_T, _sp(c("adamw-decoupled-decay", "m_hat"), r"\hat{m}"),
                     _sp(c("adamw-decoupled-decay", "v_hat"), r"\hat{v}"), ETA, LAMBDA, EPS),
            positive=("v_hat", "epsilon", "eta", "lambda"),
            accepted=(
                r"(1 - \eta\lambda) W_t - \eta \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}",
                r"W_t - \eta \lambda W_t - \frac{\eta \hat{m}}{\sqrt{\hat{v}} + \epsilon}",
            ),
        ),
        Question(
            id="dropout-backward",
            title="Inverted dropout: the backward pass",
            prompt=r"Inverted dropout in training: $y = (x \odot r)/(1 - p)$ with a 0/1 mask $r$ and drop "
            r"probability $p$. Given $g = \partial L/\partial y$, give $\partial L/\partial x$.",
            derivation="dropout-backward",
            symbols=(_sp(c("dropout-backward", "g"), "g", r"\frac{\partial L}{\partial y}"),
                     _sp(c("dropout-backward", "r"), "r"), _sp(c("dropout-backward", "p"), "p")),
            extra=(_sp(c("dropout-backward", "x_drop"), "x"),),
            index_notation=True,
            accepted=(r"\frac{g \odot r}{1 - p}", r"\frac{1}{1-p} g \odot r", r"\frac{g_i r_i}{1 - p}"),
        ),
        Question(
            id="batchnorm-backward",
            title="Batch normalisation: the backward pass",
            prompt=r"Batch norm of one feature over a batch of $m$ examples, the column $x$: "
            r"$\hat{x} = (x - \mu_B\mathbf{1})/\tilde{\sigma}$ with $\tilde{\sigma} = \sqrt{\sigma_B^2 + "
            r"\epsilon}$, and $y = \gamma\hat{x} + \beta\mathbf{1}$. Given $g = \partial L/\partial y$, "
            r"give $\partial L/\partial x$ in terms of $g$, $\hat{x}$, $\gamma$, $\tilde{\sigma}$ and $m$ "
            r"($\mathbf{1}_m$ is a column of $m$ ones).",
            derivation="batchnorm-backward",
            symbols=(_sp(c("batchnorm-backward", "g_bn"), "g", r"\frac{\partial L}{\partial y}"),
                     _sp(c("batchnorm-backward", "x_hat"), r"\hat{x}"),
                     _sp(c("batchnorm-backward", "gamma"), r"\gamma"),
                     _sp(c("batchnorm-backward", "std_batch"), r"\tilde{\sigma}"),
                     _sp(c("batchnorm-backward", "m"), "m")),
            positive=("std_batch",),
            accepted=(
                r"\frac{\gamma}{m \tilde{\sigma}} (m g - \mathbf{1}_m\mathbf{1}_m^T g - \hat{x}\hat{x}^T g)",
                r"\frac{\gamma}{\tilde{\sigma}} \left(g - \frac{1}{m}\mathbf{1}_m\mathbf{1}_m^T g "
                r"- \frac{1}{m}\hat{x} \hat{x}^T g\right)",
            ),
        ),
        Question(
            id="xavier-init-variance",
            title="Variance of a pre-activation at initialisation",
            prompt=r"$z = \sum_{j=1}^{n} w_j a_j$ with independent weights of mean 0 and variance "
            r"$V_w$, independent of the inputs, which have mean 0 and variance $V_a$. "
            r"Give the variance $V_z$ of $z$.",
            derivation="xavier-init-variance",
            symbols=(_sp(c("xavier-init-variance", "n_in"), "n"),
                     _sp(c("xavier-init-variance", "var_w"), r"V_w", r"V_{w}"),
                     _sp(c("xavier-init-variance", "var_a"), r"V_a", r"V_{a}")),
            positive=("n_in", "var_w", "var_a"),
            accepted=(r"n V_w V_a", r"n V_{a} V_{w}"),
        ),
        Question(
            id="he-init-variance",
            title="Variance through a ReLU layer at initialisation",
            prompt=r"$z^{(l)} = \sum_{j=1}^{n} w_j \operatorname{ReLU}(z^{(l-1)}_j)$ with independent "
            r"weights of mean 0 and variance $V_w$, and pre-activations $z^{(l-1)}_j$ "
            r"symmetric about 0 with variance $V_{l-1}$. Give the variance $V_l$ of "
            r"$z^{(l)}$.",
            derivation="he-init-variance",
            symbols=(_sp(c("he-init-variance", "n_in"), "n"),
                     _sp(c("he-init-variance", "var_w"), r"V_w", r"V_{w}"),
                     _sp(c("he-init-variance", "var_z_prev"), r"V_{l-1}", r"V_{(l-1)}")),
            positive=("n_in", "var_w", "var_z_prev"),
            accepted=(
                r"\frac{1}{2} n V_w V_{l-1}",
                r"\frac{n V_w V_{l-1}}{2}",
            ),
        ),
        Question(
            id="sigmoid-derivative-bound",
            title="The largest slope of the sigmoid",
            prompt=r"$\operatorname{sigmoid}(z) = 1/(1 + e^{-z})$. What is the largest value of "
            r"$\operatorname{sigmoid}'(z)$ over all real $z$?",
            derivation="sigmoid-derivative-bound",
            chain="maximum",
            symbols=(Z,),
            accepted=(r"\frac{1}{4}", "0.25", "1/4"),
        ),
        Question(
            id="vanishing-gradient-bound",
            title="Delta two layers down",
            prompt=r"Column convention, generic $\sigma$: $z^{(l+1)} = W^{(l+1)}\sigma(z^{(l)}) + b^{(l+1)}$ "
            r"and $z^{(l+2)} = W^{(l+2)}\sigma(z^{(l+1)}) + b^{(l+2)}$. Give $\delta^{(l)}$ from "
            r"$\delta^{(l+2)}$, the weights and the pre-activations.",
            derivation="vanishing-gradient-bound",
            symbols=(W_NEXT, _sp(c("vanishing-gradient-bound", "W_next2"), "W^{(l+2)}", "W^{l+2}"), Z_LL,
                     Z_NEXT, _sp(c("vanishing-gradient-bound", "delta_next2"), r"\delta^{(l+2)}",
                                 r"\delta^{l+2}")),
            extra=(W_L, D_NEXT),
            accepted=(
                r"\operatorname{diag}(\sigma'(z^{(l)})) (W^{(l+1)})^T "
                r"\operatorname{diag}(\sigma'(z^{(l+1)})) (W^{(l+2)})^T \delta^{(l+2)}",
                r"((W^{(l+1)})^T (((W^{(l+2)})^T \delta^{(l+2)}) \odot \sigma'(z^{(l+1)}))) "
                r"\odot \sigma'(z^{(l)})",
            ),
        ),
    )


_SECOND_HALF += (
    Question(
        id="max-pool-backward",
        title="Max pooling: the backward pass",
        prompt=r"A max-pooling window $X$ ($2 \times 2$) outputs $y = \max_{ij} X_{ij}$, and the "
        r"backward pass has $\delta = \partial L / \partial y$. Give $\partial L / \partial X$ "
        r"where the largest entry is unique ($\mathbb{1}[\cdot]$ is 1 where the condition holds).",
        derivation="max-pool-backward",
        symbols=(_sp(_pool.X, "X"), _sp(_pool.y, "y"), _sp(_pool.delta, r"\delta")),
        definitions=((_pool.y, MaxOf(_pool.X)),),
        asks=(_asked("dL_dX", _pool.X, _derivatives(LOSSES, "X")),),
        accepted=(r"\delta \mathbb{1}[X = y]", r"\delta \, \mathbb{1}[X \ge y]"),
    ),
)

QUESTIONS: dict[str, Question] = {q.id: q for q in (*_BANK, *_SECOND_HALF, *_training_questions())}
"""Every question, keyed by id, in the order of QUESTIONS.md."""


def get_question(question_id: str) -> Question:
    """One question by id; the error lists the known ids."""
    if question_id not in QUESTIONS:
        raise KeyError(f"unknown question {question_id!r}; known: {', '.join(QUESTIONS)}")
    return QUESTIONS[question_id]
