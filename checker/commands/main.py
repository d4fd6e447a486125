"""The ``gradproof`` command line: a thin dispatcher over ``checker.commands.*``.

Each sub-command lives in its own module so that importing the CLI stays cheap: a command's
heavy imports (sympy, matplotlib) happen only when that command runs.

Exit statuses, the same for every command:

* 0 — done (for ``verify`` and ``gradcheck``: every check passed);
* 1 — a check ran and failed (a derivation or gradient check failed, training diverged);
* 2 — a usage error or bad input: a flag, a file or an output location that cannot be used;
* 3 — an internal error: a bug in gradproof, reported in one line (``GRADPROOF_DEBUG=1`` shows
  the traceback);
* 130 — interrupted (Ctrl-C).

Every failure is one line on stderr, ``gradproof COMMAND: error: ...``, naming the argument or
file and what to do; never a traceback. Under ``--json`` the same failure is also printed on
stdout as ``{"error": "...", "exit": N}``. An ``--out`` location is checked (creatable, writable,
not a file) before the command starts any work.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import sys
from typing import NoReturn

from checker.commands.common import CommandError

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
    "gradescope": ("checker.commands.gradescope", "Gradescope autograder: a submission into results.json"),
    "train": ("checker.commands.train", "train the reference MLP on a dataset"),
    "grid": ("checker.commands.grid", "grid search over mini-batch size and learning rate"),
}

INTERNAL_ERROR = 3
INTERRUPTED = 130
DEBUG_ENV = "GRADPROOF_DEBUG"


class _UsageError(CommandError):
    """argparse's complaint about the command line, as one line."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised (and printed by :func:`main` as one line), not exits."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser; with ``only``, import just that command's module."""
    parser = _Parser(prog="gradproof", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(module).add_arguments(p)
    return parser


def _report(command: str | None, message: str, status: int, as_json: bool) -> int:
    """Print one failure: a line on stderr, and the JSON object on stdout under ``--json``."""
    where = f"gradproof {command}" if command else "gradproof"
    line = " ".join(message.split())  # one line, whatever the message held
    print(f"{where}: error: {line}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": line, "exit": status}, ensure_ascii=False))
    return status


def _os_error_message(exc: OSError) -> str:
    """A failed read or write as a person reads it: the file, what happened, what to do."""
    name = exc.filename or "a file"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {name}: no space left on the device; free some space or choose another --out"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot access {name}: {exc.strerror}; check its permissions or choose another location"
    return f"{name}: {exc.strerror or exc}"


def _dispatch(argv: list[str]) -> int:
    from checker.files import check_output_dir

    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "out", None) is not None:
        check_output_dir(args.out)  # before any work: a bad --out fails now, not after the run
    module = importlib.import_module(COMMANDS[args.command][0])
    return int(module.run(args) or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gradproof`` command; returns the exit status (see the module doc)."""
    from checker.files import OutputError

    argv = sys.argv[1:] if argv is None else argv
    first = next((a for a in argv if not a.startswith("-")), None)
    command = first if first in COMMANDS else None
    as_json = "--json" in argv
    try:
        return _dispatch(argv)
    except CommandError as exc:
        return _report(command, str(exc), exc.exit_status, as_json)
    except OutputError as exc:
        return _report(command, str(exc), 2, as_json)
    except BrokenPipeError:
        # `gradproof questions | head`: the reader has gone, which is not an error. Point stdout
        # at /dev/null so that the interpreter's final flush does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return _report(command, "interrupted", INTERRUPTED, as_json)
    except MemoryError:
        return _report(command, "not enough memory for this run; use smaller sizes or a smaller batch",
                       2, as_json)  # fmt: skip
    except OSError as exc:
        return _report(command, _os_error_message(exc), 2, as_json)
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        return _report(
            command,
            f"internal error ({type(exc).__name__}: {exc}); this is a bug in gradproof: please report it "
            f"with the command line (set {DEBUG_ENV}=1 to see where it happened)",
            INTERNAL_ERROR,
            as_json,
        )


if __name__ == "__main__":
    sys.exit(main())
