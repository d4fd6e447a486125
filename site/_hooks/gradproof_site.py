"""The MkDocs hook that turns the verified catalogue into the gradproof handbook.

At every build (``mkdocs build`` or each reload of ``mkdocs serve``):

1. ``on_config`` points ``GRADPROOF_CACHE`` at ``.cache/gradproof`` of the repository and, when a
   source file of ``derivations/`` or ``checker/`` changed since the previous build in this process,
   drops those modules so that the new code is imported;
2. ``on_files`` measures everything (``gp_measure``: verification of every derivation, gradient
   checks, experiments, the question bank and an example class report — cached by content, the
   uncached part on two processes) and adds the pages rendered from ``site/_templates`` as
   generated files, with the navigation;
3. ``on_page_content`` checks every formula (``gp_math``); MathJax, copied into the site from its
   installed package, typesets them in the browser;
4. ``on_serve`` also watches ``derivations/`` and ``checker/``.

A derivation that fails its checks, a piece that exists but fails, or a formula that cannot be
converted is logged as an error: the page shows it in red and ``mkdocs build --strict`` fails.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import gp_jobs
import gp_math
import gp_measure
import gp_pages
from mkdocs.structure.files import File, Files, InclusionLevel

log = logging.getLogger("mkdocs.plugins.gradproof")

WATCHED = ("derivations", "checker")
_state: dict[str, Any] = {"mtimes": None, "content": None}


def _root(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


def _source_mtimes(root: Path) -> dict[str, float]:
    out = {}
    for top in WATCHED:
        for p in (root / top).rglob("*"):
            if p.suffix in (".py", ".lark", ".j2") and "__pycache__" not in p.parts:
                out[str(p)] = p.stat().st_mtime
    return out


def _reload_if_changed(root: Path) -> None:
    """Forget the project's modules if their sources changed since the previous build of this process."""
    now = _source_mtimes(root)
    if _state["mtimes"] is not None and now != _state["mtimes"]:
        for name in list(sys.modules):
            if name.split(".")[0] in WATCHED:
                del sys.modules[name]
        gp_math.check.cache_clear()
        log.info("gradproof: sources changed, reloading derivations and checker")
    _state["mtimes"] = now


def on_config(config: Any) -> Any:
    """Set the cache location and pick up changed sources."""
    root = _root(config)
    os.environ.setdefault("GRADPROOF_CACHE", str(root / ".cache" / "gradproof"))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    _reload_if_changed(root)
    return config


def on_files(files: Files, config: Any) -> Files:
    """Measure, render every generated page, and set the navigation."""
    root = _root(config)
    start = time.perf_counter()
    measurements = gp_measure.measure(root)
    content = gp_pages.build(measurements)
    for page in content.pages:
        old = files.get_file_from_path(page.path)
        if old is not None:
            files.remove(old)
        if page.source is not None:
            files.append(File.generated(config, page.path, abs_src_path=str(page.source),
                                        inclusion=InclusionLevel.INCLUDED))
        else:
            files.append(File.generated(config, page.path, content=page.markdown,
                                        inclusion=InclusionLevel.INCLUDED))
    for path, source in gp_math.mathjax_files():
        files.append(File.generated(config, path, abs_src_path=str(source),
                                    inclusion=InclusionLevel.INCLUDED))
    config.nav = content.nav
    for note in content.notes:
        log.info(f"gradproof: {note}")
    for error in content.errors:
        log.error(f"gradproof: {error}")
    log.info(
        f"gradproof: {len(measurements.catalogue)} derivations, {measurements.ran} computations run "
        f"(the rest from the cache), pages in {time.perf_counter() - start:.1f} s"
    )
    _state["content"] = content
    _write_timings(measurements, time.perf_counter() - start)
    return files


def _write_timings(m: gp_measure.Measurements, seconds: float) -> None:
    """What this build measured and how long each part took (read by bench/bench_site.py)."""
    path = gp_jobs.cache_root() / "site" / "last-build.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        slowest = sorted(m.timings, key=lambda t: -t["seconds"])
        summary = {"measure_seconds": round(m.seconds, 3), "on_files_seconds": round(seconds, 3),
                   "jobs_run": m.ran, "jobs": slowest}
        path.write_text(json.dumps(summary, indent=1))
    except OSError as exc:  # a read-only cache must not break the build
        log.debug(f"gradproof: could not write {path}: {exc}")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """The marks of the formulas typed into a template or a page drawn (``$\\unchecked{…}$`` as a †)."""
    import gp_prose

    return gp_prose.show_page(markdown)


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Every ``$...$`` and ``$$...$$`` of the page checked; a formula that fails is an error."""

    def problem(p: gp_math.Problem) -> None:
        log.error(f"gradproof: {page.file.src_uri}: the formula ${p.latex}$ is not valid LaTeX: {p.reason}")

    out = gp_math.render_math(html, problem)
    for piece in gp_math.raw_latex(out):
        log.error(f"gradproof: {page.file.src_uri}: LaTeX outside a formula (a $ that opened none?): "
                  f"{piece!r}")
    return out


def on_post_build(config: Any) -> None:
    """Keep the formulas that passed their check, so the next build need not convert them again."""
    gp_math.save_passed()


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """Rebuild when a derivation or the checking code changes, not only the docs."""
    root = _root(config)
    for top in WATCHED:
        if (root / top).is_dir():
            server.watch(str(root / top))
    return server
