"""ReLU'(z) = 𝟙[z > 0], away from the kink at z = 0."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Fn, Indicator, Max, Piecewise, num
from derivations.notation import z

positive = Cond(z, ">", num(0))

DERIVATION = Derivation(
    id="relu-derivative",
    title="Derivative of ReLU",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and $\operatorname{ReLU}(z) = \max(0, z)$. "
        r"ReLU has no derivative at $z = 0$; the formula holds for $z \ne 0$, and implementations "
        r"(the reference MLP too) take the value 0 at the kink."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(Fn("relu", z), z),
            steps=(
                Step(Deriv(Max(num(0), z), z), r"definition: $\operatorname{ReLU}(z) = \max(0, z)$"),
                Step(
                    Piecewise(((num(1), positive), (num(0), None))),
                    r"$\max(0, z)$ is $z$ for $z > 0$ and $0$ for $z < 0$: differentiate each piece",
                ),
                Step(Indicator(positive), r"a 1/0 case split is the indicator $\mathbb{1}[z > 0]$"),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="relu", bind={"z": "z"}),
    mistakes=(
        r"$\max(0, z)$ itself (the activation) in place of its derivative $\mathbb{1}[z > 0]$.",
        r"$\mathbb{1}[a > 0]$ and $\mathbb{1}[z > 0]$ agree for ReLU, but $\mathbb{1}[z < 0]$ "
        r"(the indicator flipped) kills exactly the units that should pass the gradient.",
        r"Writing $z$ for $z > 0$: the derivative of the identity piece is 1, not $z$.",
    ),
)
