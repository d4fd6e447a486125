"""The verdicts of :mod:`checker.proof.verify`: what they hold, where they are stored, under which key.

Nothing here imports the checkers (sympy is slow to import), so reading a stored verdict, or
asking whether one is stored, is cheap: the site does both for every derivation at every build.
A key hashes the source of every module a verdict depends on (the checkers, the reference
network, the expression language) and of the derivation's own module, read from disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from derivations.base import Derivation


@dataclass
class NumericCheck:
    """One run of the reference MLP against central differences."""

    network: str
    max_rel_error: float
    ok: bool
    detail: str = ""


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
    example: dict | None = None  # the first case of the numerical check, with its numbers

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


CHECKING_MODULES = (
    "checker.proof.symbolic", "checker.proof.symbolic.translate", "checker.proof.symbolic.kinks",
    "checker.proof.symbolic.equality", "checker.proof.symbolic.indexed", "checker.proof.evaluate",
    "checker.proof.numeric", "checker.proof.example", "checker.proof.verify", "checker.proof.verdicts",
    "checker.proof.sizes",
    "checker.network.central_difference", "checker.network.mlp", "checker.network.activations",
    "checker.network.losses", "checker.network.rownet", "checker.network.conv", "checker.network.proximal",
    "checker.network.modes", "derivations.expr", "derivations.expr.nodes", "derivations.expr.builders",
    "derivations.expr.shapes", "derivations.expr.latex", "derivations.base", "derivations.notation",
)


# the directory holding the ``checker`` and ``derivations`` packages
_ROOT = Path(__file__).resolve().parents[2]


def source(module_name: str) -> str:
    """The text of a project module's file, found without importing it or its package ("" if none).

    (``importlib.util.find_spec`` would import the parent packages, and ``checker.proof.symbolic``'s
    ``__init__`` imports sympy.)
    """
    base = _ROOT.joinpath(*module_name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def content_key(d: Derivation) -> str:
    """A hash of everything a verdict depends on: the derivation's module and the checkers."""
    h = hashlib.sha256()
    for name in CHECKING_MODULES:
        h.update(source(name).encode())
    module = _catalogue_module(d.id)
    h.update(source(module).encode() if module else repr(d).encode())
    return h.hexdigest()[:24]


def _catalogue_module(derivation_id: str) -> str | None:
    for name, mod in list(sys.modules.items()):
        d = getattr(mod, "DERIVATION", None) if name.startswith("derivations.catalogue.") else None
        if d is not None and d.id == derivation_id:
            return name
    return None


def cache_dir() -> Path:
    """Where verdicts are kept (``GRADPROOF_CACHE`` or ``.cache/gradproof`` in the working dir)."""
    root = Path(os.environ.get("GRADPROOF_CACHE", Path.cwd() / ".cache" / "gradproof"))
    return root / "verify"


def stored_path(d: Derivation) -> Path:
    """The file holding ``d``'s verdict under its current key (it may not exist)."""
    return cache_dir() / f"{d.id}-{content_key(d)}.json"


def from_json(data: dict) -> VerifyResult:
    """A verdict read back from its stored JSON."""
    data = dict(data)
    data["step_checks"] = [StepCheck(**s) for s in data.get("step_checks", [])]
    data["numeric"] = [NumericCheck(**n) for n in data.get("numeric", [])]
    return VerifyResult(**data)


def load_stored(d: Derivation) -> VerifyResult | None:
    """``d``'s stored verdict under its current key, or None (absent or unreadable)."""
    try:
        return from_json(json.loads(stored_path(d).read_text()))
    except (OSError, ValueError, TypeError):
        return None
