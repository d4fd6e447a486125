"""The gradient checker: kinks, the two modes, the result it reports, and the CLI's JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.commands import main as cli
from checker.network import mlp
from checker.network.central_difference import relative_error
from checker.network.gradcheck import (
    DEFAULT_H,
    MAX_ACTIVATIONS,
    MAX_PARAMETERS,
    check_problem_size,
    gradcheck,
    random_problem,
)
from checker.network.mlp import MLP

JSON_KEYS = {"max_rel_error", "params_checked", "seconds", "kinks_skipped", "worst", "passed"}
ENTRY_KEYS = {"param", "index", "analytic", "numeric", "rel_error"}


def on_a_kink(activation: str = "relu", seed: int = 1) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A network whose unit 0 of layer 1 has z = 0 exactly for example 0."""
    model = MLP.create([3, 4, 2], activation, "softmax-ce", seed=seed)
    X, Y = random_problem(model, 5, seed=seed + 1)
    model.biases[0][0, 0] = 0.0
    model.biases[0][0, 0] = -(model.weights[0] @ X)[0, 0]
    return model, X, Y


@pytest.mark.parametrize("activation", ["relu", "leaky-relu", "elu"])
def test_the_forced_kink_is_real(activation: str) -> None:
    """Without kink handling this point would fail: the central difference in b1[0] is wrong there."""
    model, X, Y = on_a_kink(activation)
    assert abs(model.forward(X).z[1][0, 0]) < 1e-12
    analytic = model.gradients(X, Y).b[1][0, 0]
    h = DEFAULT_H
    model.biases[0][0, 0] += h
    J_plus = model.cost(X, Y)
    model.biases[0][0, 0] -= 2 * h
    J_minus = model.cost(X, Y)
    numeric = (J_plus - J_minus) / (2 * h)
    assert relative_error(analytic, numeric) > 1e-6


@pytest.mark.parametrize("activation", ["relu", "leaky-relu", "elu"])
@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_kink_is_skipped_not_failed(activation: str, mode: str) -> None:
    model, X, Y = on_a_kink(activation)
    result = gradcheck(model, X, Y, mode=mode, resamples=0)
    assert result.passed, result.report()
    assert result.kinks_skipped > 0
    total = model.n_params if mode == "full" else 3 * len(model.param_arrays())
    assert result.params_checked + result.kinks_skipped == total
    assert "skipped at kinks" in result.report()


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_kink_is_resampled_away(mode: str) -> None:
    model, X, Y = on_a_kink("relu")
    result = gradcheck(model, X, Y, mode=mode)
    assert result.passed, result.report()
    assert result.resamples >= 1
    assert result.kinks_skipped == 0


def test_l1_kink_at_zero_weight() -> None:
    model = MLP.create([3, 4, 2], "tanh", "softmax-ce", l1=0.5, seed=2)
    model.weights[0][1, 2] = 0.0
    X, Y = random_problem(model, 4, seed=3)
    skipped = gradcheck(model, X, Y, resamples=0)
    assert skipped.passed and skipped.kinks_skipped == 1, skipped.report()
    resampled = gradcheck(model, X, Y)
    assert resampled.passed and resampled.kinks_skipped == 0 and resampled.resamples == 1


@settings(max_examples=30, deadline=None)
@given(
    activation=st.sampled_from(["relu", "leaky-relu", "elu"]),
    seed=st.integers(0, 10_000),
    units=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=6),
)
def test_kinks_never_cause_a_false_failure(activation: str, seed: int, units: list[tuple[int, int]]) -> None:
    """Force several pre-activations onto the kink; a correct network still passes."""
    model = MLP.create([3, 4, 4, 2], activation, "softmax-ce", seed=seed)
    X, Y = random_problem(model, 5, seed=seed)
    for unit, example in units:
        z = model.weights[0] @ X + model.biases[0]
        model.weights[0][unit] -= z[unit, example] * X[:, example] / (X[:, example] @ X[:, example])
    for mode in ("full", "fast"):
        result = gradcheck(model, X, Y, mode=mode, seed=seed)
        assert result.passed, result.report()


@pytest.mark.parametrize(
    "sizes, activation, loss",
    [([5, 4, 3], "relu", "softmax-ce"), ([3, 6, 6, 2], "elu", "sigmoid-bce"), ([4, 3, 1], "softplus", "mse")],
)
def test_fast_and_full_agree(
    sizes: list[int], activation: str, loss: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = MLP.create(sizes, activation, loss, l2=0.1, seed=4)
    X, Y = random_problem(model, 6, seed=5)
    full, fast = gradcheck(model, X, Y, mode="full"), gradcheck(model, X, Y, mode="fast")
    assert full.passed and fast.passed, full.report() + "\n" + fast.report()
    assert fast.params_checked == 3 * len(model.param_arrays()) < full.params_checked
    right = mlp.weight_gradient
    monkeypatch.setattr(mlp, "weight_gradient", lambda d, a: 1.01 * right(d, a))  # a 1 % scale error
    full, fast = gradcheck(model, X, Y, mode="full"), gradcheck(model, X, Y, mode="fast")
    assert not full.passed and not fast.passed
    assert {e.param for e in full.worst} <= {f"W{l}" for l in range(1, len(sizes))}
    assert fast.worst[0].param.startswith("W")


def test_worst_names_a_parameter_and_its_index() -> None:
    model = MLP.create([6, 5, 3], "tanh", "softmax-ce", seed=6)
    X, Y = random_problem(model, 4, seed=7)
    result = gradcheck(model, X, Y, n_worst=4)
    grads = model.gradients(X, Y).named()
    params = model.param_arrays()
    assert len(result.worst) == 4
    assert [e.rel_error for e in result.worst] == sorted((e.rel_error for e in result.worst), reverse=True)
    assert result.worst[0].rel_error == result.max_rel_error
    for e in result.worst:
        assert e.param in params
        shape = params[e.param].shape
        assert len(e.index) == 2 and all(0 <= i < n for i, n in zip(e.index, shape, strict=True))
        assert e.analytic == pytest.approx(grads[e.param][e.index], rel=1e-12)
        assert e.param in result.report()


def test_a_float32_model_is_checked_in_float64_and_left_alone() -> None:
    model = MLP.create([4, 5, 3], "relu", "softmax-ce", dtype=np.float32, seed=8)
    X, Y = random_problem(model, 6, seed=9)
    before = model.params()
    for mode in ("full", "fast"):
        assert gradcheck(model, X, Y, mode=mode).passed
    np.testing.assert_array_equal(model.params(), before)
    assert model.params().dtype == np.float32


def test_full_check_of_784_30_10() -> None:
    model = MLP.create([784, 30, 10], "relu", "softmax-ce", seed=0)
    X, Y = random_problem(model, 10, seed=0)
    result = gradcheck(model, X, Y)
    assert result.passed, result.report()
    assert result.params_checked + result.kinks_skipped == 23_860


def test_relative_error() -> None:
    analytic = np.array([1.0, 0.0, 1e-9, np.nan, 1.0])
    numeric = np.array([1.0 + 1e-6, 0.0, 0.0, 1.0, np.inf])
    rel = relative_error(analytic, numeric, 1e-3)
    np.testing.assert_allclose(rel[:3], [1e-6 / (2 + 1e-6), 0.0, 1e-6])
    assert np.isinf(rel[3]) and np.isinf(rel[4])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_numbers_fail_rather_than_pass() -> None:
    model = MLP.create([2, 3, 1], "identity", "mse", seed=1)
    X, Y = random_problem(model, 3, seed=1)
    X[0, 0] = np.inf
    result = gradcheck(model, X, Y)
    assert not result.passed and "cost is inf" in (result.error or "")
    saturated = MLP.create([2, 3, 2], "tanh", "softmax-ce", seed=1)  # finite cost, NaN gradients
    result = gradcheck(saturated, X, random_problem(saturated, 3, seed=1)[1])
    assert not result.passed and result.max_rel_error == np.inf


# -- the CLI -------------------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["gradcheck", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_cli_json_keys(capsys: pytest.CaptureFixture[str], mode: str) -> None:
    code, out = _cli(capsys, "--layers", "7,5,3", "--activation", "relu", "--loss", "softmax-ce",
                     "--batch", "4", "--mode", mode, "--seed", "3", "--l2", "0.1", "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == JSON_KEYS
    assert data["passed"] is True
    assert data["params_checked"] + data["kinks_skipped"] == (7 * 5 + 5 + 5 * 3 + 3 if mode == "full" else 12)
    assert data["worst"] and all(set(e) == ENTRY_KEYS for e in data["worst"])
    assert data["worst"][0]["param"] in {"W1", "b1", "W2", "b2"}
    if mode == "full":
        assert len(data["worst"][0]["index"]) == 2


def test_cli_table_and_failure_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, "--layers", "4,3,2", "--activation", "tanh", "--loss", "sigmoid-bce", "--dtype",
                     "float32")
    assert code == 0
    assert "PASSED" in out and "worst entries" in out and "4-3-2" in out
    code, out = _cli(capsys, "--layers", "4,3,2", "--threshold", "0")
    assert code == 1 and "FAILED" in out


def test_cli_rejects_bad_layers(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--layers", "784"]) == 2
    assert "--layers" in capsys.readouterr().err


def test_cli_refuses_softmax_over_one_output(capsys: pytest.CaptureFixture[str]) -> None:
    """softmax of one output is the constant 1: a check of it would pass while proving nothing."""
    code = cli.main(["gradcheck", "--layers", "3,4,1", "--loss", "softmax-ce"])
    assert code == 2
    assert "at least two outputs" in capsys.readouterr().err


def test_a_check_of_all_zero_gradients_says_it_shows_little() -> None:
    model = MLP.create([3, 4, 2], "relu", "mse", output_activation="relu", seed=0)
    for W, b in zip(model.weights, model.biases, strict=True):  # every unit dead: every gradient 0
        W[...] = 0.0
        b[...] = -1.0
    X, Y = random_problem(model, 5, seed=0)
    result = gradcheck(model, X, Y)
    assert result.largest_gradient == 0
    assert "shows little" in result.report()
    live = gradcheck(*_live_problem())
    assert live.largest_gradient > 0 and "shows little" not in live.report()


def _live_problem() -> tuple[MLP, np.ndarray, np.ndarray]:
    model = MLP.create([3, 4, 2], "tanh", "mse", seed=0)
    X, Y = random_problem(model, 5, seed=0)
    return model, X, Y


def test_cli_refuses_a_network_beyond_the_cap_before_allocating_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """100000,100000,10 would allocate 74.5 GiB of weights: refused, with the reason, and nothing built."""

    def must_not_build(*_: object, **__: object) -> None:
        raise AssertionError("the network was built before its size was checked")

    monkeypatch.setattr(MLP, "create", must_not_build)
    assert cli.main(["gradcheck", "--layers", "100000,100000,10"]) == 2
    err = capsys.readouterr().err
    assert "10,001,100,010 parameters (74.5 GiB per float64 copy)" in err
    assert f"more than the {MAX_PARAMETERS:,}" in err and err.count("\n") == 1


def test_cli_refuses_a_batch_beyond_the_cap(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--batch", "1000000"]) == 2
    assert f"more than the {MAX_ACTIVATIONS:,} a gradient check allows; use a smaller --batch" in (
        capsys.readouterr().err
    )


def test_the_size_caps_admit_what_they_promise() -> None:
    check_problem_size([784, 30, 10], 10)  # the default
    side = int((MAX_PARAMETERS - 1) ** 0.5)
    check_problem_size([side - 1, side], 1)  # (side-1+1)·side ≤ cap
    with pytest.raises(ValueError, match="parameters"):
        check_problem_size([side, side + 1], 1)
    check_problem_size([1, 1], MAX_ACTIVATIONS // 2)
    with pytest.raises(ValueError, match="activations"):
        check_problem_size([1, 1], MAX_ACTIVATIONS // 2 + 1)


@pytest.mark.parametrize("layers", ["auto,,10", "784,,10", "784,30,", "auto,30,10"])
def test_cli_refuses_layers_it_cannot_read(layers: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``auto,,10`` once trained a 64-10 network in silence; gradcheck has no data to fill 'auto' from."""
    assert cli.main(["gradcheck", "--layers", layers]) == 2
    assert f"expected comma-separated whole widths like 784,30,10, got '{layers}'" in capsys.readouterr().err


def test_cli_refuses_negative_penalties_and_thresholds(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--l2=-1"]) == 2
    assert "--l1 and --l2 cannot be negative" in capsys.readouterr().err
    assert cli.main(["gradcheck", "--threshold=-1e-6"]) == 2
    assert "--threshold is a relative error and cannot be negative" in capsys.readouterr().err


def test_the_central_difference_of_the_identity_is_one() -> None:
    # f returning its argument itself (not a copy) must not see the loop move it under its feet
    from checker.network.central_difference import central_gradient

    assert np.allclose(central_gradient(lambda v: v, np.array([[0.3], [-1.2]])), np.eye(2))
    assert np.allclose(central_gradient(lambda v: v, np.array([[0.7]])), 1.0)
