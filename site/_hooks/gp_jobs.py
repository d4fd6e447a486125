"""Everything the site measures at build time, cached by content under ``$GRADPROOF_CACHE``.

A *job* is one computation whose result a page shows: the verification of one derivation, the
gradient-check table, one experiment, the example class report. Each has a content key (a hash of
the files its result depends on); a job whose key is on disk is read back, the others run, two at
a time, in forked worker processes (a fork inherits the catalogue exactly as the build sees it,
including a derivation added for a test).

A job never raises: a failure comes back as an :class:`Outcome` with ``ok=False`` and the error,
so the page can show it and the hook can fail a strict build.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKERS = 2
CACHE_FORMAT = "gradproof-site-1"  # bump when the layout of stored results changes


@dataclass
class Job:
    """One computation: ``run(*args)`` unless its result is already cached under ``key``."""

    kind: str
    name: str
    run: Callable[..., Any]
    args: tuple = ()
    cached: bool = False
    weight: float = 1.0  # rough cost, to start the longest jobs first


@dataclass
class Outcome:
    """What a job produced (``value``) or why it could not (``error``)."""

    kind: str
    name: str
    ok: bool
    value: Any = None
    error: str = ""
    seconds: float = 0.0
    cached: bool = False
    extra: dict = field(default_factory=dict)


def available(module: str) -> bool:
    """Whether a project module exists yet (pieces land at different times).

    Looked up as a file under its top-level package, without importing the module or its parent
    packages (``find_spec`` on a dotted name would import them, and the grader's take a second).
    """
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return spec is not None and not rest
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def cache_root() -> Path:
    """The root of every build-time cache (``GRADPROOF_CACHE``, set by the hook)."""
    return Path(os.environ.get("GRADPROOF_CACHE", Path.cwd() / ".cache" / "gradproof"))


def digest(root: Path, patterns: tuple[str, ...], *extra: str) -> str:
    """A hash of the files matching ``patterns`` under ``root`` (path and bytes) and of ``extra``.

    Callers pass the source of the function that produces the result as ``extra``, so that a change
    to how a result is made invalidates it, and nothing else does.
    """
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for text in extra:
        h.update(text.encode())
    found = {p for pat in patterns for p in root.glob(pat)}
    paths = sorted(p for p in found if p.is_file() and "__pycache__" not in p.parts)
    for p in paths:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


def import_closure(root: Path, modules: tuple[str, ...],
                   packages: tuple[str, ...] = ("checker", "derivations")) -> tuple[str, ...]:
    """The source files of ``modules`` and of every project module they import, at any depth.

    Read from the code (:func:`checker.sources.import_closure`), so that a key built from them
    changes when, and only when, code the result can depend on changes. What each file imports is
    kept in the cache between builds (parsing the sources is most of a warm build's key work).
    """
    load_imports()
    files = _sources().import_closure(root, modules, packages)
    save_imports()
    return files


def load_imports() -> None:
    """Read what each source file imports from the cache, once for each import of
    :mod:`checker.sources` (before any key is made: the verdicts' keys walk the checkers' imports
    too; ``mkdocs serve`` imports the project afresh after a change)."""
    current = _sources()
    if _IMPORTS["into"] is not current:
        current.remember(_read_json(_imports_file()) or {})
        _IMPORTS["into"] = current


def _sources() -> Any:
    """:mod:`checker.sources` as imported now (the hook drops the project's modules when they change)."""
    return importlib.import_module("checker.sources")


_IMPORTS: dict[str, Any] = {"into": None}


def _imports_file() -> Path:
    return cache_root() / "site" / f"imports-{CACHE_FORMAT}.json"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def save_imports() -> None:
    """Keep what each source file imports for the next build, if this build read any file again."""
    table = _sources().remembered()
    if table is None:
        return
    path = _imports_file()
    try:
        from checker.files import write_atomic  # the project is on the path once on_config ran

        write_atomic(path, json.dumps(table), durable=False)
    except OSError:  # a read-only cache only costs the next build the parsing
        pass


def _execute(job: Job) -> Outcome:
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # library deprecation notices are for the project's developers, not the site's build log
            warnings.simplefilter("ignore", DeprecationWarning)
            value = job.run(*job.args)
        return Outcome(job.kind, job.name, True, value, seconds=time.perf_counter() - start,
                       cached=job.cached)
    except BaseException as exc:  # noqa: BLE001 - a job reports, never raises
        if isinstance(exc, KeyboardInterrupt):
            raise
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
        return Outcome(job.kind, job.name, False, error=f"{type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - start, cached=job.cached,
                       extra={"traceback": "".join(tb)})


def run_jobs(jobs: list[Job], workers: int = WORKERS) -> dict[tuple[str, str], Outcome]:
    """Run every job (uncached ones in parallel); results keyed by (kind, name)."""
    out: dict[tuple[str, str], Outcome] = {}
    todo = sorted((j for j in jobs if not j.cached), key=lambda j: -j.weight)
    for job in (j for j in jobs if j.cached):
        out[(job.kind, job.name)] = _execute(job)
    if len(todo) > 1 and workers > 1 and sys.platform != "win32":
        # fork: the children see the catalogue and modules exactly as loaded here
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {(j.kind, j.name): pool.submit(_execute, j) for j in todo}
            for key, fut in futures.items():
                try:
                    out[key] = fut.result()
                except Exception as exc:  # a worker that died (pickling, out of memory)
                    out[key] = Outcome(key[0], key[1], False, error=f"{type(exc).__name__}: {exc}")
    else:
        for job in todo:
            out[(job.kind, job.name)] = _execute(job)
    return out


# ------------------------------------------------------------------------ stored results on disk

def stored_dir(kind: str, name: str, key: str) -> Path:
    """The cache directory of one result."""
    return cache_root() / "site" / kind / f"{name}-{key}"


def load_stored(kind: str, name: str, key: str) -> dict | None:
    """The stored ``result.json`` of a finished job, or None."""
    path = stored_dir(kind, name, key) / "result.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def store(kind: str, name: str, key: str, produce: Callable[[Path], dict]) -> dict:
    """Run ``produce(work_dir)`` and keep its dict (plus the files it wrote) under the key, atomically."""
    final = stored_dir(kind, name, key)
    work = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        data = produce(work)
        (work / "result.json").write_text(json.dumps(data, default=_json_default, indent=1))
        if final.exists() and not (final / "result.json").exists():
            shutil.rmtree(final, ignore_errors=True)  # the remains of an interrupted build
        try:
            work.rename(final)
        except OSError:
            if not (final / "result.json").exists():
                raise
            # a concurrent build stored the same result (same key) first: keep that one
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # older versions of the same result are of no further use
    for old in final.parent.glob(f"{name}-*"):
        other_key = old.name[len(name) + 1:]
        if old != final and other_key.isalnum():  # not a sibling name ("xor-big") nor a .tmp dir
            shutil.rmtree(old, ignore_errors=True)
    data["dir"] = str(final)
    return data


def cached_or_run(kind: str, name: str, key: str, produce: Callable[[Path], dict]) -> dict:
    """The stored result for ``key``, or a fresh one."""
    data = load_stored(kind, name, key)
    if data is not None:
        data["dir"] = str(stored_dir(kind, name, key))
        return data
    return store(kind, name, key, produce)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return str(value)
