"""∂L/∂W^{(l)} = δ^{(l)} (a^{(l-1)})ᵀ: the weight gradient of one example is an outer product."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Entry, IndexSum, KDelta, scalar
from derivations.notation import W_l, a_prev, b_l, delta_l, z_l

L = scalar("L", "L", depends=(z_l,))

# the index level: entry (i, j), through every z_k, of which only z_i contains W_{ij}
dL_dz = Deriv(L, z_l)
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, W_l), "i", "j"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(dL_dz, "k") * Entry(Deriv(Entry(z_l, "k"), W_l), "i", "j")),
            r"chain rule through every entry $z^{(l)}_k$ of the layer",
        ),
        Step(
            IndexSum("k", Entry(dL_dz, "k") * (KDelta("k", "i") * Entry(a_prev, "j"))),
            r"$z^{(l)}_k = \sum_j W^{(l)}_{kj} a^{(l-1)}_j + b^{(l)}_k$ contains $W^{(l)}_{ij}$ only when "
            r"$k = i$, with the factor $a^{(l-1)}_j$: the derivative is "
            r"$\unchecked{\delta_{ki} a^{(l-1)}_j}$ (Kronecker's $\delta_{ki}$, 1 if $k = i$, else 0)",
        ),
        Step(
            Entry(dL_dz, "i") * Entry(a_prev, "j"),
            r"$\delta_{ki}$ keeps the single term $k = i$ of the sum",
        ),
        Step(Entry(delta_l, "i") * Entry(a_prev, "j"),
             r"definition $\delta^{(l)} = \partial L / \partial z^{(l)}$"),
        Step(
            Entry(delta_l @ a_prev.T, "i", "j"),
            r"entry $(i, j)$ of the outer product $\delta^{(l)} (a^{(l-1)})^\top$ is "
            r"$\delta^{(l)}_i a^{(l-1)}_j$: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="weight-gradient",
    title="Weight gradient of one layer",
    topic="backprop",
    context=(
        "Column convention, one example. Layer $l$ computes "
        r"$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$ with $W^{(l)}$ of size $n_l \times n_{l-1}$; "
        r"the loss $L$ depends on $W^{(l)}$ only through $z^{(l)}$, and "
        r"$\delta^{(l)} = \partial L / \partial z^{(l)}$ ($n_l \times 1$) is known from the "
        r"backward pass. The gradient $\partial L / \partial W^{(l)}$ has the shape of $W^{(l)}$: "
        r"entry $(i, j)$ is $\partial L / \partial W^{(l)}_{ij}$."
    ),
    symbols=(W_l, a_prev, b_l, z_l, delta_l),
    definitions=(
        (z_l, W_l @ a_prev + b_l),
        (delta_l, Deriv(L, z_l)),
    ),
    chains=(
        Chain(
            start=Deriv(L, W_l),
            steps=(
                Step(
                    Deriv(L, z_l) @ a_prev.T,
                    r"chain rule: $z^{(l)}_i = \sum_k W^{(l)}_{ik} a^{(l-1)}_k + b^{(l)}_i$, so "
                    r"$W^{(l)}_{ij}$ enters only $z^{(l)}_i$, with factor $a^{(l-1)}_j$; entry "
                    r"$(i, j)$ is "
                    r"$\frac{\partial L}{\partial z^{(l)}_i} a^{(l-1)}_j$, an outer product",
                ),
                Step(
                    delta_l @ a_prev.T,
                    r"definition $\delta^{(l)} = \partial L / \partial z^{(l)}$",
                ),
            ),
        ),
        INDEX_CHAIN,
    ),
    probe=Probe(
        kind="dW",
        layer=1,
        bind={"delta_l": "delta[l]", "a_prev": "a[l-1]"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 1},
            {"sizes": (2, 5, 3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$a^{(l-1)} (\delta^{(l)})^\top$: the transpose of the answer, $n_{l-1} \times n_l$ where "
        r"$W^{(l)}$ is $n_l \times n_{l-1}$; a gradient has the shape of the matrix it is taken with "
        r"respect to (tag `transposed`).",
        r"$\unchecked{\delta^{(l)} a^{(l-1)}}$: two columns side by side, which do not multiply; entry "
        r"$(i, j)$ "
        r"is $\delta^{(l)}_i a^{(l-1)}_j$, an outer product, so $a^{(l-1)}$ needs its transpose "
        r"(tag `missing-transpose`).",
        r"$\unchecked{\delta^{(l)} (a^{(l)})^\top}$: the activation of the wrong layer; $W^{(l)}$ multiplies "
        r"the layer's *input* $a^{(l-1)}$ (tag `wrong-layer`).",
        r"$\unchecked{\partial z^{(l)} / \partial W^{(l)}_{ij} = a^{(l-1)}}$, the whole vector: "
        r"$W^{(l)}_{ij}$ "
        r"enters only $z^{(l)}_i$, with the single factor $a^{(l-1)}_j$.",
    ),
)
