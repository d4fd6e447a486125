"""δ^{(L)} = p − y for softmax followed by cross-entropy, with a general target distribution y."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import (
    Deriv,
    Diag,
    Entry,
    IndexSum,
    Indicator,
    Ones,
    Piecewise,
    Softmax,
    log,
    other_index,
    same_index,
    scalar,
)
from derivations.notation import N_OUT, p, y, z_L

L = scalar("L", "L")
jac = Diag(p) - p @ p.T  # ∂p/∂z^{(L)}, proved in softmax-jacobian

# the index level, the way the course's derivation goes: entry i, the sum over k split at k = i
p_i, p_k, y_i, y_k = Entry(p, "i"), Entry(p, "k"), Entry(y, "i"), Entry(y, "k")
INDEX_CHAIN = Chain(
    start=Entry(Deriv(L, z_L), "i"),
    name="index",
    level="index",
    steps=(
        Step(
            IndexSum("k", Entry(Deriv(L, p), "k") * Entry(Deriv(p, z_L), "k", "i")),
            r"chain rule: every $p_k$ depends on $z_i$ (through the sum in softmax's denominator), "
            r"so the sum runs over all $k$",
        ),
        Step(
            IndexSum("k", -(y_k / p_k) * Piecewise((
                (p_k * (1 - p_k), same_index("k", "i")),
                (-(p_k * p_i), other_index("k", "i")),
            ))),
            r"$\partial L / \partial p_k = -y_k / p_k$; and the softmax Jacobian (softmax-jacobian) "
            r"in its two cases, $p_k(1 - p_k)$ on the diagonal and $-p_k p_i$ off it",
        ),
        Step(
            -(y_i * (1 - p_i)) + IndexSum("k", Indicator(other_index("k", "i")) * y_k * p_i),
            r"the term $k = i$ of the sum, $-\frac{y_i}{p_i} p_i (1 - p_i)$, and the terms $k \ne i$, "
            r"each $\frac{y_k}{p_k} p_k p_i = y_k p_i$",
        ),
        Step(
            -y_i + p_i * IndexSum("k", y_k),
            r"open the bracket: $y_i p_i$ is the missing term $k = i$ of the sum, which now runs "
            r"over all $k$",
        ),
        Step(p_i - y_i, r"$\sum_k y_k = 1$ because $y$ is a distribution"),
        Step(Entry(p - y, "i"), r"entry $i$ of $p - y$: the matrix form's result"),
    ),
)

DERIVATION = Derivation(
    id="softmax-ce-gradient",
    title="Softmax with cross-entropy: the output delta",
    topic="outputs and losses",
    context=(
        r"The output layer of a classifier, one example: logits $z^{(L)}$, "
        r"$p = \operatorname{softmax}(z^{(L)})$ and the cross-entropy $L = -\sum_k y_k \log p_k$ against "
        r"a target distribution $y$ (one-hot or not; $y_k \ge 0$ and $\sum_k y_k = 1$). Column "
        r"convention; $\delta^{(L)} = \partial L / \partial z^{(L)}$, and in the reasons $z$ stands "
        r"for $z^{(L)}$. A quotient of two vectors, $y / p$, is taken entry by entry."
    ),
    symbols=(z_L, p, y, L),
    definitions=(
        (p, Softmax(z_L)),
        (L, -(Ones(N_OUT).T @ y.odot(log(p)))),
    ),
    simplex=("y",),
    chains=(
        Chain(
            start=Deriv(L, z_L),
            steps=(
                Step(
                    Deriv(p, z_L).T @ Deriv(L, p),
                    r"chain rule: $\partial L/\partial z = "
                    r"(\partial p/\partial z)^\top \, \partial L/\partial p$",
                ),
                Step(
                    jac.T @ -(y / p),
                    r"the softmax Jacobian (softmax-jacobian); and $p_k$ appears only in the term "
                    r"$-y_k \log p_k$ of $L$, so $\partial L/\partial p_k = -y_k/p_k$",
                ),
                Step(
                    -(jac @ (y / p)),
                    r"the Jacobian is symmetric, and the scalar $-1$ moves to the front",
                ),
                Step(
                    -(Diag(p) @ (y / p) - p @ (p.T @ (y / p))),
                    r"distribute the product over the difference",
                ),
                Step(
                    p * (Ones(N_OUT).T @ y) - y,
                    r"entry $k$ of $\operatorname{diag}(p)(y / p)$ is $p_k y_k / p_k = y_k$, and "
                    r"$p^\top (y / p) = \sum_k p_k y_k / p_k = \mathbf{1}^\top y$, a scalar; "
                    r"then open the bracket",
                ),
                Step(
                    p - y,
                    r"$\mathbf{1}^\top y = \sum_k y_k = 1$ because $y$ is a distribution: the only "
                    r"place where this is used",
                ),
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
            {"sizes": (2, 5, 3), "activation": "tanh", "loss": "softmax-ce", "batch": 1},
        ),
    ),
    mistakes=(
        r"$y - p$: the sign flipped; a gradient step $\unchecked{z - \eta\,\delta^{(L)}}$ must move $p$ "
        r"towards $y$ (tag `sign-error`).",
        r"$p$ alone, or $p - 1$ in every entry: for a one-hot $y$ the $-1$ belongs to the true "
        r"class's entry only, and the other entries are $p_j$; in vector form that is $p - y$ "
        r"(tag `missing-term`).",
        r"$(p - y) \odot p \odot (1 - p)$, treating softmax as elementwise like the sigmoid: the full "
        r"Jacobian $\operatorname{diag}(p) - p\,p^\top$ has already been used, nothing is left to "
        r"multiply.",
        r"$\wrong{\partial L / \partial p_j = -\sum_k y_k / p_j}$: only the term $k = j$ of the "
        r"sum contains "
        r"$p_j$, so $\partial L / \partial p_j = -y_j / p_j$; and stopping at $-y / p$ forgets the "
        r"chain rule through softmax.",
    ),
)
