"""∂p/∂z = diag(p) − p pᵀ for p = softmax(z)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Ones, Softmax, T
from derivations.notation import N_OUT, p, z_L

ez = Fn("exp", z_L)  # e^{z}, elementwise
total = T(Ones(N_OUT)) * ez  # 𝟏ᵀe^{z} = Σ_k e^{z_k}, a scalar

DERIVATION = Derivation(
    id="softmax-jacobian",
    title="Jacobian of softmax",
    topic="outputs and losses",
    context=(
        r"The output layer of a classifier: logits $z^{(L)} \in \mathbb{R}^{n_L}$ and "
        r"$p = \operatorname{softmax}(z^{(L)})$, $p_j = e^{z_j} / \sum_k e^{z_k}$. Column convention; "
        r"the Jacobian's entry $(i, j)$ is $\partial p_i / \partial z_j$. Every $p_i$ depends on every "
        r"$z_j$, so unlike an elementwise activation the Jacobian is not diagonal."
    ),
    symbols=(z_L, p),
    definitions=((p, Softmax(z_L)),),
    chains=(
        Chain(
            start=Deriv(p, z_L),
            steps=(
                Step(Deriv(ez / total, z_L), r"definition: $p = e^{z} / (\mathbf{1}^\top e^{z})$"),
                Step(
                    Diag(ez) / total - (ez * T(ez)) / total**2,
                    r"quotient rule: $\partial e^{z}/\partial z = \operatorname{diag}(e^{z})$ and "
                    r"$\partial (\mathbf{1}^\top e^{z})/\partial z = (e^{z})^\top$",
                ),
                Step(Diag(p) - p * T(p), r"$e^{z} / (\mathbf{1}^\top e^{z}) = p$"),
            ),
        ),
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),  # softmax of a single logit is constant: n_L ≥ 2
    probe=Probe(kind="softmax", bind={"z_L": "z", "p": "p"}),
    mistakes=(
        r"$\operatorname{diag}(p \odot (1 - p))$: only the diagonal $p_i(1 - p_i)$, missing the "
        r"off-diagonal $-p_i p_j$ that couple the outputs.",
        r"$p\,p^\top - \operatorname{diag}(p)$: the sign flipped (the diagonal must be positive).",
        r"$\operatorname{diag}(p) - p^\top p$: $p^\top p$ is a scalar, not the outer product $p\,p^\top$.",
    ),
)
