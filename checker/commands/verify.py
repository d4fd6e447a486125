"""``gradproof verify``: every derivation of the catalogue, checked three ways.

For each derivation: every step exactly (sympy, at two or more size combinations), the result
against sympy's own differentiation of the chain's start, and the result against central
differences of the reference MLP. Then every formula of its prose (context, reasons, mistakes,
notes, its questions' prompts) against the derivation itself (:mod:`checker.grading.prose`).
Prints a table (or ``--json``); exits 1 if anything fails and 2 for an unknown ``--only`` id.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.commands.common import CommandError, positive_int

if TYPE_CHECKING:
    from checker.proof.verify import VerifyResult

DEFAULT_JOBS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``gradproof verify``."""
    parser.add_argument(
        "--only", nargs="+", action="extend", metavar="ID",
        help="check only these derivation ids (space- or comma-separated)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per derivation")
    parser.add_argument(
        "--jobs", type=positive_int, default=DEFAULT_JOBS, help=f"worker processes (default {DEFAULT_JOBS})"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="check everything again, ignoring stored verdicts"
    )


def run(args: argparse.Namespace) -> int:
    """Verify the chosen derivations and report; the exit status says whether all passed."""
    import warnings

    from sympy.utilities.exceptions import SymPyDeprecationWarning

    from checker.proof.verify import verify_all
    from derivations import all_derivations

    # sympy deprecates a Matrix of relations (how 𝟙[·] conditions translate): not the user's concern.
    # Set before the worker processes start, so that they inherit it.
    warnings.filterwarnings("ignore", category=SymPyDeprecationWarning)
    catalogue = all_derivations()
    # `--only a b`, `--only a --only b` and `--only a,b` all mean the same
    named = [i for item in args.only or () for i in item.split(",") if i]
    chosen = list(dict.fromkeys(named)) if named else list(catalogue)
    unknown = [i for i in chosen if i not in catalogue]
    if unknown:
        raise CommandError(_unknown_ids(unknown, list(catalogue)))
    start = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor

    # the prose is checked on workers of its own while the steps are proved: neither waits for the other
    with ThreadPoolExecutor(max_workers=1) as background:
        prose_future = background.submit(_prose, chosen, args)
        results = verify_all(chosen, workers=args.jobs, cached=not args.no_cache)
        prose = prose_future.result()
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps([{**r.to_json(), "prose": prose_counts({r.id: prose[r.id]})} for r in results],
                         indent=2))
    else:
        print_report(results, elapsed)
        print_prose(prose)
    proved = all(r.status == "verified" for r in results)
    return 0 if proved and not any(failures(c) for c in prose.values()) else 1


def _prose(chosen: list[str], args: argparse.Namespace) -> dict:
    """The prose verdicts of the chosen derivations (cached unless ``--no-cache``)."""
    from checker.grading.prose_run import check_all

    if args.no_cache:
        from checker.grading.prose import check_derivation
        from derivations import get

        return {i: check_derivation(get(i)) for i in chosen}
    return check_all(chosen, workers=args.jobs)


def print_prose(prose: dict) -> None:
    """How the formulas of the prose were checked, and every one that failed, named."""
    from checker.grading.prose import message

    total = prose_counts(prose)
    bad = [c for checks in prose.values() for c in failures(checks)]
    print(
        f"prose formulas: {sum(total.values())}: {total.get('proved', 0)} relations hold on random values, "
        f"{total.get('wrong', 0)} false on purpose (mistakes) and shown false, "
        f"{total.get('defines', 0)} definitions, "
        f"{total.get('read', 0)} read in the derivation's notation, {total.get('unchecked', 0)} marked "
        f"not machine-checked, {len(bad)} failed"
    )
    for c in bad:
        print(f"  - {message(c)}")


def failures(checks: list) -> list:
    """The prose checks that failed."""
    return [c for c in checks if not c.ok]


def prose_counts(prose: dict) -> dict[str, int]:
    """How many formulas got each verdict."""
    from checker.grading.prose_run import counts

    return counts(prose)


def _unknown_ids(unknown: list[str], known: list[str]) -> str:
    """One line: the unknown ids, the id each was probably meant to be, and the known ids."""
    hints = []
    for i in unknown:
        close = difflib.get_close_matches(i, known, n=1)
        hints.append(f"{i} (did you mean {close[0]}?)" if close else i)
    plural = "s" if len(unknown) > 1 else ""
    return f"--only: unknown derivation id{plural} {', '.join(hints)}; known ids: {', '.join(known)}"


def print_report(results: Sequence[VerifyResult], elapsed: float) -> None:
    """The table (rich on a terminal, plain text otherwise), then what failed and why."""
    rows = [_row(r) for r in results]
    headers = ("id", "steps", "symbolic", "numeric max rel. error", "seconds", "status")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, title="gradproof verify")
        for row, r in zip(rows, results, strict=True):
            style = "green" if r.status == "verified" else "bold red"
            table.add_row(*row[:-1], f"[{style}]{row[-1]}[/{style}]")
        Console().print(table)
    else:
        widths = [max(len(h), *(len(row[k]) for row in rows)) for k, h in enumerate(headers)]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        print(line.rstrip())
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for r in results:
        if r.status != "verified":
            print(f"\n{r.id}: failed")
            for reason in failure_reasons(r):
                print(f"  - {reason}")
    failed = sum(r.status != "verified" for r in results)
    print(
        f"\n{len(results)} derivation{'s' if len(results) != 1 else ''}: "
        f"{len(results) - failed} verified, {failed} failed, in {elapsed:.1f} s"
    )


def failure_reasons(r: VerifyResult) -> list[str]:
    """What a failed derivation got wrong, one line each."""
    out = []
    if r.error:
        out.append(f"could not be checked: {r.error}")
    for c in r.step_checks:
        if not c.ok:
            out.append(f"chain {c.chain + 1}, step {c.index + 1} ({c.reason}): {c.detail}")
    if not r.result_check:
        out.append("the result differs from sympy's own derivative of the chain's start")
    for n in r.numeric:
        if not n.ok:
            out.append(f"numeric, {n.network}: max relative error {n.max_rel_error:.2e} {n.detail}".rstrip())
    return out or ["no numeric check ran"]


def _row(r: VerifyResult) -> tuple[str, ...]:
    numeric = "—" if r.numeric_max_rel_error is None else f"{r.numeric_max_rel_error:.1e}"
    return (
        r.id,
        f"{r.steps_verified}/{r.steps}",
        "exact" if r.symbolic else "FAILED",
        numeric,
        f"{r.seconds:.2f}",
        r.status,
    )
