"""Adam: W_{t+1} = W_t − η m̂ ⊘ (√v̂ + ε), and why m̂ = m/(1 − β₁ᵗ): E[m̂_t] = E[g] for steady gradients."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import fn, mat, scalar
from derivations.notation import N_L, N_PREV, G, W_t, W_t1, beta1, beta2, eps, eta, m_t, m_t1, t

# Adam's second moment: the same running mean as RMSProp's s, under Adam's own name
v_t = mat("v2_t", N_L, N_PREV, "v_t")
v_t1 = mat("v2_t1", N_L, N_PREV, "v_{t+1}")
m_hat = mat("m_hat", N_L, N_PREV, r"\hat{m}_{t+1}")
v_hat = mat("v_hat", N_L, N_PREV, r"\hat{v}_{t+1}")

# the bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ as symbols of their own
c1 = scalar("c1", "c_1")
c2 = scalar("c2", "c_2")

# The bias correction, for one entry: gradients g_1, g_2, g_3 with the same mean ḡ = E[g_k].
g_mean = scalar("g_mean", r"\bar{g}")
m3_mean = scalar("m3_mean", r"\operatorname{E}[m_3]")

DERIVATION = Derivation(
    id="adam-update",
    title="Adam, with its bias correction",
    topic="optimization",
    context=(
        r"One parameter array $\unchecked{W}$ and $\unchecked{G = \partial J / \partial W}$ at $W_t$, at "
        r"step $\unchecked{t = 1, 2, "
        r"\dots}$ Adam keeps running means of the gradient and of its square, from "
        r"$\unchecked{m_0 = v_0 = 0}$: $m_{t+1} = \beta_1 m_t + (1 - \beta_1) G$ and "
        r"$v_{t+1} = \beta_2 v_t + (1 - \beta_2)\, G \odot G$. Both start at 0 and are biased "
        r"towards it; dividing by $\unchecked{1 - \beta^t}$ removes the bias: "
        r"$\hat{m}_{t+1} = m_{t+1} / c_1$ and $\hat{v}_{t+1} = v_{t+1} / c_2$ with "
        r"$c_1 = 1 - \beta_1^t$, $c_2 = 1 - \beta_2^t$, and "
        r"$W_{t+1} = W_t - \eta\, \hat{m}_{t+1} \oslash (\sqrt{\hat{v}_{t+1}} + \epsilon)$, "
        r"entry by "
        r"entry ($t$ counts the steps taken, this one included). The second chain shows why, for one "
        r"entry after $t = 3$ steps of gradients $\unchecked{g_k}$ with a common mean $\unchecked{\bar{g} = "
        r"E[g_k]}$ "
        r"(stationary gradients)."
    ),
    symbols=(W_t, W_t1, m_t, m_t1, v_t, v_t1, m_hat, v_hat, G, eta, beta1, beta2, eps, t, c1, c2, g_mean,
             m3_mean),
    definitions=(
        (m_t1, beta1 * m_t + (1 - beta1) * G),
        (v_t1, beta2 * v_t + (1 - beta2) * G.odot(G)),
        (c1, 1 - beta1**t),
        (c2, 1 - beta2**t),
        (m_hat, m_t1 / c1),
        (v_hat, v_t1 / c2),
        (W_t1, W_t - eta * (m_hat / (fn("sqrt", v_hat) + eps))),
        (m3_mean, beta1 * (beta1 * ((1 - beta1) * g_mean) + (1 - beta1) * g_mean) + (1 - beta1) * g_mean),
    ),
    chains=(
        Chain(
            name="update",
            start=W_t1,
            steps=(
                Step(
                    W_t - eta * (m_hat / (fn("sqrt", v_hat) + eps)),
                    r"the step is the corrected mean gradient over the root of the corrected mean square",
                ),
                Step(
                    W_t - eta * ((m_t1 / c1) / (fn("sqrt", v_t1 / c2) + eps)),
                    r"the corrections divide by $c_1 = 1 - \beta_1^t$ and $c_2 = 1 - \beta_2^t$",
                ),
            ),
        ),
        Chain(
            name="bias",
            start=m3_mean / (1 - beta1**3),
            steps=(
                Step(
                    (1 - beta1) * (beta1**2 + beta1 + 1) * g_mean / (1 - beta1**3),
                    r"unroll $\unchecked{m_k = \beta_1 m_{k-1} + (1 - \beta_1) g_k}$ from $m_0 = 0$: "
                    r"$\unchecked{m_3 = (1 - \beta_1)(\beta_1^2 g_1 + \beta_1 g_2 + g_3)}$, and expectation "
                    r"is "
                    r"linear with $\unchecked{E[g_k] = \bar{g}}$",
                ),
                Step(
                    (1 - beta1**3) * g_mean / (1 - beta1**3),
                    r"$(1 - \beta_1)(1 + \beta_1 + \beta_1^2) = 1 - \beta_1^3$: a geometric sum, "
                    r"$1 - \beta_1^t$ after $t$ steps",
                ),
                Step(g_mean, r"so $\unchecked{E[\hat{m}_3] = E[m_3] / (1 - \beta_1^3) = \bar{g}}$: unbiased"),
            ),
        ),
    ),
    positive=("v2_t", "epsilon", "t"),
    unit_interval=("beta1", "beta2"),
    probe=Probe(
        kind="optimiser",
        bind={
            "W_t": "W", "m_t": "m", "v2_t": "v", "G": "G", "eta": "eta", "beta1": "beta1",
            "beta2": "beta2", "epsilon": "epsilon", "t": "t", "g_mean": "g_mean",
        },
        targets={"update": "adam:W_next", "bias": "adam:m_hat_mean"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "steps": 3},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "steps": 4},
        ),
    ),
    notes=(
        r"What the machine checks: both chains exactly; the update against the reference Adam "
        r"(with $G$ by central differences); and the bias chain's expectation by sampling — three "
        r"steps of the reference Adam on 200 000 independent entries with gradients "
        r"$\bar{g}$ plus noise, whose mean $\unchecked{\hat{m}_3}$ must be $\bar{g}$ within a relative error "
        r"of "
        r"$10^{-2}$ (the uncorrected $\unchecked{m_3}$ is $0.271\,\bar{g}$ for $\beta_1 = 0.9$). The "
        r"general-$t$ "
        r"geometric sum is the reason of a step, not a machine check. Without the correction the "
        r"first steps are too small in $\unchecked{m}$ and too large through $\unchecked{1/\sqrt{v}}$; at "
        r"$\unchecked{t = 1}$ with "
        r"$\epsilon = 0$ the corrected step is $\eta\operatorname{sign}(G)$."
    ),
    mistakes=(
        r"$W_t + \eta \frac{m_{t+1} / c_1}{\sqrt{v_{t+1} / c_2} + \epsilon}$: a step uphill "
        r"(tag `sign-error`).",
        r"$\unchecked{\hat{m} = m / (1 - \beta_1)}$: the correction must depend on $t$; dividing by $1 - "
        r"\beta_1$ "
        r"multiplies late steps by 10 for $\wrong{\beta_1 = 0.9}$.",
        r"No bias correction: $\unchecked{E[m_1] = (1 - \beta_1)\bar{g}}$, so the first steps are biased "
        r"towards 0 "
        r"in $\unchecked{m}$ and, through $\unchecked{1/\sqrt{v}}$, not by the same factor ($\sqrt{1 - "
        r"\beta_2}$ against "
        r"$1 - \beta_1$).",
        r"$\sqrt{\hat{v}} + \epsilon$ read as $\sqrt{\hat{v} + \epsilon}$: a different (also used) "
        r"placement of $\epsilon$; the two differ when $\hat{v}$ is tiny.",
    ),
)
