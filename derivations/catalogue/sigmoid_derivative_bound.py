"""σ'(z) = ¼ − (σ(z) − ½)² ≤ ¼, with equality only at z = 0."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Fn, fn, num
from derivations.notation import z

s = fn("sigmoid", z)
half = num("1/2")

DERIVATION = Derivation(
    id="sigmoid-derivative-bound",
    title="The sigmoid's derivative is at most ¼",
    topic="activations",
    context=(
        r"One unit with scalar pre-activation $z$ and the logistic sigmoid "
        r"$\operatorname{sigmoid}(z) = 1/(1 + e^{-z})$, whose derivative is "
        r"$\operatorname{sigmoid}(z)(1 - \operatorname{sigmoid}(z))$ (sigmoid-derivative). Completing "
        r"the square shows how large it can be; the bound is what makes gradients vanish through "
        r"many sigmoid layers (vanishing-gradient-bound)."
    ),
    symbols=(z,),
    chains=(
        Chain(
            name="identity",
            start=Deriv(s, z),
            steps=(
                Step(s * (1 - s), r"sigmoid-derivative"),
                Step(
                    num("1/4") - (s - half) ** 2,
                    r"complete the square: $\unchecked{u(1 - u) = \frac{1}{4} - (u - \frac{1}{2})^2}$ with "
                    r"$u = \operatorname{sigmoid}(z)$; a square is never negative, so "
                    r"$\operatorname{sigmoid}'(z) \le \frac{1}{4}$",
                ),
            ),
        ),
        Chain(
            name="maximum",
            start=Fn("sigmoid", num(0), 1),
            steps=(
                Step(
                    num("1/4") - (fn("sigmoid", num(0)) - half) ** 2,
                    r"the identity chain says $\operatorname{sigmoid}'(z) \le \frac{1}{4}$, with equality "
                    r"only where the square vanishes: $\unchecked{\operatorname{sigmoid}(z) = \frac{1}{2}}$, "
                    r"that is $z = 0$; so the largest value is the one at 0, and the identity there gives "
                    r"this",
                ),
                Step(
                    num("1/4") - (half - half) ** 2,
                    r"$\operatorname{sigmoid}(0) = \frac{1}{1 + e^{0}} = \frac{1}{2}$",
                ),
                Step(
                    num("1/4"),
                    r"the square vanishes: the maximum of $\operatorname{sigmoid}'$ is "
                    r"$\frac{1}{4}$",
                ),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(
        kind="bound", activation="sigmoid", bind={"z": "z"}, targets={"identity": "prime", "maximum": "max"}
    ),
    notes=(
        r"What the machine checks: both chains exactly (the identity, and its value at $z = 0$); "
        r"the inequality itself follows from $\unchecked{(u - \frac{1}{2})^2 \ge 0}$ and is a reason, not a "
        r"machine check. Numerically: the identity against the reference activation's "
        r"$\operatorname{sigmoid}'$ at 13 points, and the maximum of the reference "
        r"$\operatorname{sigmoid}'$ over 400 001 points of $\unchecked{[-20, 20]}$, which must "
        r"be $\frac{1}{4}$ "
        r"(to $10^{-6}$) and taken at $z = 0$. For comparison, $\tanh'(z) = 1 - \tanh^2 z \le 1$, "
        r"also with equality at 0."
    ),
    mistakes=(
        r"$\frac{1}{2}$, the value of $\operatorname{sigmoid}(0)$, in place of "
        r"$\operatorname{sigmoid}'(0) = \frac{1}{2}\cdot\frac{1}{2}$ (tag `wrong-scale`).",
        r"1, the bound of $\tanh'$: the sigmoid is a squashed tanh, "
        r"$\operatorname{sigmoid}(z) = \frac{1}{2}(1 + \tanh\frac{z}{2})$, and both the $\frac{1}{2}$ "
        r"outside and the $\frac{z}{2}$ inside scale its slope by $\frac{1}{2}$.",
        r"A maximum at the output's extremes: $\operatorname{sigmoid}'$ is largest where the "
        r"sigmoid "
        r"is steepest, $z = 0$, and tends to 0 where it saturates.",
    ),
)
