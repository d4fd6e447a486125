"""δ^{(l)} from δ^{(l+1)}: the recursion at the heart of backpropagation."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Hadamard, Mul, T, scalar
from derivations.notation import W_next, b_next, delta_next, z_l, z_next

L = scalar("L", "L", depends=(z_next,))

DERIVATION = Derivation(
    id="hidden-delta",
    title="Hidden-layer delta",
    topic="backprop",
    context=(
        "Column convention, one example. Layer $l$ feeds layer $l+1$ through "
        r"$z^{(l+1)} = W^{(l+1)} \sigma(z^{(l)}) + b^{(l+1)}$; the loss $L$ depends on $z^{(l)}$ only "
        r"through $z^{(l+1)}$, and $\delta^{(l+1)} = \partial L / \partial z^{(l+1)}$ is known. "
        r"$\sigma$ is a generic activation."
    ),
    symbols=(z_l, W_next, b_next, z_next, delta_next),
    definitions=(
        (z_next, Mul(W_next, Fn("sigma", z_l)) + b_next),
        (delta_next, Deriv(L, z_next)),
    ),
    chains=(
        Chain(
            start=Deriv(L, z_l),
            steps=(
                Step(
                    Mul(T(Deriv(z_next, z_l)), delta_next),
                    r"chain rule: $\partial L/\partial z^{(l)} = "
                    r"(\partial z^{(l+1)}/\partial z^{(l)})^\top \delta^{(l+1)}$",
                ),
                Step(
                    Mul(T(Mul(W_next, Diag(Fn("sigma", z_l, 1)))), delta_next),
                    r"the Jacobian of $W^{(l+1)}\sigma(z^{(l)}) + b^{(l+1)}$ is "
                    r"$W^{(l+1)} \operatorname{diag}(\sigma'(z^{(l)}))$",
                ),
                Step(
                    Mul(Diag(Fn("sigma", z_l, 1)), Mul(T(W_next), delta_next)),
                    r"$(AB)^\top = B^\top A^\top$ and a diagonal matrix is symmetric",
                ),
                Step(
                    Hadamard(Mul(T(W_next), delta_next), Fn("sigma", z_l, 1)),
                    r"multiplying by $\operatorname{diag}(v)$ is the elementwise product with $v$",
                ),
            ),
        ),
    ),
    probe=Probe(
        kind="dz",
        layer=1,
        bind={"z_l": "z[l]", "W_next": "W[l+1]", "delta_next": "delta[l+1]"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "sigmoid", "loss": "mse", "batch": 1},
            {"sizes": (2, 5, 3, 4), "activation": "tanh", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$W^{(l+1)}\delta^{(l+1)}$ without the transpose: the shapes do not even fit "
        r"when $n_l \ne n_{l+1}$.",
        r"$\sigma(z^{(l)})$ or $\sigma'(a^{(l)})$ in place of $\sigma'(z^{(l)})$.",
        r"$a^{(l)} \odot (1 - a^{(l)})$: right only for the sigmoid.",
    ),
)
