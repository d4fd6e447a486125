"""One gradient step on J + λ‖W‖₁ is W − η(G + λ sign(W)), where no entry of W is 0."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Norm, fn, scalar
from derivations.notation import G, J, W_l, eta, lam

J_reg = scalar("J_lambda", r"J_\lambda")
PENALTY = lam * Norm(W_l, "l1")

DERIVATION = Derivation(
    id="l1-update",
    title="Gradient step with L1 regularisation",
    topic="regularization",
    context=(
        r"$J(W)$ is the unregularised cost of the weights $W = W^{(l)}$ of one layer, with gradient "
        r"$G = \partial J / \partial W$ from backpropagation. The L1-regularised cost is "
        r"$\unchecked{J_\lambda(W) = J(W) + \lambda \lVert W \rVert_1 = J(W) + "
        r"\lambda \sum_{i,j} \lvert W_{ij} \rvert}$. "
        r"$\lvert w \rvert$ has no derivative at $\unchecked{w = 0}$, so the step below holds "
        r"where no entry of "
        r"$W$ is zero (implementations use the subgradient $\operatorname{sign}(0) = 0$ there)."
    ),
    symbols=(W_l, G, eta, lam),
    definitions=(
        (J_reg, J + PENALTY),
        (G, Deriv(J, W_l)),
    ),
    chains=(
        Chain(
            start=W_l - eta * Deriv(J_reg, W_l),
            steps=(
                Step(
                    W_l - eta * (Deriv(J, W_l) + lam * Deriv(Norm(W_l, "l1"), W_l)),
                    r"the gradient of a sum is the sum of the gradients, and the constant "
                    r"$\lambda$ comes out",
                ),
                Step(
                    W_l - eta * (G + lam * fn("sign", W_l)),
                    r"$G = \partial J/\partial W$, and $\unchecked{\partial \lVert W \rVert_1 / "
                    r"\partial W_{ij} = "
                    r"\frac{d \lvert W_{ij} \rvert}{d W_{ij}} = "
                    r"\operatorname{sign}(W_{ij})}$ for $W_{ij} \ne 0$",
                ),
            ),
        ),
    ),
    probe=Probe(
        kind="update",
        layer=1,
        bind={"W_l": "W[l]", "G": "G[l]", "eta": "eta", "lambda": "lambda"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "l1": 0.1},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "l1": 0.05},
        ),
    ),
    mistakes=(
        r"$W - \eta (G + \lambda W)$: the L2 rule; the derivative of $\lvert w \rvert$ is "
        r"$\operatorname{sign}(w)$, not $w$ (tag `wrong-regularizer`).",
        r"$W - \eta G - \lambda \operatorname{sign}(W)$: the penalty's gradient not scaled by the "
        r"learning rate (tag `wrong-scale`).",
        r"$W - \eta G$: the penalty's term left out, as if $\lambda\lVert W \rVert_1$ had no "
        r"gradient (tag `missing-term`).",
        r"$W - \eta (G + \lambda \lvert W \rvert)$: the penalty itself in place of its "
        r"derivative; "
        r"it would push negative weights further from zero.",
    ),
)
