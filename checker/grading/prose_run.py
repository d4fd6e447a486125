"""Checking the prose of the whole catalogue: in parallel, and cached by content.

A derivation's prose verdicts depend on its module and on the code that reads and evaluates
formulas (the readers, the step-by-step grader's evaluation, the NumPy evaluator, the sampler);
they are stored under the verify cache (``GRADPROOF_CACHE``) keyed by a hash of all of it, so a
second ``gradproof verify`` or site build reads them back.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from checker.files import write_atomic
from checker.grading.prose import ProseCheck, check_derivation
from checker.proof.verify import cache_dir
from derivations import all_derivations

_ROOT = Path(__file__).resolve().parents[2]
_CODE = (
    "checker/grading/readers", "checker/grading/derivation", "checker/grading/prose.py",
    "checker/grading/sampling.py", "checker/grading/indexed.py", "checker/grading/judge.py",
    "checker/grading/mistakes.py", "checker/grading/trees.py", "checker/proof/evaluate.py",
    "checker/network/central_difference.py", "derivations/expr", "derivations/prose.py",
    "derivations/base.py", "derivations/notation.py", "derivations/questions",
)


def _code_hash() -> str:
    h = hashlib.sha256()
    for rel in _CODE:
        path = _ROOT / rel
        for f in sorted(path.rglob("*") if path.is_dir() else [path]):
            if f.suffix in (".py", ".lark"):
                h.update(f.read_bytes())
    return h.hexdigest()


def _module_source(derivation_id: str) -> bytes:
    for mod in list(sys.modules.values()):
        d = getattr(mod, "DERIVATION", None)
        if getattr(d, "id", None) == derivation_id and getattr(mod, "__file__", None):
            return Path(mod.__file__).read_bytes()
    return repr(all_derivations()[derivation_id]).encode()


def _path(derivation_id: str, code: str) -> Path:
    key = hashlib.sha256(code.encode() + _module_source(derivation_id)).hexdigest()[:24]
    return cache_dir().parent / "prose" / f"{derivation_id}-{key}.json"


def _stored(path: Path) -> list[ProseCheck] | None:
    try:
        return [ProseCheck(**c) for c in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return None


def checked(derivation_id: str, code: str = "") -> list[ProseCheck]:
    """The prose verdicts of one derivation, from the cache when nothing they depend on changed."""
    path = _path(derivation_id, code or _code_hash())
    stored = _stored(path)
    if stored is not None:
        return stored
    result = check_derivation(all_derivations()[derivation_id])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps([asdict(c) for c in result]))
    return result


def check_all(ids: Iterable[str] | None = None, workers: int = 1) -> dict[str, list[ProseCheck]]:
    """The prose verdicts of the chosen derivations (all by default), on ``workers`` processes."""
    chosen = list(all_derivations()) if ids is None else list(ids)
    code = _code_hash()
    found = {i: _stored(_path(i, code)) for i in chosen}
    missing = [i for i in chosen if found[i] is None]
    if workers <= 1 or len(missing) <= 1:
        return {i: found[i] if found[i] is not None else checked(i, code) for i in chosen}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:  # only when something must be checked
        futures = {i: pool.submit(checked, i, code) for i in missing}
        return {i: found[i] if found[i] is not None else futures[i].result() for i in chosen}


def counts(results: dict[str, list[ProseCheck]]) -> dict[str, int]:
    """How many formulas got each verdict."""
    out: dict[str, int] = {}
    for checks in results.values():
        for c in checks:
            out[c.verdict] = out.get(c.verdict, 0) + 1
    return out
