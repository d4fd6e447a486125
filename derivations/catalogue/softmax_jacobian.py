"""∂p/∂z = diag(p) − p pᵀ for p = softmax(z)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import (
    Deriv,
    Diag,
    Entry,
    IndexSum,
    KDelta,
    Ones,
    Piecewise,
    Softmax,
    exp,
    other_index,
    same_index,
)
from derivations.notation import N_OUT, p, z_L

ez = exp(z_L)  # e^{z}, elementwise
total = Ones(N_OUT).T @ ez  # 𝟏ᵀe^{z} = Σ_k e^{z_k}, a scalar

# the index level: entry (i, j) of the Jacobian, p_i = e^{z_i} / s with s = Σ_k e^{z_k}
p_i, p_j = Entry(p, "i"), Entry(p, "j")
ez_i, ez_j = exp(Entry(z_L, "i")), exp(Entry(z_L, "j"))
s_k = IndexSum("k", exp(Entry(z_L, "k")))

INDEX_CHAIN = Chain(
    start=Entry(Deriv(p, z_L), "i", "j"),
    name="index",
    level="index",
    steps=(
        Step(
            Entry(Deriv(ez_i / s_k, z_L), "j"),
            r"definition: $\unchecked{p_i = e^{z_i} / s}$ with $\unchecked{s = \sum_k e^{z_k}}$, a sum "
            r"that contains every $z_j$",
        ),
        Step(
            (KDelta("i", "j") * ez_i * s_k - ez_i * ez_j) / s_k**2,
            r"quotient rule; $e^{z_i}$ depends on $z_j$ only when $i = j$, so its derivative is "
            r"$\delta_{ij} e^{z_i}$ with Kronecker's $\delta_{ij}$ (1 if $i = j$, else 0); "
            r"and the derivative of the sum by $z_j$ is its one term $e^{z_j}$",
        ),
        Step(
            Piecewise((
                (p_i * (1 - p_i), same_index("i", "j")),
                (-(p_i * p_j), other_index("i", "j")),
            )),
            r"the two cases: for $i = j$ the fraction is $\unchecked{e^{z_i} / s - (e^{z_i} / s)^2 = "
            r"p_i - p_i^2}$; for $i \ne j$ only the second term is left, "
            r"$\unchecked{-(e^{z_i} / s)(e^{z_j} / s) = -p_i p_j}$",
        ),
        Step(
            p_i * (KDelta("i", "j") - p_j),
            r"both cases in one formula: $\delta_{ij}$ is 1 on the diagonal and 0 off it",
        ),
        Step(
            Entry(Diag(p) - p @ p.T, "i", "j"),
            r"entry $(i, j)$ of $\operatorname{diag}(p)$ is $p_i$ on the diagonal and 0 off it, and "
            r"of $p\,p^\top$ it is $p_i p_j$: the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="softmax-jacobian",
    title="Jacobian of softmax",
    topic="outputs and losses",
    context=(
        r"The output layer of a classifier: logits $\unchecked{z^{(L)} \in \mathbb{R}^{n_L}}$ and "
        r"$p = \operatorname{softmax}(z^{(L)})$, $p_j = e^{z_j} / \sum_k e^{z_k}$ (in the "
        r"reasons "
        r"$z$ stands for $z^{(L)}$, and $e^{z}$ is the vector of the $e^{z_k}$). Column "
        r"convention: "
        r"the Jacobian $\partial p / \partial z$ is $n_L \times n_L$ with entry $\unchecked{(i, "
        r"j) = "
        r"\partial p_i / \partial z_j}$. Every $p_i$ depends on every $z_j$ through the sum in "
        r"the "
        r"denominator, so unlike an elementwise activation the Jacobian is not diagonal."
    ),
    symbols=(z_L, p),
    definitions=((p, Softmax(z_L)),),
    chains=(
        Chain(
            start=Deriv(p, z_L),
            steps=(
                Step(
                    Deriv(ez / total, z_L),
                    r"definition: $\unchecked{p = e^{z} / s}$ with the scalar "
                    r"$\unchecked{s = \mathbf{1}^\top e^{z} = \sum_k e^{z_k}}$",
                ),
                Step(
                    Deriv(ez, z_L) / total - (ez @ Deriv(total, z_L).T) / total**2,
                    r"quotient rule for a vector $\unchecked{u}$ over a scalar $\unchecked{s}$: "
                    r"$\unchecked{\frac{\partial (u/s)}{\partial z} = \frac{1}{s} \frac{\partial u}{\partial "
                    r"z} "
                    r"- \frac{1}{s^2} u \left(\frac{\partial s}{\partial z}\right)^\top}$",
                ),
                Step(
                    Diag(ez) / total - (ez @ ez.T) / total**2,
                    r"$e^{z_i}$ depends on $z_i$ alone, so $\partial "
                    r"e^{z}/\partial z = "
                    r"\operatorname{diag}(e^{z})$; $\unchecked{\partial s / \partial z_j = e^{z_j}}$, so "
                    r"the "
                    r"gradient of $\unchecked{s}$ is $e^{z}$",
                ),
                Step(
                    Diag(p) - p @ p.T,
                    r"$\unchecked{\frac{e^{z}}{s} = p}$, and $\unchecked{\frac{e^{z} (e^{z})^\top}{s^2} = "
                    r"\frac{e^{z}}{s} \left(\frac{e^{z}}{s}\right)^\top = p\,p^\top}$",
                ),
            ),
        ),
        INDEX_CHAIN,
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),  # softmax of a single logit is constant: n_L ≥ 2
    probe=Probe(kind="softmax", bind={"z_L": "z", "p": "p"}),
    notes=(
        r"Entry by entry the result reads $\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - "
        r"p_j)$: "
        r"$p_i(1 - p_i)$ on the diagonal ($i = j$) and $-p_i p_j$ off it ($i \ne "
        r"j$), the two cases a "
        r"derivation by components treats separately. The matrix is symmetric, so the order of the "
        r"indices does not matter here; it does for the chain rule through it."
    ),
    mistakes=(
        r"$\operatorname{diag}(p \odot (1 - p))$: only the diagonal $p_i(1 - p_i)$, the sigmoid's "
        r"pattern; the off-diagonal $-p_i p_j$ that couple the outputs are missing.",
        r"$p\,p^\top - \operatorname{diag}(p)$: the sign flipped; the diagonal entries "
        r"$p_i(1 - p_i)$ are positive (tag `sign-error`).",
        r"$\operatorname{diag}(p) - p^\top p$: $p^\top p$ is a scalar, not the outer product "
        r"$p\,p^\top$ (tag `wrong-order`).",
        r"A sign lost in one entry of the component-wise matrix ($+p_i p_j$ for some $i \ne j$): "
        r"every "
        r"off-diagonal entry is $-p_i p_j$, and the matrix is symmetric, which is a quick check.",
    ),
)
