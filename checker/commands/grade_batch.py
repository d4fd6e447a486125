"""``gradproof grade-batch SUBMISSIONS.csv --out DIR [--jobs N]``: grade a class's answers.

Writes DIR/results.csv, DIR/results.json and DIR/report.html; one result per input row.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("submissions", type=Path,
                        help="CSV with the columns student,question,answer[,format,...]")
    parser.add_argument("--out", type=Path, required=True, help="directory for the results and the report")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 8),
                        help="worker processes (default: the number of cores)")


def run(args: argparse.Namespace) -> int:
    """Grade the CSV and write the outputs."""
    from collections import Counter

    from checker.grading.batch import grade_batch

    if not args.submissions.is_file():
        print(f"gradproof grade-batch: no such file: {args.submissions}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("gradproof grade-batch: --jobs must be at least 1", file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = grade_batch(args.submissions, args.out, jobs=args.jobs)
    counts = Counter(r["verdict"] for r in rows)
    print(
        f"graded {len(rows)} answers in {time.perf_counter() - start:.1f} s: "
        f"{counts['correct']} correct, {counts['incorrect']} incorrect, {counts['invalid']} invalid; "
        f"wrote {args.out / 'results.csv'}, {args.out / 'results.json'}, {args.out / 'report.html'}"
    )
    return 0
