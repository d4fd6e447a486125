"""δ^{(L)} = (a^{(L)} − y) ⊙ σ'(z^{(L)}) for the squared error ½‖a^{(L)} − y‖²."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Entry, IndexSum, KDelta, Norm, dsigma, num, scalar, sigma
from derivations.notation import a_L, y, z_L

L = scalar("L", "L")

# the index level: entry i, through every output a_k, of which only a_i depends on z_i
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, z_L), "i"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(Deriv(L, a_L), "k") * Entry(Deriv(a_L, z_L), "k", "i")),
            r"chain rule through every output $a_k$",
        ),
        Step(
            IndexSum("k", (Entry(a_L, "k") - Entry(y, "k")) * (KDelta("k", "i") * dsigma(Entry(z_L, "i")))),
            r"$L = \frac{1}{2} \sum_k (a_k - y_k)^2$ gives $\partial L / \partial a_k = a_k - y_k$; "
            r"$a_k = \sigma(z_k)$ depends on $z_i$ only when $k = i$, so its derivative is "
            r"$\delta_{ki} \sigma'(z_i)$ (Kronecker's $\delta_{ki}$: 1 if $k = i$, else 0)",
        ),
        Step(
            (Entry(a_L, "i") - Entry(y, "i")) * dsigma(Entry(z_L, "i")),
            r"$\delta_{ki}$ keeps the term $k = i$: no sum over the outputs is left",
        ),
        Step(
            Entry((a_L - y).odot(dsigma(z_L)), "i"),
            r"entry $i$ of the elementwise product: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="mse-output-delta",
    title="Squared error: the output delta",
    topic="outputs and losses",
    context=(
        r"The homework's output layer, one example: $a^{(L)} = \sigma(z^{(L)})$ with $\sigma$ "
        r"the sigmoid, and $L = \frac{1}{2}\lVert a^{(L)} - y \rVert^2$. Column convention; "
        r"$\delta^{(L)} = \partial L / \partial z^{(L)}$, and on the way the gradient of the loss with "
        r"respect to the network's output, $\partial L / \partial a^{(L)}$. As in the questions the "
        r"result is written with $\sigma'$; for the sigmoid "
        r"$\sigma'(z^{(L)}) = a^{(L)} \odot (1 - a^{(L)})$. In the "
        r"reasons $z$, $a$ stand for $z^{(L)}$, $a^{(L)}$."
    ),
    symbols=(z_L, a_L, y, L),
    definitions=(
        (a_L, sigma(z_L)),
        (L, num("1/2") * Norm(a_L - y, "fro2")),
    ),
    chains=(
        Chain(
            name="delta",
            start=Deriv(L, z_L),
            steps=(
                Step(
                    Deriv(a_L, z_L).T @ Deriv(L, a_L),
                    r"chain rule: $\partial L/\partial z = "
                    r"(\partial a/\partial z)^\top \, \partial L/\partial a$",
                ),
                Step(
                    Diag(dsigma(z_L)).T @ (a_L - y),
                    r"$a_i = \sigma(z_i)$ depends on $z_i$ alone, so "
                    r"$\partial a/\partial z = "
                    r"\operatorname{diag}(\sigma'(z))$; and $L = \frac{1}{2}\sum_k (a_k - "
                    r"y_k)^2$ "
                    r"gives $\partial L / \partial a_k = a_k - y_k$",
                ),
                Step(
                    Diag(dsigma(z_L)) @ (a_L - y),
                    r"a diagonal matrix is its own transpose",
                ),
                Step(
                    (a_L - y).odot(dsigma(z_L)),
                    r"multiplying by $\unchecked{\operatorname{diag}(v)}$ is the elementwise product with "
                    r"$\unchecked{v}$",
                ),
            ),
        ),
        INDEX_CHAIN,
        Chain(
            name="dL_da",
            start=Deriv(L, a_L),
            steps=(
                Step(
                    Deriv(num("1/2") * (a_L - y).T @ (a_L - y), a_L),
                    r"the squared norm is the inner product of $a - y$ with itself",
                ),
                Step(
                    a_L - y,
                    r"the gradient of $\frac{1}{2}(a^{(L)} - y)^\top (a^{(L)} - y)$ with respect to "
                    r"$a^{(L)}$ is $a^{(L)} - y$: each output's error is its own entry of the gradient",
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
        r"The chain never uses the sigmoid's formula, so it is checked with $\sigma$ an "
        r"arbitrary "
        r"differentiable function; the sigmoid is the special case the numeric check runs, and there "
        r"$\delta^{(L)} = (a^{(L)} - y) \odot a^{(L)} \odot (1 - a^{(L)})$."
    ),
    probe=Probe(
        kind="loss-output",
        bind={"z_L": "z[L]", "a_L": "a[L]", "y": "Y"},
        targets={"dL_da": "a[L]"},
        networks=(
            {"sizes": (3, 4), "activation": "sigmoid", "loss": "mse", "batch": 1},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "mse", "batch": 1},
        ),
    ),
    mistakes=(
        r"$a^{(L)} - y$: the factor $\sigma'(z^{(L)})$ is missing; that is the delta of softmax or "
        r"sigmoid with cross-entropy, not of the squared error (tag `missing-activation-derivative`).",
        r"$\sum_k (a^{(L)}_k - y_k)\,\sigma'(z^{(L)}_i)$: a sum over the outputs where each output "
        r"keeps its own entry, $\unchecked{\delta^{(L)}_i = (a^{(L)}_i - y_i)\,\sigma'(z^{(L)}_i)}$ "
        r"(tag `summed-over-outputs`).",
        r"$\unchecked{(a^{(L)} - y)\,\sigma'(z^{(L)})}$ as a matrix product: two columns do not multiply; "
        r"the "
        r"product is elementwise (tag `hadamard-vs-matmul`).",
        r"$(y - a^{(L)}) \odot \sigma'(z^{(L)})$: the sign flipped; $\frac{1}{2}(y - a)^2$ "
        r"differentiated in $a$ gives $-(y - a) = a - y$ (tag `sign-error`).",
        r"$(a^{(L)} - y) \odot \sigma'(a^{(L)})$: $\sigma'$ is taken where $\sigma$ "
        r"was applied, "
        r"at $z^{(L)}$ (tag `derivative-wrong-argument`).",
    ),
)
