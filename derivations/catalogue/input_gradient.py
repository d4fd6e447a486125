"""∂y/∂x of a two-layer network: diag(σ'(z^{(2)})) W^{(2)} diag(σ'(z^{(1)})) W^{(1)}."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Entry, Expr, IndexSum, dsigma, sigma
from derivations.notation import W_1, W_2, a_1, b_1, b_2, x_in, y_out, z_1, z_2


def dsig(z: Expr) -> Expr:
    """diag(σ'(z)), the Jacobian of σ applied entry by entry at z."""
    return Diag(dsigma(z))


# the index level: entry (i, j), input j to output i, through every hidden unit k
INDEX_CHAIN = Chain(
    start=Entry(Deriv(y_out, x_in), "i", "j"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(Deriv(y_out, a_1), "i", "k") * Entry(Deriv(a_1, x_in), "k", "j")),
            r"chain rule: $x_j$ reaches $y_i$ through every hidden unit $a^{(1)}_k$",
        ),
        Step(
            IndexSum("k", dsigma(Entry(z_2, "i")) * Entry(W_2, "i", "k")
                     * (dsigma(Entry(z_1, "k")) * Entry(W_1, "k", "j"))),
            r"$y_i = \sigma(\sum_k W^{(2)}_{ik} a^{(1)}_k + b^{(2)}_i)$ gives "
            r"$\partial y_i / \partial a^{(1)}_k = \sigma'(z^{(2)}_i) W^{(2)}_{ik}$; likewise "
            r"$\partial a^{(1)}_k / \partial x_j = \sigma'(z^{(1)}_k) W^{(1)}_{kj}$",
        ),
        Step(
            Entry(dsig(z_2) @ W_2 @ dsig(z_1) @ W_1, "i", "j"),
            r"a sum over the inner index $k$ is a matrix product, and a factor $\sigma'(z^{(2)}_i)$ on "
            r"row $i$ is a product with $\operatorname{diag}(\sigma'(z^{(2)}))$ on the left (likewise "
            r"for $z^{(1)}$): the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="input-gradient",
    title="Gradient of the output with respect to the input",
    topic="jacobians and numerics",
    context=(
        "Column convention, one example $x$ of $n_0$ features, a hidden layer of $n_1$ units and "
        r"$n_2$ outputs: $z^{(1)} = W^{(1)} x + b^{(1)}$, $a^{(1)} = \sigma(z^{(1)})$, "
        r"$z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}$ and $y = \sigma(z^{(2)})$, with $\sigma$ a "
        r"generic "
        r"activation applied entry by entry; $W^{(1)}$ is $n_1 \times n_0$ and $W^{(2)}$ is "
        r"$n_2 \times n_1$. The output is a vector, so $\partial y / \partial x$ is not a gradient "
        r"but the $n_2 \times n_0$ Jacobian, entry $\unchecked{(i, j) = \partial y_i / \partial x_j}$. "
        r"For any depth the same argument gives the product "
        r"$\unchecked{\operatorname{diag}(\sigma'(z^{(L)})) W^{(L)} \cdots "
        r"\operatorname{diag}(\sigma'(z^{(1)})) W^{(1)}}$, "
        "from the top layer down."
    ),
    symbols=(x_in, W_1, b_1, z_1, a_1, W_2, b_2, z_2, y_out),
    definitions=(
        (z_1, W_1 @ x_in + b_1),
        (a_1, sigma(z_1)),
        (z_2, W_2 @ a_1 + b_2),
        (y_out, sigma(z_2)),
    ),
    chains=(
        Chain(
            start=Deriv(y_out, x_in),
            steps=(
                Step(
                    Deriv(y_out, z_2) @ Deriv(z_2, a_1) @ Deriv(a_1, z_1) @ Deriv(z_1, x_in),
                    r"chain rule along $\unchecked{x \to z^{(1)} \to a^{(1)} \to z^{(2)} \to y}$: the "
                    r"Jacobian "
                    r"of a composition is the product of the Jacobians, the last map first",
                ),
                Step(
                    dsig(z_2) @ Deriv(z_2, a_1) @ dsig(z_1) @ Deriv(z_1, x_in),
                    r"$\sigma$ acts entry by entry: $\partial y_i / \partial z^{(2)}_j$ is "
                    r"$\sigma'(z^{(2)}_i)$ for $i = j$ and 0 otherwise, a diagonal Jacobian; "
                    r"the same for $a^{(1)}$",
                ),
                Step(
                    dsig(z_2) @ W_2 @ dsig(z_1) @ W_1,
                    r"$\unchecked{z = W a + b}$ is affine: $\unchecked{\partial z_i / \partial a_j = "
                    r"W_{ij}}$, so the "
                    r"Jacobian is $\unchecked{W}$ itself, with no transpose",
                ),
            ),
        ),
        INDEX_CHAIN,
    ),
    probe=Probe(
        kind="input",
        bind={"W_1": "W[1]", "W_2": "W[2]", "z_1": "z[1]", "z_2": "z[2]", "x": "x"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 1},
            {"sizes": (4, 2, 3), "activation": "sigmoid", "loss": "mse", "batch": 1},
        ),
    ),
    mistakes=(
        r"$\unchecked{W^{(1)} \operatorname{diag}(\sigma'(z^{(1)})) W^{(2)} "
        r"\operatorname{diag}(\sigma'(z^{(2)}))}$: "
        r"the factors in input-to-output order; the chain rule multiplies from the output layer "
        r"down, and the shapes only fit that way (tag `wrong-order`).",
        r"$\unchecked{\operatorname{diag}(\sigma'(z^{(2)})) (W^{(2)})^\top "
        r"\operatorname{diag}(\sigma'(z^{(1)})) "
        r"W^{(1)}}$: transposes belong to the backward pass of a *scalar* loss "
        r"($\unchecked{\delta = W^\top \ldots}$); the Jacobian of $\unchecked{W a + b}$ is $\unchecked{W}$ "
        r"itself "
        r"(tag `missing-transpose`).",
        r"$\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} W^{(1)}$: the hidden layer's "
        r"$\operatorname{diag}(\sigma'(z^{(1)}))$ is left out, as if the hidden layer were linear "
        r"(tag `missing-activation-derivative`).",
        r"$\operatorname{diag}(\sigma'(z^{(2)})) W^{(2)} \operatorname{diag}(\sigma(z^{(1)})) W^{(1)}$: "
        r"the activation where its derivative belongs (tag `activation-instead-of-derivative`).",
        r"$\sigma'(z^{(2)} + b^{(2)})$: the bias is already inside $z^{(2)} = W^{(2)} a^{(1)} + "
        r"b^{(2)}$; adding it again moves the point where $\sigma'$ is taken.",
    ),
)
