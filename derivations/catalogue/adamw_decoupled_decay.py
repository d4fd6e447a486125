"""AdamW: (1 − ηλ)W_t − η m̂ ⊘ (√v̂ + ε); L2 inside Adam instead moves every weight by η sign(G + λW)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import fn, mat
from derivations.notation import N_L, N_PREV, G, W_t, W_t1, eps, eta, lam

m_hat = mat("m_hat", N_L, N_PREV, r"\hat{m}")
v_hat = mat("v_hat", N_L, N_PREV, r"\hat{v}")
adam_step = m_hat / (fn("sqrt", v_hat) + eps)  # Adam's normalised step m̂ ⊘ (√v̂ + ε)
# G_λ = G + λW_t, the gradient of J + (λ/2)‖W‖², as one symbol: its kink |G_λ| then sits at a plain
# symbol, which sympy splits into sign regions at once
l2_gradient = mat("G_l2", N_L, N_PREV, r"G_\lambda")

DERIVATION = Derivation(
    id="adamw-decoupled-decay",
    title="AdamW: weight decay decoupled from Adam",
    topic="optimization",
    context=(
        r"One parameter array $\unchecked{W}$, $\unchecked{G = \partial J / \partial W}$ at $W_t$, and "
        r"Adam's bias-corrected "
        r"moments $\hat{m}$, $\hat{v}$ (adam-update). For plain gradient descent an L2 penalty "
        r"$\unchecked{\frac{\lambda}{2}\lVert W \rVert_F^2}$ and weight decay are the same thing "
        r"(l2-weight-decay). "
        r"In Adam they are not: AdamW applies the decay beside Adam's normalised step, "
        r"$W_{t+1} = W_t - \eta\,(\hat{m} \oslash (\sqrt{\hat{v}} + \epsilon) + \lambda W_t)$, "
        r"while "
        r"L2 in Adam feeds $\unchecked{G + \lambda W}$ into $\hat{m}$ and $\hat{v}$, where the division by "
        r"$\sqrt{\hat{v}}$ rescales the decay of every weight differently."
    ),
    symbols=(W_t, W_t1, m_hat, v_hat, G, eta, lam, eps, l2_gradient),
    definitions=((W_t1, W_t - eta * (adam_step + lam * W_t)),),
    chains=(
        Chain(
            name="adamw",
            start=W_t1,
            steps=(
                Step(
                    W_t - eta * adam_step - eta * lam * W_t,
                    r"distribute $\eta$ over Adam's step and the decay",
                ),
                Step(
                    (1 - eta * lam) * W_t - eta * adam_step,
                    r"collect $W_t$: every weight shrinks by the same factor $1 - \eta\lambda$, as in "
                    r"SGD's weight decay, and then takes Adam's step for $\unchecked{J}$ alone",
                ),
            ),
        ),
        Chain(
            name="l2-in-adam",
            start=W_t - eta * (l2_gradient / fn("sqrt", l2_gradient.odot(l2_gradient))),
            steps=(
                Step(
                    W_t - eta * (l2_gradient / fn("abs", l2_gradient)),
                    r"L2 in Adam, first step ($\unchecked{m_0 = v_0 = 0}$, $t = 1$, $\epsilon = 0$): "
                    r"$\hat{m} = G_\lambda$ and $\hat{v} = G_\lambda \odot G_\lambda$ with "
                    r"$G_\lambda = G + \lambda W_t$; the root is $\lvert G_\lambda \rvert$",
                ),
                Step(
                    W_t - eta * fn("sign", l2_gradient),
                    r"$\unchecked{u / \lvert u \rvert = \operatorname{sign}(u)}$: every weight moves by "
                    r"exactly "
                    r"$\eta$ in the direction of $-\operatorname{sign}(G + \lambda W_t)$; "
                    r"a weight $\unchecked{J}$ does not use ($G = 0$) moves by "
                    r"$\unchecked{\eta\operatorname{sign}(W)}$ whatever "
                    r"its size, an L1-like step, where weight decay would take $\unchecked{\eta\lambda W}$",
                ),
            ),
        ),
    ),
    positive=("v_hat", "epsilon"),
    probe=Probe(
        kind="optimiser",
        bind={"W_t": "W", "m_hat": "m_hat", "v_hat": "v_hat", "G": "G", "eta": "eta", "lambda": "lambda",
              "epsilon": "epsilon", "G_l2": "G_l2"},
        targets={"adamw": "adamw:W_next", "l2-in-adam": "adam-l2:W_first"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "steps": 3},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "steps": 4},
        ),
    ),
    notes=(
        r"With L2 in Adam the penalty's gradient $\unchecked{\lambda W}$ is divided by $\sqrt{\hat{v}}$ like "
        r"everything else: weights whose gradients have been large are decayed *less*, the opposite "
        r"of what regularisation wants, and at the first step the decay vanishes into a sign. AdamW "
        r"keeps the decay proportional to $\unchecked{W}$ with the same rate $\eta\lambda$ for every weight."
    ),
    mistakes=(
        r"$(1 - \lambda) W_t - \eta \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}$: the decay factor is "
        r"$1 - \eta\lambda$; the learning rate scales the decay too (tag `wrong-scale`).",
        r"$W_t - \eta \frac{\hat{m} + \lambda W_t}{\sqrt{\hat{v}} + \epsilon}$: the decay divided by "
        r"$\sqrt{\hat{v}}$, which is L2 in Adam again, not decoupled decay.",
        r"$(1 - \eta\lambda)\left(W_t - \eta \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}\right)$: decaying "
        r"after the step shrinks Adam's step as well.",
    ),
)
