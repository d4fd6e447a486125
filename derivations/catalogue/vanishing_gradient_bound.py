"""δ^{(l)} two layers down: a product of diag(σ') and Wᵀ factors, so ‖δ^{(l)}‖ ≤ (¼ ‖W‖₂)^k ‖δ^{(l+k)}‖."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, dsigma, mat, scalar, sigma, vec
from derivations.notation import N_NEXT, W_next, a_l, b_next, delta_next, z_l, z_next

N_NEXT2 = "n_{l+2}"
a_next = vec("a_next", N_NEXT, "a^{(l+1)}")
W_next2 = mat("W_next2", N_NEXT2, N_NEXT, "W^{(l+2)}")
b_next2 = vec("b_next2", N_NEXT2, "b^{(l+2)}")
z_next2 = vec("z_next2", N_NEXT2, "z^{(l+2)}")
delta_next2 = vec("delta_next2", N_NEXT2, r"\delta^{(l+2)}")
L = scalar("L", "L", depends=(z_next2,))

DERIVATION = Derivation(
    id="vanishing-gradient-bound",
    title="How δ shrinks through sigmoid layers",
    topic="initialization and depth",
    context=(
        r"Column convention, one example, a generic activation $\sigma$: "
        r"$a^{(l)} = \sigma(z^{(l)})$, $z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$, "
        r"$a^{(l+1)} = \sigma(z^{(l+1)})$, $z^{(l+2)} = W^{(l+2)} a^{(l+1)} + b^{(l+2)}$, and "
        r"$\delta^{(l+2)} = \partial L / \partial z^{(l+2)}$ is known. Applying hidden-delta twice "
        r"gives $\unchecked{\delta^{(l)}}$ as a product of one factor "
        r"$\unchecked{\operatorname{diag}(\sigma'(z)) (W)^\top}$ per layer; for the sigmoid every "
        r"$\unchecked{\sigma' \le \frac{1}{4}}$ (sigmoid-derivative-bound), which bounds the product."
    ),
    symbols=(z_l, a_l, W_next, b_next, z_next, a_next, W_next2, b_next2, z_next2, delta_next2, delta_next),
    definitions=(
        (a_l, sigma(z_l)),
        (z_next, W_next @ a_l + b_next),
        (a_next, sigma(z_next)),
        (z_next2, W_next2 @ a_next + b_next2),
        (delta_next2, Deriv(L, z_next2)),
        (delta_next, Deriv(L, z_next)),
    ),
    chains=(
        Chain(
            start=Deriv(L, z_l),
            steps=(
                Step(
                    Diag(dsigma(z_l)) @ W_next.T @ Deriv(L, z_next),
                    r"hidden-delta at layer $l$: "
                    r"$\delta^{(l)} = \operatorname{diag}(\sigma'(z^{(l)}))(W^{(l+1)})^\top "
                    r"\delta^{(l+1)}$",
                ),
                Step(
                    Diag(dsigma(z_l)) @ W_next.T @ Diag(dsigma(z_next)) @ W_next2.T @ delta_next2,
                    r"hidden-delta again, at layer $l+1$: one more factor "
                    r"$\operatorname{diag}(\sigma'(z^{(l+1)}))(W^{(l+2)})^\top$",
                ),
            ),
        ),
    ),
    probe=Probe(
        kind="vanishing",
        bind={"z_l": "z[l]", "W_next": "W[l+1]", "z_next": "z[l+1]", "W_next2": "W[l+2]",
              "delta_next2": "delta[l+2]"},
        layer=1,
        networks=(
            {"sizes": (3, 5, 4, 6, 5, 4, 5, 6, 4, 5, 2), "activation": "sigmoid", "loss": "mse", "batch": 1},
            {"sizes": (4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 3), "activation": "sigmoid", "loss": "softmax-ce",
             "batch": 1},
        ),
    ),
    notes=(
        r"The bound: the spectral norm of a product is at most the product of the norms, and "
        r"$\unchecked{\lVert \operatorname{diag}(\sigma'(z)) \rVert_2 = \max_i \sigma'(z_i) \le "
        r"\frac{1}{4}}$, so "
        r"$\unchecked{\lVert \delta^{(l)} \rVert \le \left(\frac{1}{4}\right)^k \prod_{j=l+1}^{l+k} "
        r"\lVert W^{(j)} \rVert_2 \, \lVert \delta^{(l+k)} \rVert}$: unless the weights have norms "
        r"above 4, $\unchecked{\delta}$ shrinks geometrically towards the input. What the machine checks: "
        r"the "
        r"chain exactly, and numerically the result against central differences of a 10-layer "
        r"sigmoid network's cost; the bound itself, for every pair of layers $\unchecked{l < l + k}$ of "
        r"those "
        r"networks, as an inequality between the measured norms (a numeric check, not a proof)."
    ),
    mistakes=(
        r"$\unchecked{\operatorname{diag}(\sigma'(z^{(l)})) W^{(l+1)} "
        r"\operatorname{diag}(\sigma'(z^{(l+1)})) "
        r"(W^{(l+2)})^\top \delta^{(l+2)}}$: a transpose left out; going backwards every layer's "
        r"weights act transposed (tag `missing-transpose`).",
        r"$\unchecked{(W^{(l+1)})^\top \operatorname{diag}(\sigma'(z^{(l)})) "
        r"\operatorname{diag}(\sigma'(z^{(l+1)})) "
        r"(W^{(l+2)})^\top \delta^{(l+2)}}$: two factors swapped; $\sigma'(z^{(l)})$ scales the "
        r"$n_l$ entries of layer $l$, so it acts last (tag `wrong-order`).",
        r"Blaming small weights alone: with $\unchecked{\sigma' \le \frac{1}{4}}$, weights of norm 1 already "
        r"shrink $\unchecked{\delta}$ at least fourfold per layer, $\unchecked{4^{10} \approx 10^6}$ over "
        r"ten layers.",
    ),
)
