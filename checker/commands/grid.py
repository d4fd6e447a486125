"""``gradproof grid``: grid search over mini-batch size × learning rate, with a heatmap of the results."""

from __future__ import annotations

import argparse
import json
from typing import Any

from checker.commands.common import CommandError
from checker.commands.train import add_training_arguments, prepare, progress_bar

EXAMPLE = (
    "gradproof grid --dataset digits --layers auto,30,10 --loss softmax-ce "
    "--batch-sizes 5,10,20 --lrs 0.05,0.1,0.2 --out runs/grid"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the flags of ``gradproof grid``."""
    parser.epilog = f"example: {EXAMPLE}"
    grid = parser.add_argument_group("grid")
    grid.add_argument("--batch-sizes", required=True, help="mini-batch sizes, e.g. 5,10,20")
    grid.add_argument("--lrs", required=True, help="learning rates η, e.g. 0.05,0.1,0.2")
    add_training_arguments(parser, grid=True)


def _shown(score: float | None, width: int = 0) -> str:
    return "diverged" if score is None else f"{100 * score:{width}.2f} %"


def _print_summary(result: Any, paths: list[Any]) -> None:
    label = result.score_name.replace("_", " ")
    for cell in result.cells:
        print(f"batch {cell['batch_size']:>4}  η {cell['lr']:<8g} {label} {_shown(cell['score'], 6)}")
    if result.all_diverged:
        print(f"every cell diverged; try smaller learning rates ({result.seconds:.1f} s in all)")
    else:
        best = result.best
        print(
            f"best: batch {best['batch_size']}, η {best['lr']:g} → {label} {100 * best['score']:.2f} % "
            f"(test {100 * best['test_accuracy']:.2f} %); {result.seconds:.1f} s in all"
        )
    print("wrote " + ", ".join(str(p) for p in paths))


def run(args: argparse.Namespace) -> int:
    """Run every cell, write grid.json / grid.csv / heatmap.png.

    0 when at least one cell trained, 1 when every cell diverged, 2 on a bad configuration.
    """
    from checker.training.config import ConfigError, parse_floats, parse_ints
    from checker.training.grid import grid_search, write_grid
    from checker.training.loop import jsonable

    try:
        batch_sizes = parse_ints(args.batch_sizes, "--batch-sizes")
        lrs = parse_floats(args.lrs, "--lrs")
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    config, ds = prepare(args)
    bar, advance = progress_bar(len(batch_sizes) * len(lrs), f"{ds.name} grid")

    def on_cell(index: int, total: int, cell: dict) -> None:
        advance(status=f"batch {cell['batch_size']}, η {cell['lr']:g}: {_shown(cell['score'])}")

    try:
        with bar:
            result = grid_search(ds, config, batch_sizes, lrs, on_cell=on_cell)
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    paths = write_grid(result, args.out)
    if args.json:
        print(json.dumps(jsonable(result.to_dict()), indent=2))
    else:
        _print_summary(result, paths)
    return 1 if result.all_diverged else 0
