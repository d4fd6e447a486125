"""The mathematics as data: notation, the derivation catalogue and the question bank.

Adding a derivation is adding one module to ``derivations/catalogue/`` that defines a module-level
``DERIVATION``; :func:`all_derivations` finds it, and so do ``gradproof verify``, pytest and the site.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from derivations.base import Derivation


@cache
def all_derivations() -> dict[str, Derivation]:
    """Every derivation, keyed by id, in topic order then file order."""
    package = importlib.import_module("derivations.catalogue")
    from derivations.base import TOPICS

    found: dict[str, Derivation] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        d = getattr(module, "DERIVATION", None)
        if d is None:
            continue
        if d.id in found:
            raise ValueError(f"two derivations share the id {d.id!r}")
        found[d.id] = d
    order = {t: i for i, t in enumerate(TOPICS)}
    return dict(sorted(found.items(), key=lambda kv: order.get(kv[1].topic, len(order))))


def get(derivation_id: str) -> Derivation:
    """One derivation by id; the error lists the known ids."""
    items = all_derivations()
    if derivation_id not in items:
        raise KeyError(f"unknown derivation {derivation_id!r}; known: {', '.join(items)}")
    return items[derivation_id]
