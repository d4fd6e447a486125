"""``gradproof train``: train the reference MLP on a data set; save the model and its metrics."""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from checker.commands.common import CommandError, finite_float, output_dir, positive_int

EXAMPLE = "gradproof train --dataset digits --layers auto,30,10 --activation relu --loss softmax-ce --lr 0.1"

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky-relu", "elu", "softplus")
LOSSES = ("mse", "softmax-ce", "sigmoid-bce")


def add_training_arguments(parser: argparse.ArgumentParser, *, grid: bool = False) -> None:
    """The flags shared by ``train`` and ``grid`` (``grid`` replaces batch size and η by lists)."""
    from checker.training.datasets import DATASETS, SQUARES_SUFFIX

    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset", required=True,
        help="one of: " + ", ".join(DATASETS)
        + f"; a 2-D set with {SQUARES_SUFFIX} appended (circles{SQUARES_SUFFIX}) also gets x1², x2² "
        "as features",
    )
    data.add_argument(
        "--data-dir", help="directory holding the MNIST IDX files or CIFAR-10 batches (never downloaded)"
    )
    data.add_argument(
        "--val-fraction",
        type=finite_float,
        default=0.1 if grid else 0.0,
        help="share of the training split held out for validation"
        + (" and for choosing the best cell (0: choose on test accuracy)" if grid else ""),
    )
    data.add_argument(
        "--train-size",
        type=positive_int,
        help="train on only the first N training examples (after the validation split is held out)",
    )
    net = parser.add_argument_group("network")
    net.add_argument(
        "--layers", required=True, help="sizes from input to output, e.g. 784,30,10 or auto,30,auto"
    )
    net.add_argument("--activation", default="sigmoid", choices=ACTIVATIONS, help="hidden activation")
    net.add_argument("--output-activation", choices=ACTIVATIONS, help="default: the loss's natural one")
    net.add_argument("--loss", default="mse", choices=LOSSES)
    opt = parser.add_argument_group("training")
    opt.add_argument("--epochs", type=positive_int, default=10)
    if not grid:
        opt.add_argument("--batch-size", type=positive_int, default=10)
        opt.add_argument("--lr", type=finite_float, default=0.1, help="learning rate η")
    opt.add_argument(
        "--momentum", type=finite_float, default=0.0, help="momentum μ (for sgd, momentum and nesterov)"
    )
    opt.add_argument(
        "--optimizer",
        default="sgd",
        choices=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"),
        help="the update rule, as derived in momentum-update, adagrad-update, rmsprop-update, "
        "adam-update and adamw-decoupled-decay",
    )
    opt.add_argument("--l1", type=finite_float, default=0.0, help="L1 penalty λ₁")
    opt.add_argument("--l2", type=finite_float, default=0.0, help="L2 penalty λ₂")
    opt.add_argument("--seed", type=int, default=0)
    opt.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--out",
        type=output_dir,
        required=grid,
        help="directory for "
        + ("grid.json, grid.csv and heatmap.png" if grid else "model.npz and metrics.json"),
    )
    out.add_argument("--json", action="store_true", help="print the results as JSON on stdout")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the flags of ``gradproof train``."""
    parser.epilog = f"example: {EXAMPLE}"
    add_training_arguments(parser)


def config_from_args(args: argparse.Namespace, **overrides: Any):
    """Build a :class:`~checker.training.config.TrainConfig` from parsed flags."""
    from checker.training.config import TrainConfig, parse_layers

    fields = {
        "layers": parse_layers(args.layers),
        "activation": args.activation,
        "loss": args.loss,
        "output_activation": args.output_activation,
        "epochs": args.epochs,
        "batch_size": getattr(args, "batch_size", 10),
        "lr": getattr(args, "lr", 0.1),
        "momentum": args.momentum,
        "optimizer": getattr(args, "optimizer", "sgd"),
        "l1": args.l1,
        "l2": args.l2,
        "seed": args.seed,
        "dtype": args.dtype,
    }
    return TrainConfig(**(fields | overrides))


def show_progress() -> bool:
    """A progress bar only for a person watching: stdout is a terminal and this is not CI."""
    return sys.stdout.isatty() and not os.environ.get("CI")


def progress_bar(total: int, description: str) -> tuple[AbstractContextManager[Any], Any]:
    """A rich progress bar (or a do-nothing stand-in) and a function ``advance(**fields)``."""
    if not show_progress():
        return nullcontext(), lambda **_: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        transient=True,
    )
    task = progress.add_task(description, total=total, status="")

    def advance(status: str = "") -> None:
        progress.update(task, advance=1, status=status)

    return progress, advance


def load_data(args: argparse.Namespace):
    """The data set the flags name, with the requested validation split."""
    from checker.training.datasets import load_dataset

    return load_dataset(
        args.dataset,
        data_dir=args.data_dir,
        seed=args.seed,
        val_fraction=args.val_fraction,
        train_size=args.train_size,
    )


def prepare(args: argparse.Namespace):
    """The configuration and the data, checked against each other before any training starts.

    Returns ``(config, dataset)``; a bad flag or data file is a :class:`CommandError` (exit 2).
    """
    from checker.training.config import ConfigError, check_config, resolve_layers
    from checker.training.datasets import DatasetError

    try:
        config = config_from_args(args)
        check_config(config)
        ds = load_data(args)
        resolve_layers(config.layers, ds, config.loss)
    except (ConfigError, DatasetError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    return config, ds


def _on_epoch(advance: Any):
    def on_epoch(epoch: int, record: dict[str, float]) -> None:
        acc = record.get("accuracy")
        status = f"loss {record.get('loss', float('nan')):.4f}" + (
            f"  acc {100 * acc:.2f} %" if acc is not None else ""
        )
        advance(status=status)

    return on_epoch


def _save(args: argparse.Namespace, result: Any, config: Any, dataset: str) -> None:
    """model.npz and metrics.json, replaced together: a failure on the way keeps the previous pair."""
    from checker.files import OutputSet
    from checker.training.loop import write_metrics
    from checker.training.models import save_model

    with OutputSet(args.out) as outputs:
        save_model(result.model, outputs.path("model.npz"), config, sizes=result.sizes,
                   extra={"dataset": dataset})  # fmt: skip
        write_metrics(result.metrics, outputs.path("metrics.json"))


def run(args: argparse.Namespace) -> int:
    """Train, report and save; 0 on success, 1 if training diverged, 2 on a configuration or data error."""
    from checker.training.config import ConfigError
    from checker.training.loop import Diverged, jsonable, train

    config, ds = prepare(args)
    bar, advance = progress_bar(config.epochs, f"{ds.name} epochs")
    try:
        with bar:
            result = train(ds, config, on_epoch=_on_epoch(advance))
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    except Diverged as exc:  # a run that went and failed: exit 1, and the previous outputs stay
        raise CommandError(f"{exc}; nothing was saved", exit_status=1) from exc
    metrics = result.metrics
    if args.out is not None:
        _save(args, result, config, ds.name)
    if args.json:
        print(json.dumps(jsonable(metrics), indent=2))
        return 0
    print(ds.summary())
    print(f"network {'-'.join(map(str, result.sizes))}, {config.activation}, {config.loss}")
    print(
        f"train accuracy {100 * metrics['train_accuracy']:.2f} %, "
        f"test accuracy {100 * metrics['test_accuracy']:.2f} %, final loss {metrics['final_loss']:.4g}, "
        f"{metrics['epochs']} epoch{'s' if metrics['epochs'] != 1 else ''} in {metrics['seconds']:.2f} s"
    )
    if args.out is not None:
        print(f"saved {args.out / 'model.npz'} and {args.out / 'metrics.json'}")
    return 0
