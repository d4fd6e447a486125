"""The reference MLP: gradients, dtypes, determinism, training, regularisation, ∂y/∂x, rownet."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.network import activations, gradcheck, rownet
from checker.network.losses import LOSSES
from checker.network.mlp import MLP, count_correct, sgd

ACTS = sorted(activations.ACTIVATIONS)
XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


@st.composite
def networks(draw: st.DrawFn) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A random network (depth 1–4, widths 1–6, any activations, loss, L1/L2) and a batch for it."""
    depth = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    if loss == "softmax-ce":
        sizes[-1] = max(sizes[-1], 2)
    hidden = draw(st.lists(st.sampled_from(ACTS), min_size=depth - 1, max_size=depth - 1))
    output = draw(st.sampled_from(ACTS)) if loss == "mse" else None
    l1 = draw(st.sampled_from([0.0, 0.01]))
    l2 = draw(st.sampled_from([0.0, 0.1]))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    seed = draw(st.integers(0, 2**16))
    model = MLP.create(sizes, hidden, loss, output_activation=output, l1=l1, l2=l2, dtype=dtype, seed=seed)
    X, Y = gradcheck.random_problem(model, draw(st.integers(1, 6)), seed=seed + 1)
    if loss == "softmax-ce" and draw(st.booleans()):
        # any distribution per column, not only one-hot. p − y needs Σy = 1 exactly: a float32 cast
        # of a float64 distribution is off by ~1e-8, which a 1e-6 check can see where p ≈ y, so
        # the entries are multiples of 2⁻¹² (exact in both precisions) and the last one makes 1.
        Y = np.random.default_rng(seed).dirichlet(np.ones(sizes[-1]), X.shape[1]).T
        Y = np.floor(Y * 4096) / 4096
        Y[-1] = 1.0 - Y[:-1].sum(axis=0)
        Y = Y.astype(dtype)
        assert np.all(Y.astype(np.float64).sum(axis=0) == 1.0)
    return model, X, Y


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_backward_passes_full_gradcheck(net: tuple[MLP, np.ndarray, np.ndarray]) -> None:
    model, X, Y = net
    result = gradcheck.gradcheck(model, X, Y, mode="full")
    assert result.passed, result.report()
    assert result.params_checked + result.kinks_skipped == model.n_params


@settings(max_examples=25, deadline=None)
@given(networks())
def test_deltas_are_central_differences_of_the_cost_in_z(net: tuple[MLP, np.ndarray, np.ndarray]) -> None:
    """grads.delta[l] is ∂J/∂z^{(l)}: compare every entry with cost_from_layer's central difference."""
    model, X, Y = net
    model = model.astype(np.float64)
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    cache = model.forward(X)
    grads = model.backward(cache, Y)
    h = 1e-6
    J = abs(model.cost(X, Y))
    for l in range(1, model.depth + 1):
        z = cache.z[l]
        numeric = np.empty_like(z)
        for ix in np.ndindex(z.shape):
            e = np.zeros_like(z)
            e[ix] = h
            J_plus = model.cost_from_layer(l, z + e, cache, Y)
            J_minus = model.cost_from_layer(l, z - e, cache, Y)
            numeric[ix] = (J_plus - J_minus) / (2 * h)
        kinks = activations.activation(model.activations[l - 1]).kinks
        away = np.ones(z.shape, dtype=bool) if not kinks else np.abs(z) > 10 * h
        np.testing.assert_allclose(grads.delta[l][away], numeric[away], rtol=1e-5, atol=1e-7 * max(1, J))


def test_float32_and_float64_agree_and_keep_their_dtype() -> None:
    for act, loss in [("relu", "softmax-ce"), ("tanh", "sigmoid-bce"), ("elu", "mse"), ("softplus", "mse")]:
        m64 = MLP.create([6, 5, 4, 3], act, loss, l1=0.01, l2=0.1, seed=3)
        m32 = MLP.create([6, 5, 4, 3], act, loss, l1=0.01, l2=0.1, seed=3, dtype=np.float32)
        X, Y = gradcheck.random_problem(m64, 7, seed=4)
        c32 = m32.forward(X.astype(np.float32))
        g32 = m32.backward(c32, Y.astype(np.float32))
        g64 = m64.gradients(X, Y)
        for l in range(1, 4):
            assert c32.z[l].dtype == c32.a[l].dtype == np.float32
            assert g32.delta[l].dtype == g32.W[l].dtype == g32.b[l].dtype == np.float32
            scale = np.abs(g64.W[l]).max()
            np.testing.assert_allclose(g32.W[l], g64.W[l], rtol=1e-4, atol=1e-5 * scale)
            np.testing.assert_allclose(g32.b[l], g64.b[l], rtol=1e-4, atol=1e-5 * scale)
        np.testing.assert_allclose(m32.cost(X, Y), m64.cost(X, Y), rtol=1e-5)


def test_sgd_keeps_float32() -> None:
    model = MLP.create([4, 8, 3], "relu", "softmax-ce", dtype=np.float32, seed=1)
    X, Y = gradcheck.random_problem(model, 50, seed=2)
    sgd(model, X.astype(np.float64), Y, epochs=2, batch_size=16, lr=0.1, momentum=0.9)
    assert all(p.dtype == np.float32 for p in model.param_arrays().values())


def test_sgd_on_column_views_makes_no_copy_of_the_data_set() -> None:
    """columns()/targets() views reach sgd with no transposing copy of X; a C-contiguous X costs one."""
    import tracemalloc

    from checker.training.datasets import columns, targets

    rng = np.random.default_rng(0)
    rows = rng.random((4000, 300), dtype=np.float32)  # 4.8 MB, rows as examples like the loaders'
    Y = targets(rng.integers(0, 3, 4000), 3, np.float32)

    def peak_bytes(X: np.ndarray) -> int:
        model = MLP.create([300, 8, 3], "relu", "softmax-ce", dtype=np.float32, seed=0)
        tracemalloc.start()
        try:
            sgd(model, X, Y, epochs=1, batch_size=100, lr=0.1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak_bytes(columns(rows, np.float32)) < rows.nbytes / 4
    assert peak_bytes(np.ascontiguousarray(rows.T)) >= rows.nbytes  # the check can fail


def test_determinism_under_a_seed() -> None:
    def run(seed: int) -> tuple[list[dict], np.ndarray]:
        model = MLP.create([5, 7, 3], "tanh", "softmax-ce", seed=seed)
        X, Y = gradcheck.random_problem(model, 40, seed=seed)
        history = sgd(model, X, Y, epochs=3, batch_size=8, lr=0.5, momentum=0.5, seed=seed)
        return [{k: v for k, v in r.items() if k != "seconds"} for r in history], model.params()

    h1, p1 = run(11)
    h2, p2 = run(11)
    h3, p3 = run(12)
    assert h1 == h2
    np.testing.assert_array_equal(p1, p2)
    assert not np.array_equal(p1, p3)


def test_sgd_learns_xor_with_2_2_1_sigmoid() -> None:
    model = MLP.create([2, 2, 1], "sigmoid", "mse", seed=0)
    assert model.accuracy(XOR_X, XOR_Y) < 1.0
    history = sgd(model, XOR_X, XOR_Y, epochs=2000, batch_size=4, lr=5.0, seed=0)
    assert model.accuracy(XOR_X, XOR_Y) == 1.0
    assert history[-1]["loss"] < 0.1 * history[0]["loss"]


def test_momentum_is_the_classical_update() -> None:
    """Full-batch steps: v₁ = −η g(θ₀), θ₁ = θ₀ + v₁; then θ₂ = θ₁ + μ(θ₁ − θ₀) − η g(θ₁)."""
    lr, mu = 0.3, 0.9
    model = MLP.create([3, 4, 2], "tanh", "softmax-ce", seed=5)
    X, Y = gradcheck.random_problem(model, 6, seed=6)
    theta0, g0 = model.params(), model.gradients(X, Y).flat()
    sgd(model, X, Y, epochs=1, batch_size=6, lr=lr, momentum=mu)
    theta1, g1 = model.params(), model.gradients(X, Y).flat()
    np.testing.assert_allclose(theta1, theta0 - lr * g0, rtol=1e-12, atol=1e-14)
    twice = MLP.create([3, 4, 2], "tanh", "softmax-ce", seed=5)
    sgd(twice, X, Y, epochs=2, batch_size=6, lr=lr, momentum=mu)
    expected = theta1 + mu * (theta1 - theta0) - lr * g1
    np.testing.assert_allclose(twice.params(), expected, rtol=1e-12, atol=1e-14)


def test_momentum_speeds_up_an_ill_conditioned_problem() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200)) * np.array([[3.0], [0.2]])  # condition number ~ 225
    Y = np.array([[1.5, -2.0]]) @ X
    losses = {}
    for mu in (0.0, 0.9):
        model = MLP.create([2, 1], "identity", "mse", seed=1)
        history = sgd(model, X, Y, epochs=100, batch_size=200, lr=0.2, momentum=mu)
        losses[mu] = history[-1]["loss"]
    assert losses[0.9] < 0.01 * losses[0.0]


def test_biases_are_never_regularised() -> None:
    plain = MLP.create([4, 5, 3], "relu", "softmax-ce", seed=2)
    reg = MLP.create([4, 5, 3], "relu", "softmax-ce", l1=0.3, l2=0.7, seed=2)
    X, Y = gradcheck.random_problem(plain, 9, seed=3)
    g_plain, g_reg = plain.gradients(X, Y), reg.gradients(X, Y)
    for l in (1, 2):
        np.testing.assert_array_equal(g_reg.b[l], g_plain.b[l])
        W = reg.weights[l - 1]
        np.testing.assert_allclose(g_reg.W[l], g_plain.W[l] + 0.7 * W + 0.3 * np.sign(W), rtol=1e-12)
    penalty = sum(0.35 * (W**2).sum() + 0.3 * np.abs(W).sum() for W in reg.weights)
    assert reg.cost(X, Y) == pytest.approx(plain.cost(X, Y) + penalty, rel=1e-12)
    # changing the biases does not change the penalty
    reg.biases[0] += 10.0
    assert reg.regularisation() == pytest.approx(penalty, rel=1e-12)


def test_input_jacobian_matches_central_differences() -> None:
    for act, loss in [("tanh", "mse"), ("sigmoid", "softmax-ce"), ("softplus", "sigmoid-bce")]:
        model = MLP.create([4, 6, 5, 3], act, loss, seed=8)
        x = np.random.default_rng(9).standard_normal(4)
        J = model.input_jacobian(x)
        assert J.shape == (3, 4)
        h = 1e-6
        numeric = np.column_stack(
            [(model.predict((x + h * e)[:, None]) - model.predict((x - h * e)[:, None]))[:, 0] / (2 * h)
             for e in np.eye(4)]
        )
        np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)


def test_params_round_trip() -> None:
    model = MLP.create([3, 4, 2], "elu", "mse", seed=1)
    theta = model.params()
    assert theta.shape == (model.n_params,) == (3 * 4 + 4 + 4 * 2 + 2,)
    model.set_params(theta * 2)
    np.testing.assert_array_equal(model.params(), theta * 2)
    assert list(model.param_arrays()) == ["W1", "b1", "W2", "b2"]
    with pytest.raises(ValueError, match="parameters"):
        model.set_params(theta[:-1])


def test_history_records_and_validation() -> None:
    model = MLP.create([4, 6, 3], "relu", "softmax-ce", l2=0.01, seed=0)
    X, Y = gradcheck.random_problem(model, 64, seed=1)
    seen = []
    history = sgd(model, X, Y, epochs=3, batch_size=10, lr=0.1, X_val=X[:, :20], Y_val=Y[:, :20],
                  callback=seen.append)
    assert [r["epoch"] for r in history] == [1, 2, 3] and seen == history
    for r in history:
        assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(r)
        assert 0.0 <= r["accuracy"] <= 1.0
    assert history[-1]["val_loss"] == pytest.approx(model.cost(X[:, :20], Y[:, :20]))
    assert history[-1]["val_accuracy"] == model.accuracy(X[:, :20], Y[:, :20])


def test_create_rejects_what_it_cannot_build() -> None:
    with pytest.raises(ValueError, match="known:.*relu"):
        MLP.create([2, 3, 1], "gelu")
    with pytest.raises(ValueError, match="softmax"):
        MLP.create([2, 3, 2], "tanh", "softmax-ce", output_activation="sigmoid")
    with pytest.raises(ValueError, match="unknown loss"):
        MLP.create([2, 3, 1], "tanh", "hinge")
    with pytest.raises(ValueError, match="float32 or float64"):
        MLP.create([2, 3, 1], dtype=np.int32)


def test_output_activation_follows_the_loss() -> None:
    assert MLP.create([2, 3, 2], "relu", "softmax-ce").activations == ["relu", "softmax"]
    assert MLP.create([2, 3, 1], "relu", "sigmoid-bce").activations == ["relu", "sigmoid"]
    assert MLP.create([2, 3, 1], "tanh", "mse").activations == ["tanh", "tanh"]
    linear_out = MLP.create([2, 3, 1], "tanh", "mse", output_activation="identity")
    assert linear_out.activations == ["tanh", "identity"]


def test_count_correct() -> None:
    assert count_correct(np.array([[0.9, 0.2], [0.1, 0.8]]), np.array([[1.0, 1.0], [0.0, 0.0]])) == 1
    assert count_correct(np.array([[0.7, 0.2, 0.5]]), np.array([[1.0, 0.0, 0.0]])) == 2


def test_stable_losses_at_extreme_logits() -> None:
    model = MLP.create([1, 2], "identity", "softmax-ce", seed=0)
    model.weights[0][:] = np.array([[800.0], [-800.0]])
    model.biases[0][:] = 0.0
    X = np.array([[1.0]])
    assert model.cost(X, np.array([[0.0], [1.0]])) == pytest.approx(1600.0)
    bce = MLP.create([1, 1], "identity", "sigmoid-bce", seed=0)
    bce.weights[0][:] = 800.0
    bce.biases[0][:] = 0.0
    assert bce.cost(X, np.array([[0.0]])) == pytest.approx(800.0)


def test_rownet_gradients_pass_a_central_difference_check() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 3))
    Y = np.eye(4)[rng.integers(0, 4, 7)]
    params = rownet.init_params(3, 5, 4, seed=1)
    result = gradcheck.rownet_gradcheck(params, X, Y)
    assert result.passed, result.report()
    assert result.params_checked == 3 * 5 + 5 + 5 * 4 + 4
    grads = rownet.row_backward(params, rownet.row_forward(params, X), Y)
    assert grads["db2"].shape == (1, 4) and grads["dW1"].shape == (3, 5)
    np.testing.assert_allclose(grads["delta3"], rownet.row_forward(params, X)["probs"] - Y)
    # the row loss is a sum over the batch: doubling the batch doubles it
    assert rownet.row_loss(params, np.vstack([X, X]), np.vstack([Y, Y])) == pytest.approx(
        2 * rownet.row_loss(params, X, Y)
    )
