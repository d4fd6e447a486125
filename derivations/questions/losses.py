"""Questions on the output layer: softmax, the losses and their gradients."""

from __future__ import annotations

from derivations import notation as n
from derivations.catalogue import label_smoothing_ce_gradient as ls
from derivations.catalogue import log_softmax_ce as logits
from derivations.catalogue import sigmoid_bce_gradient as bce
from derivations.expr import Fn, Softmax, fn, scalar
from derivations.questions.question import LOSSES, Question, asked, derivatives, gradient_names, spelled
from derivations.questions.spellings import DELTA_L_OUT, P_CE, P_VEC, Y_COL, ZL, Z

EPS_SMOOTH = spelled(ls.eps, r"\varepsilon", r"\epsilon")
K_CLASSES = spelled(ls.K, "K")
Y_HAT_BCE = scalar("y_hat", r"\hat{y}")
"""The binary classifier's prediction sigmoid(z), a name a class gives it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="softmax-jacobian",
        title="Jacobian of softmax",
        prompt=r"$p = \operatorname{softmax}(z)$ for $\unchecked{z \in \mathbb{R}^n}$ (a column vector). "
        r"Give the "
        r"Jacobian $\partial p / \partial z$, whose entry $(i, j)$ is $\partial p_i / \partial z_j$. "
        r"($\unchecked{\hat{y}}$ is another name for $p$.) Index notation is accepted.",
        derivation="softmax-jacobian",
        asks=(asked("dp_dz", n.z_L, derivatives(("p", r"\hat{y}"), "z", "z^{(L)}"), n.N_OUT),),
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
        r"Give $\partial L / \partial z$. ($\unchecked{\hat{y}}$ and $\unchecked{a^{(L)}}$ are other names "
        r"for $p$.)",
        derivation="softmax-ce-gradient",
        asks=(asked("dL_dz", n.p, derivatives(LOSSES, "z", "z^{(L)}")),),
        symbols=(ZL, P_CE, Y_COL),
        extra=(spelled(n.delta_L, *DELTA_L_OUT[1], r"\delta"),),
        definitions=((n.p, Softmax(n.z_L)),),
        named=gradient_names((n.delta_L, "z^{(L)}")),
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
        chain="delta",
        asks=((n.delta_L, (r"\delta^{(L)}", *derivatives(LOSSES, "z^{(L)}", "z"))),),
        symbols=(
            spelled(n.z_L, "z^{(L)}", "z^{L}", "z^L"),
            spelled(n.a_L, "a^{(L)}", "a^{L}", "a^L", r"\hat{y}"),
            Y_COL,
        ),
        extra=(DELTA_L_OUT,),
        definitions=((n.a_L, Fn("sigma", n.z_L)),),
        named=gradient_names((n.delta_L, "z^{(L)}")),
        sigma="sigmoid",
        index_notation=True,
        accepted=(
            r"(a^{(L)} - y) \odot \sigma'(z^{(L)})",
            r"(a^{(L)} - y) \odot a^{(L)} \odot (1 - a^{(L)})",
            r"(a^{(L)}_i - y_i)\,\sigma'(z^{(L)}_i)",
        ),
    ),
    Question(
        id="label-smoothing-ce-gradient",
        title="Label smoothing: the output delta",
        prompt=r"$K$ classes, $p = \operatorname{softmax}(z)$, a target distribution $y$ "
        r"($\sum_k y_k = 1$) and the smoothed target $\tilde{y} = (1 - \varepsilon) y + "
        r"\frac{\varepsilon}{K}\mathbf{1}$. With $L = -\sum_k \tilde{y}_k \log p_k$, give "
        r"$\partial L / \partial z$ in terms of $p$, $y$, $\varepsilon$ and $K$. Index notation is "
        r"accepted.",
        derivation="label-smoothing-ce-gradient",
        asks=(asked("dL_dz", n.p, derivatives(LOSSES, "z", "z^{(L)}")),),
        symbols=(ZL, P_CE, Y_COL, EPS_SMOOTH, K_CLASSES),
        extra=(spelled(ls.y_smooth, r"\tilde{y}"),),
        definitions=((n.p, Softmax(n.z_L)), (ls.K, ls.ones.T @ ls.ones),
                     (ls.y_smooth, (1 - ls.eps) * n.y + ls.eps / ls.K * ls.ones)),
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
        id="mse-loss-gradient",
        title="Squared error: the gradient with respect to the output",
        prompt=r"A network's output is $\hat{y} = a^{(L)}$ and the loss is "
        r"$L = \tfrac{1}{2}\lVert \hat{y} - y \rVert^2$. Give the gradient of the loss with respect "
        r"to the output, $\partial L / \partial a^{(L)}$: the gradient backpropagation starts from. "
        r"Index notation is accepted.",
        derivation="mse-output-delta",
        chain="dL_da",
        asks=(asked("dL_da", n.a_L, derivatives(LOSSES, r"\hat{y}", "a^{(L)}", "a")),),
        symbols=(spelled(n.a_L, r"\hat{y}", "a^{(L)}", "a^{L}", "a^L", "a"), Y_COL),
        extra=(spelled(n.z_L, "z^{(L)}", "z^{L}", "z^L", "z"),),
        index_notation=True,
        accepted=(r"\hat{y} - y", r"a^{(L)} - y", r"\hat{y}_i - y_i"),
    ),
    Question(
        id="log-softmax-ce",
        title="Cross-entropy from the logits, for any target",
        prompt=r"The loss computed from the logits $z$: $L = -y^\top z + (\mathbf{1}^\top y)"
        r"\log(\mathbf{1}^\top e^{z})$, which is $-\sum_k y_k \log p_k$ with "
        r"$p = \operatorname{softmax}(z)$. The target $\unchecked{y \ge 0}$ need *not* sum to 1 "
        r"(a weighted or unnormalised target). Give $\partial L / \partial z$ in terms of $p$ and $y$ "
        r"($\mathbf{1}$ is a column of ones). Index notation is accepted.",
        derivation="log-softmax-ce",
        asks=(asked("dL_dz", n.p, derivatives(LOSSES, "z", "z^{(L)}")),),
        symbols=(ZL, P_VEC, Y_COL),
        definitions=((n.p, Softmax(n.z_L)), (logits.L, logits.DERIVATION.definitions[1][1])),
        positive=("y",),
        index_notation=True,
        accepted=(
            r"(\mathbf{1}^\top y)\, p - y",
            r"p \sum_k y_k - y",
            r"\operatorname{softmax}(z)\, \mathbf{1}^T y - y",
            r"p_i \sum_k y_k - y_i",
        ),
    ),
    Question(
        id="sigmoid-bce-gradient",
        title="Sigmoid with binary cross-entropy: the output delta",
        prompt=r"One output unit of a binary classifier: logit $z$, prediction "
        r"$\unchecked{\hat{y} = \sigma(z) = 1/(1 + e^{-z})}$ (the logistic sigmoid), target "
        r"$\unchecked{y \in (0, 1)}$ and $L = -[\,y \log \sigma(z) + (1 - y)\log(1 - \sigma(z))\,]$. "
        r"Give $\partial L / \partial z$.",
        derivation="sigmoid-bce-gradient",
        asks=(asked("dL_dz", bce.z, derivatives(LOSSES, "z")),),
        symbols=(Z, spelled(bce.y, "y"), spelled(Y_HAT_BCE, r"\hat{y}", "a")),
        definitions=((Y_HAT_BCE, fn("sigmoid", bce.z)), (bce.L, bce.DERIVATION.definitions[0][1])),
        sigma="sigmoid",
        unit_interval=("y",),
        accepted=(r"\sigma(z) - y", r"\hat{y} - y", r"\frac{1}{1 + e^{-z}} - y"),
    ),
)
