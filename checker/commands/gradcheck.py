"""``gradproof gradcheck``: central-difference check of the reference MLP on random data.

    gradproof gradcheck --layers 784,30,10 --activation relu --loss softmax-ce --batch 10 --json

Exit status 0 when the check passes, 1 when it fails, 2 for a usage error (including a network or
batch beyond the size caps of :func:`checker.network.gradcheck.check_problem_size`).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from checker.commands.common import CommandError, finite_float, positive_int
from checker.network.activations import ACTIVATIONS
from checker.network.losses import LOSSES


def _layers(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]  # "auto" or an empty part is refused here
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated whole widths like 784,30,10, got {text!r}"
        ) from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected at least two widths, all ≥ 1, got {text!r}")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``gradproof gradcheck``."""
    parser.add_argument("--layers", type=_layers, default=[784, 30, 10],
                        help="comma-separated widths n_0,...,n_L (default 784,30,10)")
    parser.add_argument("--activation", default="sigmoid", choices=sorted(ACTIVATIONS),
                        help="hidden-layer activation (default sigmoid)")
    parser.add_argument("--output-activation", default=None, choices=sorted(ACTIVATIONS),
                        help="output activation for the mse loss (default: the hidden one)")
    parser.add_argument("--loss", default="softmax-ce", choices=sorted(LOSSES), help="default softmax-ce")
    parser.add_argument("--batch", type=positive_int, default=10,
                        help="examples in the random batch (default 10)")
    parser.add_argument("--mode", choices=("full", "fast"), default="full",
                        help="full: every parameter; fast: random directions per parameter array")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="the network's dtype; the check itself always runs in float64")
    parser.add_argument("--seed", type=int, default=0, help="seed of the network, the data and resampling")
    parser.add_argument("--l1", type=finite_float, default=0.0, help="L1 weight penalty λ₁")
    parser.add_argument("--l2", type=finite_float, default=0.0, help="L2 weight penalty λ₂")
    parser.add_argument("--threshold", type=finite_float, default=None, help="largest passing relative error")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _check(args: argparse.Namespace) -> None:
    """Refuse what cannot be checked, before anything is allocated."""
    from checker.network.gradcheck import check_problem_size

    if args.loss == "softmax-ce" and args.layers[-1] < 2:
        # softmax of one output is the constant 1: every gradient is 0 and the check proves nothing
        raise CommandError("softmax-ce needs at least two outputs (the last width); "
                           "for one output use --loss sigmoid-bce")
    if args.l1 < 0 or args.l2 < 0:
        raise CommandError(f"--l1 and --l2 cannot be negative, got {args.l1:g} and {args.l2:g}")
    if args.threshold is not None and args.threshold < 0:
        raise CommandError(f"--threshold is a relative error and cannot be negative, got {args.threshold:g}")
    try:
        check_problem_size(args.layers, args.batch)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def run(args: argparse.Namespace) -> int:
    """Build the network, check it, print the result; 1 if the check fails."""
    from checker.network.gradcheck import DEFAULT_THRESHOLD, gradcheck, random_problem
    from checker.network.mlp import MLP

    _check(args)
    try:
        model = MLP.create(
            args.layers,
            activation=args.activation,
            loss=args.loss,
            output_activation=args.output_activation,
            l1=args.l1,
            l2=args.l2,
            dtype=np.dtype(args.dtype),
            seed=args.seed,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    X, Y = random_problem(model, args.batch, seed=args.seed)
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    result = gradcheck(model, X, Y, mode=args.mode, seed=args.seed, threshold=threshold)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        sizes = "-".join(str(n) for n in args.layers)
        print(f"network {sizes}, {args.activation}, {args.loss}, batch {args.batch}, {args.dtype}, "
              f"seed {args.seed}")
        print(result.report())
    return 0 if result.passed else 1
