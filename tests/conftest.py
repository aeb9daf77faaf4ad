"""Shared test fixtures: the generated media (built once per session) and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def private_results_cache(tmp_path_factory):
    """The whole test session (and the CLI processes it starts) uses a results cache of its own,
    never the user's ~/.cache/lipgate."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def generated() -> dict[str, Path]:
    """The standard generated fixtures: portrait (png), speech (wav), talking (mp4)."""
    from fixtures.build import build

    return build()


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``lipgate ARGS`` as a user would (a separate process), from this checkout."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "lipgate.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=environment, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli
