"""``gradproof gradescope --assignment FILE``: the Gradescope autograder, run inside its container.

Reads the student's files from ``/autograder/submission`` and writes
``/autograder/results/results.json`` (Gradescope's autograder specification), one test per
question of the assignment. A ``run_autograder`` script needs one line::

    gradproof gradescope --assignment /autograder/source/assignment.toml

Exit status 0 once results.json is written (whatever the student handed in); 2 for a usage
error, an assignment file that cannot be used, a ``--submission`` that is not a directory (a
misconfigured container must not hand a student 0 points), or a ``--results`` that cannot be
written (checked before grading).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.commands.common import CommandError, positive_int


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
    parser.add_argument("--jobs", type=positive_int, default=None,
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
        raise CommandError(str(err)) from None
    if not args.submission.is_dir():
        raise CommandError(f"--submission {args.submission}: no such directory; name the directory "
                           "holding the student's files (in Gradescope's container, /autograder/submission)")
    _check_results_location(args.results)
    jobs = default_jobs() if args.jobs is None else args.jobs

    def grade_answers(answers: list[Answer]) -> list[dict]:
        subs = [Submission(i, "submission", a.question, a.answer, a.format, problem=a.problem, line=a.line)
                for i, a in enumerate(answers, 1)]
        return grade_all(subs, jobs, strict_notation=assignment.strict_notation)

    results = run_autograder(assignment, args.submission, grade_answers, args.visibility)
    try:
        write_atomic(args.results, dumps(results))
    except OSError as err:
        raise CommandError(f"cannot write {args.results}: {err.strerror or err}") from None
    print(f"{assignment.title}: {results['score']:g} of {assignment.max_points:g} points; "
          f"wrote {args.results}")
    return 0


def _check_results_location(results: Path) -> None:
    """Refuse a ``--results`` that cannot be written before any grading starts."""
    from checker.files import OutputError, check_output_dir

    if results.is_dir():
        raise CommandError(f"--results {results} is a directory; name the file to write, "
                           f"e.g. {results / 'results.json'}")
    try:
        check_output_dir(results.parent)
    except OutputError:
        raise CommandError(f"--results {results}: its directory {results.parent} cannot be created or "
                           "written"
                           " (a file is in the way, or no permission); name a writable place") from None
