"""The L2 step as weight decay: W − η(G + λW) = (1 − ηλ)W − ηG."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Norm, scalar, summ
from derivations.notation import G, J, W_l, eta, lam

J_reg = scalar("J_lambda", r"J_\lambda")

DERIVATION = Derivation(
    id="l2-weight-decay",
    title="L2 regularisation is weight decay",
    topic="regularization",
    context=(
        r"The L2-regularised cost $\unchecked{J_\lambda(W) = J(W) + \frac{\lambda}{2} \lVert W \rVert_F^2}$ "
        r"of the "
        r"weights $W = W^{(l)}$ of one layer, with $G = \partial J / \partial W$ the gradient of "
        r"the "
        r"unregularised cost. Written the slides' way, one gradient step first shrinks every weight by "
        r"the factor $1 - \eta\lambda$ and then takes the ordinary step $-\eta G$."
    ),
    symbols=(W_l, G, eta, lam),
    definitions=(
        (J_reg, J + lam / 2 * Norm(W_l, "fro2")),
        (G, Deriv(J, W_l)),
    ),
    chains=(
        Chain(
            start=W_l - eta * Deriv(J_reg, W_l),
            steps=(
                Step(
                    W_l - eta * (G + lam * W_l),
                    r"the gradient of $J_\lambda$ is $G + \lambda W$ (derivation l2-update)",
                ),
                Step(
                    summ(W_l, -(eta * lam * W_l), -(eta * G)),
                    r"distribute $\eta$",
                ),
                Step(
                    (1 - eta * lam) * W_l - eta * G,
                    r"collect the terms in $W$",
                ),
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
        r"$(1 - \lambda) W - \eta G$: the decay factor is $1 - \eta\lambda$; the learning rate "
        r"scales the penalty too (tag `wrong-scale`).",
        r"$(1 + \eta\lambda) W - \eta G$: a sign slip that makes the weights grow at every step "
        r"(tag `sign-error`).",
        r"$(1 - \eta\lambda)(W - \eta G)$: decaying after the step multiplies $G$ by "
        r"$1 - \eta\lambda$ as well.",
    ),
)
