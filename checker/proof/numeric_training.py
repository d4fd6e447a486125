"""Check 3 for the training tricks: optimisers, dropout, batch norm, initialisation and bounds.

Each kind runs the reference code of :mod:`checker.network` (the optimisers, the dropout and
batch-norm layers, the MLP's initialisation) and returns :class:`Comparison` s of a derivation's
results, evaluated on the run's own values, with what the reference produced or with central
differences. :mod:`checker.proof.numeric` turns them into verdicts.

Two kinds of claim are not equalities of functions and are checked differently, each with its
tolerance stated here:

- expectations (Adam's bias correction, dropout's E[y] = x, the variances of initialisation) are
  compared with sample means of the reference code over many independent draws, from fixed seeds;
  a relative error |a − n| / (|a| + |n|) of at most ``SAMPLING_TOLERANCE`` passes (the sample
  sizes below keep the sampling error under a quarter of it), ``INIT_TOLERANCE`` for the
  variances of initialisation (see there);
- bounds (σ' ≤ ¼, the shrinking of δ) are checked as inequalities between measured numbers, or by
  maximising over a fine grid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from checker.network.central_difference import TOLERANCE, central_gradient
from checker.network.layers import BatchNorm, Dropout
from checker.network.optimisers import OPTIMISERS, Adam, Optimiser
from checker.proof.example import remember_comparison
from derivations.base import Chain, Derivation

Array = np.ndarray
Formula = Callable[[Chain, dict[str, Array], str], Array]

SAMPLING_TOLERANCE = 1e-2
# The sample variance of z = W a from one initialisation (2000 units, 500 inputs) scatters around its
# expectation because all units share the inputs and all inputs share the weights: over 8 seeds its
# relative error reached 1.5e-2 for ReLU units (whose inputs have a nonzero mean). The mistakes it
# must catch are off by a factor of 2 at least (a relative error of 1/3).
INPUTS = 500
INIT_TOLERANCE = 5e-2
# the settings every optimiser run uses (each optimiser takes the ones it has)
SETTINGS = {"lr": 0.05, "mu": 0.9, "rho": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
            "weight_decay": 0.1}


@dataclass
class Comparison:
    """Pairs (what, value, reference) compared with one tolerance; ``bound`` marks an inequality
    whose pairs are (what, measured / bound, 1): it passes when no ratio exceeds 1."""

    label: str
    pairs: list[tuple[str, Array, Array]]
    tolerance: float = TOLERANCE
    bound: bool = False
    detail: str = ""


def _scalar(x: float) -> Array:
    return np.array([[float(x)]])


def _chain(d: Derivation, name: str) -> Chain:
    return next(c for c in d.chains if c.name == name)


# ------------------------------------------------------------------------------ optimisers


def _problem(net: dict, seed: int):  # noqa: ANN202 - (model, X, Y)
    from checker.network.mlp import MLP

    sizes = tuple(net["sizes"])
    activation, loss = net.get("activation", "tanh"), net.get("loss", "mse")
    model = MLP.create(sizes, activation=activation, loss=loss, seed=seed)
    rng = np.random.default_rng(seed + 1)
    m = int(net.get("batch", 3))
    X = rng.normal(size=(sizes[0], m))
    if net.get("loss") == "softmax-ce":
        Y = rng.random((sizes[-1], m)) + 0.05
        Y /= Y.sum(axis=0, keepdims=True)
    else:
        Y = rng.uniform(0.05, 0.95, size=(sizes[-1], m))
    return model, X, Y


def _make(name: str, **overrides: float) -> Optimiser:
    cls = OPTIMISERS[name]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in {**SETTINGS, **overrides}.items() if k in names})


def _optimiser_run(net: dict, run: str, seed: int) -> dict[str, Array]:
    """``steps`` steps of one reference optimiser on W^{(1)}; the quantities of the last step.

    ``run`` is an optimiser name, or ``adam-l2`` (Adam fed the gradient of J + λ/2 ‖W‖²).
    """
    model, X, Y = _problem(net, seed)
    W = model.weights[0]
    name = "adam" if run == "adam-l2" else run
    lam = SETTINGS["weight_decay"]

    def backprop(at: Array) -> Array:
        W[...] = at
        g = model.gradients(X, Y).W[1]
        return g + lam * at if run == "adam-l2" else g

    def cost(at: Array) -> float:
        saved = W.copy()
        W[...] = at
        try:
            return model.cost(X, Y)
        finally:
            W[...] = saved

    opt = _make(name)
    for _ in range(int(net.get("steps", 3)) - 1):
        opt.step([W], [backprop(W.copy())])
    before = W.copy()
    state = {k: v[0].copy() for k, v in opt.state.items()}
    gradient = central_gradient(cost, before)
    opt.step([W], [backprop(before)])
    after = W.copy()
    new_state = {k: v[0] for k, v in opt.state.items()}
    first = _make(name, eps=0.0)
    W_first = before.copy()
    first.step([W_first], [backprop(before)])
    q: dict[str, Array] = {
        "W": before, "W_next": after, "G": gradient, "G_l2": gradient + lam * before, "W_first": W_first,
        "t": _scalar(opt.t), "eta": _scalar(opt.lr), "lambda": _scalar(lam),
        **{k: _scalar(SETTINGS[s]) for k, s in (("mu", "mu"), ("rho", "rho"), ("beta1", "beta1"),
                                                ("beta2", "beta2"), ("epsilon", "eps"))},
        **state, **{f"{k}_next": v for k, v in new_state.items()},
    }
    if isinstance(opt, Adam):
        q["m_hat"], q["v_hat"] = opt.corrected(0)
    if run == "nesterov":  # the textbook position W_t = W̃_t − μ v_t beside the stored look-ahead point
        mu = SETTINGS["mu"]
        q.update(W=before - mu * state["v"], W_next=after - mu * new_state["v"], W_ahead_next=after)
    if run == "adam":
        q.update(_adam_bias_sample(seed))
    return q


def _adam_bias_sample(seed: int, entries: int = 200_000, steps: int = 3) -> dict[str, Array]:
    """E[m̂_t] by sampling: ``steps`` steps of the reference Adam on independent entries whose
    gradients are ḡ + N(0, 1) noise; the mean of m̂ over the entries estimates E[m̂_t]."""
    rng = np.random.default_rng(seed + 7)
    g_mean = 0.5
    opt = _make("adam")
    P = np.zeros(entries)
    for _ in range(steps):
        opt.step([P], [g_mean + rng.normal(size=entries)])
    m_hat, _ = opt.corrected(0)
    return {"g_mean": _scalar(g_mean), "m_hat_mean": _scalar(m_hat.mean())}


def optimiser_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """Each chain's result against the quantity ``targets`` names, from a run of the reference optimiser."""
    probe = d.probe
    assert probe is not None
    out = []
    for seed, net in enumerate(probe.networks):
        runs: dict[str, dict[str, Array]] = {}
        for chain in d.matrix_chains:
            run, quantity = probe.targets[chain.name].split(":")
            q = runs.setdefault(run, _optimiser_run(net, run, seed))
            values = {k: q[r] for k, r in probe.bind.items() if r in q}
            sampled = quantity.endswith("_mean")
            out.append(Comparison(
                f"{run} on W(1) of {'-'.join(map(str, net['sizes']))}, step {int(q['t'][0, 0])}"
                + (", sampled" if sampled else ""),
                [(f"formula {chain.name or 'update'} against the reference {quantity}",
                  formula(chain, values, "tanh"), q[quantity])],
                SAMPLING_TOLERANCE if sampled else TOLERANCE,
            ))
    return out


# ---------------------------------------------------------------------------------- layers


def dropout_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """The backward formula and the reference layer against central differences (mask fixed), and
    E[y] = x against the mean output of the reference layer over many masks."""
    assert d.probe is not None
    return [c for seed, net in enumerate(d.probe.networks) for c in _dropout_network(d, formula, seed, net)]


def _dropout_network(d: Derivation, formula: Formula, seed: int, net: dict) -> list[Comparison]:
    assert d.probe is not None
    rng = np.random.default_rng(seed)
    n, p = int(net["units"]), float(net["p"])
    layer = Dropout(p)
    x, g = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    mask = layer.mask((n, 1), rng)
    numeric = central_gradient(lambda v: float((g * layer.forward(v, mask)).sum()), x)
    masks = layer.mask((n, 40_000), rng)
    q = {"x": x, "r": mask, "p": _scalar(p), "g": g, "dx": numeric,
         "y_mean": layer.forward(x, masks).mean(axis=1, keepdims=True)}
    values = {k: q[r] for k, r in d.probe.bind.items()}
    label = f"{n} units, p = {p:g}"
    return [
        Comparison(label, [
            ("formula ∂L/∂x", formula(d.chains[0], values, "tanh"), numeric),
            ("reference layer ∂L/∂x", layer.backward(g, mask), numeric),
        ]),
        Comparison(label + ", E[y] over 40 000 masks", [
            ("formula E[y]", formula(_chain(d, "expectation"), values, "tanh"), q["y_mean"]),
        ], SAMPLING_TOLERANCE),
    ]


def batchnorm_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """∂L/∂X, ∂L/∂γ, ∂L/∂β of L = Σ C ⊙ BN(X): the formulas row by row and the reference layer,
    against central differences."""
    assert d.probe is not None
    return [_batchnorm_network(d, formula, seed, net) for seed, net in enumerate(d.probe.networks)]


def _batchnorm_network(d: Derivation, formula: Formula, seed: int, net: dict) -> Comparison:
    assert d.probe is not None
    rng = np.random.default_rng(seed)
    n, m = int(net["features"]), int(net["batch"])
    layer = BatchNorm()
    X = 2 * rng.normal(size=(n, m)) + 1
    gamma, beta = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    C = rng.normal(size=(n, m))

    def loss(X_: Array, gamma_: Array, beta_: Array) -> float:
        return float((C * layer.forward(X_, gamma_, beta_)[0]).sum())

    numeric = {
        "dx": central_gradient(lambda v: loss(v, gamma, beta), X),
        "dgamma": central_gradient(lambda v: loss(X, v, beta), gamma),
        "dbeta": central_gradient(lambda v: loss(X, gamma, v), beta),
    }
    _, cache = layer.forward(X, gamma, beta)
    reference = dict(zip(("dx", "dgamma", "dbeta"), layer.backward(C, gamma, cache), strict=True))
    pairs = []
    for chain in d.matrix_chains:
        target = d.probe.targets[chain.name]
        rows = []
        for i in range(n):
            q = {"x": X[i:i + 1].T, "g": C[i:i + 1].T, "gamma": gamma[i:i + 1], "beta": beta[i:i + 1],
                 "epsilon": _scalar(layer.eps)}
            value = formula(chain, {k: q[r] for k, r in d.probe.bind.items() if r in q}, "tanh")
            rows.append(value.T)
            if i == 0:  # the worked example: feature 1 on its own
                remember_comparison(f"feature 1 of {n}, batch of {m}",
                                    [(f"formula {target}", value, numeric[target][:1].T)])
        pairs.append((f"formula {target}, row by row", np.vstack(rows), numeric[target]))
        pairs.append((f"reference layer {target}", reference[target], numeric[target]))
    return Comparison(f"{n} features, batch of {m}", pairs)


# -------------------------------------------------------------------- initialisation, bounds


def init_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """Sampled Var(z) of z = W a with the reference MLP's initial W^{(1)} and a = σ(u), u ~ N(0, 1)."""
    from checker.network.activations import activation
    from checker.network.mlp import MLP

    probe = d.probe
    assert probe is not None
    out = []
    for seed, net in enumerate(probe.networks):
        n, k = int(net["fan_in"]), int(net["fan_out"])
        model = MLP.create((n, k, 2), activation=net["activation"], loss="mse", seed=seed)
        W = model.weights[0]
        u = np.random.default_rng(seed + 3).normal(size=(n, INPUTS))
        a = activation(net["activation"]).fn(u)
        z = W @ a
        q = {"n": _scalar(n), "var_w": _scalar(W.var()), "var_a": _scalar(a.var()), "var_u": _scalar(u.var()),
             "var_z": _scalar(z.var())}
        values = {key: q[r] for key, r in probe.bind.items()}
        pairs = [(f"formula {c.name or 'Var(z)'} against the sampled {probe.targets[c.name]}",
                  formula(c, values, net["activation"]), q[probe.targets[c.name]]) for c in d.matrix_chains]
        out.append(Comparison(f"{net['activation']}, {n} → {k} units, {INPUTS} inputs, sampled", pairs,
                              INIT_TOLERANCE))
    return out


def bound_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """The identity at points against the reference σ', and its maximum over a fine grid."""
    from checker.network.activations import activation

    probe = d.probe
    assert probe is not None
    act = activation(probe.activation)
    key = next(iter(probe.bind))
    pairs = []
    for z in np.linspace(-6, 6, 13):
        pairs.append((f"formula at z = {z:g}", formula(d.chains[0], {key: _scalar(z)}, probe.activation),
                      act.prime(_scalar(z))))
    grid = np.linspace(-20, 20, 400_001)  # includes z = 0
    primes = act.prime(grid)
    best = int(np.argmax(primes))
    maximum = _chain(d, "maximum")
    pairs.append(("formula maximum against the grid's maximum", formula(maximum, {}, probe.activation),
                  _scalar(primes[best])))
    pairs.append(("where the grid's maximum is (z = 0)", _scalar(grid[best]), _scalar(0.0)))
    return [Comparison(f"{probe.activation}' at 13 points and over 400 001 points of [-20, 20]", pairs)]


_REF = re.compile(r"^(?P<name>[A-Za-z]+)\[l(?P<off>[+-]\d+)?\]$")


def vanishing_kind(d: Derivation, formula: Formula) -> list[Comparison]:
    """A deep sigmoid MLP: the result against central differences of the cost in z^{(l)}, and the
    bound ‖δ^{(l)}‖ ≤ (¼)^k Π‖W^{(j)}‖₂ ‖δ^{(l+k)}‖ for every pair of layers, measured."""
    assert d.probe is not None
    return [c for seed, net in enumerate(d.probe.networks) for c in _vanishing_network(d, formula, seed, net)]


def _vanishing_network(d: Derivation, formula: Formula, seed: int, net: dict) -> list[Comparison]:
    assert d.probe is not None
    model, X, Y = _problem(net, seed)
    cache = model.forward(X)
    grads = model.backward(cache, Y)
    layer = d.probe.layer
    tables = {"z": cache.z, "W": {j + 1: w for j, w in enumerate(model.weights)}, "delta": grads.delta}
    values = {}
    for key, ref in d.probe.bind.items():
        match = _REF.match(ref)
        if match is None:
            raise ValueError(f"{d.id}: the probe names {ref!r}; write name[l], name[l+1], ...")
        values[key] = tables[match["name"]][layer + int(match["off"] or 0)]
    numeric = central_gradient(lambda v: model.cost_from_layer(layer, v, cache, Y), cache.z[layer])
    label = f"{'-'.join(map(str, net['sizes']))} sigmoid"
    return [
        Comparison(label, [
            ("formula δ^(l)", formula(d.chains[0], values, "sigmoid"), numeric),
            ("MLP δ^(l)", grads.delta[layer], numeric),
        ]),
        _vanishing_bound(model, grads.delta, label),
    ]


def _vanishing_bound(model: object, delta: dict[int, Array], label: str) -> Comparison:
    depth = len(model.weights)
    norms = [np.linalg.norm(w, 2) for w in model.weights]  # norms[j - 1] is ‖W^{(j)}‖₂
    pairs, worst = [], 0.0
    for low in range(1, depth):
        for high in range(low + 1, depth + 1):
            bound = 0.25 ** (high - low) * np.prod(norms[low:high]) * np.linalg.norm(delta[high])
            ratio = np.linalg.norm(delta[low]) / bound
            worst = max(worst, ratio)
            pairs.append((f"‖δ^({low})‖ / bound from layer {high}", _scalar(ratio), _scalar(1.0)))
    shrink = (np.linalg.norm(delta[1]) / np.linalg.norm(delta[depth])) ** (1 / (depth - 1))
    return Comparison(f"{label}: the bound for every pair of layers", pairs, bound=True,
                      detail=f"largest measured/bound ratio {worst:.3f}; δ shrinks by {shrink:.3f} per layer")


KINDS: dict[str, Callable[[Derivation, Formula], list[Comparison]]] = {
    "optimiser": optimiser_kind,
    "dropout": dropout_kind,
    "batchnorm": batchnorm_kind,
    "init": init_kind,
    "bound": bound_kind,
    "vanishing": vanishing_kind,
}
