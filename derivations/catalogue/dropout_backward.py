"""Inverted dropout: y = (x ⊙ r)/(1 − p) gives ∂L/∂x = (∂L/∂y ⊙ r)/(1 − p), and E[y] = x."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Ones, scalar, vec
from derivations.notation import N_L

x = vec("x_drop", N_L, "x")
r = vec("r", N_L, "r")
y = vec("y_drop", N_L, "y")
g = vec("g", N_L, "g")
p = scalar("p", "p")
L = scalar("L", "L", depends=(y,))
r_mean = vec("r_mean", N_L, r"\operatorname{E}[r]")

DERIVATION = Derivation(
    id="dropout-backward",
    title="Inverted dropout: forward and backward",
    topic="regularization",
    context=(
        r"A layer's activations $x$ ($n_l \times 1$) during training. Each unit is kept with "
        r"probability $1 - p$: the mask $r$ has independent entries $\unchecked{r_i \in \{0, 1\}}$ with "
        r"$\unchecked{P(r_i = 1) = 1 - p}$, drawn anew for every example and step. *Inverted* dropout scales "
        r"the "
        r"kept units in the same pass, $y = (x \odot r) / (1 - p)$, so that nothing changes at test "
        r"time ($\unchecked{y = x}$ there). The loss $L$ depends on $x$ through $y$; $g = \partial "
        r"L/\partial y$ "
        r"comes from the layer above."
    ),
    symbols=(x, r, p, y, g, r_mean),
    definitions=(
        (y, x.odot(r) / (1 - p)),
        (g, Deriv(L, y)),
        (r_mean, (1 - p) * Ones(N_L)),
    ),
    chains=(
        Chain(
            name="backward",
            start=Deriv(L, x),
            steps=(
                Step(
                    Deriv(y, x).T @ Deriv(L, y),
                    r"chain rule through $y$: $\partial L/\partial x = (\partial y/\partial x)^\top "
                    r"\partial L/\partial y$",
                ),
                Step(
                    Diag(r / (1 - p)).T @ g,
                    r"$y_i = x_i r_i / (1 - p)$ depends on $x_i$ alone, with the *same* mask as the "
                    r"forward pass: a diagonal Jacobian; and $g = \partial L / \partial y$",
                ),
                Step(
                    g.odot(r) / (1 - p),
                    r"a diagonal matrix is its own transpose, and multiplying by it is the "
                    r"elementwise product: dropped units pass no gradient, kept ones are scaled by "
                    r"$\frac{1}{1 - p}$ again",
                ),
            ),
        ),
        Chain(
            name="expectation",
            start=x.odot(r_mean) / (1 - p),
            steps=(
                Step(
                    x.odot((1 - p) * Ones(N_L)) / (1 - p),
                    r"$\unchecked{E[y] = E[x \odot r]/(1 - p) = (x \odot E[r])/(1 - p)}$ for a fixed $x$ "
                    r"(linearity), "
                    r"and $\unchecked{E[r_i] = P(r_i = 1) = 1 - p}$",
                ),
                Step(x, r"the scale $\frac{1}{1 - p}$ cancels the keep probability: $\unchecked{E[y] = x}$"),
            ),
        ),
    ),
    probe=Probe(
        kind="dropout",
        bind={"x_drop": "x", "r": "r", "p": "p", "g": "g"},
        targets={"backward": "dx", "expectation": "y_mean"},
        networks=({"units": 5, "p": 0.3}, {"units": 7, "p": 0.5}),
    ),
    notes=(
        r"What the machine checks: both chains exactly, with the mask a vector of symbols and "
        r"$E[r] = (1 - p)\mathbf{1}$ a definition; the backward formula and the reference layer "
        r"against central differences with the mask held fixed; and $\unchecked{E[y] = x}$ by sampling — the "
        r"mean of the reference layer's output over 40 000 masks must be $x$ within a relative error "
        r"of $10^{-2}$. That $\unchecked{E[r_i] = 1 - p}$ and the linearity of $\unchecked{E}$ are the "
        r"reasons of the step, "
        r"not machine checks."
    ),
    mistakes=(
        r"$g \odot r$: the scale $\frac{1}{1 - p}$ of the forward pass left out of the backward pass; "
        r"the gradient is then $1 - p$ times too small (tag `wrong-scale`).",
        r"$g / (1 - p)$ with no mask, or with a fresh mask: the backward pass must reuse the mask "
        r"of the forward pass; a dropped unit has no influence on $L$, so its gradient is 0.",
        r"Scaling by $1 - p$ at test time *and* by $\frac{1}{1 - p}$ in training: inverted dropout "
        r"does the one or the other; with both, test outputs are $(1 - p)$ times too small.",
    ),
)
