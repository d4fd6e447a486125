"""ReLU'(z) = 𝟙[z > 0], away from the kink at z = 0."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Indicator, Max, Piecewise, fn, num
from derivations.notation import z

positive = Cond(z, ">", num(0))

DERIVATION = Derivation(
    id="relu-derivative",
    title="Derivative of ReLU",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and $\operatorname{ReLU}(z) = \max(0, z)$. "
        r"ReLU has no derivative at $z = 0$; the formula holds for $\unchecked{z \ne 0}$, and "
        r"implementations "
        r"(the reference MLP too) take the value 0 at the kink."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(fn("relu", z), z),
            steps=(
                Step(Deriv(Max(num(0), z), z), r"definition: $\operatorname{ReLU}(z) = \max(0, z)$"),
                Step(
                    Deriv(Piecewise(((z, positive), (num(0), None))), z),
                    r"$\max(0, z)$ is $z$ where $z > 0$ and $0$ where $z < 0$",
                ),
                Step(
                    Piecewise(((num(1), positive), (num(0), None))),
                    r"away from $z = 0$ differentiate each piece: $\frac{d}{dz} z = 1$, "
                    r"$\frac{d}{dz} 0 = 0$",
                ),
                Step(Indicator(positive), r"a 1/0 case split is the indicator $\mathbb{1}[z > 0]$"),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="relu", bind={"z": "z"}),
    mistakes=(
        r"$\max(0, z)$: the activation itself in place of its derivative; the same mistake as "
        r"writing $z$ rather than 1 for $z > 0$ (tag `activation-instead-of-derivative`).",
        r"$\mathbb{1}[z < 0]$: the indicator flipped, which blocks exactly the units that should "
        r"pass the gradient. ($\unchecked{\mathbb{1}[a > 0]}$ is fine: for ReLU it is the same test.)",
        r"A value at the kink presented as the derivative (“1 for $z \ge 0$”): ReLU has no "
        r"derivative at 0; taking 0 or 1 there is a convention of the code, not a result.",
    ),
)
