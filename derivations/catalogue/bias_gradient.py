"""∂L/∂b^{(l)} = δ^{(l)}: the bias enters z^{(l)} with an identity Jacobian."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Entry, IndexSum, KDelta, Ones, scalar
from derivations.notation import N_L, W_l, a_prev, b_l, delta_l, z_l

L = scalar("L", "L", depends=(z_l,))

# the index level: entry i, through every z_k, of which only z_i contains b_i
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, b_l), "i"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(Deriv(L, z_l), "k") * Entry(Deriv(Entry(z_l, "k"), b_l), "i")),
            r"chain rule through every entry $z^{(l)}_k$ of the layer",
        ),
        Step(
            IndexSum("k", Entry(Deriv(L, z_l), "k") * KDelta("k", "i")),
            r"$z^{(l)}_k = \sum_j W^{(l)}_{kj} a^{(l-1)}_j + b^{(l)}_k$ contains $b^{(l)}_i$ only when "
            r"$k = i$, with factor 1: the derivative is Kronecker's $\delta_{ki}$ (1 if $k = i$ and 0 "
            r"otherwise)",
        ),
        Step(
            Entry(delta_l, "i"),
            r"$\delta_{ki}$ keeps the term $k = i$, and "
            r"$\partial L / \partial z^{(l)}_i = \delta^{(l)}_i$: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="bias-gradient",
    title="Bias gradient of one layer",
    topic="backprop",
    context=(
        "Column convention, one example. Layer $l$ computes "
        r"$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$; the loss $L$ depends on $b^{(l)}$ only through "
        r"$z^{(l)}$, and $\delta^{(l)} = \partial L / \partial z^{(l)}$ is known."
    ),
    symbols=(W_l, a_prev, b_l, z_l, delta_l),
    definitions=(
        (z_l, W_l @ a_prev + b_l),
        (delta_l, Deriv(L, z_l)),
    ),
    chains=(
        Chain(
            start=Deriv(L, b_l),
            steps=(
                Step(
                    Deriv(z_l, b_l).T @ Deriv(L, z_l),
                    r"chain rule: $\partial L/\partial b^{(l)} = "
                    r"(\partial z^{(l)}/\partial b^{(l)})^\top \, \partial L/\partial z^{(l)}$",
                ),
                Step(
                    Diag(Ones(N_L)).T @ delta_l,
                    r"$z^{(l)}_i = \sum_j W^{(l)}_{ij} a^{(l-1)}_j + b^{(l)}_i$: the Jacobian with respect "
                    r"to $b^{(l)}$ is the identity $I = \operatorname{diag}(\mathbf{1})$; and "
                    r"$\partial L / \partial z^{(l)} = \delta^{(l)}$",
                ),
                Step(delta_l, r"$\unchecked{I^\top \delta^{(l)} = \delta^{(l)}}$"),
            ),
        ),
        INDEX_CHAIN,
    ),
    probe=Probe(
        kind="db",
        layer=1,
        bind={"delta_l": "delta[l]"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 1},
            {"sizes": (2, 5, 3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$\unchecked{\delta^{(l+1)}}$: the bias of layer $l$ feeds $z^{(l)}$, so its gradient is "
        r"$\delta^{(l)}$; "
        r"texts that write $\unchecked{z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}}$ state the same fact with the "
        r"index "
        r"shifted, and mixing the two conventions is how this slip happens (tag `wrong-layer`).",
        r"$\mathbf{1}^\top \delta^{(l)}$: a sum over the units, where each unit has its own bias "
        r"(tag `summed-over-outputs`).",
        r"$\delta^{(l)} (a^{(l-1)})^\top$: the weight gradient; the bias is not multiplied by the "
        r"input, so no activation appears.",
    ),
)
