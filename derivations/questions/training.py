"""Questions on training: the optimisers, dropout, batch normalisation, initialisation and the
bounds behind vanishing gradients."""

from __future__ import annotations

from derivations import notation as n
from derivations.questions.question import LOSSES, Question, asked, derivatives, spelled
from derivations.questions.question import catalogue_symbol as c
from derivations.questions.spellings import D_NEXT, ETA, LAMBDA, W_L, W_NEXT, Z_LL, Z_NEXT, Z

W_T = spelled(n.W_t, "W_t", "W_{t}", "W")
G_T = spelled(n.G, "G", "g", "g_t", "G_t")
V_T = spelled(n.v_t, "v_t", "v_{t}", "v")
S_T = spelled(n.s_t, "s_t", "s_{t}", "s")
MU = spelled(n.mu, r"\mu")
RHO = spelled(n.rho, r"\rho")
EPS = spelled(n.eps, r"\epsilon", r"\varepsilon")

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="momentum-update",
        title="Momentum",
        prompt=r"Classical momentum with learning rate $\eta$ and momentum $\mu$: "
        r"$v_{t+1} = \mu v_t - \eta G$ and $W_{t+1} = W_t + v_{t+1}$, with $\unchecked{G = \partial "
        r"J/\partial W}$ "
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
        prompt=r"RMSProp: $s_{t+1} = \rho s_t + (1 - \rho)\, G \odot G$ and $W_{t+1} = W_t - "
        r"\eta\, G "
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
        symbols=(W_T, spelled(n.m_t1, "m_{t+1}"), spelled(c("adam-update", "v2_t1"), "v_{t+1}"),
                 spelled(c("adam-update", "c1"), "c_1", "c_{1}"),
                 spelled(c("adam-update", "c2"), "c_2", "c_{2}"),
                 ETA, EPS),
        # the corrections written out (1 − β₁ᵗ for c₁) are read too: β₁ᵗ is a power of the step count
        extra=(spelled(n.beta1, r"\beta_1", r"\beta_{1}"), spelled(n.beta2, r"\beta_2", r"\beta_{2}"),
               spelled(n.t, "t")),
        definitions=((c("adam-update", "c1"), 1 - n.beta1**n.t), (c("adam-update", "c2"), 1 - n.beta2**n.t)),
        positive=("v2_t1", "epsilon", "eta", "t"),
        unit_interval=("c1", "c2", "beta1", "beta2"),
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
        symbols=(W_T, spelled(c("adamw-decoupled-decay", "m_hat"), r"\hat{m}"),
                 spelled(c("adamw-decoupled-decay", "v_hat"), r"\hat{v}"), ETA, LAMBDA, EPS),
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
        symbols=(spelled(c("dropout-backward", "g"), "g", r"\frac{\partial L}{\partial y}"),
                 spelled(c("dropout-backward", "r"), "r"), spelled(c("dropout-backward", "p"), "p")),
        extra=(spelled(c("dropout-backward", "x_drop"), "x"),),
        asks=(asked("dL_dx_drop", c("dropout-backward", "x_drop"), derivatives(LOSSES, "x")),),
        index_notation=True,
        accepted=(r"\frac{g \odot r}{1 - p}", r"\frac{1}{1-p} g \odot r", r"\frac{g_i r_i}{1 - p}"),
    ),
    Question(
        id="batchnorm-backward",
        title="Batch normalisation: the backward pass",
        prompt=r"Batch norm of one feature over a batch of $m$ examples, the column $x$: "
        r"$\hat{x} = (x - \mu_B\mathbf{1})/\tilde{\sigma}$ with $\unchecked{\tilde{\sigma} = "
        r"\sqrt{\sigma_B^2 + "
        r"\epsilon}}$, and $y = \gamma\hat{x} + \beta\mathbf{1}$. Given $g = \partial L/\partial y$, "
        r"give $\partial L/\partial x$ in terms of $g$, $\hat{x}$, $\gamma$, $\tilde{\sigma}$ and $m$ "
        r"($\mathbf{1}_m$ is a column of $m$ ones).",
        derivation="batchnorm-backward",
        symbols=(spelled(c("batchnorm-backward", "g_bn"), "g", r"\frac{\partial L}{\partial y}"),
                 spelled(c("batchnorm-backward", "x_hat"), r"\hat{x}"),
                 spelled(c("batchnorm-backward", "gamma"), r"\gamma"),
                 spelled(c("batchnorm-backward", "std_batch"), r"\tilde{\sigma}"),
                 spelled(c("batchnorm-backward", "m"), "m")),
        asks=(asked("dL_dx_bn", c("batchnorm-backward", "x_bn"), derivatives(LOSSES, "x")),),
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
        prompt=r"$\unchecked{z = \sum_{j=1}^{n} w_j a_j}$ with independent weights of mean 0 and variance "
        r"$V_w$, independent of the inputs, which have mean 0 and variance $V_a$. "
        r"Give the variance $V_z$ of $\unchecked{z}$.",
        derivation="xavier-init-variance",
        symbols=(spelled(c("xavier-init-variance", "n_in"), "n"),
                 spelled(c("xavier-init-variance", "var_w"), r"V_w", r"V_{w}", r"\operatorname{Var}(w)"),
                 spelled(c("xavier-init-variance", "var_a"), r"V_a", r"V_{a}", r"\operatorname{Var}(a)")),
        asks=(spelled(c("xavier-init-variance", "var_z"), r"V_z", r"\operatorname{Var}(z)"),),
        independent=("w", "a"),
        positive=("n_in", "var_w", "var_a"),
        accepted=(r"n V_w V_a", r"n V_{a} V_{w}"),
    ),
    Question(
        id="he-init-variance",
        title="Variance through a ReLU layer at initialisation",
        prompt=r"$\unchecked{z^{(l)} = \sum_{j=1}^{n} w_j \operatorname{ReLU}(z^{(l-1)}_j)}$ with "
        r"independent "
        r"weights of mean 0 and variance $V_w$, and pre-activations $\unchecked{z^{(l-1)}_j}$ "
        r"symmetric about 0 with variance $V_{l-1}$. Give the variance $V_l$ of "
        r"$\unchecked{z^{(l)}}$.",
        derivation="he-init-variance",
        symbols=(spelled(c("he-init-variance", "n_in"), "n"),
                 spelled(c("he-init-variance", "var_w"), r"V_w", r"V_{w}", r"\operatorname{Var}(w)"),
                 spelled(c("he-init-variance", "var_z_prev"), r"V_{l-1}", r"V_{(l-1)}",
                         r"\operatorname{Var}(z^{(l-1)})")),
        extra=(spelled(c("he-init-variance", "mean_a"), r"\operatorname{E}[a]"),),
        asks=(spelled(c("he-init-variance", "var_z"), r"V_l", r"\operatorname{Var}(z^{(l)})",
                      r"\operatorname{Var}(z)"),),
        independent=("w", "a"),
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
        r"and $z^{(l+2)} = W^{(l+2)}\sigma(z^{(l+1)}) + b^{(l+2)}$. Give $\unchecked{\delta^{(l)}}$ from "
        r"$\delta^{(l+2)}$, the weights and the pre-activations.",
        derivation="vanishing-gradient-bound",
        symbols=(W_NEXT, spelled(c("vanishing-gradient-bound", "W_next2"), "W^{(l+2)}", "W^{l+2}"), Z_LL,
                 Z_NEXT, spelled(c("vanishing-gradient-bound", "delta_next2"), r"\delta^{(l+2)}",
                             r"\delta^{l+2}")),
        extra=(W_L, D_NEXT),
        asks=((n.delta_l, (r"\delta^{(l)}", r"\delta^{l}", *derivatives(LOSSES, "z^{(l)}"))),),
        accepted=(
            r"\operatorname{diag}(\sigma'(z^{(l)})) (W^{(l+1)})^T "
            r"\operatorname{diag}(\sigma'(z^{(l+1)})) (W^{(l+2)})^T \delta^{(l+2)}",
            r"((W^{(l+1)})^T (((W^{(l+2)})^T \delta^{(l+2)}) \odot \sigma'(z^{(l+1)}))) "
            r"\odot \sigma'(z^{(l)})",
        ),
    ),
)
