"""``gradproof gradescope --assignment FILE``: the Gradescope autograder, run inside its container.

Reads the student's files from ``/autograder/submission`` and writes
``/autograder/results/results.json`` (Gradescope's autograder specification), one test per
question of the assignment. A ``run_autograder`` script needs one line::

    gradproof gradescope --assignment /autograder/source/assignment.toml

Exit status 0 once results.json is written (whatever the student handed in); 2 for a usage
error or an assignment file that cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    from checker.grading.classroom.gradescope import VISIBILITIES

    parser.add_argument("--assignment", type=Path, required=True, metavar="FILE",
                        help="assignment file (TOML): questions, points, partial credit")
    parser.add_argument("--submission", type=Path, default=Path("/autograder/submission"),
                        help="the student's files (default: /autograder/submission)")
    parser.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"),
                        help="where to write results.json (default: /autograder/results/results.json)")
    parser.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                        help="when students see the results (Gradescope's visibility)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes (default: the CPUs available)")


def run(args: argparse.Namespace) -> int:
    """Grade the submission directory and write results.json."""
    from checker.files import write_atomic
    from checker.grading.batch import Submission, default_jobs, grade_all
    from checker.grading.classroom.assignment import AssignmentError, load_assignment
    from checker.grading.classroom.gradescope import Answer, dumps, run_autograder

    try:
        assignment = load_assignment(args.assignment)
    except AssignmentError as err:
        print(f"gradproof gradescope: {err}", file=sys.stderr)
        return 2
    jobs = default_jobs() if args.jobs is None else max(1, args.jobs)

    def grade_answers(answers: list[Answer]) -> list[dict]:
        subs = [Submission(i, "submission", a.question, a.answer, a.format, problem=a.problem, line=a.line)
                for i, a in enumerate(answers, 1)]
        return grade_all(subs, jobs, strict_notation=assignment.strict_notation)

    results = run_autograder(assignment, args.submission, grade_answers, args.visibility)
    try:
        write_atomic(args.results, dumps(results))
    except OSError as err:
        print(f"gradproof gradescope: cannot write {args.results}: {err.strerror or err}", file=sys.stderr)
        return 2
    print(f"{assignment.title}: {results['score']:g} of {assignment.max_points:g} points; "
          f"wrote {args.results}")
    return 0
