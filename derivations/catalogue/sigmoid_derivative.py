"""σ'(z) = σ(z)(1 − σ(z)): the logistic sigmoid's derivative, written with its own output."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, exp, fn
from derivations.notation import z

e = exp(-z)  # e^{-z}
s = fn("sigmoid", z)

DERIVATION = Derivation(
    id="sigmoid-derivative",
    title="Derivative of the sigmoid",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and the logistic sigmoid "
        r"$\operatorname{sigmoid}(z) = \frac{1}{1 + e^{-z}}$ (the course's $\sigma$ when the "
        r"network "
        r"uses sigmoids). Applied to a vector $\unchecked{z^{(l)}}$ it acts entry by entry, so this scalar "
        r"derivative is the diagonal of $\unchecked{\partial a^{(l)}/\partial z^{(l)}}$."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(s, z),
            steps=(
                Step(Deriv(1 / (1 + e), z), r"definition of the sigmoid"),
                Step(
                    e / (1 + e) ** 2,
                    r"chain rule with $u = 1 + e^{-z}$: $\unchecked{\frac{d}{dz} u^{-1} = -u^{-2} u'}$ and "
                    r"$\unchecked{u' = -e^{-z}}$, so the two minus signs cancel",
                ),
                Step((1 / (1 + e)) * (e / (1 + e)), r"split the fraction into two factors"),
                Step(
                    s * (1 - s),
                    r"the first factor is $\operatorname{sigmoid}(z)$, and the second is "
                    r"$\frac{(1 + e^{-z}) - 1}{1 + e^{-z}} = 1 - \operatorname{sigmoid}(z)$",
                ),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="sigmoid", bind={"z": "z"}),
    mistakes=(
        r"$-\frac{e^{-z}}{(1 + e^{-z})^2}$: one of the two minus signs of the chain rule lost; the "
        r"sigmoid is increasing, so its derivative is positive (tag `sign-error`).",
        r"$\sigma(z)(1 - \sigma(z))$ evaluated at the output, $\unchecked{\sigma(a)(1 - \sigma(a))}$: the "
        r"formula "
        r"in terms of the output $\unchecked{a = \sigma(z)}$ is $\unchecked{a(1 - a)}$, with no second "
        r"$\sigma$.",
        r"$\sigma(z)(1 - \sigma(z))$ used for every activation: it holds for the sigmoid only "
        r"(tanh has $1 - \tanh^2 z$).",
    ),
)
