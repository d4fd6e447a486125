"""How long the handbook takes to build: cold, warm, and warm after one derivation changed.

The repository's ``derivations/``, ``checker/``, ``site/`` and ``mkdocs.yml`` are copied to a
temporary directory (so touching a derivation never edits the real one) and built there with
``mkdocs build --strict`` and an empty ``GRADPROOF_CACHE``:

1. cold — nothing cached: every derivation verified, gradient checks, experiments, question bank
   and the example class graded, the uncached work on two processes;
2. warm — the same build again, everything read from the cache;
3. touched — a comment appended to one derivation's module, then built: the module's text is what
   its proof is keyed by, so that derivation is verified again; its meaning did not change, so
   nothing graded against it is;
4. edited — the derivation's title changed (its meaning, as the grader's results are keyed): it is
   verified again, and the questions built on it (their bank entries, their model solutions graded,
   the example class when it answers them) are graded again;
5. serve — the same kind of edit, rebuilt the way ``mkdocs serve`` rebuilds after a save: in the
   process that built before (Python, MkDocs and the project already loaded; the hook reloads the
   changed modules).

Each row reports the wall time of the whole ``mkdocs build`` command and, from the hook's own
``last-build.json``, the measuring part and its slowest jobs.

Then the built site is served on 127.0.0.1 and a few pages are opened in headless Debian chromium
(Playwright): for each, how long MathJax took to typeset the formulas of the first screen
(``window.gpMath``, set by ``site/javascripts/gradproof.js``; the others follow near the screen or
when the browser is idle) and how long after the page's load event it finished (0 when it finished
before). The best of three loads is kept. Usage::

    python bench/bench_site.py [--derivation hidden_delta] [--json results.json] [--no-browser]
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


def _env(repo: Path, cache: Path) -> dict:
    return {**os.environ, "GRADPROOF_CACHE": str(cache), "PYTHONPATH": str(repo), "NO_MKDOCS_2_WARNING": "1"}


def edit_title(module: Path, mark: str) -> None:
    """Change a derivation's meaning without changing its mathematics: its title gets ``mark``."""
    text = module.read_text()
    at = text.index('title="') + len('title="')
    module.write_text(text[:at] + mark + " " + text[at:])


# Run in a child process: build, edit, build again in the same process, as `mkdocs serve` does.
_SERVE = """
import json, sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
sys.path.insert(0, {bench!r})
from bench_site import edit_title
build(load_config(config_file={config!r}, site_dir={out!r}))
edit_title(Path({module!r}), "Served")
start = time.perf_counter()
build(load_config(config_file={config!r}, site_dir={out!r}))
print(json.dumps({{"wall_seconds": round(time.perf_counter() - start, 2)}}))
"""


def serve_rebuild(repo: Path, cache: Path, out: Path, module: Path) -> dict:
    """The rebuild after an edit in one long-lived process (what a reader of ``mkdocs serve`` waits for)."""
    script = _SERVE.format(bench=str(Path(__file__).parent), config=str(repo / "mkdocs.yml"), out=str(out),
                           module=str(module))
    done = subprocess.run([sys.executable, "-c", script], cwd=repo, env=_env(repo, cache),
                          capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"serve-style rebuild failed ({done.returncode}):\n{done.stderr[-3000:]}")
    wall = json.loads(done.stdout.strip().splitlines()[-1])["wall_seconds"]
    hook = json.loads((cache / "site" / "last-build.json").read_text())
    return {"wall_seconds": wall, "measure_seconds": hook["measure_seconds"], "jobs_run": hook["jobs_run"],
            "slowest": [j for j in hook["jobs"] if not j["cached"]][:5]}


def build(repo: Path, cache: Path, out: Path) -> dict:
    """One ``mkdocs build --strict`` of ``repo``; wall time and the hook's own timings."""
    env = _env(repo, cache)
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


TYPESET_PAGES = ("derivations/softmax-ce-gradient/", "derivations/hidden-delta/", "notation/", "questions/",
                 "questions/hidden-delta/", "")
_TIMES = """() => {
  const load = performance.timing.loadEventEnd - performance.timing.navigationStart;
  return {typeset: window.gpMath.end - window.gpMath.start, afterLoad: Math.max(0, window.gpMath.end - load),
          formulas: document.querySelectorAll("mjx-container").length};
}"""
_TYPESET = "() => document.documentElement.getAttribute('data-gp-math') === 'done'"
_CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def typeset_times(site_dir: Path, pages: tuple[str, ...] = TYPESET_PAGES, loads: int = 3) -> dict[str, dict]:
    """Per page: MathJax's typesetting time and its end after the load event, best of ``loads``, in ms."""
    from playwright.sync_api import sync_playwright

    command = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
               "--directory", str(site_dir)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(server.stdout.readline().split(" port ")[1].split()[0])
        out = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=_CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            for rel in pages:
                runs = []
                for _ in range(loads):
                    page.goto(f"http://127.0.0.1:{port}/{rel}", wait_until="load")
                    page.wait_for_function(_TYPESET)
                    runs.append(page.evaluate(_TIMES))
                best = min(runs, key=lambda r: r["typeset"])
                out[rel or "home"] = {"typeset_ms": round(best["typeset"]), "formulas": best["formulas"],
                                      "after_load_ms": round(best["afterLoad"])}
            browser.close()
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Run the three builds and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--derivation", default="hidden_delta",
                        help="module of derivations/catalogue/ to touch (default: hidden_delta)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--no-browser", action="store_true", help="skip the typesetting times")
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
        edit_title(module, "Edited")
        rows["edited"] = build(repo, cache, tmp_path / "out")
        rows["serve"] = serve_rebuild(repo, cache, tmp_path / "out", module)
        typeset = {} if args.no_browser else typeset_times(tmp_path / "out")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"site build on {os.cpu_count()} cores (1-minute load average at the end: {load:.1f})")
    print(f"{'build':<10} {'wall s':>8} {'measure s':>10} {'jobs run':>9}  slowest jobs run")
    for name, r in rows.items():
        slow = ", ".join(f"{j['kind']} {j['name']} {j['seconds']:.1f}s" for j in r["slowest"][:3])
        print(f"{name:<10} {r['wall_seconds']:>8.1f} {r['measure_seconds']:>10.1f} "
              f"{r['jobs_run']:>9}  {slow}")
    if typeset:
        print(f"\n{'page (MathJax, best of 3)':<36} {'formulas':>8} {'typeset ms':>10} {'after load ms':>13}")
        for rel, t in typeset.items():
            print(f"{rel:<36} {t['formulas']:>8} {t['typeset_ms']:>10} {t['after_load_ms']:>13}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "load": load, **rows, "typeset": typeset},
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
