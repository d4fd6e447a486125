"""Benchmark the course experiments with gradproof's reference MLP, against PyTorch where it is installed.

    python bench/bench_experiments.py [--mnist-dir DIR] [--json FILE] [--skip-torch]

1. Accuracy targets on the small data sets, with the experiments' own configurations:
   XOR 100 %, half moons ≥ 97 % test, digits ≥ 96 % test with one hidden layer.
2. MNIST (default: the 8,000/2,000 subset in shared/data/mnist-10k): 784-30-10 ≥ 93 % and
   784-256-256-10 ≥ 95.5 % test accuracy, each next to the same network trained by PyTorch from the
   *same initial weights*, on the *same mini-batches in the same order*, with the same η, momentum
   and epochs; the two must agree within 0.5 points.
3. Speed: one epoch of 784-256-256-10, batch 100, float32, on 60,000 images (the real ones tiled),
   gradproof vs PyTorch on the same number of threads (1, then all cores), and the ratio.

The accuracy runs use one thread in both libraries: the networks are small, and on a busy
two-core machine a second thread that spin-waits can cost either library many times its work.

torch is not a dependency of gradproof: without it the PyTorch columns are skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checker.experiments import digits as digits_exp  # noqa: E402
from checker.experiments import mnist_cifar  # noqa: E402
from checker.experiments import moons as moons_exp  # noqa: E402
from checker.experiments import xor as xor_exp  # noqa: E402
from checker.experiments.base import single_threaded_blas  # noqa: E402
from checker.network.mlp import MLP, sgd  # noqa: E402
from checker.training.datasets import columns, load_dataset, targets  # noqa: E402
from checker.training.loop import TrainConfig, train  # noqa: E402

DEFAULT_MNIST = ROOT.parent / "shared" / "data" / "mnist-10k"
MNIST_SMALL = mnist_cifar.MNIST_CONFIG
MNIST_DEEP = mnist_cifar.MNIST_DEEP_CONFIG
TIMING_IMAGES = 60_000
AGREEMENT_POINTS = 0.5


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ---------------------------------------------------------------------------------------------
# 1. the small data sets
# ---------------------------------------------------------------------------------------------


def small_targets() -> list[dict[str, Any]]:
    """XOR, moons and digits with the configurations the site's experiments use."""
    rows = []
    with single_threaded_blas():
        xor = train(load_dataset("xor"), xor_exp.XOR_CONFIG)
        rows.append(
            {"task": "XOR 2-2-1", "metric": "accuracy", "value": xor.metrics["train_accuracy"], "target": 1.0}
        )
        moons = load_dataset("moons")
        best = max(
            train(moons, replace(moons_exp.MOONS_CONFIG, layers=(None, h, None))).metrics["test_accuracy"]
            for h in moons_exp.MOONS_HIDDEN
        )
        rows.append(
            {"task": "moons, best hidden size", "metric": "test accuracy", "value": best, "target": 0.97}
        )
        digits = train(load_dataset("digits", val_fraction=digits_exp.DIGITS_VAL), digits_exp.DIGITS_CONFIG)
        rows.append(
            {
                "task": "digits 64-30-10",
                "metric": "test accuracy",
                "value": digits.metrics["test_accuracy"],
                "target": 0.96,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# 2. MNIST, gradproof vs PyTorch from the same start on the same batches
# ---------------------------------------------------------------------------------------------


def torch_net(torch: Any, model: MLP) -> Any:
    """A torch.nn.Sequential holding copies of ``model``'s current weights and biases."""
    layers: list[Any] = []
    acts = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}
    for l, (W, b) in enumerate(zip(model.weights, model.biases, strict=True), start=1):
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(W, dtype=np.float32)))
            linear.bias.copy_(torch.from_numpy(np.array(b[:, 0], dtype=np.float32)))
        layers.append(linear)
        if l < model.depth:
            layers.append(acts[model.activations[l - 1]]())
    return torch.nn.Sequential(*layers)


def torch_train(torch: Any, net: Any, X: np.ndarray, y: np.ndarray, config: TrainConfig) -> float:
    """Train ``net`` (rows-as-examples data) with the batches mlp.sgd would draw; return seconds.

    checker.network.mlp.sgd shuffles with ``np.random.default_rng(seed).permutation(N)`` once per epoch;
    the same generator here gives PyTorch the very same mini-batches in the same order.
    """
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(y.astype(np.int64))
    # gradproof's L2 penalty λ/2‖W‖² touches weights only, never biases: give torch the same split.
    weights = [p for name, p in net.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in net.named_parameters() if name.endswith("bias")]
    groups = [{"params": weights, "weight_decay": config.l2}, {"params": biases, "weight_decay": 0.0}]
    opt = torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(config.seed)
    start = time.perf_counter()
    for _ in range(config.epochs):
        order = torch.from_numpy(rng.permutation(len(y)))
        loss_sum, correct = 0.0, 0
        for i in range(0, len(y), config.batch_size):
            idx = order[i : i + config.batch_size]
            xb, yb = Xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            out = net(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            # the same bookkeeping as checker.network.mlp.sgd: running loss and accuracy
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum())
    return time.perf_counter() - start


def torch_accuracy(torch: Any, net: Any, X: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        out = net(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)))
    return float((out.argmax(1).numpy() == y).mean())


def mnist_comparison(mnist_dir: Path, torch: Any) -> list[dict[str, Any]]:
    """Both MNIST networks: gradproof's accuracy and time, PyTorch's from the same start."""
    ds = load_dataset("mnist", data_dir=mnist_dir)
    rows = []
    for name, config, target in (("784-30-10", MNIST_SMALL, 0.93), ("784-256-256-10", MNIST_DEEP, 0.955)):
        model = MLP.create(
            list(config.layers),
            activation=config.activation,
            loss=config.loss,
            l2=config.l2,
            dtype=np.float32,
            seed=config.seed,
        )
        start_net = torch_net(torch, model) if torch else None
        X, Y = columns(ds.X_train, np.float32), targets(ds.y_train, 10, np.float32)
        with single_threaded_blas():
            tick = time.perf_counter()
            sgd(model, X, Y, epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
                momentum=config.momentum, seed=config.seed)  # fmt: skip
            ours_seconds = time.perf_counter() - tick
        ours = float(np.mean(model.predict(columns(ds.X_test, np.float32)).argmax(axis=0) == ds.y_test))
        row: dict[str, Any] = {
            "network": name,
            "config": config.to_dict(),
            "train_images": len(ds.y_train),
            "test_images": len(ds.y_test),
            "gradproof_test_accuracy": ours,
            "gradproof_seconds": ours_seconds,
            "target": target,
        }
        if torch:
            with torch_threads(torch, 1):
                theirs_seconds = torch_train(torch, start_net, ds.X_train, ds.y_train, config)
            row |= {
                "torch_test_accuracy": torch_accuracy(torch, start_net, ds.X_test, ds.y_test),
                "torch_seconds": theirs_seconds,
            }
            row["difference_points"] = 100 * (row["gradproof_test_accuracy"] - row["torch_test_accuracy"])
        rows.append(row)
        print(_mnist_line(row), flush=True)
    return rows


def _mnist_line(row: dict[str, Any]) -> str:
    ok = row["gradproof_test_accuracy"] >= row["target"]
    text = (
        f"  {row['network']:<15} gradproof {100 * row['gradproof_test_accuracy']:6.2f} % "
        f"({row['gradproof_seconds']:6.1f} s)  target ≥ {100 * row['target']:.1f} % "
        f"{'ok' if ok else 'MISSED'}"
    )
    if "torch_test_accuracy" in row:
        agree = abs(row["difference_points"]) <= AGREEMENT_POINTS
        text += (
            f"   PyTorch {100 * row['torch_test_accuracy']:6.2f} % ({row['torch_seconds']:6.1f} s)"
            f"   Δ {row['difference_points']:+.2f} points {'ok' if agree else 'MISSED'}"
        )
    return text


# ---------------------------------------------------------------------------------------------
# 3. one epoch on 60,000 images
# ---------------------------------------------------------------------------------------------


def epoch_timing(mnist_dir: Path, torch: Any, threads: int, repeats: int = 2) -> dict[str, Any]:
    """Seconds for one epoch of 784-256-256-10, batch 100, float32 on 60,000 tiled images (best of n).

    Both libraries get the same number of threads: NumPy's BLAS through threadpoolctl, PyTorch
    through ``torch.set_num_threads``.
    """
    from threadpoolctl import threadpool_limits

    ds = load_dataset("mnist", data_dir=mnist_dir)
    reps = -(-TIMING_IMAGES // len(ds.y_train))
    X_rows = np.tile(ds.X_train, (reps, 1))[:TIMING_IMAGES]
    y = np.tile(ds.y_train, reps)[:TIMING_IMAGES]
    config = replace(MNIST_DEEP, epochs=1)
    X, Y = columns(X_rows, np.float32), targets(y, 10, np.float32)
    ours, theirs = [], []
    for _ in range(repeats):
        model = MLP.create(list(config.layers), activation="relu", loss="softmax-ce", dtype=np.float32)
        net = torch_net(torch, model) if torch else None
        with threadpool_limits(limits=threads, user_api="blas"):
            tick = time.perf_counter()
            sgd(model, X, Y, epochs=1, batch_size=config.batch_size, lr=config.lr, momentum=config.momentum)
            ours.append(time.perf_counter() - tick)
        if torch:
            with torch_threads(torch, threads):
                theirs.append(torch_train(torch, net, X_rows, y, config))
    result: dict[str, Any] = {"images": TIMING_IMAGES, "threads": threads, "gradproof_seconds": min(ours)}
    if torch:
        result["torch_seconds"] = min(theirs)
        result["ratio"] = result["gradproof_seconds"] / result["torch_seconds"]
    return result


@contextmanager
def torch_threads(torch: Any, n: int) -> Iterator[None]:
    """Run PyTorch on ``n`` intra-op threads, then restore the previous number."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the three parts, print a report, optionally write it as JSON; 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist-dir", type=Path, default=DEFAULT_MNIST, help="directory with the MNIST IDX files"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--skip-torch", action="store_true", help="do not compare with PyTorch")
    args = parser.parse_args(argv)
    torch = None if args.skip_torch else _torch()
    if torch is None and not args.skip_torch:
        print(
            "PyTorch is not installed: the PyTorch columns are skipped. "
            "To compare: pip install torch==2.13.0 (CPU wheel)."
        )
    report: dict[str, Any] = {"numpy": np.__version__, "torch": torch.__version__ if torch else None}
    missed = []

    print("small data sets (the site's experiment configurations):")
    report["small"] = small_targets()
    for row in report["small"]:
        ok = row["value"] >= row["target"]
        missed += [] if ok else [row["task"]]
        value, target = 100 * row["value"], 100 * row["target"]
        verdict = "ok" if ok else "MISSED"
        print(f"  {row['task']:<25} {row['metric']} {value:6.2f} %  target ≥ {target:.0f} %  {verdict}")

    if (
        not (args.mnist_dir / "train-images-idx3-ubyte.gz").exists()
        and not (args.mnist_dir / "train-images-idx3-ubyte").exists()
    ):
        print(f"MNIST: no IDX files in {args.mnist_dir}; pass --mnist-dir DIR. Skipping the MNIST parts.")
    else:
        print(f"MNIST from {args.mnist_dir} (float32; PyTorch starts from the same weights, same batches):")
        report["mnist"] = mnist_comparison(args.mnist_dir, torch)
        for row in report["mnist"]:
            if row["gradproof_test_accuracy"] < row["target"]:
                missed.append(f"MNIST {row['network']} accuracy")
            if "difference_points" in row and abs(row["difference_points"]) > AGREEMENT_POINTS:
                missed.append(f"MNIST {row['network']} agreement with PyTorch")
        print(f"one epoch of 784-256-256-10, batch 100, float32, {TIMING_IMAGES:,} images (best of 2):")
        report["epoch_timing"] = []
        for threads in sorted({1, os.cpu_count() or 1}):
            timing = epoch_timing(args.mnist_dir, torch, threads)
            report["epoch_timing"].append(timing)
            label = f"{threads} thread{'s' if threads > 1 else ''}"
            line = f"  {label:<10} gradproof {timing['gradproof_seconds']:6.2f} s"
            if "torch_seconds" in timing:
                line += (
                    f"   PyTorch {timing['torch_seconds']:6.2f} s"
                    f"   ratio gradproof/PyTorch {timing['ratio']:.2f}×"
                )
            print(line, flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print("all targets met" if not missed else "MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
