"""The verdicts of :mod:`checker.proof.verify`: what they hold, where they are stored, under which key.

Nothing here imports the checkers (sympy is slow to import), so reading a stored verdict, or
asking whether one is stored, is cheap: the site does both for every derivation at every build.
A key hashes the source of every module a verdict depends on, read from disk: the checkers and
every project module they import at any depth (the reference network, the expression language),
found by reading their imports (:mod:`checker.sources`), and the derivation's own module with its
imports.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker import sources
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


# what a verdict is made by: these modules and every project module they import, at any depth
CHECKER = ("checker.proof.verify",)

# the directory holding the ``checker`` and ``derivations`` packages
_ROOT = Path(__file__).resolve().parents[2]


def checking_modules(module: str | None = None) -> tuple[str, ...]:
    """The project modules a verdict depends on: :data:`CHECKER` and everything it imports, at any
    depth, read from the code; with ``module`` (a derivation's), that module and its imports too."""
    found = set(sources.closure_files(_ROOT, CHECKER))
    if module is not None:
        found |= set(sources.closure_files(_ROOT, (module,)))
    return tuple(sorted(found))


def content_key(d: Derivation) -> str:
    """A hash of everything a verdict depends on: the checkers and the derivation's module, and
    every project module either imports (a derivation that is no module's is hashed by its repr)."""
    h = hashlib.sha256()
    module = _catalogue_module(d.id)
    for name in checking_modules(module):
        h.update(name.encode())
        h.update(_source_digest(name))
    if module is None:
        h.update(repr(d).encode())
    return h.hexdigest()[:24]


# a source file's hash, by path, size and modification time: a build asks for every derivation's
# key twice (is it stored? then read it), each over the same ~35 files
_DIGESTS: dict[str, tuple[str, bytes]] = {}


def _source_digest(module_name: str) -> bytes:
    path = sources.module_file(_ROOT, module_name)
    if path is None:
        return b""
    stat = path.stat()
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    known = _DIGESTS.get(str(path))
    if known is None or known[0] != stamp:
        known = _DIGESTS[str(path)] = (stamp, hashlib.sha256(path.read_bytes()).digest())
    return known[1]


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
