"""∂J/∂b^{(l)} = (1/m) Δ^{(l)} 𝟏_m: the mean of the per-example deltas."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Entry, IndexSum, KDelta, Ones, scalar
from derivations.notation import A_prev, Delta_l, M, W_l, Z_l, b_l, m

# Σ_i L_i as a function of the whole batch (see batch_weight_gradient.py).
S = scalar("S", r"\textstyle\sum_i L_i", depends=(Z_l,))
J = scalar("J_batch", "J")

# the index level: entry i of the gradient, k a unit of the layer and n an example
dJ_dZ = Deriv(J, Z_l)
INDEX_CHAIN = Chain(
    start=Entry(Deriv(J, b_l), "i"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", IndexSum("n", Entry(dJ_dZ, "k", "n")
                                   * Entry(Deriv(Entry(Z_l, "k", "n"), b_l), "i"))),
            r"chain rule through every entry $Z^{(l)}_{kn}$: unit $k$ of the layer, example $n$",
        ),
        Step(
            IndexSum("k", IndexSum("n", Entry(dJ_dZ, "k", "n") * KDelta("k", "i"))),
            r"$Z^{(l)}_{kn} = \sum_j W^{(l)}_{kj} A^{(l-1)}_{jn} + b^{(l)}_k$: $b^{(l)}_i$ is in every "
            r"column $n$ of row $k = i$, with factor 1 (Kronecker's $\delta_{ki}$)",
        ),
        Step(
            IndexSum("n", Entry(dJ_dZ, "i", "n")),
            r"$\delta_{ki}$ keeps the terms $k = i$: row $i$ summed over the examples",
        ),
        Step(
            1 / m * IndexSum("n", Entry(Delta_l, "i", "n")),
            r"$J$ is $\frac{1}{m}$ times the summed loss, whose derivative by $Z^{(l)}$ is $\Delta^{(l)}$",
        ),
        Step(
            Entry(1 / m * (Delta_l @ Ones(M)), "i"),
            r"a row sum is the product with $\mathbf{1}_m$: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="batch-bias-gradient",
    title="Bias gradient of a mini-batch",
    topic="backprop",
    context=(
        "Column convention, a batch of $m$ examples as columns: "
        r"$Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)} \mathbf{1}_m^\top$, so the same bias $b^{(l)}$ is "
        r"added to every column. The cost is $\unchecked{J = \frac{1}{m} \sum_{i=1}^m L_i}$, and column "
        r"$i$ of "
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
            start=Deriv(J, b_l),
            steps=(
                Step(
                    1 / m * Deriv(S, b_l),
                    r"$\unchecked{J = \frac{1}{m} \sum_i L_i}$ and $\frac{1}{m}$ is a constant",
                ),
                Step(
                    1 / m * (Deriv(S, Z_l) @ Ones(M)),
                    r"chain rule: $b^{(l)}_i$ enters every entry $Z^{(l)}_{ik}$ of row $i$ with "
                    r"derivative 1, so entry $i$ is $\unchecked{\sum_k \frac{\partial "
                    r"(\sum_n L_n)}{\partial Z^{(l)}_{ik}}}$, "
                    r"a row sum: the product with $\mathbf{1}_m$",
                ),
                Step(
                    1 / m * (Delta_l @ Ones(M)),
                    r"definition of $\Delta^{(l)}$; $\unchecked{\Delta^{(l)} \mathbf{1}_m = \sum_i "
                    r"\delta^{(l)}_i}$, "
                    r"the sum of the per-example deltas",
                ),
            ),
        ),
        INDEX_CHAIN,
    ),
    probe=Probe(
        kind="db",
        layer=1,
        bind={"Delta_l": "Delta[l]", "m": "m"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 5},
            {"sizes": (2, 5, 3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 6},
        ),
    ),
    mistakes=(
        r"$\Delta^{(l)} \mathbf{1}$: the $\frac{1}{m}$ is missing, which is the gradient of the "
        r"summed loss, not of the mean cost (tag `wrong-scale`).",
        r"$\frac{1}{m} \Delta^{(l)}$: an $n_l \times m$ matrix where $b^{(l)}$ is $n_l \times 1$; "
        r"the per-example gradients must be summed over the batch.",
        r"$\frac{1}{m} \mathbf{1}^\top \Delta^{(l)}$: a sum over units (column sums) where the sum "
        r"runs over examples (row sums); that is the row convention's $\unchecked{\mathbf{1}^\top "
        r"\delta_3}$.",
    ),
)
