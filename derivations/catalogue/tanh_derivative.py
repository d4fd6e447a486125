"""tanh'(z) = 1 − tanh²(z), from tanh written with exponentials."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, exp, fn
from derivations.notation import z

ep, em = exp(z), exp(-z)  # e^{z}, e^{-z}
t = fn("tanh", z)

DERIVATION = Derivation(
    id="tanh-derivative",
    title="Derivative of tanh",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and $\tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$, "
        r"the hidden activation of the slides' two-layer network. Applied to a vector it acts entry by "
        r"entry, which is where the slides' $\unchecked{(1 - \tanh^2 z_1) \circ \dots}$ comes from."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(t, z),
            steps=(
                Step(Deriv((ep - em) / (ep + em), z), r"definition of $\tanh$"),
                Step(
                    ((ep + em) ** 2 - (ep - em) ** 2) / (ep + em) ** 2,
                    r"quotient rule $\unchecked{(u/v)' = (u'v - uv')/v^2}$ with $u = e^{z} - e^{-z}$ and "
                    r"$v = e^{z} + e^{-z}$: here $\unchecked{u' = v}$ and $\unchecked{v' = u}$",
                ),
                Step(
                    1 - (ep - em) ** 2 / (ep + em) ** 2,
                    r"split the fraction: $\unchecked{v^2 / v^2 = 1}$",
                ),
                Step(1 - t**2, r"$\unchecked{u / v = \tanh z}$, so $\unchecked{u^2 / v^2 = \tanh^2 z}$"),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="tanh", bind={"z": "z"}),
    mistakes=(
        r"$1 - \tanh z$ or $(1 - \tanh z)^2$ in place of $1 - \tanh^2 z = 1 - (\tanh z)^2$.",
        r"$1 + \tanh^2(z)$: a sign slip in the quotient rule; the derivative of tanh is at most 1 "
        r"(tag `sign-error`).",
        r"$\tanh z\,(1 - \tanh z)$, the sigmoid's pattern carried over to tanh.",
    ),
)
