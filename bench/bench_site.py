"""How long the handbook takes to build: cold, warm, and warm after one derivation changed.

The repository's ``derivations/``, ``checker/``, ``site/`` and ``mkdocs.yml`` are copied to a
temporary directory (so touching a derivation never edits the real one) and built there with
``mkdocs build --strict`` and an empty ``GRADPROOF_CACHE``:

1. cold — nothing cached: every derivation verified, gradient checks, experiments, question bank
   and the example class graded, the uncached work on two processes;
2. warm — the same build again, everything read from the cache;
3. touched — a comment appended to one derivation's module (its content key changes), then built:
   that derivation is verified again, and so are the results keyed on ``derivations/`` (the question
   bank and the example class).

Each row reports the wall time of the whole ``mkdocs build`` command and, from the hook's own
``last-build.json``, the measuring part and its slowest jobs. Usage::

    python bench/bench_site.py [--derivation hidden_delta] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("derivations", "checker", "site", "mkdocs.yml", "pyproject.toml")


def copy_repo(dest: Path) -> None:
    """The parts of the repository a site build reads, without caches."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".cache")
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)


def build(repo: Path, cache: Path, out: Path) -> dict:
    """One ``mkdocs build --strict`` of ``repo``; wall time and the hook's own timings."""
    env = {**os.environ, "GRADPROOF_CACHE": str(cache), "PYTHONPATH": str(repo), "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=repo, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    hook = json.loads((cache / "site" / "last-build.json").read_text())
    return {"wall_seconds": round(wall, 2), "measure_seconds": hook["measure_seconds"],
            "jobs_run": hook["jobs_run"],
            "slowest": [j for j in hook["jobs"] if not j["cached"]][:5]}


def main(argv: list[str] | None = None) -> int:
    """Run the three builds and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--derivation", default="hidden_delta",
                        help="module of derivations/catalogue/ to touch (default: hidden_delta)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        tmp_path = Path(tmp)
        repo, cache = tmp_path / "repo", tmp_path / "cache"
        copy_repo(repo)
        rows = {}
        rows["cold"] = build(repo, cache, tmp_path / "out")
        rows["warm"] = build(repo, cache, tmp_path / "out")
        module = repo / "derivations" / "catalogue" / f"{args.derivation}.py"
        module.write_text(module.read_text() + "\n# touched by bench_site.py\n")
        rows["touched"] = build(repo, cache, tmp_path / "out")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"site build on {os.cpu_count()} cores (1-minute load average at the end: {load:.1f})")
    print(f"{'build':<10} {'wall s':>8} {'measure s':>10} {'jobs run':>9}  slowest jobs run")
    for name, r in rows.items():
        slow = ", ".join(f"{j['kind']} {j['name']} {j['seconds']:.1f}s" for j in r["slowest"][:3])
        print(f"{name:<10} {r['wall_seconds']:>8.1f} {r['measure_seconds']:>10.1f} "
              f"{r['jobs_run']:>9}  {slow}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "load": load, **rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
