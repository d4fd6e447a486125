"""δ^{(L)} = (a^{(L)} − y) ⊙ σ'(z^{(L)}) for the squared error ½‖a^{(L)} − y‖²."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Hadamard, Norm, T, num, scalar
from derivations.notation import a_L, y, z_L

L = scalar("L", "L")

DERIVATION = Derivation(
    id="mse-output-delta",
    title="Squared error: the output delta",
    topic="outputs and losses",
    context=(
        r"The homework's output layer, one example: $a^{(L)} = \sigma(z^{(L)})$ with $\sigma$ the "
        r"sigmoid, and $L = \frac{1}{2}\lVert a^{(L)} - y \rVert^2$. Column convention; "
        r"$\delta^{(L)} = \partial L / \partial z^{(L)}$. As in the questions the result is written "
        r"with $\sigma'$; for the sigmoid $\sigma'(z^{(L)}) = a^{(L)} \odot (1 - a^{(L)})$."
    ),
    symbols=(z_L, a_L, y, L),
    definitions=(
        (a_L, Fn("sigma", z_L)),
        (L, num("1/2") * Norm(a_L - y, "fro2")),
    ),
    chains=(
        Chain(
            start=Deriv(L, z_L),
            steps=(
                Step(
                    T(Deriv(a_L, z_L)) * Deriv(L, a_L),
                    r"chain rule: $\partial L/\partial z = "
                    r"(\partial a/\partial z)^\top \, \partial L/\partial a$",
                ),
                Step(
                    Diag(Fn("sigma", z_L, 1)) * (a_L - y),
                    r"$\sigma$ acts entry by entry, so $\partial a/\partial z = "
                    r"\operatorname{diag}(\sigma'(z))$ (symmetric); "
                    r"$\partial \frac{1}{2}\lVert a - y\rVert^2/\partial a = a - y$",
                ),
                Step(
                    Hadamard(a_L - y, Fn("sigma", z_L, 1)),
                    r"multiplying by $\operatorname{diag}(v)$ is the elementwise product with $v$",
                ),
            ),
        ),
    ),
    sizes=({"n_L": 2}, {"n_L": 3}),
    # σ stays a generic function here: the steps never use the sigmoid's formula, so sympy proves
    # them for an arbitrary differentiable σ (an undefined function whose derivative is σ'), which
    # covers the sigmoid exactly and keeps σ' in the result as the questions write it. The numeric
    # check reads σ as the sigmoid of the reference network.
    activations=("sigmoid",),
    notes=(
        r"The chain never uses the sigmoid's formula, so it is checked with $\sigma$ an arbitrary "
        r"differentiable function; the sigmoid is the special case the numeric check runs, and there "
        r"$\delta^{(L)} = (a^{(L)} - y) \odot a^{(L)} \odot (1 - a^{(L)})$."
    ),
    probe=Probe(
        kind="loss-output",
        bind={"z_L": "z[L]", "a_L": "a[L]", "y": "Y"},
        networks=(
            {"sizes": (3, 4), "activation": "sigmoid", "loss": "mse", "batch": 1},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "mse", "batch": 1},
        ),
    ),
    mistakes=(
        r"$a^{(L)} - y$ alone: the factor $\sigma'(z^{(L)})$ is missing (that is the softmax or "
        r"sigmoid-cross-entropy delta, not the squared error's).",
        r"$(a^{(L)} - y)\,\sigma'(z^{(L)})$ read as a matrix product, or $\sum_k (a_k - y_k)\,\sigma'(z)$ "
        r"(a seed's slip): the product is elementwise, one entry per output.",
        r"$(y - a^{(L)}) \odot \sigma'(z^{(L)})$: the sign flipped.",
        r"$\sigma'(a^{(L)})$ in place of $\sigma'(z^{(L)})$.",
    ),
)
