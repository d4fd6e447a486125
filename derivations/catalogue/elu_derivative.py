"""ELU'(z): 1 for z > 0 and α e^z for z < 0."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Piecewise, exp, num, scalar
from derivations.notation import alpha, z

elu = scalar("elu", r"\operatorname{ELU}(z)")
negative_piece = alpha * (exp(z) - 1)

DERIVATION = Derivation(
    id="elu-derivative",
    title="Derivative of ELU",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and the exponential linear unit "
        r"$\unchecked{\operatorname{ELU}(z) = z}$ for $\unchecked{z \ge 0}$ and $\alpha(e^{z} - 1)$ for "
        r"$\unchecked{z < 0}$, with a "
        r"constant $\alpha > 0$ (the reference MLP uses $\alpha = 1$). The formula holds for $z \ne 0$; "
        r"with $\alpha = 1$ both one-sided derivatives at 0 are 1."
    ),
    symbols=(z, alpha, elu),
    definitions=((elu, Piecewise(((z, Cond(z, ">=", num(0))), (negative_piece, None)))),),
    chains=(
        Chain(
            start=Deriv(elu, z),
            steps=(
                Step(
                    Piecewise(((Deriv(z, z), Cond(z, ">", num(0))), (Deriv(negative_piece, z), None))),
                    r"away from $z = 0$ each piece holds on a whole interval around $z$: "
                    r"differentiate each piece",
                ),
                Step(
                    Piecewise(((num(1), Cond(z, ">", num(0))), (alpha * exp(z), None))),
                    r"$\frac{d}{dz} z = 1$ and $\unchecked{\frac{d}{dz}\,\alpha(e^{z} - 1) = "
                    r"\alpha e^{z}}$",
                ),
            ),
        ),
    ),
    sizes=({},),
    positive=("alpha",),
    notes=(
        r"For $z < 0$, $\unchecked{\alpha e^{z} = \operatorname{ELU}(z) + \alpha}$: an implementation can "
        r"reuse "
        r"the forward value instead of computing $e^{z}$ again."
    ),
    probe=Probe(kind="activation", activation="elu", bind={"z": "z", "alpha": "alpha"}),
    mistakes=(
        r"$\alpha(e^{z} - 1)$ for $z < 0$: the activation in place of its derivative; the $-1$ is a "
        r"constant and disappears.",
        r"$\mathbb{1}[z > 0] + e^{z}\,\mathbb{1}[z < 0]$: the factor $\alpha$ of the negative piece "
        r"is lost; right only for $\alpha = 1$ (tag `wrong-scale`).",
        r"0 for $z < 0$, as for ReLU: ELU's negative side has a non-zero slope that decays like $e^{z}$.",
    ),
)
