"""Verification of the catalogue: the three checks every derivation must pass.

1. every step exactly, by sympy, at two or more size combinations with distinct sizes; a chain
   written entry by entry (``level="index"``) is proved at every value of its index letters,
   and must start from the entry of its matrix chain's start and end in the same entry of that
   chain's result, so that the two levels are one derivation (:func:`level_problems`);
2. the result against sympy's own differentiation of the start of its chain (the explicit
   function or network);
3. numerically, against central differences of the reference MLP (``checker.proof.numeric``).

Results are cached on disk by the content of the derivation's module and of the checking code,
so the site build and repeated ``gradproof verify`` runs stay fast.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from checker.proof.numeric import NumericCheck, check_probe
from checker.proof.sizes import sizes_for
from checker.proof.symbolic import SympyEnv, equal
from derivations import all_derivations
from derivations.base import Derivation
from derivations.expr import Entry, to_latex


@dataclass
class StepCheck:
    """The verdict on one equality of a chain, at every size combination tried."""

    chain: int
    index: int
    reason: str
    ok: bool
    detail: str = ""


@dataclass
class VerifyResult:
    """Everything measured about one derivation."""

    id: str
    title: str
    steps: int
    steps_verified: int
    symbolic: bool
    numeric_max_rel_error: float | None
    status: str
    seconds: float
    result_check: bool = True
    sizes: list[dict[str, int]] = field(default_factory=list)
    step_checks: list[StepCheck] = field(default_factory=list)
    numeric: list[NumericCheck] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict:
        """The public JSON object of ``gradproof verify --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "steps": self.steps,
            "steps_verified": self.steps_verified,
            "symbolic": self.symbolic,
            "numeric_max_rel_error": self.numeric_max_rel_error,
            "status": self.status,
            "seconds": self.seconds,
        }


def verify_symbolic(d: Derivation) -> tuple[list[StepCheck], bool, list[dict[str, int]]]:
    """Checks 1 and 2: every step, and start = result, exactly at every size combination."""
    sizes = sizes_for(d)
    definitions = dict(d.definitions)
    simplex = [s for s in d.symbols if s.key in d.simplex]
    positive = frozenset(d.positive)

    def env(combo: dict[str, int]) -> SympyEnv:
        return SympyEnv(combo, definitions, positive=positive)

    checks: list[StepCheck] = []
    result_ok = True
    for ci, chain in enumerate(d.chains):
        for si, (left, right, reason) in enumerate(chain.pairs()):
            ok, detail = True, ""
            for combo in sizes:
                try:
                    good, why = equal(left, right, env(combo), simplex)
                except Exception as exc:  # a step sympy cannot read is a failed step
                    good, why = False, f"{type(exc).__name__}: {exc}"
                if not good:
                    ok, detail = False, f"at sizes {combo}: {why}"
                    break
            checks.append(StepCheck(ci, si, reason, ok, detail))
        for combo in sizes:
            try:
                good, _ = equal(chain.start, chain.result, env(combo), simplex)
            except Exception:
                good = False
            result_ok = result_ok and good
    return checks, result_ok, sizes


def level_problems(d: Derivation) -> list[str]:
    """What ties an index chain to its matrix chain and does not hold: it must start from an entry
    of the matrix chain's start and end in the same entry (same letters) of its result."""
    problems = []
    for chain in d.index_chains:
        try:
            matrix = d.refined(chain)
        except KeyError as exc:
            problems.append(str(exc.args[0]))
            continue
        for end, whole in (("start", matrix.start), ("result", matrix.result)):
            found = chain.start if end == "start" else chain.result
            if not _is_entry_of(found, whole, chain.start):
                problems.append(
                    f"the index chain {chain.name!r} must {'start from' if end == 'start' else 'end in'} "
                    f"an entry of the matrix chain's {end} ${to_latex(whole)}$, with the letters of its "
                    f"start; it {'starts from' if end == 'start' else 'ends in'} ${to_latex(found)}$"
                )
    return problems


def _is_entry_of(e: object, whole: object, start: object) -> bool:
    if not isinstance(e, Entry) or e.arg != whole:
        return False
    return not isinstance(start, Entry) or (e.row, e.col) == (start.row, start.col)


def verify(d: Derivation, numeric: bool = True) -> VerifyResult:
    """All three checks for one derivation (not cached; see :func:`verify_cached`)."""
    start = time.perf_counter()
    error = "; ".join(level_problems(d))
    try:
        checks, result_ok, sizes = verify_symbolic(d)
    except Exception as exc:
        checks, result_ok, sizes, error = [], False, [], f"{type(exc).__name__}: {exc}"
    numeric_checks: list[NumericCheck] = []
    if numeric and d.probe is not None:
        try:
            numeric_checks = check_probe(d)
        except Exception as exc:
            numeric_checks = [NumericCheck("(not run)", float("inf"), False, f"{type(exc).__name__}: {exc}")]
    verified = sum(c.ok for c in checks)
    symbolic = bool(checks) and verified == len(checks) and result_ok
    worst = max((n.max_rel_error for n in numeric_checks), default=None)
    numeric_ok = all(n.ok for n in numeric_checks) and (d.probe is None or bool(numeric_checks))
    status = "verified" if symbolic and numeric_ok and not error else "failed"
    return VerifyResult(
        id=d.id,
        title=d.title,
        steps=d.step_count,
        steps_verified=verified,
        symbolic=symbolic,
        numeric_max_rel_error=worst,
        status=status,
        seconds=round(time.perf_counter() - start, 3),
        result_check=result_ok,
        sizes=sizes,
        step_checks=checks,
        numeric=numeric_checks,
        error=error,
    )


# -------------------------------------------------------------------------------- caching

_CHECKING_MODULES = (
    "checker.proof.symbolic", "checker.proof.symbolic.translate", "checker.proof.symbolic.kinks",
    "checker.proof.symbolic.equality", "checker.proof.symbolic.indexed", "checker.proof.evaluate",
    "checker.proof.numeric", "checker.proof.verify", "checker.proof.sizes",
    "checker.network.central_difference",
    "checker.network.mlp", "checker.network.activations", "checker.network.losses", "checker.network.rownet",
    "checker.network.conv", "checker.network.proximal", "checker.network.modes",
    "derivations.expr", "derivations.expr.nodes", "derivations.expr.builders",
    "derivations.expr.shapes", "derivations.expr.latex", "derivations.base", "derivations.notation",
)


def _source(module_name: str) -> str:
    import importlib

    try:
        return inspect.getsource(importlib.import_module(module_name))
    except Exception:
        return ""


def content_key(d: Derivation) -> str:
    """A hash of everything a verdict depends on: the derivation's module and the checkers."""
    h = hashlib.sha256()
    for name in _CHECKING_MODULES:
        h.update(_source(name).encode())
    mod_name = next(
        (m for m, v in _catalogue_modules().items() if v == d.id), None
    )
    h.update(_source(mod_name).encode() if mod_name else repr(d).encode())
    return h.hexdigest()[:24]


def _catalogue_modules() -> dict[str, str]:
    import sys

    out = {}
    for name, mod in list(sys.modules.items()):
        if name.startswith("derivations.catalogue.") and hasattr(mod, "DERIVATION"):
            out[name] = mod.DERIVATION.id
    return out


def cache_dir() -> Path:
    """Where verdicts are kept (``GRADPROOF_CACHE`` or ``.cache/gradproof`` in the working dir)."""
    root = Path(os.environ.get("GRADPROOF_CACHE", Path.cwd() / ".cache" / "gradproof"))
    return root / "verify"


def _from_json(data: dict) -> VerifyResult:
    data = dict(data)
    data["step_checks"] = [StepCheck(**s) for s in data.get("step_checks", [])]
    data["numeric"] = [NumericCheck(**n) for n in data.get("numeric", [])]
    return VerifyResult(**data)


def verify_cached(d: Derivation) -> VerifyResult:
    """:func:`verify`, reusing a stored verdict when nothing it depends on has changed."""
    path = cache_dir() / f"{d.id}-{content_key(d)}.json"
    if path.exists():
        try:
            return _from_json(json.loads(path.read_text()))
        except Exception:
            pass
    result = verify(d)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(result), default=float))
    tmp.replace(path)
    return result


def verify_all(
    ids: Iterable[str] | None = None, workers: int = 1, cached: bool = False
) -> list[VerifyResult]:
    """Verify the catalogue (or the given ids), in catalogue order, on ``workers`` processes."""
    items = all_derivations()
    chosen = list(items) if ids is None else list(ids)
    for i in chosen:
        if i not in items:
            raise KeyError(f"unknown derivation {i!r}; known: {', '.join(items)}")
    run = _verify_id_cached if cached else _verify_id
    if workers <= 1 or len(chosen) <= 1:
        return [run(i) for i in chosen]
    from concurrent.futures import ProcessPoolExecutor

    # Longest first: the multi-chain derivations (row-backprop) start at once on one worker
    # while the others share the rest, so the wall time is not the sum of a slow tail.
    longest_first = sorted(chosen, key=lambda i: -items[i].step_count)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {i: pool.submit(run, i) for i in longest_first}
        return [futures[i].result() for i in chosen]


def _verify_id(derivation_id: str) -> VerifyResult:
    return verify(all_derivations()[derivation_id])


def _verify_id_cached(derivation_id: str) -> VerifyResult:
    return verify_cached(all_derivations()[derivation_id])
