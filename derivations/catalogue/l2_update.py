"""One gradient step on J + (λ/2)‖W‖²_F is W − η(G + λW)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Norm, scalar
from derivations.notation import G, J, W_l, eta, lam

J_reg = scalar("J_lambda", r"J_\lambda")
HALF_LAMBDA = lam / 2 * Norm(W_l, "fro2")

DERIVATION = Derivation(
    id="l2-update",
    title="Gradient step with L2 regularisation",
    topic="regularization",
    context=(
        r"$J(W)$ is the unregularised cost of the weights $W = W^{(l)}$ of one layer (any "
        r"differentiable function; its gradient $G = \partial J / \partial W$ comes from "
        r"backpropagation). The L2-regularised cost is "
        r"$\unchecked{J_\lambda(W) = J(W) + \frac{\lambda}{2} \lVert W \rVert_F^2 = J(W) + \frac{\lambda}{2} "
        r"\sum_{i,j} W_{ij}^2}$, and one step of gradient descent with learning rate $\eta$ is "
        r"$W - \eta \, \partial J_\lambda / \partial W$. Biases are not regularised."
    ),
    symbols=(W_l, G, eta, lam),
    definitions=(
        (J_reg, J + HALF_LAMBDA),
        (G, Deriv(J, W_l)),
    ),
    chains=(
        Chain(
            start=W_l - eta * Deriv(J_reg, W_l),
            steps=(
                Step(
                    W_l - eta * (Deriv(J, W_l) + Deriv(HALF_LAMBDA, W_l)),
                    "the gradient of a sum is the sum of the gradients",
                ),
                Step(
                    W_l - eta * (G + lam / 2 * 2 * W_l),
                    r"$G = \partial J/\partial W$; and $W_{ij}$ appears in "
                    r"$\lVert W \rVert_F^2 = \sum_{k,n} W_{kn}^2$ only as "
                    r"$W_{ij}^2$, whose derivative "
                    r"is $2 W_{ij}$",
                ),
                Step(W_l - eta * (G + lam * W_l), r"$\frac{\lambda}{2} \cdot 2 = \lambda$"),
            ),
        ),
    ),
    probe=Probe(
        kind="update",
        layer=1,
        bind={"W_l": "W[l]", "G": "G[l]", "eta": "eta", "lambda": "lambda"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "l2": 0.1},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "l2": 0.05},
        ),
    ),
    mistakes=(
        r"$W - \eta (G + 2\lambda W)$ or $W - \eta (G + \frac{\lambda}{2} W)$: the factor 2 of the "
        r"square doubled or lost; the $\frac{1}{2}$ in $\frac{\lambda}{2}$ is there to cancel it "
        r"(tag `wrong-scale`).",
        r"$W - \eta G - \lambda W$: the penalty's gradient must be scaled by $\eta$ like the rest of "
        r"the gradient (tag `wrong-scale`); and $W - \eta G + \lambda W$ also has the sign wrong, "
        r"the penalty *shrinks* $W$.",
        r"$W - \eta (G + \lambda \operatorname{sign}(W))$: the L1 rule; the derivative of "
        r"$\frac{1}{2} w^2$ is $w$ (tag `wrong-regularizer`).",
        r"The norm without its square, $\frac{\lambda}{2}\lVert W \rVert_F$: its gradient is "
        r"$\frac{\lambda}{2} W / \lVert W \rVert_F$, not $\lambda W$; the L2 penalty is the sum "
        r"of "
        r"the *squared* weights. (Biases are not regularised either.)",
    ),
)
