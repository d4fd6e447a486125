"""∂y/∂x as a product of layer Jacobians, taken from the input (forward mode) or from the output
(reverse mode, backpropagation); what each order costs."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, scalar, vec
from derivations.notation import N0, N2, W_1, W_2, a_1, b_1, b_2, x_in, y_out, z_1, z_2

v = vec("v", N0, "v")
g = vec("g", N2, "g")
L = scalar("L", "L")


def d(z):  # noqa: ANN001, ANN202 - local shorthand: σ'(z) as a column
    return Fn("sigma", z, 1)


J = Diag(d(z_2)) @ W_2 @ Diag(d(z_1)) @ W_1  # input-gradient

DERIVATION = Derivation(
    id="reverse-vs-forward-mode",
    title="Forward and reverse mode: two orders of one product",
    topic="jacobians and numerics",
    context=(
        r"The two-layer network of input-gradient: $z^{(1)} = W^{(1)} x + b^{(1)}$, "
        r"$a^{(1)} = \sigma(z^{(1)})$, $z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}$, $y = \sigma(z^{(2)})$, "
        r"with $n_0$ inputs and $n_2$ outputs; its Jacobian is the product of the layer Jacobians "
        r"$\unchecked{\frac{\partial y}{\partial x} = D_2 W^{(2)} D_1 W^{(1)}}$, "
        r"$\unchecked{D_l = \operatorname{diag}(\sigma'(z^{(l)}))}$. A product of matrices may be formed in "
        r"any order. *Forward mode* multiplies from the right, pushing a direction $v$ "
        r"($n_0 \times 1$) up through the layers: the Jacobian–vector product "
        r"$\frac{\partial y}{\partial x} v$. *Reverse mode* multiplies from the left, pulling a "
        r"weighting $g$ of the outputs ($n_2 \times 1$) down: the vector–Jacobian product, which "
        r"is the gradient of $L = g^\top y$ — for a loss $L(y)$, $g = \partial L / \partial y$ and "
        r"only that gradient at the point matters, so nothing is lost by writing $L$ this way."
    ),
    symbols=(x_in, W_1, b_1, z_1, a_1, W_2, b_2, z_2, y_out, v, g),
    definitions=(
        (z_1, W_1 @ x_in + b_1),
        (a_1, Fn("sigma", z_1)),
        (z_2, W_2 @ a_1 + b_2),
        (y_out, Fn("sigma", z_2)),
        (L, g.T @ y_out),
    ),
    chains=(
        Chain(
            name="forward",
            start=Deriv(y_out, x_in) @ v,
            steps=(
                Step(J @ v, r"the Jacobian as the product of the layer Jacobians (input-gradient)"),
                Step(
                    d(z_2).odot(W_2 @ d(z_1).odot(W_1 @ v)),
                    r"multiply from the right: $W^{(1)} v$, scale by $\sigma'(z^{(1)})$, then "
                    r"$W^{(2)}$, then $\sigma'(z^{(2)})$ — one matrix–vector product per layer, in "
                    r"the order of the forward pass, so it can run alongside it",
                ),
            ),
        ),
        Chain(
            name="reverse",
            start=Deriv(L, x_in),
            steps=(
                Step(
                    Deriv(y_out, x_in).T @ g,
                    r"chain rule for the scalar $L = g^\top y$: "
                    r"$\partial L / \partial x_j = \sum_i g_i \, \partial y_i / \partial x_j$, a sum "
                    r"down column $j$ of the Jacobian",
                ),
                Step(J.T @ g, r"the Jacobian as the product of the layer Jacobians"),
                Step(
                    W_1.T @ d(z_1).odot(W_2.T @ d(z_2).odot(g)),
                    r"$\unchecked{(ABCD)^\top = D^\top C^\top B^\top A^\top}$, diagonal matrices are "
                    r"symmetric, "
                    r"then multiply from the right: $g$ scaled by $\sigma'(z^{(2)})$ is "
                    r"$\unchecked{\delta^{(2)}}$, $W^{(2)\top}$ and $\sigma'(z^{(1)})$ give "
                    r"$\unchecked{\delta^{(1)}}$ "
                    r"(hidden-delta) — backpropagation, from the output down",
                ),
            ),
        ),
    ),
    probe=Probe(
        kind="modes",
        bind={"W_1": "W[1]", "W_2": "W[2]", "z_1": "z[1]", "z_2": "z[2]", "x": "x"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 1},
            {"sizes": (5, 3, 4), "activation": "sigmoid", "loss": "mse", "batch": 1},
        ),
    ),
    mistakes=(
        r"$W^{(1)\top} W^{(2)\top} (\sigma'(z^{(2)}) \odot g)$: the hidden layer's "
        r"$\sigma'(z^{(1)})$ is left out of the backward pass (tag `missing-activation-derivative`).",
        r"$\unchecked{W^{(1)} (\sigma'(z^{(1)}) \odot W^{(2)} (\sigma'(z^{(2)}) \odot g))}$: the Jacobians "
        r"of the affine maps are used untransposed; pulling back a vector needs $\unchecked{W^\top}$, and "
        r"the "
        r"shapes fit only then.",
        r"Propagating $\unchecked{\delta^{(l)}}$ “forward” from $\unchecked{\delta^{(l-1)}}$ by inverting "
        r"the layer, "
        r"$\unchecked{z^{(l-1)} = \sigma^{-1}(\ldots)}$: a layer is not invertible in general "
        r"($\unchecked{W}$ need not "
        r"be square), and the loss is only reached at the output. What forward mode carries "
        r"is $\unchecked{\partial z^{(l)} / \partial x}$ (or $\unchecked{\partial z^{(l)}/\partial "
        r"\theta}$), one input "
        r"direction at a time.",
        r"“Reverse mode is always cheaper”: for $n_0$ inputs and $\unchecked{n_L}$ outputs the whole "
        r"Jacobian costs $\unchecked{n_0 \sum_l n_l n_{l-1}}$ multiply-adds forward and "
        r"$\unchecked{n_L \sum_l n_l n_{l-1}}$ in reverse; reverse wins when there are fewer outputs than "
        r"inputs — always for a scalar loss, never for a network with one input.",
    ),
    notes=(
        r"The cost of each order is counted by the reference code (``checker.network.modes``): "
        r"the whole Jacobian by $n_0$ Jacobian–vector products or by $\unchecked{n_L}$ vector–Jacobian "
        r"products, $\unchecked{n_0 \sum_l n_l n_{l-1}}$ against $\unchecked{n_L \sum_l n_l n_{l-1}}$ "
        r"multiply-adds; the "
        r"numeric check compares the counts with these formulas and both Jacobians with central "
        r"differences. Seed 001 asks for “forward propagation” of $\unchecked{\delta}$; the only sound "
        r"reading is forward mode: carry $\unchecked{\partial z^{(l)} / \partial x = W^{(l)} D_{l-1} "
        r"\partial z^{(l-1)} / \partial x}$ up from $\partial z^{(1)} / \partial x = W^{(1)}$; "
        r"computing a weight gradient that way costs one pass per weight, where backpropagation "
        r"needs one pass in all."
    ),
)
