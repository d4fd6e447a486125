"""Training runs, metrics files, model files, the grid search and the ``train`` / ``grid`` commands."""

from __future__ import annotations

import csv
import errno
import gzip
import json
import math
import os
import re
import stat
import struct
from pathlib import Path

import numpy as np
import pytest

from checker import files
from checker.commands.main import main
from checker.files import MANIFEST
from checker.training.config import (
    MAX_PARAMETERS,
    ConfigError,
    TrainConfig,
    check_config,
    parse_floats,
    parse_ints,
    parse_layers,
    resolve_layers,
)
from checker.training.datasets import Dataset, load_dataset
from checker.training.grid import GridResult, grid_search, write_grid
from checker.training.loop import (
    DIVERGENCE_FACTOR,
    METRIC_KEYS,
    Diverged,
    accuracy,
    jsonable,
    train,
    write_metrics,
)
from checker.training.models import load_model, save_model

XOR = TrainConfig(layers=(2, 3, 1), activation="sigmoid", loss="mse", epochs=1500, batch_size=4, lr=3.0)


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_dataset("digits", seed=0, val_fraction=0.1)


@pytest.fixture(scope="module")
def xor_run():
    return train(load_dataset("xor"), XOR)


# --------------------------------------------------------------------------- configuration


def test_parse_layers_reads_sizes_and_auto():
    assert parse_layers("784,30,10") == (784, 30, 10)
    assert parse_layers("auto, 30 ,AUTO") == (None, 30, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10", "at least an input and an output"),
        ("4,x,2", "'x' is not a whole number"),
        ("4,auto,2", "only the first and last"),
        ("4,0,2", "at least one unit"),
    ],
)
def test_parse_layers_rejects_nonsense(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_layers(text)


def test_parse_lists():
    assert parse_ints("5,10,20", "--batch-sizes") == [5, 10, 20]
    assert parse_floats("0.05,0.1", "--lrs") == [0.05, 0.1]
    with pytest.raises(ConfigError, match="--batch-sizes '5,a'"):
        parse_ints("5,a", "--batch-sizes")
    with pytest.raises(ConfigError, match="--lrs '0.1,-1'"):
        parse_floats("0.1,-1", "--lrs")


def test_resolve_layers_fills_auto_and_checks_the_data(digits):
    assert resolve_layers((None, 30, None), digits, "softmax-ce") == [64, 30, 10]
    moons = load_dataset("moons")
    assert resolve_layers((None, 5, None), moons, "mse") == [2, 5, 1]
    assert resolve_layers((None, 5, None), moons, "softmax-ce") == [2, 5, 2]
    with pytest.raises(ConfigError, match="input layer has 784 units but digits has 64 features.*64,30,10"):
        resolve_layers((784, 30, 10), digits)
    with pytest.raises(ConfigError, match="output layer has 3 units but digits has 10 classes"):
        resolve_layers((64, 30, 3), digits)
    with pytest.raises(ConfigError, match="softmax over a single output"):
        resolve_layers((2, 5, 1), moons, "softmax-ce")


# --------------------------------------------------------------------------- a training run


def test_xor_run_reaches_full_accuracy_with_the_promised_metrics(xor_run):
    m = xor_run.metrics
    assert tuple(m) == METRIC_KEYS
    assert m["train_accuracy"] == 1.0 and m["test_accuracy"] == 1.0
    assert m["epochs"] == 1500 and len(m["history"]) == 1500 and m["seconds"] > 0
    assert m["final_loss"] == pytest.approx(m["history"][-1]["loss"])
    assert m["history"][-1]["loss"] < m["history"][0]["loss"]
    json.dumps(m)  # the metrics are JSON as they are
    assert xor_run.sizes == [2, 3, 1]


def test_training_is_deterministic_under_the_seed():
    ds = load_dataset("moons", seed=1)
    config = TrainConfig(layers=(None, 4, None), epochs=3, batch_size=10, lr=0.5, seed=3)
    a, b = train(ds, config), train(ds, config)
    assert [h["loss"] for h in a.metrics["history"]] == [h["loss"] for h in b.metrics["history"]]
    c = train(ds, TrainConfig(layers=(None, 4, None), epochs=3, batch_size=10, lr=0.5, seed=4))
    assert c.metrics["history"][-1]["loss"] != a.metrics["history"][-1]["loss"]


def test_on_epoch_sees_every_epoch_and_validation_figures(digits):
    seen = []
    config = TrainConfig(layers=(None, 10, None), loss="softmax-ce", epochs=3, batch_size=20, lr=0.1)
    result = train(digits, config, on_epoch=lambda epoch, record: seen.append((epoch, record)))
    assert [e for e, _ in seen] == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(seen[-1][1])
    assert 0.0 <= result.val_accuracy <= 1.0


def test_accuracy_can_fail():
    """A net whose weights are zero outputs σ(0) = 0.5, read as class 1: accuracy is the share of 1s."""
    ds = load_dataset("moons")
    run = train(ds, TrainConfig(layers=(None, 3, None), epochs=1, batch_size=700, lr=1e-3))
    for W in run.model.weights:
        W[...] = 0
    for b in run.model.biases:
        b[...] = 0
    share = accuracy(run.model, ds.X_test, ds.y_test)
    assert share == pytest.approx(np.mean(ds.y_test == 1))
    assert share < 0.6


def test_float32_runs_stay_float32():
    run = train(load_dataset("moons"), TrainConfig(layers=(None, 4, None), epochs=1, dtype="float32"))
    assert all(W.dtype == np.float32 for W in run.model.weights)


def test_metrics_file_turns_nan_into_null(tmp_path):
    metrics = {"final_loss": float("nan"), "history": [{"loss": np.float32(1.5)}]}
    path = write_metrics(metrics, tmp_path / "m.json")
    assert json.loads(path.read_text()) == {"final_loss": None, "history": [{"loss": 1.5}]}
    assert jsonable((np.int64(3), math.inf)) == [3, None]


# --------------------------------------------------------------------------- model files


def test_model_round_trips_through_npz(tmp_path, xor_run):
    extra = {"dataset": "xor"}
    path = save_model(xor_run.model, tmp_path / "model.npz", XOR, sizes=xor_run.sizes, extra=extra)
    model, meta = load_model(path)
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(model.predict(X), xor_run.model.predict(X))
    assert meta["sizes"] == [2, 3, 1] and meta["dataset"] == "xor" and meta["config"]["lr"] == 3.0
    with np.load(path, allow_pickle=False) as data:  # no pickles inside
        assert sorted(data.files) == ["W1", "W2", "b1", "b2", "meta"]


def test_loading_a_bad_model_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not a gradproof model file"):
        load_model(path)
    np.savez(path, W1=np.zeros((2, 2)))
    with pytest.raises(ConfigError, match="not a gradproof model file"):
        load_model(path)


# --------------------------------------------------------------------------- grid search


def test_grid_search_runs_every_cell_and_picks_the_best_on_validation(digits, tmp_path):
    config = TrainConfig(layers=(None, 16, None), activation="relu", loss="softmax-ce", epochs=2, seed=0)
    result = grid_search(digits, config, [10, 50], [0.02, 0.2])
    assert result.score_name == "val_accuracy"
    cells = [(c["batch_size"], c["lr"]) for c in result.cells]
    assert cells == [(10, 0.02), (10, 0.2), (50, 0.02), (50, 0.2)]
    assert result.best["score"] == max(c["val_accuracy"] for c in result.cells)
    matrix = result.matrix()
    assert matrix.shape == (2, 2) and matrix[1, 0] == result.cells[1]["score"]
    # More steps at a larger η learn more in two epochs: the grid must tell the cells apart.
    assert result.cells[1]["score"] > result.cells[2]["score"]

    paths = write_grid(result, tmp_path)
    assert [p.name for p in paths] == ["grid.json", "grid.csv", "heatmap.png"]
    saved = json.loads((tmp_path / "grid.json").read_text())
    assert saved["best"] == json.loads(json.dumps(result.best)) and len(saved["cells"]) == 4
    rows = list(csv.DictReader((tmp_path / "grid.csv").open()))
    assert len(rows) == 4 and rows[0]["batch_size"] == "10" and float(rows[3]["lr"]) == 0.2
    assert (tmp_path / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grid_best_skips_diverged_cells_and_breaks_ties_on_loss():
    result = GridResult("t", [5, 10], [0.1, 9.0], "test_accuracy")
    result.cells = [
        {"batch_size": 5, "lr": 0.1, "score": 0.9, "final_loss": 0.30},
        {"batch_size": 5, "lr": 9.0, "score": None, "final_loss": None},
        {"batch_size": 10, "lr": 0.1, "score": 0.9, "final_loss": 0.20},
        {"batch_size": 10, "lr": 9.0, "score": 0.5, "final_loss": 2.0},
    ]
    assert (result.best["batch_size"], result.best["lr"]) == (10, 0.1)
    assert np.isnan(result.matrix()[1, 0])


def test_grid_without_validation_scores_on_test():
    ds = load_dataset("moons")
    result = grid_search(ds, TrainConfig(layers=(None, 3, None), epochs=1), [50], [0.5])
    assert result.score_name == "test_accuracy" and result.best["score"] == result.best["test_accuracy"]


# --------------------------------------------------------------------------- the commands


def test_train_command_saves_model_and_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--dataset", "xor", "--layers", "auto,3,auto", "--epochs", "1500", "--batch-size", "4"]
    code = main([*argv, "--lr", "3", "--out", str(out), "--json"])
    assert code == 0
    printed = capsys.readouterr()
    metrics = json.loads(printed.out)  # stdout is only the JSON: no progress bar off a terminal
    assert tuple(metrics) == METRIC_KEYS and metrics["test_accuracy"] == 1.0
    assert json.loads((out / "metrics.json").read_text()) == metrics
    model, meta = load_model(out / "model.npz")
    assert meta["sizes"] == [2, 3, 1] and meta["dataset"] == "xor"


def test_train_command_prints_a_summary(capsys):
    assert main(["train", "--dataset", "moons", "--layers", "2,4,1", "--epochs", "2", "--lr", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "moons: 700 train" in out and "test accuracy" in out and "network 2-4-1" in out
    assert ", 2 epochs in " in out
    assert main(["train", "--dataset", "xor", "--layers", "2,2,1", "--epochs", "1"]) == 0
    assert ", 1 epoch in " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "digits", "--layers", "784,30,10"], "has 784 units but digits has 64 features"),
        (["--dataset", "nope", "--layers", "2,1"], "unknown data set 'nope'"),
        (["--dataset", "digits", "--layers", "auto,30,x"], "'x' is not a whole number"),
        (["--dataset", "mnist", "--layers", "auto,30,10"], "pass --data-dir DIR or set GRADPROOF_MNIST_DIR"),
        (["--dataset", "mnist", "--data-dir", "/nonexist/m", "--layers", "auto,10"], "/nonexist/m does not"),
        (["--dataset", "xor", "--layers", "2,2,1", "--lr", "0"], "--lr must be positive"),
        (["--dataset", "xor", "--layers", "2,2,1", "--momentum", "1.5"], "--momentum must be in [0, 1)"),
        (["--dataset", "xor", "--layers", "2,2,1", "--l2", "-1"], "cannot be negative"),
        (
            ["--dataset", "xor", "--layers", "2,2", "--loss", "softmax-ce", "--output-activation", "tanh"],
            "fixes the",
        ),
        (["--dataset", "xor", "--layers", "2,2,1", "--val-fraction", "1.5"], "validation fraction"),
    ],
)
def test_train_command_errors_are_one_clear_line(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("GRADPROOF_MNIST_DIR", raising=False)
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradproof train: error: ") and message in err and "Traceback" not in err


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_train_command_reads_mnist_from_a_data_dir(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for part, n in (("train", 30), ("t10k", 10)):
        _write_idx(tmp_path / f"{part}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(tmp_path / f"{part}-labels-idx1-ubyte.gz", rng.integers(0, 10, n))
    argv = ["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--layers", "784,8,10"]
    assert main([*argv, "--epochs", "1", "--loss", "softmax-ce", "--dtype", "float32", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] == 1


def test_grid_command_writes_json_csv_and_heatmap(tmp_path, capsys):
    argv = ["grid", "--dataset", "moons", "--layers", "auto,4,auto", "--epochs", "2"]
    code = main([*argv, "--batch-sizes", "10,50", "--lrs", "0.1,1", "--out", str(tmp_path), "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["score"] == "val_accuracy" and len(printed["cells"]) == 4
    assert {p.name for p in tmp_path.iterdir()} == {"grid.json", "grid.csv", "heatmap.png", MANIFEST}


def test_grid_command_rejects_bad_lists(tmp_path, capsys):
    argv = ["grid", "--dataset", "moons", "--layers", "auto,4,auto", "--out", str(tmp_path)]
    assert main([*argv, "--batch-sizes", "10,0", "--lrs", "0.1"]) == 2
    assert "--batch-sizes '10,0'" in capsys.readouterr().err
    assert main([*argv, "--batch-sizes", "10", "--lrs", "0.1", "--momentum", "1"]) == 2
    assert "--momentum must be in [0, 1)" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch):
    from checker.commands import train as train_command

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert train_command.show_progress()
    monkeypatch.setenv("CI", "true")
    assert not train_command.show_progress()
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert not train_command.show_progress()


def test_eval_train_measures_both_splits_after_each_epoch(digits):
    config = TrainConfig(layers=(None, 8, None), loss="softmax-ce", epochs=2, batch_size=50, lr=0.5, l2=0.01)
    run = train(digits, config, eval_train=True)
    last = run.metrics["history"][-1]
    assert last["train_accuracy"] == pytest.approx(accuracy(run.model, digits.X_train, digits.y_train))
    assert last["val_accuracy"] == pytest.approx(run.val_accuracy)
    # The data losses leave out the penalty, which the reported losses include.
    assert last["train_loss"] == pytest.approx(last["train_data_loss"] + run.model.regularisation())
    assert last["val_loss"] == pytest.approx(last["val_data_loss"] + run.model.regularisation())


# --------------------------------------------------------------------------- divergence and bad numbers


def test_a_loss_that_runs_away_stops_training_with_the_epoch_and_the_fix(digits):
    config = TrainConfig(layers=(None, 30, None), loss="softmax-ce", epochs=5, lr=1e6)
    seen = []
    with pytest.raises(Diverged) as err:
        train(digits, config, on_epoch=lambda epoch, record: seen.append(epoch))
    exc = err.value
    assert exc.epoch == 1 and seen == []  # stopped in the first epoch, which is never reported as trained
    assert exc.loss > DIVERGENCE_FACTOR * exc.start
    assert "diverged in epoch 1" in str(exc) and "lower --lr (now 1e+06)" in str(exc)


def test_weights_that_run_away_under_a_bounded_loss_are_divergence_too(digits):
    """Sigmoid outputs with mse keep the loss below 5 whatever η does: the weights show the blow-up."""
    config = TrainConfig(layers=(None, 30, None), loss="mse", epochs=5, lr=1e6)
    with pytest.raises(Diverged, match=r"epoch 1: the weights grew .* times \(root mean square\)"):
        train(digits, config)
    sane = train(digits, TrainConfig(layers=(None, 30, None), loss="mse", epochs=5, lr=3.0))
    assert sane.metrics["test_accuracy"] > 0.5


def test_a_loss_that_is_not_a_number_is_divergence_too(monkeypatch):
    from checker.network import mlp

    real_sgd = mlp.sgd

    def sgd_with_nan(model, X, Y, **kw):  # the loss an overflowing run reports
        callback = kw.pop("callback")
        return real_sgd(model, X, Y, **kw, callback=lambda record: callback(record | {"loss": math.nan}))

    monkeypatch.setattr(mlp, "sgd", sgd_with_nan)
    with pytest.raises(Diverged, match="the loss is not a finite number"):
        train(load_dataset("xor"), XOR)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("lr", math.inf, "--lr inf"), ("l2", math.nan, "--l2 nan"), ("momentum", math.nan, "--momentum nan"),
     ("l1", -math.inf, "--l1 -inf")],
)
def test_non_finite_hyper_parameters_are_refused(field, value, message):
    config = TrainConfig(layers=(2, 2, 1), **{field: value})
    with pytest.raises(ConfigError, match=f"{re.escape(message)}.*must be finite"):
        check_config(config)


def test_a_network_too_large_to_hold_is_refused_before_it_is_built(digits):
    with pytest.raises(ConfigError, match=r"64-1000000-10 has .* parameters, more than the 50,000,000"):
        resolve_layers((None, 1_000_000, None), digits, "softmax-ce")
    assert MAX_PARAMETERS == 50_000_000


@pytest.mark.parametrize("text", ["auto,,10", "auto,30,", ",30,10"])
def test_an_empty_layer_size_is_refused_not_skipped(text):
    with pytest.raises(ConfigError, match="an empty entry between commas"):
        parse_layers(text)


def test_train_command_stops_on_divergence_and_keeps_the_previous_model(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--dataset", "digits", "--layers", "auto,30,10", "--loss", "softmax-ce", "--epochs", "2"]
    assert main([*argv, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main([*argv, "--lr", "1e6", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "training diverged in epoch 1" in err and "nothing was saved" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(("flag", "value"), [("--lr", "inf"), ("--l2", "nan"), ("--momentum", "-inf")])
def test_train_command_refuses_non_finite_flags(flag, value, capsys):
    argv = ["train", "--dataset", "xor", "--layers", "2,2,1", f"{flag}={value}", "--json"]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert json.loads(printed.out) == {"error": printed.err.split(": error: ", 1)[1].strip(), "exit": 2}
    assert f"argument {flag}: expected a finite number" in printed.err


def test_grid_marks_a_diverged_cell_as_diverged_never_as_an_accuracy(tmp_path, capsys):
    argv = ["grid", "--dataset", "digits", "--layers", "auto,10,10", "--loss", "softmax-ce", "--epochs", "2"]
    assert main([*argv, "--batch-sizes", "10", "--lrs", "0.5,1e6", "--out", str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    good, bad = printed["cells"]
    assert good["diverged"] is False and good["score"] > 0.5
    assert bad["diverged"] is True and bad["diverged_epoch"] == 1
    assert all(bad[k] is None for k in ("score", "train_accuracy", "val_accuracy", "test_accuracy"))
    assert printed["best"]["lr"] == 0.5
    rows = list(csv.DictReader((tmp_path / "grid.csv").open()))
    assert rows[1]["score"] == "" and rows[1]["diverged"] == "True"


def test_the_heatmap_writes_diverged_in_a_diverged_cell():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from checker.training.grid import draw_cells

    fig, ax = plt.subplots()
    draw_cells(ax, np.array([[91.5, np.nan]]))
    assert [t.get_text() for t in ax.texts] == ["91.5", "diverged"]
    plt.close(fig)


def test_grid_where_every_cell_diverged_exits_1_with_no_best(tmp_path, capsys):
    argv = ["grid", "--dataset", "digits", "--layers", "auto,10,10", "--loss", "softmax-ce", "--epochs", "1"]
    assert main([*argv, "--batch-sizes", "10", "--lrs", "1e5,1e6", "--out", str(tmp_path)]) == 1
    assert "every cell diverged" in capsys.readouterr().out
    saved = json.loads((tmp_path / "grid.json").read_text())
    assert saved["best"] is None and all(c["diverged"] for c in saved["cells"])


# --------------------------------------------------------------------------- outputs survive a failed write


@pytest.mark.parametrize("full_at", ["model.npz", "metrics.json", MANIFEST])
def test_a_full_disk_keeps_the_previous_model(tmp_path, capsys, monkeypatch, full_at):
    """The disk fills while one output is written: the previous model.npz and metrics.json stay as is."""
    out = tmp_path / "run"
    argv = ["train", "--dataset", "xor", "--layers", "2,3,1", "--epochs", "50", "--lr", "3"]
    argv += ["--out", str(out)]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"model.npz", "metrics.json"} <= set(before)

    real_fsync = os.fsync

    def full_disk(fd: int) -> None:  # the disk fills when the file named full_at is flushed
        if full_at in Path(os.readlink(f"/proc/self/fd/{fd}")).name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    def full_file_system(directory: Path) -> bool:  # the disk fills when the whole set is flushed
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    if full_at == MANIFEST:  # the manifest is put on disk with the set, by one syncfs
        monkeypatch.setattr(files, "_syncfs", full_file_system)
    capsys.readouterr()
    assert main([*argv, "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no space left on the device" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging directory left behind
    load_model(out / "model.npz")  # still a whole model


def test_outputs_take_the_mode_the_umask_gives(tmp_path):
    old = os.umask(0o027)
    try:
        assert main(["train", "--dataset", "xor", "--layers", "2,2,1", "--epochs", "1", "--out",
                     str(tmp_path / "run")]) == 0  # fmt: skip
    finally:
        os.umask(old)
    for name in ("model.npz", "metrics.json"):
        assert stat.S_IMODE((tmp_path / "run" / name).stat().st_mode) == 0o640
