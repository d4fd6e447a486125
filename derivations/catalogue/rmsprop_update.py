"""RMSProp: W_{t+1} = W_t − ηG ⊘ (√(ρ s_t + (1−ρ) G⊙G) + ε); its first step is −η/√(1−ρ) sign(G)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import fn
from derivations.notation import G, W_t, W_t1, eps, eta, rho, s_t, s_t1, t

DERIVATION = Derivation(
    id="rmsprop-update",
    title="RMSProp",
    topic="optimization",
    context=(
        r"One parameter array $\unchecked{W}$ and $\unchecked{G = \partial J / \partial W}$ at $W_t$. "
        r"RMSProp keeps a running "
        r"mean of the squared gradients, $s_{t+1} = \rho s_t + (1 - \rho)\, G \odot G$ with "
        r"$\unchecked{0 < \rho < 1}$ (from $s_0 = 0$), and steps "
        r"$W_{t+1} = W_t - \eta\, G \oslash (\sqrt{s_{t+1}} + \epsilon)$, entry by entry. Unlike "
        r"AdaGrad's sum, the mean forgets: old gradients fade by the factor $\rho$ per step."
    ),
    symbols=(W_t, W_t1, s_t, s_t1, G, eta, rho, eps, t),
    definitions=(
        (s_t1, rho * s_t + (1 - rho) * G.odot(G)),
        (W_t1, W_t - eta * (G / (fn("sqrt", s_t1) + eps))),
    ),
    chains=(
        Chain(
            name="update",
            start=W_t1,
            steps=(
                Step(
                    W_t - eta * (G / (fn("sqrt", s_t1) + eps)),
                    r"each entry's step is $\eta$ over the root of its running mean of squares",
                ),
                Step(
                    W_t - eta * (G / (fn("sqrt", rho * s_t + (1 - rho) * G.odot(G)) + eps)),
                    r"the running mean first takes in this step's squares with weight $1 - \rho$",
                ),
            ),
        ),
        Chain(
            name="first-step",
            start=W_t - eta * (G / fn("sqrt", (1 - rho) * G.odot(G))),
            steps=(
                Step(
                    W_t - eta / fn("sqrt", 1 - rho) * (G / fn("abs", G)),
                    r"the first step from $s_0 = 0$, with $\epsilon = 0$: $s_1 = (1 - \rho) G \odot G$, "
                    r"and $\unchecked{\sqrt{(1 - \rho) g^2} = \sqrt{1 - \rho}\,\lvert g \rvert}$",
                ),
                Step(
                    W_t - eta / fn("sqrt", 1 - rho) * fn("sign", G),
                    r"$\unchecked{g / \lvert g \rvert = \operatorname{sign}(g)}$: every entry moves by "
                    r"$\eta / \sqrt{1 - \rho}$, about $3.2\eta$ for $\rho = 0.9$ and $10\eta$ for "
                    r"$\unchecked{\rho = 0.99}$",
                ),
            ),
        ),
    ),
    positive=("s_t", "epsilon"),
    probe=Probe(
        kind="optimiser",
        bind={"W_t": "W", "s_t": "s", "G": "G", "eta": "eta", "rho": "rho", "epsilon": "epsilon"},
        targets={"update": "rmsprop:W_next", "first-step": "rmsprop:W_first"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "steps": 3},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "steps": 4},
        ),
    ),
    notes=(
        r"The first steps are too large: $\unchecked{s}$ starts at 0, so $\unchecked{s_1}$ is only the "
        r"fraction $1 - \rho$ "
        r"of $G \odot G$ and the root divides by too little. Adam's bias correction "
        r"(adam-update) divides the mean by $1 - \rho^t$ and removes exactly this."
    ),
    mistakes=(
        r"$W_t + \eta \frac{G}{\sqrt{\rho s_t + (1 - \rho) G \odot G} + \epsilon}$: a step uphill "
        r"(tag `sign-error`).",
        r"$\wrong{s_{t+1} = \rho s_t + G \odot G}$: without the weight $1 - \rho$ the mean is a sum that "
        r"grows to $G \odot G / (1 - \rho)$, and the steps are $\sqrt{1 - \rho}$ times too small.",
        r"$W_t - \eta \frac{G}{\sqrt{s_t} + \epsilon}$: the running mean before this step's squares.",
    ),
)
