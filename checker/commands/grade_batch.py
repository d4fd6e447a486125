"""``gradproof grade-batch SUBMISSIONS.csv --out DIR``: grade a class's answers.

Writes into DIR, all together: results.csv and results.json (one row per input record, in order),
report.html, a feedback-<student>.md and .html per student and, with ``--assignment``,
gradebook-canvas.csv and gradebook-moodle.csv. Without ``--assignment`` a student's score is the
correct answers out of the answers that could be judged, and no gradebook is written.

Exit status: 0 when the file was graded; 2 for a usage error, an unusable ``--out`` or assignment,
an undecodable file, or (without ``--lenient``) a file with problem lines, each listed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from checker.commands.common import CommandError, output_dir, positive_int

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("submissions", type=Path,
                        help="CSV with the columns student,question,answer[,format,...]")
    parser.add_argument("--out", type=output_dir, required=True,
                        help="directory for the results and the report")
    parser.add_argument("--assignment", type=Path, metavar="FILE",
                        help="assignment file (TOML): questions, points, partial credit, roster")
    parser.add_argument("--lenient", action="store_true",
                        help="grade a file with problem lines anyway (each an invalid row, all listed)")
    parser.add_argument("--encoding", help="the file's encoding, when detection guesses wrong (e.g. gb18030)")
    parser.add_argument("--delimiter", choices=sorted(DELIMITER_NAMES),
                        help="the field delimiter (default: detected)")
    parser.add_argument("--jobs", type=positive_int, default=None,
                        help="worker processes (default: the CPUs this process may use)")


ABSENT_SHOWN = 20  # a roster of 300 with a section missing must not flood the terminal


def _some(names: list[str]) -> str:
    """The first names of a list, and how many more there are (the report lists them all)."""
    if len(names) <= ABSENT_SHOWN:
        return ", ".join(names)
    return f"{', '.join(names[:ABSENT_SHOWN])} and {len(names) - ABSENT_SHOWN} more (all in report.html)"


def run(args: argparse.Namespace) -> int:
    """Grade the CSV and write the outputs."""
    from collections import Counter

    from checker.files import OutputError
    from checker.grading.batch import BatchRefused, default_jobs, grade_batch
    from checker.grading.classroom.assignment import AssignmentError, load_assignment
    from checker.grading.classroom.csvin import CsvRefused

    if args.submissions.is_dir():
        raise CommandError(f"{args.submissions} is a directory; name the submissions CSV file")
    if not args.submissions.is_file():
        raise CommandError(f"no such file: {args.submissions}; name the submissions CSV file")
    jobs = default_jobs() if args.jobs is None else args.jobs
    try:
        assignment = load_assignment(args.assignment) if args.assignment else None
    except AssignmentError as err:
        raise CommandError(str(err)) from None
    start = time.perf_counter()
    try:
        outcome = grade_batch(args.submissions, args.out, jobs=jobs, assignment=assignment,
                              lenient=args.lenient,
                              encoding=args.encoding, delimiter=DELIMITER_NAMES.get(args.delimiter or ""))
    except OutputError as err:
        raise CommandError(str(err)) from None
    except CsvRefused as err:
        raise CommandError(f"{args.submissions}: {err}") from None
    except BatchRefused as err:
        print(f"gradproof grade-batch: {args.submissions} ({err.reading}) has "
              f"{len(err.problems)} problem line{'s' if len(err.problems) != 1 else ''}; nothing was graded. "
              "Fix them, or pass --lenient to grade the rest and report these as invalid:", file=sys.stderr)
        for p in err.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    rows = outcome.rows
    counts = Counter(r["verdict"] for r in rows)
    records = len(outcome.reading.subs)
    print(f"read {records} record{'s' if records != 1 else ''} from {args.submissions} "
          f"({outcome.reading.table.describe()}); "
          f"wrote {len(rows)} result row{'s' if len(rows) != 1 else ''}")
    for p in outcome.reading.problems:
        print(f"  problem (graded as invalid): {p}")
    print(f"graded {len(rows)} answer{'s' if len(rows) != 1 else ''} in {time.perf_counter() - start:.1f} s: "
          f"{counts['correct']} correct, {counts['incorrect']} incorrect, {counts['invalid']} invalid")
    if assignment and outcome.scores is not None:
        absent = [s.student for s in outcome.scores if s.absent]
        print(f"{assignment.title}: {len(outcome.scores)} students, {assignment.max_points:g} points possible"
              + (f"; absent (0 points): {_some(absent)}" if absent else ""))
    for w in outcome.warnings:
        print(f"note: {w}")
    shown = [n for n in outcome.written if not n.startswith("feedback-")]
    feedback_files = len(outcome.written) - len(shown)
    print(f"wrote {', '.join(str(args.out / n) for n in shown)} and {feedback_files} feedback files")
    return 0
