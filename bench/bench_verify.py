"""Benchmark: ``gradproof verify`` of the whole catalogue in one cold process.

Run: ``python bench/bench_verify.py [--repeat N]``. Each run is a fresh interpreter with an empty
verdict cache (so nothing is reused: imports, sympy's caches, every check), on both cores as the
command does by default. Prints the wall time of each run, the median, and the slowest
derivations with their own seconds. Target: ≤ 20 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 20.0


def one_run() -> tuple[float, list[dict]]:
    """Wall seconds of one cold ``gradproof verify --json`` and its per-derivation report."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "GRADPROOF_CACHE": cache, "PYTHONWARNINGS": "ignore"}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "checker.commands.main", "verify", "--json", "--no-cache"],
            capture_output=True, text=True, env=env, check=False,
        )
        wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"gradproof verify failed to run:\n{done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    walls, report = [], []
    for k in range(args.repeat):
        wall, report = one_run()
        walls.append(wall)
        print(f"run {k + 1}: {wall:.1f} s cold, {len(report)} derivations")
    median = statistics.median(walls)
    verified = sum(r["status"] == "verified" for r in report)
    print(f"\nmedian {median:.1f} s for {len(report)} derivations ({verified} verified); "
          f"target ≤ {TARGET_SECONDS:.0f} s: {median / TARGET_SECONDS:.2f} of the budget")
    slow = sorted(report, key=lambda r: -r.get("seconds", 0))[:5]
    if slow and "seconds" in slow[0]:
        print("slowest: " + ", ".join(f"{r['id']} {r['seconds']:.1f} s" for r in slow))
    return 0 if median <= TARGET_SECONDS and verified == len(report) else 1


if __name__ == "__main__":
    sys.exit(main())
