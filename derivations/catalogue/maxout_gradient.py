"""Maxout h = max(w₁ᵀx + b₁, w₂ᵀx + b₂): the gradient reaches only the winning piece."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Expr, Indicator, Max, Sym, scalar, vec

D_IN = "d"
x = vec("x", D_IN, "x")
w1, w2 = vec("w1", D_IN, "w_1"), vec("w2", D_IN, "w_2")
b1, b2 = scalar("b1", "b_1"), scalar("b2", "b_2")
z1, z2 = scalar("z1", "z_1"), scalar("z2", "z_2")
h = scalar("h", "h")

wins = Indicator(Cond(z1, ">", z2))  # 𝟙[z₁ > z₂]
loses = Indicator(Cond(z2, ">", z1))


def through_max(wrt: Sym) -> Expr:
    """∂h/∂wrt away from ties: the derivative of whichever piece is the maximum."""
    return wins * Deriv(z1, wrt) + loses * Deriv(z2, wrt)


DERIVATION = Derivation(
    id="maxout-gradient",
    title="Gradient of a maxout unit",
    topic="activations",
    context=(
        r"A maxout unit with two pieces, as on the slides: input $\unchecked{x \in \mathbb{R}^d}$, "
        r"$z_1 = w_1^\top x + b_1$, $z_2 = w_2^\top x + b_2$ and $h = \max(z_1, z_2)$. The gradient "
        r"with respect to the first piece's parameters; it exists wherever $z_1 \ne z_2$ (a tie is a "
        r"kink, like ReLU's $z = 0$; ReLU is the maxout with $w_2 = 0$, $b_2 = 0$). The second piece "
        r"is the same with the roles swapped."
    ),
    symbols=(x, w1, b1, w2, b2, z1, z2, h),
    definitions=(
        (z1, w1.T @ x + b1),
        (z2, w2.T @ x + b2),
        (h, Max(z1, z2)),
    ),
    chains=(
        Chain(
            name="w1",
            start=Deriv(h, w1),
            steps=(
                Step(
                    through_max(w1),
                    r"away from ties $\max(z_1, z_2)$ is $z_1$ where $\unchecked{z_1 > z_2}$ and $z_2$ where "
                    r"$z_2 > z_1$: chain rule through the piece that wins",
                ),
                Step(
                    x * wins,
                    r"$\partial (w_1^\top x + b_1)/\partial w_1 = x$, and $z_2$ does not depend on $w_1$",
                ),
            ),
        ),
        Chain(
            name="b1",
            start=Deriv(h, b1),
            steps=(
                Step(through_max(b1), r"the same case split"),
                Step(
                    wins,
                    r"$\partial (w_1^\top x + b_1)/\partial b_1 = 1$, and $z_2$ does not depend on $b_1$",
                ),
            ),
        ),
    ),
    sizes=({D_IN: 2}, {D_IN: 3}),
    probe=Probe(kind="maxout", bind={"x": "x", "w1": "w1", "b1": "b1", "w2": "w2", "b2": "b2"}),
    mistakes=(
        r"$x$ with no indicator: the losing piece receives no gradient at all; the indicator is the "
        r"unit's derivative $\partial h / \partial z_1$ (tag `missing-activation-derivative`).",
        r"$\frac{1}{2} x$, splitting the gradient between the pieces as if the max were an average.",
        r"$w_1$ in place of $x$: the derivative of $w_1^\top x$ with respect to $w_1$ is $x$ "
        r"(with respect to $x$ it would be $w_1$).",
        r"$x\,\mathbb{1}[z_1 > 0]$: the ReLU rule carried over; maxout compares the two pieces "
        r"with each other, not with 0.",
    ),
)
