"""∂J/∂W^{(l)} = (1/m) Δ^{(l)} (A^{(l-1)})ᵀ: the mean of the per-example outer products."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Entry, IndexSum, KDelta, Ones, scalar
from derivations.notation import A_prev, Delta_l, M, W_l, Z_l, b_l, m

# Σ_i L_i as a function of the whole batch Z^{(l)}: L_i depends on column i only, so column i of
# ∂(Σ_i L_i)/∂Z^{(l)} is the δ of example i; no formula for the losses is needed.
S = scalar("S", r"\textstyle\sum_i L_i", depends=(Z_l,))
J = scalar("J_batch", "J")

# the index level: entry (i, j) of the gradient, k a unit of the layer and n an example
dJ_dZ = Deriv(J, Z_l)
INDEX_CHAIN = Chain(
    start=Entry(Deriv(J, W_l), "i", "j"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", IndexSum("n", Entry(dJ_dZ, "k", "n")
                                   * Entry(Deriv(Entry(Z_l, "k", "n"), W_l), "i", "j"))),
            r"chain rule through every entry $Z^{(l)}_{kn}$: unit $k$ of the layer, example $n$",
        ),
        Step(
            IndexSum("k", IndexSum("n", Entry(dJ_dZ, "k", "n")
                                   * (KDelta("k", "i") * Entry(A_prev, "j", "n")))),
            r"$Z^{(l)}_{kn} = \sum_j W^{(l)}_{kj} A^{(l-1)}_{jn} + b^{(l)}_k$ contains $W^{(l)}_{ij}$ only "
            r"when $k = i$, with the factor $A^{(l-1)}_{jn}$ (Kronecker's $\delta_{ki}$), in every "
            r"example $n$",
        ),
        Step(
            IndexSum("n", Entry(dJ_dZ, "i", "n") * Entry(A_prev, "j", "n")),
            r"$\delta_{ki}$ keeps the terms $k = i$",
        ),
        Step(
            1 / m * IndexSum("n", Entry(Delta_l, "i", "n") * Entry(A_prev, "j", "n")),
            r"$J$ is $\frac{1}{m}$ times the summed loss, whose derivative by $Z^{(l)}$ is "
            r"$\Delta^{(l)}$: one term per example $n$, column $n$ of $\Delta^{(l)}$ times column $n$ of "
            r"$A^{(l-1)}$",
        ),
        Step(
            Entry(1 / m * (Delta_l @ A_prev.T), "i", "j"),
            r"a sum over the examples $n$, the columns of both, is the product with the transpose: "
            r"the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="batch-weight-gradient",
    title="Weight gradient of a mini-batch",
    topic="backprop",
    context=(
        r"Column convention, a batch of $m$ examples as columns: $A^{(l-1)}$ is $n_{l-1} \times m$ and "
        r"$Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)} \mathbf{1}_m^\top$ is $n_l \times m$ (the bias is added "
        r"to every column). The cost is the mean loss $\unchecked{J = \frac{1}{m} \sum_{i=1}^m L_i}$, where "
        r"$\unchecked{L_i}$ "
        r"depends only on column $i$ of $Z^{(l)}$; so column $i$ of "
        r"$\unchecked{\Delta^{(l)} = \partial (\sum_i L_i) / \partial Z^{(l)}}$ is "
        r"$\unchecked{\delta^{(l)}}$ of example $i$."
    ),
    symbols=(W_l, A_prev, b_l, Z_l, Delta_l, m),
    definitions=(
        (Z_l, W_l @ A_prev + b_l @ Ones(M).T),
        (J, 1 / m * S),
        (Delta_l, Deriv(S, Z_l)),
    ),
    chains=(
        Chain(
            start=Deriv(J, W_l),
            steps=(
                Step(
                    1 / m * Deriv(S, W_l),
                    r"$\unchecked{J = \frac{1}{m} \sum_i L_i}$ and $\frac{1}{m}$ is a constant",
                ),
                Step(
                    1 / m * (Deriv(S, Z_l) @ A_prev.T),
                    r"chain rule: $\unchecked{\partial Z^{(l)}_{ik} / \partial W^{(l)}_{ij} = "
                    r"A^{(l-1)}_{jk}}$, so entry "
                    r"$(i, j)$ is $\unchecked{\sum_k \frac{\partial (\sum_n "
                    r"L_n)}{\partial Z^{(l)}_{ik}} A^{(l-1)}_{jk}}$, "
                    r"a matrix product with $(A^{(l-1)})^\top$",
                ),
                Step(
                    1 / m * (Delta_l @ A_prev.T),
                    r"definition of $\Delta^{(l)}$: "
                    r"$\unchecked{\Delta^{(l)} (A^{(l-1)})^\top = \sum_i \delta^{(l)}_i "
                    r"(a^{(l-1)}_i)^\top}$, "
                    r"the sum of the per-example outer products",
                ),
            ),
        ),
        INDEX_CHAIN,
    ),
    probe=Probe(
        kind="dW",
        layer=1,
        bind={"Delta_l": "Delta[l]", "A_prev": "A[l-1]", "m": "m"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 5},
            {"sizes": (2, 5, 3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 6},
        ),
    ),
    mistakes=(
        r"$\Delta^{(l)} (A^{(l-1)})^\top$: the $\frac{1}{m}$ is missing, which is the gradient of "
        r"the *sum* of the losses, $m$ times too large for the mean cost $J$ (tag `wrong-scale`).",
        r"$\frac{1}{m} A^{(l-1)} (\Delta^{(l)})^\top$: the whole answer transposed, "
        r"$n_{l-1} \times n_l$ (tag `transposed`).",
        r"$\unchecked{\frac{1}{m} (A^{(l-1)})^\top \Delta^{(l)}}$: the factors swapped, which does not even "
        r"fit; "
        r"$\Delta^{(l)} (A^{(l-1)})^\top$ is the only order that is $n_l \times n_{l-1}$ "
        r"(tag `wrong-order`).",
        r"$\unchecked{\frac{1}{m} \Delta^{(l)} A^{(l-1)}}$: the transpose is missing; the product must pair "
        r"the columns of both, that is the examples (tag `missing-transpose`).",
    ),
)
