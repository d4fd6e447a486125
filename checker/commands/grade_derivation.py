"""``gradproof grade-derivation QUESTION FILE|-``: grade a whole derivation step by step.

The exit status is 0 for every verdict; 2 for a usage error, an unknown question or a file that
cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("question", help="question id (see `gradproof questions`)")
    parser.add_argument("file", help="the derivation: a Markdown/LaTeX/plain-text file, or - for stdin")
    parser.add_argument(
        "--format",
        default="auto",
        choices=("latex", "text", "auto"),
        help="how the steps are written (default: auto)",
    )
    parser.add_argument(
        "--strict-notation",
        action="store_true",
        help="grade a product of two same-shaped vectors as a mistake, not as ⊙",
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as one JSON object")


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """Grade the derivation and print its verdict, step by step."""
    from checker.grading.derivation import grade_derivation
    from derivations.questions import QUESTIONS

    if args.question not in QUESTIONS:
        print(
            f"gradproof grade-derivation: unknown question {args.question!r}; "
            "`gradproof questions` lists them",
            file=sys.stderr,
        )
        return 2
    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as err:
        print(
            f"gradproof grade-derivation: error: cannot read {args.file}: "
            f"{(getattr(err, 'strerror', None) or str(err)).lower()}; "
            "give a file of the derivation, or - for stdin",
            file=sys.stderr,
        )
        return 2
    result = grade_derivation(args.question, text, args.format, args.strict_notation)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    first = result["first_wrong_step"]
    print(result["verdict"] + (f" (first wrong step: {first})" if first else ""))
    for step in result["steps"]:
        mark = {"follows": "✓", "does-not-follow": "✗", "unreadable": "?"}[step["verdict"]]
        label = f"{step['n']:>2}" if step["n"] is not None else step["kind"][:3]
        tag = f"  [{step['mistake']}]" if step["mistake"] else ""
        print(f"{mark} {label}  {step['latex']}{tag}")
    print(result["feedback"])
    return 0
