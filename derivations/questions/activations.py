"""Questions on activations: the derivative of each function a unit may apply."""

from __future__ import annotations

from derivations import notation as n
from derivations.catalogue import maxout_gradient as maxout
from derivations.expr import Fn, Max, num
from derivations.questions.question import LOSSES, Question, asked, derivatives, spelled
from derivations.questions.spellings import ALPHA, Z

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="sigmoid-derivative",
        title="Derivative of the sigmoid",
        prompt=r"Let $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ (here $\sigma$ *is* the logistic sigmoid). "
        r"Give $\sigma'(z)$ in terms of $z$ and/or $\sigma(z)$.",
        derivation="sigmoid-derivative",
        asks=(asked("dsigma_dz", n.z, (r"\frac{d\sigma}{dz}", r"\frac{d\sigma(z)}{dz}", r"\frac{df}{dz}")),),
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
        asks=(asked("dtanh_dz", n.z, (r"\frac{d\tanh}{dz}", r"\frac{d\tanh(z)}{dz}")),),
        symbols=(Z,),
        activation=Fn("tanh", n.z),
        accepted=(r"1 - \tanh^2(z)", r"\operatorname{sech}^2(z)", r"\frac{4}{(e^{z} + e^{-z})^2}"),
    ),
    Question(
        id="relu-derivative",
        title="Derivative of ReLU",
        prompt=r"$\operatorname{ReLU}(z) = \max(0, z)$. Give its derivative for $z \ne 0$.",
        derivation="relu-derivative",
        asks=(asked("drelu_dz", n.z, (r"\frac{d\operatorname{ReLU}}{dz}",
                                      r"\frac{d\operatorname{ReLU}(z)}{dz}")),),
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
        prompt=r"$\unchecked{\operatorname{ELU}(z) = z}$ for $\unchecked{z \ge 0}$ and $\alpha(e^{z} - 1)$ "
        r"for $\unchecked{z < 0}$, "
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
        id="softplus-derivative",
        title="Derivative of softplus",
        prompt=r"$\operatorname{softplus}(z) = \log(1 + e^{z})$, a smooth ReLU. Give its derivative, "
        r"in terms of $z$ (the logistic sigmoid $\sigma(z) = 1/(1 + e^{-z})$ may be used).",
        derivation="softplus-derivative",
        asks=(asked("dsoftplus_dz", n.z, (r"\frac{d\operatorname{softplus}(z)}{dz}",
                                          r"\frac{d\operatorname{softplus}}{dz}")),),
        symbols=(Z,),
        sigma="sigmoid",
        activation=Fn("softplus", n.z),
        accepted=(
            r"\sigma(z)",
            r"\frac{1}{1 + e^{-z}}",
            r"\frac{e^{z}}{1 + e^{z}}",
        ),
    ),
    Question(
        id="maxout-gradient",
        title="Gradient of a maxout unit",
        prompt=r"A maxout unit with two pieces: $z_1 = w_1^\top x + b_1$, $z_2 = w_2^\top x + b_2$ "
        r"and $h = \max(z_1, z_2)$, for an input $\unchecked{x \in \mathbb{R}^d}$. Give "
        r"$\partial h / \partial w_1$ where $z_1 \ne z_2$ ($\unchecked{\mathbb{1}[\cdot]}$ is 1 where the "
        r"condition holds, 0 elsewhere).",
        derivation="maxout-gradient",
        chain="w1",
        asks=(asked("dh_dw1", maxout.w1, derivatives(("h", *LOSSES), "w_1")),),
        symbols=(spelled(maxout.x, "x"), spelled(maxout.z1, "z_1"), spelled(maxout.z2, "z_2")),
        extra=(spelled(maxout.w1, "w_1"), spelled(maxout.b1, "b_1"), spelled(maxout.w2, "w_2"),
               spelled(maxout.b2, "b_2"), spelled(maxout.h, "h")),
        definitions=maxout.DERIVATION.definitions,
        accepted=(
            r"x \, \mathbb{1}[z_1 > z_2]",
            r"\begin{cases} x & z_1 > z_2 \\ 0 & z_1 < z_2 \end{cases}",
            r"\mathbb{1}[w_1^\top x + b_1 > w_2^\top x + b_2] \, x",
        ),
    ),
)
