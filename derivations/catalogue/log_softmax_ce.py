"""Cross-entropy from logits: the stable form −yᵀz + (𝟏ᵀy) log 𝟏ᵀe^z and its gradient (𝟏ᵀy)p − y."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Entry, IndexSum, KDelta, Ones, Softmax, exp, log, scalar
from derivations.notation import N_OUT, p, y, z_L

L = scalar("L", "L")
ez = exp(z_L)
total = Ones(N_OUT).T @ ez  # 𝟏ᵀe^{z}
mass = Ones(N_OUT).T @ y  # 𝟏ᵀy

# the index level: entry i, with k and j summed over the outputs
y_k, z_k = Entry(y, "k"), Entry(z_L, "k")
s_j = IndexSum("j", exp(Entry(z_L, "j")))
mass_k = IndexSum("k", y_k)
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, z_L), "i"),
    name="index",
    level="index",
    steps=(
        Step(
            Entry(Deriv(-IndexSum("k", y_k * z_k) + mass_k * log(s_j), z_L), "i"),
            r"$\log p_k = z_k - \log \sum_j e^{z_j}$; multiply by $-y_k$ and sum over $k$",
        ),
        Step(
            -IndexSum("k", y_k * KDelta("k", "i")) + mass_k * (exp(Entry(z_L, "i")) / s_j),
            r"$z_k$ depends on $z_i$ only when $k = i$: its derivative is Kronecker's $\delta_{ki}$ (1 if "
            r"$k = i$, else 0); and by the chain rule the log of the sum $\unchecked{s = \sum_j e^{z_j}}$ "
            r"has derivative $\unchecked{e^{z_i} / s}$",
        ),
        Step(
            -Entry(y, "i") + mass_k * Entry(p, "i"),
            r"$\delta_{ki}$ keeps the term $k = i$; and $\unchecked{e^{z_i} / s = p_i}$",
        ),
        Step(
            Entry(p * mass - y, "i"),
            r"entry $i$ of $p\,(\mathbf{1}^\top y) - y$: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="log-softmax-ce",
    title="Cross-entropy from the logits (log-softmax)",
    topic="outputs and losses",
    context=(
        r"The output layer of a classifier, one example: logits $z^{(L)}$, "
        r"$p = \operatorname{softmax}(z^{(L)})$ and $L = -\sum_k y_k \log p_k$. Computing $\log p$ from "
        r"a rounded $p$ fails when some $p_k$ underflows to 0; since "
        r"$\unchecked{\log p = z - \mathbf{1}\log\sum_k e^{z_k}}$ the loss can be written from the logits, "
        r"$L = -y^\top z + (\mathbf{1}^\top y)\log(\mathbf{1}^\top e^{z})$, and the log-sum-exp is "
        r"computed after subtracting $\unchecked{\max_k z_k}$. Here $y$ is any non-negative target; for a "
        r"distribution ($\unchecked{\mathbf{1}^\top y = 1}$) the gradient is the familiar $p - y$. In the "
        r"reasons $z$ stands for $z^{(L)}$."
    ),
    symbols=(z_L, p, y, L),
    definitions=(
        (p, Softmax(z_L)),
        (L, -(Ones(N_OUT).T @ y.odot(log(p)))),
    ),
    chains=(
        Chain(
            start=Deriv(L, z_L),
            steps=(
                Step(
                    Deriv(-(y.T @ z_L) + mass * log(total), z_L),
                    r"$\log p_k = z_k - \log \sum_j e^{z_j}$; multiply by $-y_k$ and sum over "
                    r"$k$",
                ),
                Step(
                    -y + (ez / total) * mass,
                    r"$\partial (y^\top z)/\partial z = y$; and by the chain rule "
                    r"$\unchecked{\partial \log(\mathbf{1}^\top e^{z})/\partial z_j = "
                    r"e^{z_j} / (\mathbf{1}^\top e^{z})}$",
                ),
                Step(p * mass - y, r"$e^{z} / (\mathbf{1}^\top e^{z}) = p$"),
            ),
        ),
        INDEX_CHAIN,
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),
    probe=Probe(
        kind="loss-output",
        bind={"z_L": "z[L]", "p": "a[L]", "y": "Y"},
        networks=(
            {"sizes": (3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 1},
            {"sizes": (2, 5, 3), "activation": "relu", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$p - y$ for a target that is not a distribution (a label-smoothed or weighted $y$), from "
        r"the loss written $-y^\top z + \log(\mathbf{1}^\top e^{z})$: the factor "
        r"$\mathbf{1}^\top y$ is gone (tag `wrong-scale`).",
        r"$\log(\mathbf{1}^\top e^{z})$ computed directly: $e^{z}$ overflows for logits above ~710 in "
        r"float64; subtract $\unchecked{\max_k z_k}$ first, $\unchecked{\log\sum e^{z} = c + \log\sum e^{z - "
        r"c}}$.",
        r"$-y^\top z - (\mathbf{1}^\top y)\log(\mathbf{1}^\top e^{z})$: the sign of the log-sum-exp "
        r"term flipped (the loss must be $\unchecked{\ge 0}$ for a distribution $y$).",
    ),
)
