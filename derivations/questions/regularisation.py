"""Questions on regularisation: the gradient step with an L2 or L1 penalty, weight decay, and the
proximal step of L1."""

from __future__ import annotations

from derivations import notation as n
from derivations.catalogue import l1_proximal_step as prox
from derivations.questions.question import Question, asked, spelled
from derivations.questions.spellings import ETA, LAMBDA

W_REG = spelled(n.W_l, "W", "W^{(l)}", "W^{l}")
G_REG = spelled(n.G, "G")
GRADIENT_NAMES = (
    (r"\frac{\partial J}{\partial W}", n.G),
    (r"\frac{\partial J}{\partial W^{(l)}}", n.G),
)
U_ENTRY = spelled(prox.u, "u")
T_THRESHOLD = spelled(prox.t, "t")

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="l2-update",
        title="Gradient step with L2 regularization",
        prompt=r"$\unchecked{J_\lambda(W) = J(W) + \frac{\lambda}{2}\lVert W \rVert_F^2}$. Give $W$ after "
        r"one "
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
        prompt=r"$\unchecked{J_\lambda(W) = J(W) + \lambda\lVert W \rVert_1}$. Give $W$ after one "
        r"gradient-descent "
        r"step with learning rate $\eta$ (away from $\unchecked{W_{ij} = 0}$). Write the unregularized "
        r"gradient as "
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
        id="l1-proximal-step",
        title="Proximal step for L1: soft-thresholding",
        prompt=r"After the gradient step $\unchecked{U = W - \eta \frac{\partial J}{\partial W}}$, the "
        r"proximal "
        r"step for the penalty $\lambda \lVert W \rVert_1$ is $\unchecked{W^{+} = \arg\min_V \frac{1}{2}"
        r"\lVert V - U \rVert_F^2 + t \lVert V \rVert_1}$ with $t = \eta\lambda > 0$. It acts on "
        r"each entry on its own: give the entry of $\unchecked{W^{+}}$ for an entry $u$ of $U$, in terms of "
        r"$u$ "
        r"and $t$.",
        derivation="l1-proximal-step",
        chain="soft-threshold",
        asks=(asked("w_plus", prox.u, ("w^{+}", "W^{+}", "W^{+}_{ij}", "w^{+}_{ij}", "w^{*}")),),
        symbols=(U_ENTRY, T_THRESHOLD),
        positive=("t",),
        accepted=(
            r"\operatorname{sign}(u) \max(\operatorname{abs}(u) - t, 0)",
            r"\max(u - t, 0) - \max(-u - t, 0)",
            r"\begin{cases} u - t & u > t \\ u + t & u < -t \\ 0 & \text{otherwise} \end{cases}",
        ),
    ),
    Question(
        id="l2-weight-decay",
        title="L2 regularisation as weight decay",
        prompt=r"$\unchecked{J_\lambda(W) = J(W) + \frac{\lambda}{2}\lVert W \rVert_F^2}$ and one "
        r"gradient-descent "
        r"step with learning rate $\eta$. Write $W$ after the step the way it is implemented as "
        r"*weight decay*: the old $W$ shrunk by a factor, minus the ordinary step. Write the "
        r"unregularised gradient as $\frac{\partial J}{\partial W}$ (or $G$).",
        derivation="l2-weight-decay",
        symbols=(W_REG, G_REG, ETA, LAMBDA),
        named=GRADIENT_NAMES,
        positive=("eta", "lambda"),
        accepted=(
            r"(1 - \eta\lambda) W - \eta \frac{\partial J}{\partial W}",
            r"W - \eta\lambda W - \eta G",
            r"(1 - \eta\lambda) W - \eta G",
        ),
    ),
)
