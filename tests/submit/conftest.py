"""Fixtures: a running fake service, a client wired to it, and fake preflight/QA reports."""

from __future__ import annotations

import pytest

from lipgate.submit.client import ServiceClient
from lipgate.submit.flow import SubmitFlow
from tests.submit.fake_media import FakeMedia
from tests.submit.fake_service import FakeService


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """No real token, cache or attribution from the developer's environment."""
    for name in ("NEMO_TOKEN", "LIPGATE_API_BASE", "LIPGATE_POLL_S", "LIPGATE_SKILL_SOURCE",
                 "LIPGATE_SKILL_VERSION", "LIPGATE_SKILL_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def service():
    fake = FakeService().start()
    yield fake
    fake.stop()


class SleepRecorder:
    """Stands in for ``time.sleep``: records the seconds asked for, waits not at all."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture
def make_client(service, sleeps, tmp_path):
    clients = []

    def make(**options) -> ServiceClient:
        options.setdefault("cache_dir", tmp_path / "cache" / "lipgate")
        options.setdefault("sleep", sleeps)
        client = ServiceClient(options.pop("base_url", service.base_url), **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def media():
    return FakeMedia()


@pytest.fixture
def sources(tmp_path):
    """A fake video and audio file (the service fake does not decode them)."""
    video = tmp_path / "in" / "talk.mp4"
    audio = tmp_path / "in" / "talk-fr.wav"
    video.parent.mkdir()
    video.write_bytes(b"\x00video" * 100)
    audio.write_bytes(b"\x00audio" * 100)
    return video, audio


@pytest.fixture
def make_flow(make_client, media, sleeps, tmp_path):
    said: list[str] = []

    def make(client=None, **options) -> SubmitFlow:
        flow = SubmitFlow(client or make_client(), preflight=media.preflight, qa=media.qa,
                          out_dir=options.pop("out_dir", tmp_path / "out"),
                          poll_s=options.pop("poll_s", 0.01), say=said.append, sleep=sleeps,
                          **options)
        flow.said = said
        return flow

    return make
