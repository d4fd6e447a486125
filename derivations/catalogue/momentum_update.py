"""Momentum, classical and Nesterov: W_{t+1} = W_t + μv_t − ηG, and Nesterov as momentum in W + μv."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import mat
from derivations.notation import N_L, N_PREV, G, W_t, W_t1, eta, mu, v_t, v_t1

# Nesterov: the gradient is taken at the look-ahead point W̃_t = W_t + μ v_t
G_ahead = mat("G_ahead", N_L, N_PREV, r"\tilde{G}")
v_nesterov = mat("v_nesterov", N_L, N_PREV, r"\tilde{v}_{t+1}")
W_ahead = mat("W_ahead", N_L, N_PREV, r"\tilde{W}_t")
W_ahead_next = mat("W_ahead_next", N_L, N_PREV, r"\tilde{W}_{t+1}")

DERIVATION = Derivation(
    id="momentum-update",
    title="Momentum and Nesterov momentum",
    topic="optimization",
    context=(
        r"One parameter array $\unchecked{W}$ (a weight matrix of any layer) and $\unchecked{G = \partial J "
        r"/ \partial W}$ at "
        r"$W_t$. Classical momentum keeps a velocity $\unchecked{v}$ (starting at 0): "
        r"$v_{t+1} = \mu v_t - \eta G$ and $W_{t+1} = W_t + v_{t+1}$, with learning rate $\eta$ and "
        r"momentum $\unchecked{0 \le \mu < 1}$. Nesterov's method moves the same way but takes the gradient "
        r"at "
        r"the look-ahead point $\tilde{W}_t = W_t + \mu v_t$: $\unchecked{\tilde{G} = \nabla "
        r"J(\tilde{W}_t)}$ and "
        r"$\tilde{v}_{t+1} = \mu v_t - \eta \tilde{G}$ (a tilde tells it from the classical one). "
        r"The second chain rewrites it in the shifted variable "
        r"$\tilde{W}_t$: there it is a momentum method whose gradient is taken at the current iterate, "
        r"which is how the reference code (and most libraries) run it."
    ),
    symbols=(W_t, W_t1, v_t, v_t1, G, mu, eta, G_ahead, v_nesterov, W_ahead, W_ahead_next),
    definitions=(
        (v_t1, mu * v_t - eta * G),
        (W_t1, W_t + v_t1),
        (v_nesterov, mu * v_t - eta * G_ahead),
        (W_ahead, W_t + mu * v_t),
        (W_ahead_next, W_t + v_nesterov + mu * v_nesterov),
    ),
    chains=(
        Chain(
            name="classical",
            start=W_t1,
            steps=(
                Step(W_t + v_t1, r"the position moves by the new velocity, $W_{t+1} = W_t + v_{t+1}$"),
                Step(
                    W_t + mu * v_t - eta * G,
                    r"the velocity keeps the fraction $\mu$ of itself and adds the step $-\eta G$",
                ),
            ),
        ),
        Chain(
            name="nesterov",
            start=W_ahead_next,
            steps=(
                Step(
                    W_t + (1 + mu) * v_nesterov,
                    r"$\unchecked{\tilde{W}_{t+1} = W_{t+1} + \mu \tilde{v}_{t+1}}$ and "
                    r"$\unchecked{W_{t+1} = W_t + \tilde{v}_{t+1}}$: collect $\tilde{v}_{t+1}$",
                ),
                Step(
                    W_ahead - mu * v_t + (1 + mu) * (mu * v_t - eta * G_ahead),
                    r"$W_t = \tilde{W}_t - \mu v_t$, and Nesterov's "
                    r"$\tilde{v}_{t+1} = \mu v_t - \eta \tilde{G}$",
                ),
                Step(
                    W_ahead + mu * (mu * v_t - eta * G_ahead) - eta * G_ahead,
                    r"open the bracket: $-\mu v_t + \mu v_t$ cancels, and "
                    r"$(1 + \mu)(-\eta\tilde{G}) = -\eta\tilde{G} + \mu(-\eta\tilde{G})$",
                ),
                Step(
                    W_ahead + mu * v_nesterov - eta * G_ahead,
                    r"$\mu v_t - \eta \tilde{G} = \tilde{v}_{t+1}$: in $\unchecked{\tilde{W}}$ the step is "
                    r"$\mu \tilde{v}_{t+1} - \eta \tilde{G}$ with $\tilde{G}$ the gradient at "
                    r"$\tilde{W}_t$ itself",
                ),
            ),
        ),
    ),
    probe=Probe(
        kind="optimiser",
        bind={
            "W_t": "W", "v_t": "v", "G": "G", "G_ahead": "G", "eta": "eta", "mu": "mu",
        },
        targets={"classical": "momentum:W_next", "nesterov": "nesterov:W_ahead_next"},
        networks=(
            {"sizes": (3, 4, 2), "activation": "tanh", "loss": "mse", "batch": 4, "steps": 3},
            {"sizes": (2, 5, 3), "activation": "sigmoid", "loss": "softmax-ce", "batch": 3, "steps": 4},
        ),
    ),
    notes=(
        r"So Nesterov's method is classical momentum with one change, the point where the gradient "
        r"is taken; written in $\unchecked{\tilde{W}}$ it needs no extra evaluation of $\unchecked{J}$. The "
        r"two forms produce the same sequence of points, shifted by $\mu v_t$: "
        r"$\tilde{W}_t = W_t + \mu v_t$. Unrolled, classical momentum is "
        r"$\unchecked{W_{t+1} = W_t - \eta G + \mu (W_t - W_{t-1})}$, the heavy-ball method."
    ),
    mistakes=(
        r"$W_t + \mu v_t + \eta G$: the gradient added instead of subtracted, a step uphill "
        r"(tag `sign-error`).",
        r"$W_t - \eta G + v_t$: the old velocity not damped by $\mu$; with $\wrong{\mu = 1}$ nothing "
        r"forgets and the velocity grows without bound along a constant gradient.",
        r"Nesterov as $\wrong{W_{t+1} = W_t + \mu v_t - \eta \tilde{G}}$ with $\tilde{G}$ at $W_t$: that is "
        r"classical momentum again; the look-ahead gradient is taken at $W_t + \mu v_t$.",
    ),
)
