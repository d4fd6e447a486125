"""δ^{(l)} from δ^{(l+1)}: the recursion at the heart of backpropagation."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Entry, IndexSum, dsigma, scalar, sigma
from derivations.notation import W_next, a_l, b_next, delta_next, z_l, z_next

L = scalar("L", "L", depends=(z_next,))
jacobian_of_a = Diag(dsigma(z_l))  # diag(σ'(z^{(l)})), the Jacobian of a^{(l)} = σ(z^{(l)})

# the index level, in the course's letters: j a unit of layer l, k a unit of layer l + 1
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, z_l), "j"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(Deriv(L, z_next), "k") * Entry(Deriv(Entry(z_next, "k"), z_l), "j")),
            r"chain rule: $z^{(l)}_j$ reaches $L$ through every unit $z^{(l+1)}_k$ of the next layer",
        ),
        Step(
            IndexSum("k", Entry(delta_next, "k") * Entry(W_next, "k", "j") * dsigma(Entry(z_l, "j"))),
            r"$z^{(l+1)}_k = \sum_i W^{(l+1)}_{ki} \sigma(z^{(l)}_i) + b^{(l+1)}_k$: only the term "
            r"$i = j$ contains $z^{(l)}_j$, so "
            r"$\partial z^{(l+1)}_k / \partial z^{(l)}_j = W^{(l+1)}_{kj} \sigma'(z^{(l)}_j)$; and "
            r"$\partial L / \partial z^{(l+1)}_k = \delta^{(l+1)}_k$",
        ),
        Step(
            IndexSum("k", Entry(W_next, "k", "j") * Entry(delta_next, "k")) * dsigma(Entry(z_l, "j")),
            r"$\sigma'(z^{(l)}_j)$ does not depend on $k$: out of the sum",
        ),
        Step(
            Entry((W_next.T @ delta_next).odot(dsigma(z_l)), "j"),
            r"$\sum_k W^{(l+1)}_{kj} \delta^{(l+1)}_k$ runs down column $j$ of $W^{(l+1)}$: entry $j$ of "
            r"$(W^{(l+1)})^\top \delta^{(l+1)}$, the transpose; the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="hidden-delta",
    title="Hidden-layer delta",
    topic="backprop",
    context=(
        r"Column convention, one example. Layer $l$ has $n_l$ units: $a^{(l)} = \sigma(z^{(l)})$, "
        r"with $\sigma$ a generic activation applied entry by entry, feeds layer $l+1$ through "
        r"$z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$, and $W^{(l+1)}$ is $n_{l+1} \times n_l$. "
        r"The loss $L$ depends on $z^{(l)}$ only through $z^{(l+1)}$, and the backward pass has "
        r"already computed $\delta^{(l+1)} = \partial L / \partial z^{(l+1)}$ ($n_{l+1} \times 1$). "
        r"A Jacobian $\unchecked{\partial u / \partial v}$ has entry $\unchecked{(i, j) = \partial u_i / "
        r"\partial v_j}$."
    ),
    symbols=(z_l, a_l, W_next, b_next, z_next, delta_next),
    definitions=(
        (a_l, sigma(z_l)),
        (z_next, W_next @ a_l + b_next),
        (delta_next, Deriv(L, z_next)),
    ),
    chains=(
        Chain(
            start=Deriv(L, z_l),
            steps=(
                Step(
                    Deriv(z_next, z_l).T @ delta_next,
                    r"chain rule through $z^{(l+1)}$: $\frac{\partial L}{\partial z^{(l)}_i} = "
                    r"\sum_j \frac{\partial z^{(l+1)}_j}{\partial z^{(l)}_i} \delta^{(l+1)}_j$, "
                    r"a sum over row $j$ of the Jacobian, so its transpose appears",
                ),
                Step(
                    (Deriv(z_next, a_l) @ Deriv(a_l, z_l)).T @ delta_next,
                    r"chain rule through $a^{(l)}$: the Jacobian of a composition is the product "
                    r"of the Jacobians, outer map first",
                ),
                Step(
                    (W_next @ jacobian_of_a).T @ delta_next,
                    r"$z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$ has Jacobian $W^{(l+1)}$; "
                    r"$a^{(l)}_i = \sigma(z^{(l)}_i)$ depends on $z^{(l)}_i$ alone, so its Jacobian "
                    r"is diagonal",
                ),
                Step(
                    jacobian_of_a @ (W_next.T @ delta_next),
                    r"$\unchecked{(AB)^\top = B^\top A^\top}$, and a diagonal matrix is its own transpose",
                ),
                Step(
                    (W_next.T @ delta_next).odot(dsigma(z_l)),
                    r"$\unchecked{\operatorname{diag}(v)\,u = u \odot v}$: multiplying by a diagonal matrix "
                    r"scales each entry",
                ),
            ),
        ),
        INDEX_CHAIN,
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
        r"$\unchecked{W^{(l+1)} \delta^{(l+1)} \odot \sigma'(z^{(l)})}$: the transpose is missing, and the "
        r"shapes do not even fit when $n_l \ne n_{l+1}$ (tag `missing-transpose`).",
        r"$\unchecked{(W^{(l)})^\top \delta^{(l+1)} \odot \sigma'(z^{(l)})}$: the weights of the wrong "
        r"layer, "
        r"easy to write when a text numbers them $\unchecked{z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}}$; the "
        r"matrix "
        r"that maps $a^{(l)}$ to $z^{(l+1)}$ is the one to transpose (tag `wrong-layer`).",
        r"$(W^{(l+1)})^\top \delta^{(l+1)} \odot \sigma'(a^{(l)})$: $\sigma'$ is taken at the "
        r"pre-activation $z^{(l)}$, the point where $\sigma$ was applied (tag "
        r"`derivative-wrong-argument`).",
        r"$\unchecked{\sigma'(z^{(l)})\,(W^{(l+1)})^\top \delta^{(l+1)}}$ read as a matrix product: a column "
        r"times a column does not fit; the factor $\sigma'(z^{(l)})$ is an elementwise product, or "
        r"a product with $\operatorname{diag}(\sigma'(z^{(l)}))$.",
        r"$(W^{(l+1)})^\top \delta^{(l+1)} \odot a^{(l)} \odot (1 - a^{(l)})$: right only for the "
        r"sigmoid; with a generic $\sigma$ write $\sigma'(z^{(l)})$ (tag `sigmoid-specific`).",
    ),
)
