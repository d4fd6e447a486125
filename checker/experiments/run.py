"""Running experiments from the command line: ``python -m checker.experiments [ID ...] --out DIR``.

Each experiment's folder (``DIR/<id>/``: its figures, ``page.md`` and ``metrics.json``) is written
as one set through :class:`checker.files.OutputSet`: a run that fails half-way leaves the previous
folder as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from checker.experiments.base import ExperimentResult
from checker.experiments.registry import EXPERIMENTS, get
from checker.files import OutputError, OutputSet, check_output_dir
from checker.training.loop import jsonable

__all__ = ["main", "run_all"]


def run_all(out_dir: Path, ids: Sequence[str] | None = None) -> dict[str, tuple[ExperimentResult, float]]:
    """Run the experiments (all, or ``ids``) into ``out_dir/<id>/``; returns each result and its seconds.

    Each folder also gets ``page.md`` (the title and the Markdown body) and ``metrics.json``.
    """
    chosen = [get(i) for i in ids] if ids else list(EXPERIMENTS)
    results = {}
    for exp in chosen:
        folder = Path(out_dir) / exp.id
        start = time.perf_counter()
        with OutputSet(folder) as outputs:
            assert outputs.staging is not None
            result = exp.run(outputs.staging)
            for figure in result.figures:
                outputs.path(Path(figure).name)  # one of the set's outputs
            outputs.write("page.md", f"# {exp.title}\n\n{result.markdown}")
            outputs.write("metrics.json", json.dumps(jsonable(result.metrics), indent=2) + "\n")
        result = replace(result, figures=[folder / Path(f).name for f in result.figures])
        results[exp.id] = (result, time.perf_counter() - start)
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m checker.experiments [ID ...] --out DIR``: run, write figures, page.md, metrics.json."""
    parser = argparse.ArgumentParser(
        prog="python -m checker.experiments",
        description="Run the course's experiments with the reference MLP.",
    )
    ids_help = "experiment ids (default: all): " + ", ".join(e.id for e in EXPERIMENTS)
    parser.add_argument("ids", nargs="*", help=ids_help)
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="one folder per experiment goes here"
    )
    args = parser.parse_args(argv)
    try:
        for exp_id in args.ids:
            get(exp_id)
        check_output_dir(args.out)
    except (KeyError, OutputError) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    results = run_all(args.out, args.ids)
    for exp_id, (result, seconds) in results.items():
        print(f"{exp_id:<12} {seconds:6.2f} s  {len(result.figures)} figure(s) in {args.out / exp_id}")
    print(f"{'total':<12} {sum(s for _, s in results.values()):6.2f} s")
    return 0
