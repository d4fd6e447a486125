"""The size combinations at which a derivation's steps are proved exactly."""

from __future__ import annotations

from checker.proof.symbolic import default_sizes
from derivations.base import Derivation


def sizes_for(d: Derivation) -> list[dict[str, int]]:
    """The size combinations at which the steps are checked (two distinct ones by default)."""
    if d.sizes:
        return [dict(s) for s in d.sizes]
    exprs = [c.start for c in d.chains] + [s.expr for c in d.chains for s in c.steps]
    exprs += [e for _, e in d.definitions] + list(d.symbols)
    return [dict(s) for s in default_sizes(exprs)]
