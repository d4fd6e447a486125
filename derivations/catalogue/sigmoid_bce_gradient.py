"""∂L/∂z = σ(z) − y for a sigmoid output with binary cross-entropy."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, fn, log, scalar
from derivations.notation import z

y = scalar("y", "y")
L = scalar("L", "L")
s = fn("sigmoid", z)
ds = s * (1 - s)  # sigmoid-derivative

DERIVATION = Derivation(
    id="sigmoid-bce-gradient",
    title="Sigmoid with binary cross-entropy: the output delta",
    topic="outputs and losses",
    context=(
        r"One output unit of a binary classifier: logit $z$, prediction "
        r"$\operatorname{sigmoid}(z) = 1/(1 + e^{-z})$ and target $\unchecked{y \in [0, 1]}$, with the "
        r"binary "
        r"cross-entropy "
        r"$L = -[\,y \log \operatorname{sigmoid}(z) + (1 - y)\log(1 - \operatorname{sigmoid}(z))\,]$. "
        r"With several independent sigmoid outputs the same holds entry by entry."
    ),
    symbols=(z, y, L),
    definitions=((L, -(y * log(s) + (1 - y) * log(1 - s))),),
    chains=(
        Chain(
            start=Deriv(L, z),
            steps=(
                Step(
                    -(y * ds / s - (1 - y) * ds / (1 - s)),
                    r"chain rule, $\unchecked{\frac{d}{dz}\log u = u'/u}$, for $u = "
                    r"\operatorname{sigmoid}(z)$ and "
                    r"$\unchecked{u = 1 - \operatorname{sigmoid}(z)}$, with "
                    r"$\unchecked{\operatorname{sigmoid}' = \operatorname{sigmoid}(1 - "
                    r"\operatorname{sigmoid})}$ "
                    r"(sigmoid-derivative)",
                ),
                Step(
                    -(y * (1 - s) - (1 - y) * s),
                    r"cancel $\operatorname{sigmoid}(z)$ in the first fraction and "
                    r"$1 - \operatorname{sigmoid}(z)$ in the second",
                ),
                Step(
                    s - y,
                    r"expand: $-y + y\,\operatorname{sigmoid}(z) + \operatorname{sigmoid}(z) "
                    r"- y\,\operatorname{sigmoid}(z)$, and the $y\,\operatorname{sigmoid}(z)$ terms cancel",
                ),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(
        kind="loss-output",
        bind={"z": "z[L]", "y": "Y"},
        networks=(
            {"sizes": (3, 1), "activation": "sigmoid", "loss": "sigmoid-bce", "batch": 1},
            {"sizes": (2, 4, 1), "activation": "tanh", "loss": "sigmoid-bce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$(\operatorname{sigmoid}(z) - y)\,\operatorname{sigmoid}'(z)$: the MSE pattern; with "
        r"cross-entropy the $\operatorname{sigmoid}'$ cancels against the logarithm.",
        r"$y - \operatorname{sigmoid}(z)$: the sign flipped (tag `sign-error`).",
        r"$-\frac{y}{\operatorname{sigmoid}(z)} + \frac{1 - y}{1 - \operatorname{sigmoid}(z)}$: only "
        r"$\unchecked{\partial L / \partial a}$, the chain rule through the sigmoid forgotten.",
    ),
)
