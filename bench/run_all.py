"""Run every benchmark of ``bench/``, one after the other, and print what each took.

Run: ``python bench/run_all.py [--skip-torch] [--only NAME ...]`` after
``pip install -e ".[bench]"`` (PyTorch and math-verify are the peers compared against; with
``--skip-torch`` the PyTorch sides are left out). Each benchmark runs as its own fresh
interpreter, so that none inherits another's warm caches, and prints its own figures, ratios and
targets as it goes; the summary at the end lists each one's exit status and wall time.
A benchmark that fails to run does not stop the others.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script, extra arguments when PyTorch is skipped)
BENCHMARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "verify": ("bench_verify.py", ()),
    "gradcheck": ("bench_gradcheck.py", ("--skip-torch",)),
    "grader": ("bench_grader.py", ()),
    "derivation": ("bench_derivation.py", ()),
    "grade-batch": ("bench_grade_batch.py", ()),
    "site": ("bench_site.py", ()),
    "experiments": ("bench_experiments.py", ("--skip-torch",)),
    "conv": ("bench_conv.py", ("--skip-torch",)),
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; the exit status is 1 if any of them failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-torch", action="store_true", help="leave out the PyTorch side by sides")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    args = parser.parse_args(argv)
    summary: list[tuple[str, int, float]] = []
    for name in args.only or list(BENCHMARKS):
        script, no_torch = BENCHMARKS[name]
        command = [sys.executable, str(HERE / script), *(no_torch if args.skip_torch else ())]
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.run(command, cwd=HERE.parent, check=False).returncode
        summary.append((name, code, time.perf_counter() - start))
    print("\n=== summary")
    for name, code, seconds in summary:
        print(f"{name:<12} {'ok' if code == 0 else f'exit {code}':<8} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
