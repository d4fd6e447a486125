"""Shared fixtures: the repository root and one build of the site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class SiteBuild:
    """A ``mkdocs build`` run: where it wrote the site, how it ended and what it logged."""

    site_dir: Path
    returncode: int
    log: str
    seconds: float


def build_site(site_dir: Path, *, strict: bool = True, env: dict[str, str] | None = None,
               timeout: float = 600) -> SiteBuild:
    """Run ``mkdocs build`` (``--strict`` by default) of this repository into ``site_dir``."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)]
    if strict:
        cmd.append("--strict")
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout)
    return SiteBuild(site_dir, done.returncode, done.stdout + done.stderr, time.perf_counter() - start)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root directory."""
    return REPO


@pytest.fixture(scope="session")
def site_builder():  # noqa: ANN201 - returns build_site itself
    """:func:`build_site`, for tests that build a variant of the site."""
    return build_site


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The site built once per session with ``mkdocs build --strict`` into a temporary directory."""
    return build_site(tmp_path_factory.mktemp("site") / "out")
