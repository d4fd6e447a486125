"""What every command shares: the error a command raises for a person to read, and argument types.

A command raises :class:`CommandError` for a usage error or bad input (exit status 2) or for a run
that went and failed (exit status 1, e.g. training that diverged); :func:`checker.commands.main.main`
prints it as one line (and as a JSON object under ``--json``). Argument types here refuse bad
numbers while the command line is parsed, naming the flag.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path


class CommandError(Exception):
    """A failure a person can act on: ``message`` names the argument or file and what to do."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def positive_int(text: str) -> int:
    """An argument type: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """An argument type: a finite number (``inf`` and ``nan`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def output_dir(text: str) -> Path:
    """An argument type: a directory for outputs, never the empty string.

    ``--out "$RESULTS"`` with the variable unset would otherwise mean the current directory.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a directory, got an empty name (use --out . for here)")
    return Path(text)
