"""``gradproof grade QUESTION ANSWER``: grade one answer and explain the verdict.

The exit status is 0 for every verdict (an incorrect or unreadable answer is a result, not an
error); it is non-zero only for a usage error or an unknown question. An answer may start with
a minus sign (``gradproof grade sigmoid-derivative '-\\sigma(z)(1-\\sigma(z))'``): anything that
is not one of the command's own options is read as the answer.
"""

from __future__ import annotations

import argparse
import json
import sys


class _AnswerParser(argparse.ArgumentParser):
    """An argument parser for which ``-x…`` is an answer unless it is one of the declared options.

    argparse would take ``-\\sigma(z)`` for an unknown option and stop with a usage error.
    """

    def _parse_optional(self, arg_string: str):  # noqa: ANN202 - argparse's own signature
        if arg_string.startswith("-") and not arg_string.startswith("--") and arg_string not in (
                self._option_string_actions):
            return None  # a positional argument: the answer
        return super()._parse_optional(arg_string)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.__class__ = _AnswerParser
    parser.add_argument("question", help="question id (see `gradproof questions`)")
    parser.add_argument("answer", help="the answer: LaTeX, plain text or NumPy (it may start with -)")
    parser.add_argument("--format", default="auto", choices=("latex", "text", "numpy", "auto"),
                        help="how the answer is written (default: auto)")
    parser.add_argument("--json", action="store_true", help="print the verdict as one JSON object")
    parser.add_argument("--strict-notation", action="store_true",
                        help="grade a product of two same-shape vectors (a \\cdot b, a b) as the matrix "
                        "product written (hadamard-vs-matmul), not as the elementwise product it must mean")


def run(args: argparse.Namespace) -> int:
    """Grade the answer and print the verdict."""
    from checker.grading.judge import grade
    from derivations.questions import QUESTIONS

    if args.question not in QUESTIONS:
        print(f"gradproof grade: unknown question {args.question!r}; known questions:", file=sys.stderr)
        for qid in QUESTIONS:
            print(f"  {qid}", file=sys.stderr)
        return 2
    result = grade(args.question, args.answer, args.format, strict_notation=args.strict_notation)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    tags = ", ".join(result.mistakes or ([result.mistake] if result.mistake else []))
    print(f"{result.verdict}" + (f" ({tags})" if tags else ""))
    if result.interpreted:
        print(f"read as: {result.interpreted}")
    print(result.feedback)
    return 0
