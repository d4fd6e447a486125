"""The experiments the site shows: real runs, figures on disk, numbers from the run, reproducible commands."""

from __future__ import annotations

import json
import re
import shlex
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checker import experiments
from checker.commands.main import build_parser, main
from checker.commands.train import config_from_args
from checker.experiments import EXPERIMENTS, TrainConfig, get, train_command
from checker.experiments.page import pct

FIGURE_REF = re.compile(r"!\[[^\]]+\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def results(tmp_path_factory, monkeypatch_module):
    """Every experiment, run once into a temporary directory (no MNIST/CIFAR directory configured)."""
    monkeypatch_module.delenv("GRADPROOF_MNIST_DIR", raising=False)
    monkeypatch_module.delenv("GRADPROOF_CIFAR10_DIR", raising=False)
    out = tmp_path_factory.mktemp("experiments")
    return {exp.id: (exp.run(out / exp.id), out / exp.id) for exp in EXPERIMENTS}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_experiment_ids_are_unique_and_listed():
    ids = [e.id for e in EXPERIMENTS]
    assert ids == ["xor", "moons", "playground", "digits", "dropout-early-stopping", "cnn", "homework-mnist",
                   "optimisers", "vanishing", "mnist-cifar"]
    assert get("moons").title.startswith("Half moons")
    with pytest.raises(KeyError, match="no experiment 'nope'"):
        get("nope")


@pytest.mark.parametrize("exp_id", [e.id for e in EXPERIMENTS])
def test_figures_exist_and_the_page_references_exactly_them(results, exp_id):
    result, out_dir = results[exp_id]
    for fig in result.figures:  # one SVG per theme, text kept as text, shown only in its theme
        assert fig.parent == out_dir and fig.suffix == ".svg"
        svg = fig.read_text()
        assert fig.stem.endswith(("-light", "-dark")) and "<svg" in svg[:2_000] and "<text" in svg
        assert f"{fig.name}#only-{fig.stem.rsplit('-', 1)[1]}" in result.markdown
        assert fig.stat().st_size < 150_000, (fig.name, fig.stat().st_size)
    referenced = [ref.split("#")[0] for ref in FIGURE_REF.findall(result.markdown)]
    assert sorted(referenced) == sorted(f.name for f in result.figures)
    assert all("/" not in name for name in referenced)  # bare file names: copied next to the page


@pytest.mark.parametrize("exp_id", [e.id for e in EXPERIMENTS])
def test_metrics_are_plain_json(results, exp_id):
    metrics = results[exp_id][0].metrics
    assert json.loads(json.dumps(metrics, allow_nan=False)) == metrics


@pytest.mark.parametrize("exp_id", [e.id for e in EXPERIMENTS])
def test_every_command_on_the_page_parses_with_the_cli(results, exp_id):
    commands = [line for line in results[exp_id][0].markdown.splitlines() if line.startswith("gradproof ")]
    assert commands
    for line in commands:
        argv = shlex.split(line)[1:]
        args = build_parser(argv[0]).parse_args(argv)
        config_from_args(args)  # the flags make a valid configuration


def test_xor_is_solved(results):
    m = results["xor"][0].metrics
    assert m["train_accuracy"] == 1.0 and m["layers"] == [2, 2, 1]
    assert [round(o) for o in m["outputs"]] == m["targets"] == [0, 1, 1, 0]
    assert 0 < m["seeds_solved"] <= m["seeds_tried"]
    assert "**Result: 100 % accuracy**" in results["xor"][0].markdown


def test_moons_best_model_reaches_97_percent_and_beats_logistic_regression(results):
    m = results["moons"][0].metrics
    assert set(m["models"]) == {"logistic regression"} | {
        f"{h} hidden unit{'s' if h > 1 else ''}" for h in (1, 2, 3, 4, 5, 20, 50)
    }
    assert m["best_test_accuracy"] >= 0.97
    assert (
        m["logistic_test_accuracy"] < m["best_test_accuracy"] - 0.05
    )  # the moons are not linearly separable
    assert m["models"]["logistic regression"]["layers"] == [2, 1]
    assert f"**{pct(m['best_test_accuracy'])}**" in results["moons"][0].markdown


def test_playground_shows_what_the_course_claims(results):
    m = results["playground"][0].metrics
    f = m["features"]
    linear, sigmoid = f["linear units; x1, x2"], f["sigmoid units; x1, x2"]
    linear_squares = f["linear units; x1, x2, x1², x2²"]
    assert linear["test_accuracy"] < 0.8 < 0.95 < sigmoid["test_accuracy"]
    assert linear_squares["test_accuracy"] > 0.95 and linear_squares["layers"] == [4, 4, 1]
    relu, sig = m["relu_vs_sigmoid"]["relu"], m["relu_vs_sigmoid"]["sigmoid"]
    assert relu["epochs_to_converge"] is not None
    assert sig["epochs_to_converge"] is None or relu["epochs_to_converge"] < sig["epochs_to_converge"]


def test_digits_reach_96_percent_with_one_hidden_layer(results):
    result = results["digits"][0]
    m = result.metrics
    assert m["learning_curves"]["layers"] == [64, 30, 10]
    assert m["test_accuracy"] >= 0.96
    assert f"**Test accuracy {pct(m['test_accuracy'])}**" in result.markdown
    over = m["overfitting"]
    wide, wide_l2 = over["wide: 100 hidden"], over["wide + L2"]
    assert wide["last_train_accuracy"] > wide["last_val_accuracy"]  # it overfits
    assert wide_l2["weight_norm"] < wide["weight_norm"]  # L2 shrinks the weights
    grid = m["grid"]
    assert len(grid["cells"]) == len(grid["batch_sizes"]) * len(grid["lrs"]) == 16
    assert grid["best"]["val_accuracy"] == max(c["val_accuracy"] for c in grid["cells"])


def test_the_cnn_learns_the_digits_with_fewer_weights_than_the_mlp(results):
    m = results["cnn"][0].metrics
    assert m["cnn_test_accuracy"] >= 0.95 and m["cnn_parameters"] < m["mlp_parameters"]
    assert m["cifar10"] == {"configured": False}
    assert "GRADPROOF_CIFAR10_DIR=DIR python -m checker.experiments cnn" in results["cnn"][0].markdown


def test_homework_mnist_gives_the_commands_when_nothing_is_configured(results):
    result = results["homework-mnist"][0]
    assert result.metrics == {"configured": False} and not result.figures
    assert "--batch-sizes 5,6,7,8,9,10,11,12,13,14,15" in result.markdown
    assert "--lrs 0.08,0.09,0.1,0.11,0.12,0.13,0.14,0.15,0.16,0.17,0.18" in result.markdown


def test_vanishing_gradients_obey_the_bound_and_batch_norm_cures_the_sigmoid(results):
    m = results["vanishing"][0].metrics
    assert all(s["measured"] <= s["bound"] for s in m["shrink"])  # vanishing-gradient-bound
    by = {(v["activation"], v["init"], v["batch_norm"]): v for v in m["variants"]}
    plain, normed = by["sigmoid", "xavier", False], by["sigmoid", "xavier", True]
    assert plain["at_init"]["delta"][0] < 1e-3 * plain["at_init"]["delta"][-1]
    assert normed["test_accuracy"] > plain["test_accuracy"] + 0.5


def test_early_stopping_stops_where_the_validation_loss_is_lowest(results):
    runs = results["dropout-early-stopping"][0].metrics["runs"]
    for run in runs.values():
        losses = [r["val_loss"] for r in run["history"]]
        assert losses[run["best_epoch"] - 1] == min(losses)
    assert runs["no dropout"]["best_epoch"] < len(runs["no dropout"]["history"])  # it does overfit


def test_mnist_cifar_page_explains_configuration_when_nothing_is_configured(results):
    result = results["mnist-cifar"][0]
    assert result.metrics["mnist"] == {"configured": False} and result.figures == []
    assert "GRADPROOF_MNIST_DIR=DIR" in result.markdown and "GRADPROOF_CIFAR10_DIR=DIR" in result.markdown
    assert "never downloads" in result.markdown


def _write_tiny_mnist(directory: Path) -> None:
    rng = np.random.default_rng(0)
    for part, n in (("train", 40), ("t10k", 20)):
        for kind, shape, top in (("images-idx3", (n, 28, 28), 256), ("labels-idx1", (n,), 10)):
            array = rng.integers(0, top, size=shape).astype(np.uint8)
            header = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in shape)
            (directory / f"{part}-{kind}-ubyte").write_bytes(header + array.tobytes())


def test_mnist_cifar_trains_on_a_configured_directory(tmp_path, monkeypatch):
    import pickle

    mnist_dir, cifar_dir = tmp_path / "mnist", tmp_path / "cifar"
    mnist_dir.mkdir()
    cifar_dir.mkdir()
    _write_tiny_mnist(mnist_dir)
    rng = np.random.default_rng(1)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (6, 3072), dtype=np.uint8), b"labels": list(range(6))}
        (cifar_dir / name).write_bytes(pickle.dumps(batch, protocol=2))
    monkeypatch.setenv("GRADPROOF_MNIST_DIR", str(mnist_dir))
    monkeypatch.setenv("GRADPROOF_CIFAR10_DIR", str(cifar_dir))
    exp = get("mnist-cifar")
    result = exp.run(tmp_path / "out")
    mnist, cifar = result.metrics["mnist"], result.metrics["cifar10"]
    assert (
        mnist["train_images_used"] == 40 and mnist["test_images"] == 20 and mnist["layers"] == [784, 30, 10]
    )
    assert cifar["train_images_used"] == 30 and cifar["layers"] == [3072, 100, 10]
    assert [f.name for f in result.figures] == ["mnist-cifar-light.svg", "mnist-cifar-dark.svg"]
    assert f"test accuracy {pct(mnist['test_accuracy'], 2)}" in result.markdown
    assert "GRADPROOF_MNIST_DIR" in exp.fingerprint() and str(mnist_dir) in exp.fingerprint()


def test_mnist_cifar_reports_an_unreadable_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_MNIST_DIR", str(tmp_path / "missing"))
    monkeypatch.delenv("GRADPROOF_CIFAR10_DIR", raising=False)
    result = get("mnist-cifar").run(tmp_path)
    assert "does not exist" in result.metrics["mnist"]["error"]
    assert "could not be read" in result.markdown


def test_the_command_on_the_page_reproduces_the_run(results, capsys):
    """Running the XOR page's `gradproof train` line gives the experiment's own numbers."""
    line = next(x for x in results["xor"][0].markdown.splitlines() if x.startswith("gradproof train"))
    assert main([*shlex.split(line)[1:], "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    m = results["xor"][0].metrics
    assert cli["final_loss"] == pytest.approx(m["final_loss"], rel=1e-9)
    assert cli["train_accuracy"] == m["train_accuracy"]


def test_runs_are_deterministic(results, tmp_path):
    again = get("xor").run(tmp_path)
    first, first_dir = results["xor"]
    strip = {k: v for k, v in again.metrics.items() if k != "seconds"}
    assert strip == {k: v for k, v in first.metrics.items() if k != "seconds"}
    for name in ("xor-training-light.svg", "xor-training-dark.svg"):
        assert (tmp_path / name).read_bytes() == (first_dir / name).read_bytes()
    light, dark = ((first_dir / f"xor-training-{t}.svg").read_text() for t in ("light", "dark"))
    assert light != dark and "#e3e6ed" in dark and "#e3e6ed" not in light  # each theme its own ink


def test_train_command_round_trips_through_the_parser():
    config = TrainConfig(
        layers=(None, 7, None), activation="tanh", loss="sigmoid-bce", epochs=3, batch_size=5, lr=0.25,
        momentum=0.5, l1=1e-4, l2=2e-3, seed=4, dtype="float32",
    )  # fmt: skip
    line = train_command("moons", config, val_fraction=0.2, train_size=100)
    argv = shlex.split(line)[1:]
    args = build_parser("train").parse_args(argv)
    assert config_from_args(args) == config
    assert (args.val_fraction, args.train_size) == (0.2, 100)


def test_module_entry_point_writes_page_and_metrics(tmp_path, capsys):
    assert experiments.main(["xor", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "xor" / "page.md").read_text()
    assert page.startswith("# XOR with a 2-2-1 network")
    assert json.loads((tmp_path / "xor" / "metrics.json").read_text())["train_accuracy"] == 1.0
    assert "total" in capsys.readouterr().out
    assert experiments.main(["nope", "--out", str(tmp_path)]) == 2


def test_a_failed_run_leaves_the_previous_folder_as_it_was(tmp_path, monkeypatch):
    """Each experiment's folder is one set of outputs: a run that fails half-way replaces nothing."""
    assert experiments.main(["xor", "--out", str(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "xor").iterdir()}
    import checker.experiments.xor as xor_module

    def page_fails(*_: object) -> str:  # called after the figure is written
        raise RuntimeError("the run failed")

    monkeypatch.setattr(xor_module, "_page", page_fails)
    with pytest.raises(RuntimeError):
        experiments.run_all(tmp_path, ["xor"])
    assert {p.name: p.read_bytes() for p in (tmp_path / "xor").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor"]  # no staging folder left behind


def test_module_entry_point_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "checker.experiments", "nope", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "no experiment 'nope'" in result.stderr
    assert list(tmp_path.iterdir()) == []
