"""softplus'(z) = sigmoid(z), with softplus(z) = log(1 + e^z)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, exp, fn, log
from derivations.notation import z

DERIVATION = Derivation(
    id="softplus-derivative",
    title="Derivative of softplus",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and $\operatorname{softplus}(z) = \log(1 + "
        r"e^{z})$, "
        r"a smooth ReLU. Its derivative is the logistic sigmoid."
    ),
    symbols=(z,),
    chains=(
        Chain(
            start=Deriv(fn("softplus", z), z),
            steps=(
                Step(
                    Deriv(log(1 + exp(z)), z),
                    r"definition: $\operatorname{softplus}(z) = \log(1 + e^{z})$",
                ),
                Step(
                    exp(z) / (1 + exp(z)),
                    r"chain rule: $\unchecked{\frac{d}{dz}\log u = \frac{u'}{u}}$ with $u = 1 + e^{z}$",
                ),
                Step(1 / (1 + exp(-z)), r"divide numerator and denominator by $e^{z}$"),
                Step(fn("sigmoid", z), r"definition of the sigmoid, $1 / (1 + e^{-z})$"),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="activation", activation="softplus", bind={"z": "z"}),
    mistakes=(
        r"$\frac{1}{1 + e^{z}}$, forgetting the inner derivative $e^{z}$: that is "
        r"$\operatorname{sigmoid}(-z)$.",
        r"$\operatorname{sigmoid}(z)(1 - \operatorname{sigmoid}(z))$: one derivative too many (that is "
        r"softplus'').",
        r"$e^{z}$, dropping the factor $\unchecked{\frac{1}{u}}$ of the logarithm's derivative.",
        r"$\log(1 + e^{z})$: the function itself, not its derivative "
        r"(tag `activation-instead-of-derivative`).",
    ),
)
