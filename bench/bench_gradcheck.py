"""Benchmark of the gradient checker and of one SGD epoch, side by side with PyTorch.

    python bench/bench_gradcheck.py [--repeats N] [--epochs N] [--skip-sgd] [--skip-torch]

1. ``gradcheck`` full and fast mode on 784-30-10 (relu, softmax-ce), batch 10, float64: median
   seconds over several runs. Beside it ``torch.autograd.gradcheck`` on the same function (same
   parameters, data and loss, float64) in its default slow mode (``fast_mode=False``), and, for
   information, with ``fast_mode=True``.
2. One SGD epoch of 784-256-256-10 (relu, softmax-ce), batch 100, float32, 60,000 random examples,
   lr 0.01: ``checker.network.mlp.sgd`` against the same model in PyTorch (``nn.Linear`` + ``ReLU`` +
   ``CrossEntropyLoss`` + ``optim.SGD``), with ``torch.set_num_threads`` set to NumPy's BLAS threads.
   The epochs alternate between the two so that a change in the machine's load hits both.

PyTorch is not a dependency. Without it the PyTorch columns are skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from checker.network.gradcheck import gradcheck, random_problem
from checker.network.mlp import MLP, sgd


def _median_seconds(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def _blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
        if counts:
            return int(max(counts))
    except ImportError:
        pass
    return os.cpu_count() or 1


def _torch():
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: the side-by-side columns are skipped.")
        print("  (install it for benchmarking with: pip install torch==2.13.0)")
        return None
    return torch


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


# ---------------------------------------------------------------------------------------------
# 1. gradient checks
# ---------------------------------------------------------------------------------------------


def bench_gradcheck(repeats: int, torch) -> None:
    model = MLP.create([784, 30, 10], "relu", "softmax-ce", seed=0)
    X, Y = random_problem(model, 10, seed=0)
    print("gradient check: 784-30-10, relu, softmax-ce, batch 10, float64, 23,860 parameters")

    result = gradcheck(model, X, Y, mode="full")
    print(f"  ours full: passed={result.passed}, max rel error {result.max_rel_error:.2e}, "
          f"kinks skipped {result.kinks_skipped}")
    full, full_min = _median_seconds(lambda: gradcheck(model, X, Y, mode="full"), repeats)
    fast, fast_min = _median_seconds(lambda: gradcheck(model, X, Y, mode="fast"), max(repeats, 20))
    print(f"  ours, full mode            {full:8.3f} s median   ({full_min:.3f} s best)   target ≤ 3 s")
    print(f"  ours, fast mode            {fast:8.4f} s median   ({fast_min:.4f} s best)   target ≤ 0.05 s")
    if torch is None:
        return

    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in model.param_arrays().values()]
    Xt = torch.tensor(X, dtype=torch.float64)
    Yt = torch.tensor(Y, dtype=torch.float64)

    def cost(W1, b1, W2, b2):  # the same J: mean over columns of −Σ_k y_k log softmax(z)_k
        Z2 = W2 @ torch.relu(W1 @ Xt + b1) + b2
        return -(Yt * torch.log_softmax(Z2, dim=0)).sum(dim=0).mean()

    ours_J = model.cost(X, Y)
    with torch.no_grad():
        torch_J = float(cost(*params))
    assert abs(torch_J - ours_J) < 1e-12 * max(1.0, abs(ours_J)), "the two costs differ"

    def torch_check(fast_mode: bool) -> None:
        torch.autograd.gradcheck(cost, tuple(params), fast_mode=fast_mode)

    # one run of the slow mode: it takes minutes, and its median would take many more
    t_slow, _ = _median_seconds(lambda: torch_check(False), 1)
    t_fast, t_fast_min = _median_seconds(lambda: torch_check(True), max(repeats, 20))
    print(f"  torch.autograd.gradcheck   {t_slow:8.3f} s (one run)                    fast_mode=False")
    print(f"  torch.autograd.gradcheck   {t_fast:8.4f} s median   ({t_fast_min:.4f} s best)   "
          "fast_mode=True")
    print(f"  ratio torch slow / ours full: {t_slow / full:.1f}× (target ≥ 5×)")
    print(f"  ratio torch fast / ours fast: {t_fast / fast:.1f}×")


# ---------------------------------------------------------------------------------------------
# 2. one SGD epoch
# ---------------------------------------------------------------------------------------------


def bench_sgd(epochs: int, torch) -> None:
    N, sizes, batch, lr = 60_000, [784, 256, 256, 10], 100, 0.01
    threads = _blas_threads()
    rng = np.random.default_rng(0)
    rows = rng.random((N, 784), dtype=np.float32)  # rows as examples, like the data loaders
    labels = rng.integers(0, 10, N)
    onehot = np.zeros((N, 10), dtype=np.float32)
    onehot[np.arange(N), labels] = 1.0
    X, Y = rows.T, onehot.T  # the MLP's columns, as datasets.columns makes them: views, no copy
    print(f"\none SGD epoch: 784-256-256-10, relu, softmax-ce, batch {batch}, float32, {N:,} examples, "
          f"lr {lr}, {threads} BLAS thread(s)")

    model = MLP.create(sizes, "relu", "softmax-ce", dtype=np.float32, seed=0)

    def ours() -> None:
        sgd(model, X, Y, epochs=1, batch_size=batch, lr=lr, seed=int(rng.integers(1 << 30)))

    step_torch: Callable[[], None] | None = None
    if torch is not None:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        net = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 10),
        )
        optimiser = torch.optim.SGD(net.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        Xt, yt = torch.from_numpy(rows), torch.from_numpy(labels)

        def step_torch() -> None:
            order = torch.randperm(N)
            for start in range(0, N, batch):
                idx = order[start : start + batch]
                optimiser.zero_grad()
                loss = loss_fn(net(Xt[idx]), yt[idx])
                loss.backward()
                optimiser.step()

    ours()  # warm-up: first-touch of memory, BLAS thread start-up
    if step_torch is not None:
        step_torch()
    t_ours, t_torch = [], []
    for _ in range(epochs):  # alternate, so that a change in load hits both
        t_ours.append(_median_seconds(ours, 1)[0])
        if step_torch is not None:
            t_torch.append(_median_seconds(step_torch, 1)[0])
    med = statistics.median(t_ours)
    print(f"  ours (checker.network.mlp.sgd)     {med:8.3f} s median   ({min(t_ours):.3f} s best)   "
          f"over {epochs} epochs")
    if t_torch:
        med_t = statistics.median(t_torch)
        print(f"  PyTorch                    {med_t:8.3f} s median   ({min(t_torch):.3f} s best)")
        print(f"  speed ours / PyTorch: {med_t / med:.2f}× by medians, "
              f"{min(t_torch) / min(t_ours):.2f}× by best (≥ 1 means ours is at least as fast)")

    X_c = np.ascontiguousarray(X)  # (n, N) C-contiguous, as a caller building its own columns might pass
    start = time.perf_counter()
    sgd(model, X_c, Y, epochs=1, batch_size=batch, lr=lr)
    print(f"  for information: one epoch with X C-contiguous (sgd makes one transposing copy of it) "
          f"{time.perf_counter() - start:.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each gradient check (default 5)")
    parser.add_argument("--epochs", type=int, default=5, help="timed SGD epochs of each side (default 5)")
    parser.add_argument("--skip-sgd", action="store_true", help="only the gradient checks")
    parser.add_argument("--skip-torch", action="store_true", help="no PyTorch side by side")
    args = parser.parse_args()
    print(f"numpy {np.__version__}; {os.cpu_count()} CPU(s); {_load()}")
    torch = None if args.skip_torch else _torch()
    if torch is not None:
        print(f"torch {torch.__version__}")
    bench_gradcheck(args.repeats, torch)
    if not args.skip_sgd:
        bench_sgd(args.epochs, torch)
    print(f"\nfinished; {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
