"""What defines a training run besides the data, and the checks that run before any work starts.

:class:`TrainConfig` is plain data. The parsers read the command line's lists (``--layers``,
``--batch-sizes``, ``--lrs``) and :func:`check_config` / :func:`resolve_layers` refuse, naming the
flag and the fix, every setting SGD cannot run with: a non-finite or out-of-range hyper-parameter,
layer sizes that do not fit the data, or a network too large to hold in memory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.training.datasets import Dataset

__all__ = [
    "MAX_PARAMETERS",
    "ConfigError",
    "TrainConfig",
    "check_config",
    "count_parameters",
    "parse_floats",
    "parse_ints",
    "parse_layers",
    "resolve_layers",
]

#: The largest network ``train`` and ``grid`` build: 50 million weights and biases are 400 MB in
#: float64 per copy, and SGD with momentum holds three copies (parameters, gradients, velocities).
MAX_PARAMETERS = 50_000_000


class ConfigError(ValueError):
    """A training configuration that does not fit the data; the message says what to pass instead."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run besides the data.

    ``layers`` lists the layer sizes from input to output; ``None`` at either end means "take it
    from the data" (``auto`` on the command line).
    """

    layers: tuple[int | None, ...]
    activation: str = "sigmoid"
    loss: str = "mse"
    output_activation: str | None = None
    epochs: int = 10
    batch_size: int = 10
    lr: float = 0.1
    momentum: float = 0.0
    optimizer: str = "sgd"
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    dtype: str = "float64"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy (layers as a list)."""
        d = asdict(self)
        d["layers"] = list(self.layers)
        return d


def _parts(text: str, flag: str, example: str) -> list[str]:
    """The comma-separated parts of ``text``; an empty part (``auto,,10``) is refused, not skipped."""
    parts = [p.strip() for p in text.split(",")]
    if any(not p for p in parts):
        raise ConfigError(f"{flag} {text!r}: an empty entry between commas; write e.g. {example}")
    return parts


def parse_layers(text: str) -> tuple[int | None, ...]:
    """``"784,30,10"`` → ``(784, 30, 10)``; ``auto`` (first or last) → ``None``."""
    parts = _parts(text, "--layers", "auto,30,10")
    if len(parts) < 2:
        raise ConfigError(f"--layers {text!r}: give at least an input and an output size, e.g. auto,30,10")
    sizes: list[int | None] = []
    for i, part in enumerate(parts):
        if part.lower() == "auto":
            if 0 < i < len(parts) - 1:
                raise ConfigError(f"--layers {text!r}: only the first and last sizes can be 'auto'")
            sizes.append(None)
            continue
        try:
            value = int(part)
        except ValueError:
            raise ConfigError(f"--layers {text!r}: {part!r} is not a whole number or 'auto'") from None
        if value < 1:
            raise ConfigError(f"--layers {text!r}: every layer needs at least one unit, got {value}")
        sizes.append(value)
    return tuple(sizes)


def _numbers(text: str, flag: str, convert: type, kind: str, example: str) -> list:
    """Comma-separated positive finite numbers of type ``convert``, with an error naming ``flag``."""
    parts = _parts(text, flag, example)
    try:
        values = [convert(p) for p in parts]
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: expected {kind} separated by commas, e.g. {example}") from None
    if min(values) <= 0 or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"{flag} {text!r}: expected positive {kind} separated by commas, e.g. {example}")
    return values


def parse_ints(text: str, flag: str) -> list[int]:
    """``"5,10,20"`` → ``[5, 10, 20]``, with an error naming ``flag``."""
    return _numbers(text, flag, int, "whole numbers", "5,10,20")


def parse_floats(text: str, flag: str) -> list[float]:
    """``"0.05,0.1"`` → ``[0.05, 0.1]``, with an error naming ``flag``."""
    return _numbers(text, flag, float, "finite numbers", "0.05,0.1,0.2")


def count_parameters(sizes: Sequence[int]) -> int:
    """Weights and biases of a network with these layer sizes."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


def resolve_layers(layers: Sequence[int | None], ds: Dataset, loss: str = "mse") -> list[int]:
    """Fill in ``auto`` sizes from the data and check the rest against it.

    The first size must equal the number of features. The last must equal the number of classes
    (one-hot targets), or be 1 for a two-class problem (the label itself is the target). The whole
    network may hold at most :data:`MAX_PARAMETERS` parameters.
    """
    sizes = list(layers)
    spec = ",".join("auto" if s is None else str(s) for s in layers)
    if sizes[0] is None:
        sizes[0] = ds.n_features
    elif sizes[0] != ds.n_features:
        fixed = ",".join(map(str, [ds.n_features, *sizes[1:]])).replace("None", "auto")
        raise ConfigError(
            f"--layers {spec}: the input layer has {sizes[0]} units but {ds.name} has "
            f"{ds.n_features} features per example; use --layers {fixed} (or auto,...)"
        )
    if sizes[-1] is None:
        sizes[-1] = 1 if ds.n_classes == 2 and loss != "softmax-ce" else ds.n_classes
    last = sizes[-1]
    if last != ds.n_classes and not (last == 1 and ds.n_classes == 2):
        choices = f"{ds.n_classes}" + (" or 1" if ds.n_classes == 2 else "")
        raise ConfigError(
            f"--layers {spec}: the output layer has {last} units but {ds.name} has {ds.n_classes} "
            f"classes; end --layers with {choices} (or auto)"
        )
    if last == 1 and loss == "softmax-ce":
        raise ConfigError(
            f"--layers {spec}: softmax over a single output is always 1; use 2 outputs with "
            "softmax-ce, or --loss sigmoid-bce / mse with 1 output"
        )
    resolved = [int(s) for s in sizes]  # type: ignore[arg-type]
    n_params = count_parameters(resolved)
    if n_params > MAX_PARAMETERS:
        raise ConfigError(
            f"--layers {spec}: {'-'.join(map(str, resolved))} has {n_params:,} parameters, more than the "
            f"{MAX_PARAMETERS:,} a training run holds in memory; use narrower hidden layers"
        )
    return resolved


def _optimizer_problems(config: TrainConfig) -> list[str]:
    """--optimizer must be known, and --momentum means something only to sgd, momentum and nesterov."""
    from checker.network.optimisers import OPTIMISERS

    if config.optimizer not in OPTIMISERS:
        return [f"--optimizer must be one of {', '.join(OPTIMISERS)}, got {config.optimizer!r}"]
    if config.momentum and config.optimizer not in ("sgd", "momentum", "nesterov"):
        return [f"--momentum is for --optimizer sgd, momentum or nesterov, not {config.optimizer}"]
    return []


def make_optimizer(config: TrainConfig) -> Any:
    """The optimiser ``config`` names, or None for plain SGD (with its optional classical momentum).

    Momentum and Nesterov take μ from ``--momentum`` (0.9 when it is 0); the others use their
    usual defaults (see :mod:`checker.network.optimisers`).
    """
    from checker.network.optimisers import optimiser

    if config.optimizer == "sgd":
        return None
    if config.optimizer in ("momentum", "nesterov"):
        return optimiser(config.optimizer, config.lr, mu=config.momentum or 0.9)
    return optimiser(config.optimizer, config.lr)


def check_config(config: TrainConfig) -> None:
    """Reject settings SGD cannot run with, naming the flag: η > 0, 0 ≤ momentum < 1, λ ≥ 0, epochs ≥ 1.

    Every number must be finite: ``--lr inf`` or ``--l2 nan`` would train a model of NaNs.
    """
    problems = []
    numbers = {"--lr": config.lr, "--momentum": config.momentum, "--l1": config.l1, "--l2": config.l2}
    infinite = [f"{flag} {value:g}" for flag, value in numbers.items() if not math.isfinite(value)]
    if infinite:
        problems.append(f"{', '.join(infinite)}: hyper-parameters must be finite numbers")
    if math.isfinite(config.lr) and not config.lr > 0:
        problems.append(f"--lr must be positive, got {config.lr:g}")
    if math.isfinite(config.momentum) and not 0 <= config.momentum < 1:
        problems.append(f"--momentum must be in [0, 1), got {config.momentum:g}")
    problems.extend(_optimizer_problems(config))
    if config.l1 < 0 or config.l2 < 0:
        problems.append(f"--l1 and --l2 cannot be negative, got {config.l1:g} and {config.l2:g}")
    if config.epochs < 1 or config.batch_size < 1:
        problems.append("--epochs and --batch-size must be at least 1")
    if config.dtype not in ("float32", "float64"):
        problems.append(f"--dtype must be float32 or float64, got {config.dtype}")
    if problems:
        raise ConfigError("; ".join(problems))
