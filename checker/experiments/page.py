"""The page text the experiments share: reproducible commands, numbers as the pages print them, tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from checker.training.config import TrainConfig

__all__ = ["code", "compare", "num", "pct", "reproduce", "table", "train_command"]


def train_command(
    dataset: str,
    config: TrainConfig,
    *,
    command: str = "train",
    val_fraction: float = 0.0,
    train_size: int | None = None,
    extra: str = "",
) -> str:
    """The ``gradproof train`` command line that reproduces a run of ``config`` on ``dataset``.

    Built from the very config the experiment trains with, so the page cannot drift from the run.
    """
    layers = ",".join("auto" if s is None else str(s) for s in config.layers)
    parts = [f"gradproof {command} --dataset {dataset}"]
    if val_fraction or command == "grid":  # grid holds out 0.1 unless told otherwise
        parts.append(f"--val-fraction {val_fraction:g}")
    if train_size is not None:
        parts.append(f"--train-size {train_size}")
    parts.append(f"--layers {layers}")
    if len(config.layers) > 2:
        parts.append(f"--activation {config.activation}")
    parts.append(f"--loss {config.loss}")
    if config.output_activation:
        parts.append(f"--output-activation {config.output_activation}")
    parts.append(f"--epochs {config.epochs}")
    if command == "train":
        parts.append(f"--batch-size {config.batch_size} --lr {config.lr:g}")
    if config.optimizer != "sgd":
        parts.append(f"--optimizer {config.optimizer}")
    for flag, value, default in (
        ("--momentum", config.momentum, 0.0),
        ("--l1", config.l1, 0.0),
        ("--l2", config.l2, 0.0),
        ("--seed", config.seed, 0),
    ):
        if value != default:
            parts.append(f"{flag} {value:g}")
    if config.dtype != "float64":
        parts.append(f"--dtype {config.dtype}")
    if extra:
        parts.append(extra)
    return " ".join(parts)


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage, ``—`` when it was not measured (or the run diverged)."""
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f} %"


def num(x: float | None, digits: int = 4) -> str:
    """A number to ``digits`` significant digits, ``—`` when missing."""
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def code(*commands: str) -> str:
    """A fenced bash block of ``commands``."""
    return "```bash\n" + "\n".join(commands) + "\n```"


def reproduce(exp_id: str) -> str:
    """The command that runs one experiment again."""
    return f"python -m checker.experiments {exp_id} --out results/{exp_id}"


def compare(new: float, old: float, lower: str, higher: str) -> str:
    """``lower`` when ``new`` < ``old``, ``higher`` when greater, else "the same"."""
    return lower if new < old else higher if new > old else "the same"
