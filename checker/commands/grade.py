"""``gradproof grade QUESTION ANSWER``: grade one answer and explain the verdict.

The exit status is 0 for every verdict (an incorrect or unreadable answer is a result, not an
error); it is non-zero only for a usage error or an unknown question.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("question", help="question id (see `gradproof questions`)")
    parser.add_argument("answer", help="the answer: LaTeX, plain text or NumPy")
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
    print(f"{result.verdict}" + (f" ({result.mistake})" if result.mistake else ""))
    if result.interpreted:
        print(f"read as: {result.interpreted}")
    print(result.feedback)
    return 0
