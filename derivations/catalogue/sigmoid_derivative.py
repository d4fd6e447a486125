"""σ'(z) = σ(z)(1 − σ(z)): the logistic sigmoid's derivative, written with its own output."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Fn
from derivations.notation import z

e = Fn("exp", -z)  # e^{-z}
s = Fn("sigmoid", z)

DERIVATION = Derivation(
    id="sigmoid-derivative",
    title="Derivative of the sigmoid",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and the logistic sigmoid "
        r"$\operatorname{sigmoid}(z) = \frac{1}{1 + e^{-z}}$ (the course's $\sigma$ when the network "
        r"uses sigmoids). Applied to a vector $z^{(l)}$ it acts entry by entry, so this scalar "
        r"derivative is the diagonal of $\partial a^{(l)}/\partial z^{(l)}$."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(s, z),
            steps=(
                Step(Deriv(1 / (1 + e), z), r"definition of the sigmoid"),
                Step(
                    e / (1 + e) ** 2,
                    r"chain rule: $\frac{d}{dz}(1 + e^{-z})^{-1} = -(1 + e^{-z})^{-2} \cdot (-e^{-z})$",
                ),
                Step((1 / (1 + e)) * (e / (1 + e)), r"split the fraction into two factors"),
                Step(s * (1 - s), r"$\frac{e^{-z}}{1 + e^{-z}} = 1 - \frac{1}{1 + e^{-z}}$"),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="sigmoid", bind={"z": "z"}),
    mistakes=(
        r"$\sigma(z)(1 - \sigma(z))$ evaluated at the output, $\sigma(a)(1 - \sigma(a))$: the formula "
        r"in terms of the output is $a(1 - a)$, with no second $\sigma$.",
        r"A sign slip in the chain rule, giving $-\frac{e^{-z}}{(1 + e^{-z})^2}$: the sigmoid is "
        r"increasing, so its derivative is positive.",
        r"$\sigma(z)(1 - \sigma(z))$ used for every activation: it holds for the sigmoid only "
        r"(tanh has $1 - \tanh^2 z$).",
    ),
)
