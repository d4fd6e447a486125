"""The ``gradproof`` command line: a thin dispatcher over ``checker.commands.*``.

Each sub-command lives in its own module so that importing the CLI stays cheap: a command's
heavy imports (sympy, matplotlib) happen only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

DESCRIPTION = (
    "Verified backpropagation derivations, a reference NumPy MLP with a gradient checker, "
    "and a grader for students' formulas."
)

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("checker.commands.verify", "check every derivation exactly (sympy) and numerically"),
    "gradcheck": ("checker.commands.gradcheck", "central-difference check of the reference MLP"),
    "questions": ("checker.commands.questions", "list the question bank"),
    "grade": ("checker.commands.grade", "grade one answer"),
    "grade-derivation": ("checker.commands.grade_derivation", "grade a whole derivation step by step"),
    "grade-batch": ("checker.commands.grade_batch", "grade a CSV of answers"),
    "train": ("checker.commands.train", "train the reference MLP on a dataset"),
    "grid": ("checker.commands.grid", "grid search over mini-batch size and learning rate"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser; with ``only``, import just that command's module."""
    parser = argparse.ArgumentParser(prog="gradproof", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gradproof`` command."""
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except BrokenPipeError:
        # `gradproof questions | head`: the reader has gone, which is not an error. Point stdout
        # at /dev/null so that the interpreter's final flush does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
