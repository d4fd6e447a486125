"""Benchmark of the reference convolution layers, side by side with PyTorch.

    python bench/bench_conv.py [--repeats N] [--epochs N] [--skip-torch]

1. The gradient check of one convolution layer 1×8×8 → 4×6×6 (3×3 kernels, two images, float64):
   every kernel entry, bias and input pixel by central differences. Target ≤ 0.5 s.
2. One epoch of the digits CNN (conv 8 → ReLU → pool → conv 16 → ReLU → pool → dense 10, 3×3 same
   convolutions, softmax cross-entropy, SGD with momentum 0.9, batch 32, float32, the 1,437 training
   images of digits): ``checker.training.cnn.train_cnn`` against the same network, initialised with
   the same weights, in PyTorch on the CPU (``nn.Conv2d`` + ``MaxPool2d`` + ``Linear`` +
   ``CrossEntropyLoss`` + ``optim.SGD``), ``torch.set_num_threads`` set to NumPy's BLAS threads.
   Epochs alternate between the two so that a change in the machine's load hits both. Aim: NumPy
   within 3× of PyTorch's time.

Wall seconds are reported beside CPU seconds: on a busy machine the CPU figures are the ones to
compare. PyTorch is not a dependency; without it the PyTorch column is skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np

from checker.network.conv import CNN, Conv2D, layer_gradcheck
from checker.training.cnn import images, train_cnn
from checker.training.datasets import load_digits

GRADCHECK_TARGET = 0.5
RATIO_TARGET = 3.0


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        return int(max(counts)) if counts else os.cpu_count() or 1
    except ImportError:
        return os.cpu_count() or 1


def bench_gradcheck(repeats: int) -> float:
    """Median wall seconds of the layer's gradient check (and print the CPU seconds beside)."""
    layer = Conv2D.create(1, 4, 3, seed=0)
    X = np.random.default_rng(1).standard_normal((2, 1, 8, 8))
    runs = [_timed(lambda: layer_gradcheck(layer, X)) for _ in range(repeats)]
    result = layer_gradcheck(layer, X)
    wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    print(f"conv layer 1×8×8 → 4×6×6 gradient check: {result.params_checked} entries, "
          f"{'PASSED' if result.passed else 'FAILED'}, median {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(target ≤ {GRADCHECK_TARGET} s)")
    return wall


def torch_cnn(torch: Any, net: CNN) -> Any:
    """The same network in PyTorch, holding copies of ``net``'s weights."""
    nn = torch.nn
    c1, c2 = net.conv1.K.shape[0], net.conv2.K.shape[0]
    model = nn.Sequential(
        nn.Conv2d(net.conv1.K.shape[1], c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(net.W.shape[1], net.W.shape[0]),
    )
    with torch.no_grad():
        for layer, conv in ((model[0], net.conv1), (model[3], net.conv2)):
            layer.weight.copy_(torch.from_numpy(conv.K.astype(np.float32)))
            layer.bias.copy_(torch.from_numpy(conv.b.astype(np.float32)))
        model[7].weight.copy_(torch.from_numpy(net.W.astype(np.float32)))
        model[7].bias.copy_(torch.from_numpy(net.b[:, 0].astype(np.float32)))
    return model


def torch_epoch(torch: Any, model: Any, opt: Any, X: np.ndarray, y: np.ndarray, seed: int) -> float:
    """One epoch in PyTorch, batches drawn as train_cnn draws them; returns the mean loss."""
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(y)))
    loss_fn, total = torch.nn.CrossEntropyLoss(), 0.0
    for start in range(0, len(y), 32):
        idx = order[start:start + 32]
        opt.zero_grad()
        loss = loss_fn(model(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(idx)
    return total / len(y)


def bench_epochs(epochs: int, skip_torch: bool) -> None:
    """Alternate NumPy and PyTorch epochs of the digits CNN and print the medians and their ratio."""
    ds = load_digits()
    X = images(ds.X_train, (1, 8, 8), np.float32)
    net = CNN.create((1, 8, 8), 10, seed=0, dtype=np.float32)
    torch = None
    if not skip_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: its column is skipped (pip install torch==2.13.0).")
    if torch is not None:
        torch.set_num_threads(_blas_threads())
        model = torch_cnn(torch, net)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    ours, theirs = [], []
    for epoch in range(epochs):
        ours.append(_timed(lambda e=epoch: train_cnn(net, X, ds.y_train, epochs=1, batch_size=32, lr=0.05,
                                                     seed=e)))
        if torch is not None:
            theirs.append(_timed(lambda e=epoch: torch_epoch(torch, model, opt, X, ds.y_train, e)))
    wall, cpu = statistics.median(r[0] for r in ours), statistics.median(r[1] for r in ours)
    print(f"digits CNN epoch ({len(X)} images, batch 32, float32), NumPy: {wall:.3f} s wall, {cpu:.3f} s CPU")
    if theirs:
        twall, tcpu = statistics.median(r[0] for r in theirs), statistics.median(r[1] for r in theirs)
        print(f"digits CNN epoch, PyTorch {torch.__version__} CPU: {twall:.3f} s wall, {tcpu:.3f} s CPU")
        print(f"ratio NumPy / PyTorch: {wall / twall:.2f}× wall, {cpu / tcpu:.2f}× CPU "
              f"(aim ≤ {RATIO_TARGET:g}×)")


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--skip-torch", action="store_true")
    args = parser.parse_args()
    bench_gradcheck(args.repeats)
    bench_epochs(args.epochs, args.skip_torch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
