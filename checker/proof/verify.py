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

import json
import time
from collections.abc import Iterable
from dataclasses import asdict

from checker.proof.example import recording
from checker.proof.numeric import check_probe
from checker.proof.sizes import sizes_for
from checker.proof.symbolic import SympyEnv, equal
from checker.proof.verdicts import (  # noqa: F401 - public here too
    NumericCheck,
    StepCheck,
    VerifyResult,
    cache_dir,
    content_key,
    load_stored,
    stored_path,
)
from derivations import all_derivations
from derivations.base import Derivation
from derivations.expr import Entry, to_latex


def verify_symbolic(d: Derivation) -> tuple[list[StepCheck], bool, list[dict[str, int]]]:
    """Checks 1 and 2: every step, and start = result, exactly at every size combination."""
    sizes = sizes_for(d)
    definitions = dict(d.definitions)
    simplex = [s for s in d.symbols if s.key in d.simplex]
    positive = frozenset(d.positive + d.unit_interval)

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
    example = None
    if numeric and d.probe is not None:
        try:
            with recording() as found:
                numeric_checks = check_probe(d)
            example = found[0].to_dict() if found else None
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
        example=example,
    )


# -------------------------------------------------------------------------------- caching

def verify_cached(d: Derivation) -> VerifyResult:
    """:func:`verify`, reusing a stored verdict when nothing it depends on has changed."""
    stored = load_stored(d)
    if stored is not None:
        return stored
    path = stored_path(d)
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
