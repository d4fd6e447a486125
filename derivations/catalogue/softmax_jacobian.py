"""∂p/∂z = diag(p) − p pᵀ for p = softmax(z)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Ones, Softmax, exp
from derivations.notation import N_OUT, p, z_L

ez = exp(z_L)  # e^{z}, elementwise
total = Ones(N_OUT).T @ ez  # 𝟏ᵀe^{z} = Σ_k e^{z_k}, a scalar

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
                    r"$e^{z_i}$ depends on $z_i$ alone, so $\unchecked{\partial "
                    r"e^{z}/\partial z = "
                    r"\operatorname{diag}(e^{z})}$; $\unchecked{\partial s / \partial z_j = e^{z_j}}$, so "
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
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),  # softmax of a single logit is constant: n_L ≥ 2
    probe=Probe(kind="softmax", bind={"z_L": "z", "p": "p"}),
    notes=(
        r"Entry by entry the result reads $\unchecked{\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - "
        r"p_j)}$: "
        r"$p_i(1 - p_i)$ on the diagonal ($\unchecked{i = j}$) and $-p_i p_j$ off it ($\unchecked{i \ne "
        r"j}$), the two cases a "
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
        r"A sign lost in one entry of the component-wise matrix ($+p_i p_j$ for some $\unchecked{i \ne j}$): "
        r"every "
        r"off-diagonal entry is $-p_i p_j$, and the matrix is symmetric, which is a quick check.",
    ),
)
