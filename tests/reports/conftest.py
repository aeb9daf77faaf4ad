"""Fixtures of the reports tests: a short talking clip, a private results cache."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def short_clip(generated, tmp_path_factory):
    """A 2 s, 256 px talking portrait (quick to measure)."""
    from fixtures.synth import talking_portrait

    return talking_portrait(tmp_path_factory.mktemp("short") / "short.mp4", generated["speech"], size=256, duration_s=2.0)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets an empty results cache of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path / "xdg-cache" / "lipgate"
