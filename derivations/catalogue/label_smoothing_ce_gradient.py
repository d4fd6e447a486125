"""Softmax cross-entropy against smoothed labels: δ^{(L)} = p − (1 − ε) y − (ε/K) 𝟏."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Fn, Ones, Softmax, scalar, vec
from derivations.notation import N_OUT, p, y, z_L

L = scalar("L", "L")
eps = scalar("epsilon", r"\varepsilon")
K = scalar("K", "K")
y_smooth = vec("y_smooth", N_OUT, r"\tilde{y}")
ones = Ones(N_OUT)
jac = Diag(p) - p @ p.T  # ∂p/∂z^{(L)}, proved in softmax-jacobian

DERIVATION = Derivation(
    id="label-smoothing-ce-gradient",
    title="Label smoothing: the output delta",
    topic="outputs and losses",
    context=(
        r"A classifier with $K$ classes, one example: logits $z^{(L)}$, "
        r"$p = \operatorname{softmax}(z^{(L)})$, a target distribution $y$ (one-hot, usually) and "
        r"the smoothed target $\tilde{y} = (1 - \varepsilon) y + \frac{\varepsilon}{K} \mathbf{1}$, "
        r"which moves a share $\varepsilon$ of the probability onto all classes evenly. The loss is "
        r"the cross-entropy $L = -\sum_k \tilde{y}_k \log p_k$ against $\tilde{y}$. "
        r"$\unchecked{K = \mathbf{1}^\top \mathbf{1}}$ is the number of classes, and $z$ stands for "
        r"$z^{(L)}$."
    ),
    symbols=(z_L, p, y, eps, K, y_smooth, L),
    definitions=(
        (p, Softmax(z_L)),
        (K, ones.T @ ones),
        (y_smooth, (1 - eps) * y + eps / K * ones),
        (L, -(ones.T @ y_smooth.odot(Fn("log", p)))),
    ),
    simplex=("y",),
    chains=(
        Chain(
            start=Deriv(L, z_L),
            steps=(
                Step(
                    jac.T @ -(y_smooth / p),
                    r"chain rule through $p$ with the softmax Jacobian (softmax-jacobian), and "
                    r"$\partial L / \partial p_k = -\tilde{y}_k / p_k$",
                ),
                Step(
                    p * (ones.T @ y_smooth) - y_smooth,
                    r"as for softmax-ce-gradient: the Jacobian is symmetric, "
                    r"$\operatorname{diag}(p)(\tilde{y}/p) = \tilde{y}$ and "
                    r"$p^\top (\tilde{y}/p) = \mathbf{1}^\top \tilde{y}$",
                ),
                Step(
                    p * ((1 - eps) * (ones.T @ y) + eps / K * (ones.T @ ones)) - y_smooth,
                    r"$\unchecked{\mathbf{1}^\top \tilde{y} = (1 - \varepsilon) \mathbf{1}^\top y + "
                    r"\frac{\varepsilon}{K} \mathbf{1}^\top \mathbf{1}}$",
                ),
                Step(
                    p - y_smooth,
                    r"$\mathbf{1}^\top y = 1$ and $\unchecked{\mathbf{1}^\top \mathbf{1} = K}$: the smoothed "
                    r"target is again a distribution, $(1 - \varepsilon) + \varepsilon = 1$",
                ),
                Step(
                    p - (1 - eps) * y - eps / K * ones,
                    r"the definition of $\tilde{y}$: the gradient is $p - y$ with the target "
                    r"smoothed, so the logits stop being pushed once $\unchecked{p = \tilde{y}}$, short of "
                    r"certainty",
                ),
            ),
        ),
    ),
    sizes=({N_OUT: 2}, {N_OUT: 3}),
    positive=("epsilon",),
    probe=Probe(
        kind="loss-output",
        bind={"z_L": "z[L]", "p": "a[L]", "y": "Y_raw", "epsilon": "epsilon"},
        networks=(
            {"sizes": (3, 4), "activation": "sigmoid", "loss": "softmax-ce", "batch": 1,
             "label_smoothing": 0.1},
            {"sizes": (2, 5, 3), "activation": "tanh", "loss": "softmax-ce", "batch": 1,
             "label_smoothing": 0.25},
        ),
    ),
    mistakes=(
        r"$p - y$: the gradient of the unsmoothed loss; the targets changed, so the delta "
        r"changes with them.",
        r"$p - (1 - \varepsilon) y$: the uniform share $\frac{\varepsilon}{K}$ left out of every "
        r"class, so the gradient no longer sums to 0 over the classes (tag `missing-term`).",
        r"$(1 - \varepsilon)(p - y)$: smoothing scales neither $p$ nor the whole gradient; only "
        r"the target moves.",
        r"$p - (1 - \varepsilon) y - \varepsilon \mathbf{1}$: all of $\varepsilon$ given to every "
        r"class; the shares $\frac{\varepsilon}{K}$ sum to $\varepsilon$ (tag `wrong-scale`).",
    ),
)
