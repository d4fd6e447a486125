"""``gradproof grid``: grid search over mini-batch size × learning rate, with a heatmap of the results."""

from __future__ import annotations

import argparse

from checker.commands.train import add_training_arguments, config_from_args, fail, load_data, progress_bar

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


def run(args: argparse.Namespace) -> int:
    """Run every cell, write grid.json / grid.csv / heatmap.png; 0 on success, 2 on a bad configuration."""
    from checker.training.datasets import DatasetError
    from checker.training.loop import (
        ConfigError,
        check_config,
        grid_search,
        parse_floats,
        parse_ints,
        resolve_layers,
        write_grid,
    )

    try:
        batch_sizes = parse_ints(args.batch_sizes, "--batch-sizes")
        lrs = parse_floats(args.lrs, "--lrs")
        config = config_from_args(args)
        check_config(config)
        ds = load_data(args)
        resolve_layers(config.layers, ds, config.loss)
    except (ConfigError, DatasetError, ValueError) as exc:
        return fail("grid", str(exc))

    bar, advance = progress_bar(len(batch_sizes) * len(lrs), f"{ds.name} grid")

    def on_cell(index: int, total: int, cell: dict) -> None:
        score = cell["score"]
        shown = "diverged" if score is None else f"{100 * score:.2f} %"
        advance(status=f"batch {cell['batch_size']}, η {cell['lr']:g}: {shown}")

    try:
        with bar:
            result = grid_search(ds, config, batch_sizes, lrs, on_cell=on_cell)
    except ConfigError as exc:
        return fail("grid", str(exc))
    paths = write_grid(result, args.out)
    best = result.best
    if args.json:
        print((args.out / "grid.json").read_text(), end="")
    else:
        label = result.score_name.replace("_", " ")
        for cell in result.cells:
            score = "diverged" if cell["score"] is None else f"{100 * cell['score']:6.2f} %"
            print(f"batch {cell['batch_size']:>4}  η {cell['lr']:<8g} {label} {score}")
        if best["score"] is None:
            print(f"every cell diverged; try smaller learning rates ({result.seconds:.1f} s in all)")
        else:
            print(
                f"best: batch {best['batch_size']}, η {best['lr']:g} → {label} {100 * best['score']:.2f} % "
                f"(test {100 * best['test_accuracy']:.2f} %); {result.seconds:.1f} s in all"
            )
        print("wrote " + ", ".join(str(p) for p in paths))
    return 0
