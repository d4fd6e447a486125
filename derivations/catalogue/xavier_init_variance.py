"""Var(z) = n Var(w) Var(a) for independent zero-mean weights and inputs; Var(w) = 1/n keeps Var(a)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import num, scalar

n = scalar("n_in", "n")
var_w = scalar("var_w", r"V_w")
var_a = scalar("var_a", r"V_a")
mean_w = scalar("mean_w", r"\operatorname{E}[w]")
mean_a = scalar("mean_a", r"\operatorname{E}[a]")
var_z = scalar("var_z", r"V_z")
var_w_fan_in = scalar("var_w_fan_in", r"\frac{1}{n}")

# E[w²] = Var(w) + E[w]², and likewise for a
second_moments = (var_w + mean_w**2) * (var_a + mean_a**2)

DERIVATION = Derivation(
    id="xavier-init-variance",
    title="Initialisation for tanh-like units (Xavier/LeCun)",
    topic="initialization and depth",
    context=(
        r"One unit at initialisation: $\unchecked{z = \sum_{j=1}^{n} w_j a_j}$ over its $n$ inputs (fan-in), "
        r"the "
        r"bias 0. The weights $\unchecked{w_j}$ are drawn independently with mean 0 and variance "
        r"$\unchecked{\operatorname{Var}(w)}$, independently of the inputs $\unchecked{a_j}$, which are "
        r"identically "
        r"distributed with mean $\operatorname{E}[a] = 0$ (tanh-like units: an odd activation of "
        r"a "
        r"symmetric pre-activation). Which $\unchecked{\operatorname{Var}(w)}$ keeps the variance of the "
        r"signal "
        r"from one layer to the next? Variances are written $\unchecked{V}$: $\unchecked{V_w = "
        r"\operatorname{Var}(w)}$, "
        r"$\unchecked{V_a = \operatorname{Var}(a)}$, $\unchecked{V_z = \operatorname{Var}(z)}$."
    ),
    symbols=(n, var_w, var_a, mean_w, mean_a, var_z, var_w_fan_in),
    definitions=(
        (mean_w, num(0)),
        (mean_a, num(0)),
        (var_z, n * (second_moments - mean_w**2 * mean_a**2)),
        (var_w_fan_in, 1 / n),
    ),
    chains=(
        Chain(
            name="variance",
            start=var_z,
            steps=(
                Step(
                    n * (second_moments - mean_w**2 * mean_a**2),
                    r"the $n$ terms $\unchecked{w_j a_j}$ are independent and identically distributed, so "
                    r"$\unchecked{\operatorname{Var}(z) = n \operatorname{Var}(w a)}$; and for independent "
                    r"$\unchecked{w}$, $\unchecked{a}$: "
                    r"$\unchecked{\operatorname{Var}(wa) = E[w^2]E[a^2] - E[w]^2E[a]^2}$ with "
                    r"$\unchecked{E[u^2] = \operatorname{Var}(u) + E[u]^2}$",
                ),
                Step(n * var_w * (var_a + mean_a**2), r"the weights have mean 0, $E[w] = 0$"),
                Step(n * var_w * var_a, r"tanh-like inputs have mean 0 too, $E[a] = 0$"),
            ),
        ),
        Chain(
            name="fan-in",
            start=n * var_w_fan_in * var_a,
            steps=(
                Step(n * (1 / n) * var_a, r"choose $\unchecked{\operatorname{Var}(w) = \frac{1}{n}}$"),
                Step(
                    var_a,
                    r"then $\unchecked{\operatorname{Var}(z) = \operatorname{Var}(a)}$: the signal keeps its "
                    r"size",
                ),
            ),
        ),
    ),
    sizes=({},),
    positive=("n_in", "var_w", "var_a"),
    probe=Probe(
        kind="init",
        bind={"n_in": "n", "var_w": "var_w", "var_a": "var_a"},
        targets={"variance": "var_z", "fan-in": "var_z"},
        networks=(
            {"activation": "tanh", "fan_in": 400, "fan_out": 2000},
            {"activation": "tanh", "fan_in": 250, "fan_out": 2000},
        ),
    ),
    notes=(
        r"What the machine checks: the algebra of both chains exactly, with the moments as symbols "
        r"and $E[w] = E[a] = 0$ as definitions; independence and "
        r"$\unchecked{\operatorname{Var}(\sum) = "
        r"\sum \operatorname{Var}}$ are the reasons, not machine checks. Numerically, by sampling: "
        r"the reference MLP's initial $\unchecked{W^{(1)}}$ (drawn with variance $1/n$ for these "
        r"activations) "
        r"applied to 500 inputs $\unchecked{a = \tanh(u)}$, $\unchecked{u \sim N(0, 1)}$: the sample "
        r"variance of $\unchecked{z}$ "
        r"must be $\unchecked{n \operatorname{Var}(w)\operatorname{Var}(a)}$ and "
        r"$\unchecked{\operatorname{Var}(a)}$ within "
        r"a relative error of $5 \cdot 10^{-2}$. Glorot and Bengio's $\unchecked{\frac{2}{n_{in} + "
        r"n_{out}}}$ is the "
        r"compromise between this forward condition and the same condition "
        r"$\unchecked{n_{out}\operatorname{Var}(w) = 1}$ for the backward pass."
    ),
    mistakes=(
        r"$V_w V_a$: the sum over the $n$ inputs forgotten; "
        r"the variance grows with the fan-in (tag `wrong-scale`).",
        r"$n^2 V_w V_a$: variances of independent terms add; "
        r"$\unchecked{\operatorname{Var}(c\,u) = c^2\operatorname{Var}(u)}$ is for a constant factor, not "
        r"for a sum.",
        r"$\unchecked{\operatorname{Var}(w) = \frac{1}{n}}$ for ReLU units: ReLU halves the second moment, "
        r"so "
        r"the signal shrinks by $\frac{1}{2}$ per layer (he-init-variance).",
    ),
)
