"""LeakyReLU'(z): 1 for z > 0 and 0.1 for z < 0, with LeakyReLU(z) = max(0.1 z, z)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Max, Piecewise, fn, num
from derivations.notation import z

slope = num("1/10")
positive = Cond(z, ">", num(0))

DERIVATION = Derivation(
    id="leaky-relu-derivative",
    title="Derivative of LeakyReLU",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and the slides' "
        r"$\operatorname{LeakyReLU}(z) = \max(0.1 z, z)$. Like ReLU it has a kink at $z = 0$; "
        r"the "
        r"formula holds for $\unchecked{z \ne 0}$ (the reference MLP takes the slope $0.1$ at the kink)."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(fn("leaky_relu", z), z),
            steps=(
                Step(
                    Deriv(Max(slope * z, z), z),
                    r"definition: $\operatorname{LeakyReLU}(z) = \max(0.1z, z)$",
                ),
                Step(
                    Deriv(Piecewise(((z, positive), (slope * z, None))), z),
                    r"for $z > 0$, $z > 0.1z$ and the max is $z$; for $z < 0$, $0.1z > z$ and it is $0.1z$",
                ),
                Step(
                    Piecewise(((num(1), positive), (slope, None))),
                    r"away from $z = 0$ differentiate each piece: $\frac{d}{dz} z = 1$, "
                    r"$\frac{d}{dz} 0.1z = 0.1$",
                ),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="leaky-relu", bind={"z": "z"}),
    mistakes=(
        r"0 for $z < 0$, the ReLU derivative: the point of the leak is that the slope there is $0.1$.",
        r"$0.1z$ for $z < 0$: the piece $0.1z$ has derivative $0.1$.",
        r"The cases swapped ($0.1$ for $z > 0$): for positive $z$, $z > 0.1z$, so the max is $z$ "
        r"and the slope is 1.",
    ),
)
