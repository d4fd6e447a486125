"""Batch norm of one feature over a mini-batch: ∂L/∂x = γ/(m σ̃) (m g − 𝟏(𝟏ᵀg) − x̂(x̂ᵀg)), ∂L/∂γ, ∂L/∂β."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Ones, fn, scalar, vec
from derivations.notation import M

x = vec("x_bn", M, "x")
x_hat = vec("x_hat", M, r"\hat{x}")
y = vec("y_bn", M, "y")
g = vec("g_bn", M, "g")
gamma, beta = scalar("gamma", r"\gamma"), scalar("beta", r"\beta")
eps = scalar("epsilon", r"\epsilon")
m = scalar("m", "m")
mean = scalar("mu_batch", r"\mu_B")
var = scalar("var_batch", r"\sigma_B^2")
std = scalar("std_batch", r"\tilde{\sigma}")
L = scalar("L", "L", depends=(y,))
ones = Ones(M)
identity = Diag(ones)

DERIVATION = Derivation(
    id="batchnorm-backward",
    title="Batch normalisation: the backward pass",
    topic="backprop",
    context=(
        r"Batch normalisation in training mode normalises each feature (a row of the batch) over the "
        r"$m$ examples of the mini-batch, independently of the other features; so one feature is the "
        r"whole story. Its $m$ values form the column $x$: $\mu_B = \frac{1}{m}\mathbf{1}^\top x$, "
        r"$\sigma_B^2 = \frac{1}{m}\lVert x - \mu_B \mathbf{1} \rVert^2$, "
        r"$\unchecked{\tilde{\sigma} = \sqrt{\sigma_B^2 + \epsilon}}$, "
        r"$\hat{x} = (x - \mu_B\mathbf{1}) / \tilde{\sigma}$ "
        r"and $y = \gamma \hat{x} + \beta \mathbf{1}$ with the learned scalars $\gamma$, $\beta$. The loss "
        r"$L$ depends on $x$ through $y$, and $g = \partial L / \partial y$ ($m \times 1$) is known. "
        r"Every example's output depends on every example's input, through $\mu_B$ and "
        r"$\unchecked{\sigma_B^2}$."
    ),
    symbols=(x, x_hat, y, g, gamma, beta, eps, m, mean, var, std),
    definitions=(
        (m, ones.T @ ones),
        (mean, 1 / m * (ones.T @ x)),
        (var, 1 / m * (ones.T @ (x - mean * ones).odot(x - mean * ones))),
        (std, fn("sqrt", var + eps)),
        (x_hat, (x - mean * ones) / std),
        (y, gamma * x_hat + beta * ones),
        (g, Deriv(L, y)),
    ),
    chains=(
        Chain(
            name="dx",
            start=Deriv(L, x),
            steps=(
                Step(
                    Deriv(x_hat, x).T @ (gamma * g),
                    r"chain rule: $y = \gamma\hat{x} + \beta\mathbf{1}$ gives "
                    r"$\partial L/\partial \hat{x} = \gamma g$, then through $\hat{x}$",
                ),
                Step(
                    1 / std * (identity - 1 / m * (ones @ ones.T) - 1 / m * (x_hat @ x_hat.T)) @ (gamma * g),
                    r"the Jacobian of $\hat{x}$: $\partial \mu_B/\partial x = \frac{1}{m}\mathbf{1}$ and "
                    r"$\partial \tilde{\sigma}/\partial x = \frac{1}{m}\hat{x}$, so "
                    r"$\unchecked{\frac{\partial \hat{x}}{\partial x} = \frac{1}{\tilde{\sigma}}(I - "
                    r"\frac{1}{m}"
                    r"\mathbf{1}\mathbf{1}^\top - \frac{1}{m}\hat{x}\hat{x}^\top)}$, a symmetric matrix",
                ),
                Step(
                    gamma / (m * std) * (m * g - ones @ (ones.T @ g) - x_hat @ (x_hat.T @ g)),
                    r"take out $\frac{1}{m}$ and multiply out: the compact form, one pass over two sums "
                    r"$\mathbf{1}^\top g$ and $\hat{x}^\top g$",
                ),
            ),
        ),
        Chain(
            name="dgamma",
            start=Deriv(L, gamma),
            steps=(
                Step(Deriv(y, gamma).T @ g, r"chain rule through $y$"),
                Step(x_hat.T @ g, r"$\partial y_k / \partial \gamma = \hat{x}_k$"),
            ),
        ),
        Chain(
            name="dbeta",
            start=Deriv(L, beta),
            steps=(
                Step(Deriv(y, beta).T @ g, r"chain rule through $y$"),
                Step(ones.T @ g, r"$\partial y_k / \partial \beta = 1$: the sum of $g$ over the batch"),
            ),
        ),
    ),
    positive=("epsilon",),
    probe=Probe(
        kind="batchnorm",
        bind={"x_bn": "x", "g_bn": "g", "gamma": "gamma", "beta": "beta", "epsilon": "epsilon",
              "x_hat": "x_hat", "std_batch": "std"},
        targets={"dx": "dx", "dgamma": "dgamma", "dbeta": "dbeta"},
        networks=({"features": 3, "batch": 5}, {"features": 2, "batch": 8}),
    ),
    notes=(
        r"Two terms are easy to lose: $-\mathbf{1}(\mathbf{1}^\top g)$ comes from the mean and "
        r"$-\hat{x}(\hat{x}^\top g)$ from the variance, both of which depend on $x$. The gradient sums "
        r"to zero, $\mathbf{1}^\top \partial L/\partial x = 0$, because shifting every $x_k$ by the "
        r"same amount changes nothing after normalisation. For a batch $X$ ($\unchecked{n \times m}$), apply "
        r"the "
        r"formula to each row with that row's $\gamma$, $\beta$ and statistics."
    ),
    mistakes=(
        r"$\frac{\gamma}{m \tilde{\sigma}}(m g - \mathbf{1}_m\mathbf{1}_m^\top g)$: the variance's "
        r"dependence on $x$ forgotten (tag `missing-term`).",
        r"$\frac{\gamma}{\tilde{\sigma}} g$: treating $\mu_B$ and $\unchecked{\sigma_B}$ as constants, as at "
        r"test "
        r"time; in training both depend on every $x_k$.",
        r"$\wrong{\partial L/\partial \gamma = \mathbf{1}^\top g}$ or $\wrong{\partial L/\partial \beta = "
        r"\hat{x}^\top g}$: "
        r"the two swapped; $\gamma$ multiplies $\hat{x}$, $\beta$ is added.",
    ),
)
