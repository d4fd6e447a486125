"""Shared fixtures: the repository root, one build of the site per test session, and that site
served on 127.0.0.1 for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(site_build: SiteBuild) -> Iterator[str]:
    """The session's built site served by ``python -m http.server`` on 127.0.0.1 (a free port)."""
    assert site_build.returncode == 0, site_build.log[-3000:]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site_build.site_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
