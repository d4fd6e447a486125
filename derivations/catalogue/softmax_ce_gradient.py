"""δ^{(L)} = p − y for softmax followed by cross-entropy, with a general target distribution y."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Hadamard, Ones, Softmax, T, scalar
from derivations.notation import N_OUT, p, y, z_L

L = scalar("L", "L")

DERIVATION = Derivation(
    id="softmax-ce-gradient",
    title="Softmax with cross-entropy: the output delta",
    topic="outputs and losses",
    context=(
        r"The output layer of a classifier, one example: logits $z^{(L)}$, "
        r"$p = \operatorname{softmax}(z^{(L)})$ and the cross-entropy $L = -\sum_k y_k \log p_k$ against "
        r"a target distribution $y$ (one-hot or not; $y_k \ge 0$ and $\sum_k y_k = 1$). Column "
        r"convention; $\delta^{(L)} = \partial L / \partial z^{(L)}$."
    ),
    symbols=(z_L, p, y, L),
    definitions=(
        (p, Softmax(z_L)),
        (L, -(T(Ones(N_OUT)) * Hadamard(y, Fn("log", p)))),
    ),
    simplex=("y",),
    chains=(
        Chain(
            start=Deriv(L, z_L),
            steps=(
                Step(
                    T(Deriv(p, z_L)) * Deriv(L, p),
                    r"chain rule: $\partial L/\partial z = "
                    r"(\partial p/\partial z)^\top \, \partial L/\partial p$",
                ),
                Step(
                    -(T(Diag(p) - p * T(p)) * (y / p)),
                    r"softmax Jacobian (softmax-jacobian), and $\partial L/\partial p_k = -y_k/p_k$",
                ),
                Step(
                    p * (T(Ones(N_OUT)) * y) - y,
                    r"the Jacobian is symmetric, $\operatorname{diag}(p)(y \oslash p) = y$ and "
                    r"$p^\top (y \oslash p) = \mathbf{1}^\top y$",
                ),
                Step(p - y, r"$\mathbf{1}^\top y = \sum_k y_k = 1$: $y$ is a distribution"),
            ),
        ),
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),
    probe=Probe(
        kind="loss-output",
        bind={"z_L": "z[L]", "p": "a[L]", "y": "Y"},
        networks=(
            {"sizes": (3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 1},
            {"sizes": (2, 5, 3), "activation": "tanh", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$y - p$: the sign flipped; a gradient step must move $p$ towards $y$.",
        r"$p - y$ multiplied by $p \odot (1 - p)$, treating softmax as elementwise: the full "
        r"Jacobian $\operatorname{diag}(p) - p\,p^\top$ collapses, nothing is left to multiply.",
        r"$-y \oslash p$: only $\partial L / \partial p$, the chain rule through softmax forgotten.",
        r"$p_i - 1$ for every entry: true only in the true class's entry of a one-hot $y$; the "
        r"others are $p_j$.",
    ),
)
