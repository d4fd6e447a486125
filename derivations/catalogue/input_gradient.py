"""∂y/∂x of a two-layer network: diag(σ'(z^{(2)})) W^{(2)} diag(σ'(z^{(1)})) W^{(1)}."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Mul
from derivations.notation import W_1, W_2, b_1, b_2, x_in, y_out, z_1, z_2


def dsig(z):  # noqa: ANN001, ANN202 - local shorthand
    return Diag(Fn("sigma", z, 1))


DERIVATION = Derivation(
    id="input-gradient",
    title="Gradient of the output with respect to the input",
    topic="jacobians and numerics",
    context=(
        "Column convention, one example $x$ of $n_0$ features, a hidden layer of $n_1$ units and "
        r"$n_2$ outputs: $z^{(1)} = W^{(1)} x + b^{(1)}$, $z^{(2)} = W^{(2)} \sigma(z^{(1)}) + b^{(2)}$, "
        r"$y = \sigma(z^{(2)})$, with $\sigma$ a generic activation applied elementwise. "
        r"$\partial y / \partial x$ is the $n_2 \times n_0$ Jacobian, "
        r"entry $(i, j) = \partial y_i / \partial x_j$. "
        r"For any depth the same argument gives the product "
        r"$\operatorname{diag}(\sigma'(z^{(L)})) W^{(L)} \cdots "
        r"\operatorname{diag}(\sigma'(z^{(1)})) W^{(1)}$, "
        "from the top layer down."
    ),
    symbols=(x_in, W_1, b_1, z_1, W_2, b_2, z_2, y_out),
    definitions=(
        (z_1, Mul(W_1, x_in) + b_1),
        (z_2, Mul(W_2, Fn("sigma", z_1)) + b_2),
        (y_out, Fn("sigma", z_2)),
    ),
    chains=(
        Chain(
            start=Deriv(y_out, x_in),
            steps=(
                Step(
                    Mul(Deriv(y_out, z_2), Deriv(z_2, x_in)),
                    r"chain rule for Jacobians: $\frac{\partial y}{\partial x} = "
                    r"\frac{\partial y}{\partial z^{(2)}} \frac{\partial z^{(2)}}{\partial x}$",
                ),
                Step(
                    Mul(dsig(z_2), Deriv(z_2, x_in)),
                    r"$\sigma$ acts elementwise, so $\partial y_i / \partial z^{(2)}_j$ is "
                    r"$\sigma'(z^{(2)}_i)$ for $i = j$ and 0 otherwise: a diagonal Jacobian",
                ),
                Step(
                    dsig(z_2) @ W_2 @ dsig(z_1) @ Deriv(z_1, x_in),
                    r"the same two facts for $z^{(2)} = W^{(2)} \sigma(z^{(1)}) + b^{(2)}$: "
                    r"$\frac{\partial z^{(2)}}{\partial x} = W^{(2)} \operatorname{diag}(\sigma'(z^{(1)})) "
                    r"\frac{\partial z^{(1)}}{\partial x}$",
                ),
                Step(
                    dsig(z_2) @ W_2 @ dsig(z_1) @ W_1,
                    r"$z^{(1)} = W^{(1)} x + b^{(1)}$ is affine in $x$ with Jacobian $W^{(1)}$",
                ),
            ),
        ),
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
        r"$W^{(1)} \operatorname{diag}(\sigma'(z^{(1)})) W^{(2)} \operatorname{diag}(\sigma'(z^{(2)}))$: the "
        r"factors in input-to-output order; the chain rule multiplies from the output layer down, "
        r"and the shapes only fit that way.",
        r"$(W^{(2)})^\top \ldots$ or $(W^{(1)})^\top$: transposes belong to the backward pass of a "
        r"*scalar* loss ($\delta = W^\top \ldots$); a Jacobian uses $W$ itself.",
        r"$\sigma'(z^{(2)}) \odot W^{(2)} \ldots$ with a vector where a diagonal matrix belongs, or "
        r"$\sigma(z)$ for $\sigma'(z)$.",
    ),
)
