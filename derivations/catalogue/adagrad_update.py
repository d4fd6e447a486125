"""AdaGrad: W_{t+1} = W_t − ηG ⊘ (√(s_t + G⊙G) + ε); its first step is −η sign(G) in every entry."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import fn
from derivations.notation import G, W_t, W_t1, eps, eta, s_t, s_t1

DERIVATION = Derivation(
    id="adagrad-update",
    title="AdaGrad",
    topic="optimization",
    context=(
        r"One parameter array $\unchecked{W}$ and $\unchecked{G = \partial J / \partial W}$ at $W_t$. "
        r"AdaGrad keeps the sum "
        r"of the squared gradients of every entry, $s_{t+1} = s_t + G \odot G$ (from $s_0 = 0$), and "
        r"divides each entry's step by its root: $W_{t+1} = W_t - \eta\, G \oslash "
        r"(\sqrt{s_{t+1}} + \epsilon)$, with $\unchecked{\sqrt{\cdot}}$ and the division "
        r"$\unchecked{\oslash}$ taken entry by "
        r"entry and a small $\epsilon > 0$ against division by zero. Entries with large past "
        r"gradients take small steps; the effective learning rate of every entry only decreases."
    ),
    symbols=(W_t, W_t1, s_t, s_t1, G, eta, eps),
    definitions=(
        (s_t1, s_t + G.odot(G)),
        (W_t1, W_t - eta * (G / (fn("sqrt", s_t1) + eps))),
    ),
    chains=(
        Chain(
            name="update",
            start=W_t1,
            steps=(
                Step(
                    W_t - eta * (G / (fn("sqrt", s_t1) + eps)),
                    r"each entry's step is $\eta$ over the root of its accumulated squares",
                ),
                Step(
                    W_t - eta * (G / (fn("sqrt", s_t + G.odot(G)) + eps)),
                    r"the accumulator first adds this step's squares, $s_{t+1} = s_t + G \odot G$",
                ),
            ),
        ),
        Chain(
            name="first-step",
            start=W_t - eta * (G / fn("sqrt", G.odot(G))),
            steps=(
                Step(
                    W_t - eta * (G / fn("abs", G)),
                    r"the first step from $s_0 = 0$, with $\epsilon = 0$: $s_1 = G \odot G$, and "
                    r"$\unchecked{\sqrt{g^2} = \lvert g \rvert}$ entry by entry",
                ),
                Step(
                    W_t - eta * fn("sign", G),
                    r"$\unchecked{g / \lvert g \rvert = \operatorname{sign}(g)}$ for $\unchecked{g \ne 0}$: "
                    r"every entry moves by "
                    r"exactly $\eta$, whatever the size of its gradient",
                ),
            ),
        ),
    ),
    positive=("s_t", "epsilon"),
    probe=Probe(
        kind="optimiser",
        bind={"W_t": "W", "s_t": "s", "G": "G", "eta": "eta", "epsilon": "epsilon"},
        targets={"update": "adagrad:W_next", "first-step": "adagrad:W_first"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "steps": 3},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "steps": 4},
        ),
    ),
    notes=(
        r"The first step is the sign of the gradient times $\eta$: AdaGrad is insensitive to the scale "
        r"of each gradient entry (multiply an entry's gradients by $\unchecked{c > 0}$ and its steps do not "
        r"change, for $\epsilon = 0$). Because $s_t$ only grows, the steps shrink like "
        r"$\unchecked{1/\sqrt{t}}$ for a steady gradient, which is what RMSProp's forgetting repairs."
    ),
    mistakes=(
        r"$W_t + \eta \frac{G}{\sqrt{s_t + G \odot G} + \epsilon}$: a step uphill "
        r"(tag `sign-error`).",
        r"$W_t - \eta \frac{G}{s_t + G \odot G + \epsilon}$: without the square root the step scales "
        r"like $1/G$ for a large gradient and is no longer scale-free.",
        r"$W_t - \eta \frac{G}{\sqrt{s_t} + \epsilon}$: the accumulator before this step's squares; "
        r"at the first step that divides by $\epsilon$ alone.",
    ),
)
