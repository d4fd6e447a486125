"""Check 3: a derivation's result against central differences of the reference MLP (float64).

For each network of the derivation's :class:`~derivations.base.Probe` the reference MLP is run
forward and backward; the quantity the derivation is about (∂J/∂z^{(l)}, ∂J/∂W^{(l)}, ...) is
computed by central differences; and two things are compared with it:

- the derivation's *formula*, evaluated on the MLP's own values (``bind`` names them), and
- the MLP's backward pass, which is written from the same formula.

Either one wrong is a failure. Errors and tolerance follow :mod:`checker.network.central_difference`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from checker.network.central_difference import TOLERANCE, central_gradient, max_relative_error, passes
from checker.proof import numeric_training
from checker.proof.evaluate import NumEnv, evaluate
from checker.proof.example import remember_comparison, remember_evaluation
from checker.proof.sizes import sizes_for
from checker.proof.verdicts import NumericCheck
from derivations.base import Chain, Derivation, Probe
from derivations.expr import Sym, symbols_of

Array = np.ndarray


# --------------------------------------------------------------------------------- bindings

_REF = re.compile(r"^(?P<name>[A-Za-z]+)\[(?P<base>l|L|\d+)(?P<off>[+-]\d+)?\]$")


def resolve(ref: str, quantities: dict[str, object], layer: int, depth: int) -> Array:
    """A quantity of the run by its name in a probe: ``"z[l]"``, ``"W[l+1]"``, ``"Y"``, ``"m"``."""
    match = _REF.match(ref)
    if match is None:
        if ref not in quantities:
            raise KeyError(f"the probe names {ref!r}, which the run does not provide")
        return np.asarray(quantities[ref], float)
    base = {"l": layer, "L": depth}.get(match["base"])
    k = (int(match["base"]) if base is None else base) + int(match["off"] or 0)
    table = quantities.get(match["name"])
    if not isinstance(table, dict) or k not in table:
        raise KeyError(f"the probe names {ref!r}, which the run does not provide")
    return np.asarray(table[k], float)


def _generic(activation: str) -> dict[str, str]:
    return {"sigma": activation.replace("-", "_"), "f": "sin"}


def _evaluate_result(d: Derivation, chain: Chain, values: dict[str, Array], activation: str) -> Array:
    env = NumEnv(values, dict(d.definitions), _generic(activation))
    result = evaluate(chain.result, env)
    remember_evaluation(chain.name, values, result)
    return result


def _bound(probe: Probe, quantities: dict[str, object], layer: int, depth: int) -> dict[str, Array]:
    return {key: resolve(ref, quantities, layer, depth) for key, ref in probe.bind.items()}


# ------------------------------------------------------------------------------ networks


@dataclass
class Run:
    """One reference-MLP run: the model, its data, forward cache and gradients."""

    model: object
    X: Array
    Y: Array
    cache: object
    grads: object
    label: str
    raw_targets: Array | None = None  # the targets before label smoothing


def _targets(loss: str, n: int, m: int, rng: np.random.Generator) -> Array:
    if loss == "softmax-ce":
        Y = rng.random((n, m)) + 0.05
        return Y / Y.sum(axis=0, keepdims=True)  # general y on the simplex, not only one-hot
    return rng.uniform(0.05, 0.95, size=(n, m))


def make_run(net: dict, seed: int = 0) -> Run:
    """Build, run forward and backward one network configuration of a probe."""
    from checker.network.mlp import MLP

    sizes = tuple(net["sizes"])
    activation = net.get("activation", "sigmoid")
    loss = net.get("loss", "mse")
    m = int(net.get("batch", 1))
    model = MLP.create(
        sizes, activation=activation, loss=loss, l1=net.get("l1", 0.0), l2=net.get("l2", 0.0), seed=seed
    )
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(size=(sizes[0], m))
    Y = raw = _targets(loss, sizes[-1], m, rng)
    if net.get("label_smoothing"):  # the reference code's smoothing; the formula reads the raw y
        from checker.network.losses import smooth_labels

        Y = smooth_labels(Y, net["label_smoothing"])
    cache = model.forward(X)
    grads = model.backward(cache, Y)
    label = f"{'-'.join(map(str, sizes))} {activation} {loss}, batch {m}"
    extras = [f"{k.replace('_', ' ')} {net[k]}" for k in ("l1", "l2", "label_smoothing") if net.get(k)]
    return Run(model, X, Y, cache, grads, label + "".join(", " + e for e in extras), raw)


def _quantities(run: Run) -> dict[str, object]:
    model, cache, grads = run.model, run.cache, run.grads
    m = run.X.shape[1]
    depth = len(model.weights)
    return {
        "z": dict(cache.z),
        "a": dict(cache.a),
        "A": dict(cache.a),
        "W": {l: model.weights[l - 1] for l in range(1, depth + 1)},
        "b": {l: model.biases[l - 1] for l in range(1, depth + 1)},
        "delta": dict(grads.delta),
        # Δ^{(l)}: column i is δ of example i alone, so m times the batch cost's δ (which has 1/m)
        "Delta": {l: m * v for l, v in grads.delta.items()},
        "Y": run.Y,
        "X": run.X,
        "x": run.X,
        "m": np.array([[float(m)]]),
        "P": cache.a[depth],
    }


def _check(label: str, pairs: list[tuple[str, Array, Array]], tolerance: float = TOLERANCE) -> NumericCheck:
    remember_comparison(label, pairs, tolerance)
    worst, detail = 0.0, ""
    for what, analytic, numeric in pairs:
        err = max_relative_error(analytic, numeric)
        if err > worst or not detail:
            worst, detail = max(worst, err), f"worst: {what} ({err:.2e})"
    return NumericCheck(label, worst, passes(worst, tolerance), detail)


def _training_kind(d: Derivation) -> list[NumericCheck]:
    """The kinds of :mod:`checker.proof.numeric_training`, turned into verdicts."""
    assert d.probe is not None
    comparisons = numeric_training.KINDS[d.probe.kind](d, partial(_evaluate_result, d))
    out = []
    for c in comparisons:
        if c.bound:  # pairs of (measured / bound, 1): at most 1 passes
            worst = max(float(np.max(ratio)) for _, ratio, _ in c.pairs)
            ok = bool(np.isfinite(worst) and worst <= 1.0)
            out.append(NumericCheck(c.label, max(0.0, worst - 1.0), ok, c.detail))
            continue
        check = _check(c.label, c.pairs, c.tolerance)
        if c.detail:
            check.detail = f"{check.detail}; {c.detail}"
        out.append(check)
    return out


# ------------------------------------------------------------------------------- kinds


def _network_kind(d: Derivation) -> list[NumericCheck]:
    probe = d.probe
    assert probe is not None
    out = []
    for seed, net in enumerate(probe.networks):
        run = make_run(net, seed)
        model = run.model
        depth = len(model.weights)
        layer = depth if probe.kind == "loss-output" else probe.layer
        quantities = _quantities(run)
        if net.get("label_smoothing"):
            eps = float(net["label_smoothing"])
            quantities["epsilon"] = np.array([[eps]])
            quantities["Y_raw"] = run.raw_targets
        if probe.kind == "update":
            quantities.update(_update_quantities(run, layer))
        values = _bound(probe, quantities, layer, depth)
        activation = net.get("activation", "sigmoid")
        if probe.kind in ("dz", "loss-output"):

            def cost_of_z(z: Array, layer: int = layer, run: Run = run) -> float:
                return run.model.cost_from_layer(layer, z, run.cache, run.Y)

            numeric = central_gradient(cost_of_z, run.cache.z[layer])
            mlp_value = run.grads.delta[layer]
            what = f"δ^({layer})"
        elif probe.kind in ("dW", "db"):
            params = model.weights if probe.kind == "dW" else model.biases
            target = params[layer - 1]

            def cost_of_param(p: Array, target: Array = target, run: Run = run) -> float:
                saved = target.copy()
                target[...] = p
                try:
                    return run.model.cost(run.X, run.Y)
                finally:
                    target[...] = saved

            numeric = central_gradient(cost_of_param, target)
            mlp_value = (run.grads.W if probe.kind == "dW" else run.grads.b)[layer]
            what = f"∂J/∂{'W' if probe.kind == 'dW' else 'b'}^({layer})"
        elif probe.kind == "input":
            x = run.X[:, :1]

            def output(x_: Array, run: Run = run) -> Array:
                return run.model.forward(x_).a[len(run.model.weights)]

            numeric = central_gradient(output, x)
            mlp_value = model.input_jacobian(x)
            what = "∂a^(L)/∂x"
        elif probe.kind == "update":
            numeric = quantities["W"][layer] - ETA * quantities["full_gradient"]
            mlp_value = quantities["W"][layer] - ETA * run.grads.W[layer]
            what = f"W^({layer}) − η ∂J_λ/∂W^({layer})"
        else:
            raise ValueError(f"unknown probe kind {probe.kind!r}")
        pairs = [(f"MLP {what}", mlp_value, numeric)]
        for chain in d.matrix_chains:
            result = _evaluate_result(d, chain, values, activation)
            target = probe.targets.get(chain.name)
            if target is None:
                pairs.append((f"formula {what}", result, numeric))
            else:
                pairs.append((f"formula ∂J/∂{target}", result, _gradient_in(run, target, quantities, depth)))
        out.append(_check(run.label, pairs))
    return out


def _gradient_in(run: Run, target: str, quantities: dict[str, object], depth: int) -> Array:
    """∂J/∂(the run's ``target``) by central differences; ``"a[L]"`` only: the loss seen as a
    function of the network's output (it is the last layer's loss, nothing above it)."""
    from checker.network.losses import loss

    if target != "a[L]":
        raise ValueError(f"a network probe compares a chain with ∂J/∂a[L] only, not ∂J/∂{target}")
    cost = loss(run.model.loss)
    z_L, a_L = resolve("z[L]", quantities, depth, depth), resolve("a[L]", quantities, depth, depth)
    return central_gradient(lambda a: cost.fn(z_L, a, run.Y), a_L)


ETA = 0.1


def _update_quantities(run: Run, layer: int) -> dict[str, object]:
    """G = ∂J/∂W^{(l)} of the unregularised cost and ∂J_λ/∂W^{(l)}, both by central differences."""
    model = run.model
    W = model.weights[layer - 1]

    def cost(p: Array, regularised: bool) -> float:
        saved, l1, l2 = W.copy(), model.l1, model.l2
        W[...] = p
        if not regularised:
            model.l1 = model.l2 = 0.0
        try:
            return model.cost(run.X, run.Y)
        finally:
            W[...] = saved
            model.l1, model.l2 = l1, l2

    return {
        "G": {layer: central_gradient(lambda p: cost(p, False), W)},
        "full_gradient": central_gradient(lambda p: cost(p, True), W),
        "eta": np.array([[ETA]]),
        "lambda": np.array([[model.l2 or model.l1]]),
    }


def _activation_kind(d: Derivation) -> list[NumericCheck]:
    from checker.network.activations import activation

    probe = d.probe
    assert probe is not None
    act = activation(probe.activation)
    rng = np.random.default_rng(0)
    points = rng.uniform(-3, 3, size=12)
    points = points[np.abs(points) > 0.1]  # away from the kink at 0 of relu, leaky relu, elu
    pairs = []
    key = next(iter(probe.bind))
    for z in points:
        numeric = central_gradient(lambda v: act.fn(v), np.array([[z]]))
        values = {key: np.array([[z]])}
        values.update({k: np.array([[1.0]]) for k, r in probe.bind.items() if r == "alpha"})
        formula = _evaluate_result(d, d.chains[0], values, probe.activation)
        pairs.append((f"formula at z = {z:.3f}", formula, numeric))
        pairs.append((f"MLP σ' at z = {z:.3f}", act.prime(np.array([[z]])), numeric))
    return [_check(f"{probe.activation} at {len(points)} points", pairs)]


def _softmax_kind(d: Derivation) -> list[NumericCheck]:
    from checker.network.activations import softmax, softmax_jacobian

    probe = d.probe
    assert probe is not None
    out = []
    for n in (3, 5):
        z = np.random.default_rng(n).normal(size=(n, 1))
        p = softmax(z)
        numeric = central_gradient(softmax, z)
        values = {k: (z if r == "z" else p) for k, r in probe.bind.items()}
        formula = _evaluate_result(d, d.chains[0], values, "sigmoid")
        out.append(_check(f"softmax of {n} logits", [
            ("formula ∂p/∂z", formula, numeric),
            ("MLP softmax Jacobian", softmax_jacobian(p), numeric),
        ]))
    return out


# chain name of row-backprop -> the variable it is the gradient of
ROW_GRADIENT_OF = {"delta3": "Z2", "delta2": "Z1", "dW2": "W2", "db2": "b2", "dW1": "W1", "db1": "b1"}


def _row_loss(params: dict[str, Array], X: Array, Y: Array, name: str, value: Array) -> float:
    """The slides' summed loss with one variable (a parameter, Z1 or Z2) replaced by ``value``."""
    p = {**params, name: value} if name in params else params
    Z1 = value if name == "Z1" else X @ p["W1"] + p["b1"]
    Z2 = value if name == "Z2" else np.tanh(Z1) @ p["W2"] + p["b2"]
    shifted = Z2 - Z2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(Y * log_p).sum())


def _row_kind(d: Derivation) -> list[NumericCheck]:
    """The row-convention network of the slides (``checker.network.rownet``), one check per chain."""
    from checker.network import rownet

    probe = d.probe
    assert probe is not None
    out = []
    for seed, net in enumerate(probe.networks or ({"sizes": (3, 5, 4), "batch": 6},)):
        d_in, hidden, classes = net["sizes"]
        m = int(net.get("batch", 6))
        params = rownet.init_params(d_in, hidden, classes, seed=seed)
        rng = np.random.default_rng(seed + 10)
        X = rng.normal(size=(m, d_in))
        Y = np.eye(classes)[rng.integers(0, classes, size=m)]
        cache = rownet.row_forward(params, X)
        grads = rownet.row_backward(params, cache, Y)
        quantities = {
            **params, **grads, "X": X, "Y": Y,
            "Z1": cache["z1"], "A1": cache["a1"], "Z2": cache["z2"], "P": cache["probs"],
        }
        values = {k: np.asarray(quantities[r], float) for k, r in probe.bind.items()}
        pairs = []
        for chain in d.matrix_chains:
            target = ROW_GRADIENT_OF[chain.name]
            numeric = central_gradient(
                partial(_row_loss, params, X, Y, target), quantities[target]
            )
            formula = _evaluate_result(d, chain, values, "tanh")
            pairs.append((f"formula {chain.name}", formula, numeric))
            pairs.append((f"rownet {chain.name}", grads[chain.name], numeric))
        out.append(_check(f"row network {d_in}-{hidden}-{classes}, batch {m}", pairs))
    return out


def random_values(d: Derivation, sizes: dict[str, int], rng: np.random.Generator) -> dict[str, Array]:
    """Random values for every free symbol of a derivation (simplex and positive ones respected)."""
    found: set[Sym] = set()
    defined = {s for s, _ in d.definitions}
    for chain in d.matrix_chains:
        found |= symbols_of(chain.start) | symbols_of(chain.result)
    for _, e in d.definitions:
        found |= symbols_of(e)
    values = {}
    for s in sorted(found - defined, key=lambda s: s.key):
        if s.depends:
            continue
        shape = tuple(x if isinstance(x, int) else sizes[x] for x in s.shape)
        v = rng.normal(size=shape)
        if s.key in d.simplex:
            v = np.abs(v) + 0.05
            v /= v.sum(axis=0, keepdims=True)
        if s.key in d.positive:
            v = np.abs(v) + 0.1
        if s.key in d.unit_interval:  # a decay rate: 1 − β stays positive, and β^t is real
            v = rng.uniform(0.1, 0.9, size=shape)
        values[s.key] = v
    return values


def _function_kind(d: Derivation) -> list[NumericCheck]:
    """The explicit function itself: ∂/∂ by central differences (maxout, series, fallback)."""
    out = []
    for k, sizes in enumerate(sizes_for(d)):
        rng = np.random.default_rng(100 + k)
        values = random_values(d, sizes, rng)
        for chain in d.matrix_chains:
            for act in ("tanh", "sigmoid"):
                env = NumEnv(values, dict(d.definitions), _generic(act))
                start = evaluate(chain.start, env)
                result = evaluate(chain.result, env)
                remember_evaluation(chain.name, values, result)
                out.append(_check(f"explicit function, sizes {sizes}, σ = {act}",
                                  [(f"{chain.name or 'result'}", result, start)]))
    return out


def _series_kind(d: Derivation) -> list[NumericCheck]:
    """The central difference's measured error against the predicted one, for shrinking h.

    Both sides have f'(x) subtracted, so what is compared is the error term itself: a wrong
    constant (h²/3 for h²/6) is a relative gap of 1, not of 10⁻⁴.
    """
    from derivations.expr import Fn

    out = []
    chain = d.chains[0]
    x_sym = next(s for s in d.symbols if s.key == "x")
    for fname in ("sin", "exp"):
        pairs = []
        for hv in (1e-1, 3e-2, 1e-2):
            values = {"x": np.array([[0.7]]), "h": np.array([[hv]])}
            env = NumEnv(values, dict(d.definitions), {"f": fname, "sigma": "tanh"})
            exact = evaluate(Fn("f", x_sym, 1), env)
            measured = evaluate(chain.start, env) - exact
            predicted = evaluate(chain.result, env) - exact
            remember_evaluation(chain.name, values, predicted)
            pairs.append((f"h = {hv:g}", predicted, measured))
        remember_comparison(f"f = {fname} at x = 0.7", pairs, 1e-2)
        worst = max(max_relative_error(a, n) for _, a, n in pairs)
        # the prediction leaves out O(h⁴): relative to the h² term that is O(h²) ≤ 10⁻² here
        out.append(NumericCheck(f"f = {fname} at x = 0.7, h = 0.1 … 0.01", worst, worst <= 1e-2,
                                "relative gap between the measured and the predicted error"))
    return out


def _im2col_values(X: Array, K: Array, delta: Array) -> dict[str, Array]:
    from checker.network.conv import windows

    cols = windows(X[None, None], *K.shape)
    return {"X_col": cols, "kvec": K.reshape(-1, 1), "delta_y": delta.reshape(-1, 1)}


def _im2col_numeric(values: dict[str, Array], b: float, G: Array, dK: Array) -> dict[str, Array]:
    """∂L/∂k (the kernel's gradient, read row by row) and ∂L/∂X_col by central differences of
    L = Σ G ⊙ sin(X_col k + b) with the windows as free variables."""
    def loss(cols: Array) -> float:
        return float((G.reshape(-1, 1) * np.sin(cols @ values["kvec"] + b)).sum())

    return {"dK-im2col": dK.reshape(-1, 1), "dX-im2col": central_gradient(loss, values["X_col"])}


def _conv_kind(d: Derivation) -> list[NumericCheck]:
    """The reference convolution layer (``checker.network.conv``), one channel, at each size of the
    derivation: L = Σ G ⊙ sin(Y), so δ = G ⊙ cos(Y); each chain's formula and the layer's backward
    pass against central differences of L in K, X and b, without and with padding."""
    from checker.network.conv import Conv2D, unwindows

    out = []
    for k, sizes in enumerate(sizes_for(d)):
        rng = np.random.default_rng(200 + k)
        X = rng.normal(size=(sizes["h"], sizes["w"]))
        K = rng.normal(size=(sizes["k_h"], sizes["k_w"]))
        b = rng.normal()
        pairs = []
        for pad, suffix in ((0, ""), (sizes["p"], "-padded")):
            layer = Conv2D(K[None, None].copy(), np.array([b]), pad)
            Y, cache = layer.forward(X[None, None])
            G = rng.normal(size=Y.shape)
            delta = G * np.cos(Y)
            dX, dK, db = layer.backward(delta, cache)

            def loss_at(x: Array, k: Array, bias: float, layer: Conv2D = layer, G: Array = G) -> float:
                moved = Conv2D(k[None, None], np.array([bias]), layer.pad)
                return float((G * np.sin(moved.forward(x[None, None])[0])).sum())

            numeric = {
                "dK": central_gradient(partial(lambda k_, x, bias: loss_at(x, k_, bias), x=X, bias=b), K),
                "dX": central_gradient(partial(loss_at, k=K, bias=b), X),
                "db": central_gradient(lambda b_, x=X, k_=K: loss_at(x, k_, float(b_[0, 0])),
                                       np.array([[b]])),
            }
            layer_value = {"dK": dK[0, 0], "dX": dX[0, 0], "db": np.array([[db[0]]])}
            values = {"X": X, "K": K, "b": np.array([[b]]), ("delta_p" if pad else "delta"): delta[0, 0]}
            if not pad:  # the im2col form: the windows as rows, the kernel and δ as columns
                values.update(_im2col_values(X, K, delta[0, 0]))
                numeric.update(_im2col_numeric(values, b, G[0, 0], numeric["dK"]))
            env = NumEnv(values, {}, _generic("tanh"), sizes)
            for chain in d.matrix_chains:
                base = chain.name.removesuffix("-padded")
                if chain.name != base + suffix:
                    continue
                formula = evaluate(chain.result, env)
                remember_evaluation(chain.name, values, formula)
                pairs.append((f"formula {chain.name}", formula, numeric[base]))
                if base in layer_value:
                    pairs.append((f"conv layer {chain.name}", layer_value[base], numeric[base]))
                if base == "dX-im2col":  # col2im of the windows' shares is the gradient of the image
                    col2im = unwindows(formula, (1, 1, *X.shape), *K.shape)[0, 0]
                    pairs.append(("col2im of formula dX-im2col", col2im, numeric["dX"]))
        label = f"{sizes['h']}×{sizes['w']} input, {sizes['k_h']}×{sizes['k_w']} kernel"
        out.append(_check(f"{label}, padding 0 and {sizes['p']}", pairs))
    return out


def _prox_kind(d: Derivation) -> list[NumericCheck]:
    """The proximal objectives F_1, F_2 by central differences, the soft-threshold against the
    reference code's proximal step, and that it is F_1's minimum (zero slope where it is nonzero,
    no descent either way where it is 0). U is spread over [−1, 1] and t = 0.3, so about a third of
    the entries are thresholded to 0."""
    from checker.network.proximal import l1_proximal_step

    rng = np.random.default_rng(300)
    W, G = rng.uniform(-1.5, 1.5, (3, 4)), rng.normal(size=(3, 4))
    eta, lam = 0.5, 0.6
    U, t = W - eta * G, eta * lam
    V = rng.normal(size=(3, 4))
    values = {"W_l": W, "G": G, "eta": np.array([[eta]]), "lambda": np.array([[lam]]), "V": V, "u": U}

    def F1(v: Array) -> float:
        return float(0.5 * ((v - U) ** 2).sum() + t * np.abs(v).sum())

    def F2(v: Array) -> float:
        return float(0.5 * ((v - U) ** 2).sum() + 0.5 * t * (v ** 2).sum())

    result = {c.name: _evaluate_result(d, c, values, "tanh") for c in d.matrix_chains}
    best = result["soft-threshold"]
    h = 1e-6
    slack = []
    for k in range(best.size):
        e = np.zeros(best.size)
        e[k] = h
        e = e.reshape(best.shape)
        up, down = (F1(best + e) - F1(best)) / h, (F1(best - e) - F1(best)) / h
        # a minimum: no direction descends; at a nonzero entry both one-sided slopes are ~0
        slack.append(max(-up, -down, 0.0) if best.flat[k] == 0 else abs(up - down) / 2)
    checks = [
        _check("F_1 at a random V (no zero entries)",
               [("formula ∂F_1/∂V", result["subgradient"], central_gradient(F1, V))]),
        _check("F_2 at a random V", [("formula ∂F_2/∂V", result["l2"], central_gradient(F2, V))]),
        _check(f"soft-threshold, {int((best == 0).sum())} of {best.size} entries 0",
               [("formula against the reference proximal step", best, l1_proximal_step(W, G, eta, lam))]),
        NumericCheck("the soft-threshold minimises F_1", max(slack), max(slack) <= 1e-4,
                     "largest descent slope, or |slope| at a nonzero entry, around the formula"),
    ]
    seed = np.array([1.0, 0, 0, 0]), np.full(4, 0.25)
    norms = np.array([[np.abs(v).sum(), (v ** 2).sum()] for v in seed])
    checks.append(_check("seed 002: [1,0,0,0] and [¼,¼,¼,¼] (L1 norm, squared L2 norm)",
                         [("norms", norms, np.array([[1.0, 1.0], [1.0, 0.25]]))]))
    return checks


def _modes_kind(d: Derivation) -> list[NumericCheck]:
    """Forward and reverse mode (``checker.network.modes``) on the reference MLP: the chains'
    products and the reference code's JVP/VJP against central differences of the output, and the
    multiply-adds the reference code counts against the formulas n_0 Σ n_l n_{l−1}, n_L Σ n_l n_{l−1}."""
    from checker.network import modes

    probe = d.probe
    assert probe is not None
    out = []
    for seed, net in enumerate(probe.networks):
        run = make_run(net, seed)
        model = run.model
        x = run.X[:, :1]
        J = central_gradient(lambda x_, m=model: m.forward(x_).a[m.depth], x)
        rng = np.random.default_rng(400 + seed)
        v, g = rng.normal(size=(x.shape[0], 1)), rng.normal(size=(J.shape[0], 1))
        values = _bound(probe, _quantities(run), probe.layer, model.depth)
        values.update({"v": v, "g": g})
        activation = net.get("activation", "sigmoid")
        result = {c.name: _evaluate_result(d, c, values, activation) for c in d.matrix_chains}
        pairs = [
            ("formula forward (∂y/∂x) v", result["forward"], J @ v),
            ("formula reverse (∂y/∂x)ᵀ g", result["reverse"], J.T @ g),
            ("reference JVP", modes.jvp(model, x, v)[0], J @ v),
            ("reference VJP", modes.vjp(model, x, g)[0], J.T @ g),
        ]
        counts = []
        for mode in ("forward", "reverse"):
            whole, work = modes.jacobian(model, x, mode)
            pairs.append((f"{mode}-mode Jacobian", whole, J))
            counts.append((work, modes.predicted_work(model.sizes, mode)))
        check = _check(run.label, pairs)
        measured, predicted = zip(*counts, strict=True)
        if measured != predicted:
            check = NumericCheck(run.label, float("inf"), False,
                                 f"multiply-adds counted {measured}, predicted {predicted}")
        else:
            check.detail += f"; multiply-adds forward {measured[0]}, reverse {measured[1]} as predicted"
        out.append(check)
    return out


def _pool_kind(d: Derivation) -> list[NumericCheck]:
    """The reference max-pooling layer (``checker.network.conv``) on a 2×4×6 map (two channels):
    L = Σ G ⊙ sin(Y), δ = G ⊙ cos(Y); the formula, applied window by window, and the layer's
    backward pass against central differences of L in the input."""
    from checker.network.conv import MaxPool2D

    rng = np.random.default_rng(500)
    X = rng.normal(size=(1, 2, 4, 6))
    pool = MaxPool2D(2)
    Y, cache = pool.forward(X)
    G = rng.normal(size=Y.shape)
    delta = G * np.cos(Y)
    numeric = central_gradient(lambda x: float((G * np.sin(pool.forward(x)[0])).sum()), X)
    formula = np.zeros_like(X)
    for c in range(X.shape[1]):
        for i in range(Y.shape[2]):
            for j in range(Y.shape[3]):
                rows, cols = slice(2 * i, 2 * i + 2), slice(2 * j, 2 * j + 2)
                values = {"X": X[0, c, rows, cols], "delta": np.array([[delta[0, c, i, j]]])}
                formula[0, c, rows, cols] = window = _evaluate_result(d, d.chains[0], values, "tanh")
                if c == i == j == 0:  # the worked example: the first window on its own
                    remember_comparison("the first 2×2 window of channel 1",
                                        [("formula", window, numeric[0, 0, rows, cols])])
    return [_check("2 channels of 4×6, 2×2 windows", [
        ("formula, window by window", formula, numeric),
        ("pooling layer", pool.backward(delta, cache), numeric),
    ])]


KINDS: dict[str, Callable[[Derivation], list[NumericCheck]]] = {
    "dz": _network_kind,
    "dW": _network_kind,
    "db": _network_kind,
    "loss-output": _network_kind,
    "input": _network_kind,
    "update": _network_kind,
    "activation": _activation_kind,
    "softmax": _softmax_kind,
    "row": _row_kind,
    "maxout": _function_kind,
    "function": _function_kind,
    "series": _series_kind,
    "conv": _conv_kind,
    "prox": _prox_kind,
    "modes": _modes_kind,
    **{kind: _training_kind for kind in numeric_training.KINDS},
    "pool": _pool_kind,
}


def check_probe(d: Derivation) -> list[NumericCheck]:
    """Run the numeric check the derivation's probe describes."""
    if d.probe is None:
        return []
    kind = KINDS.get(d.probe.kind)
    if kind is None:
        raise ValueError(f"{d.id}: unknown probe kind {d.probe.kind!r}; known: {', '.join(KINDS)}")
    return kind(d)
