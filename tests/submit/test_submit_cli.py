"""``lipgate submit`` and ``lipgate credits`` through click, against the fake service."""

from __future__ import annotations

import json
import sys
import types

import click
import pytest
from click.testing import CliRunner

from lipgate.cli.submit import build_flow, credits_command, submit_command
from tests.submit.fake_media import FakeReport
from tests.submit.fake_service import closed_port_url


@pytest.fixture
def real_media_modules(monkeypatch, media):
    """Fakes standing in for ``lipgate.preflight.runner`` and ``lipgate.qa.runner`` (being written elsewhere)."""
    preflight_runner = types.ModuleType("lipgate.preflight.runner")
    preflight_runner.run_check = lambda input_path, audio_path=None, config=None: \
        media.preflight(input_path, audio_path)
    qa_runner = types.ModuleType("lipgate.qa.runner")
    qa_runner.run_qa = lambda path, config=None, source=None, audio=None: media.qa(path, source, audio)
    monkeypatch.setitem(sys.modules, "lipgate.preflight.runner", preflight_runner)
    monkeypatch.setitem(sys.modules, "lipgate.qa.runner", qa_runner)
    return media


@pytest.fixture
def env(service, monkeypatch):
    monkeypatch.setenv("LIPGATE_API_BASE", service.base_url)
    monkeypatch.setenv("LIPGATE_POLL_S", "0.01")


@pytest.fixture
def lipgate():
    """A throwaway group like the one ``cli/main.py`` will hold."""
    group = click.Group("lipgate")
    group.add_command(submit_command)
    group.add_command(credits_command)
    return group


def invoke(lipgate, *args):
    return CliRunner().invoke(lipgate, list(map(str, args)))


def test_submit_end_to_end_exit_0(service, env, real_media_modules, lipgate, sources, tmp_path):
    video, audio = sources
    result = invoke(lipgate, "submit", video, "--audio", audio, "--language", "fr", "-o",
                    tmp_path / "out")
    assert result.exit_code == 0, result.output
    render = tmp_path / "out" / "talk.fr.lipsync.mp4"
    assert f"rendered: {render}" in result.stdout
    assert "qa: pass" in result.stdout
    assert real_media_modules.preflight_calls == [(video, audio)]
    assert real_media_modules.qa_calls == [render]
    report = json.loads((tmp_path / "out" / "talk.fr.lipsync.qa.json").read_text())
    assert report["verdict"] == "pass"


def test_submit_preflight_fail_exit_1_and_nothing_sent(service, env, real_media_modules, lipgate,
                                                      sources, tmp_path):
    real_media_modules.preflight_verdict = "fail"
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "preflight failed" in result.stderr and "face_yaw" in result.stderr
    assert service.requests == []


def test_submit_force_says_so_on_stderr(service, env, real_media_modules, lipgate, sources,
                                        tmp_path):
    real_media_modules.preflight_verdict = "fail"
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "--force", "-o", tmp_path)
    assert result.exit_code == 0
    assert "WARNING: --force" in result.stderr


def test_submit_qa_flag_exit_1(service, env, real_media_modules, lipgate, sources, tmp_path):
    real_media_modules.qa_verdict = "fail"
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path)
    assert result.exit_code == 1 and "QA flagged" in result.stderr


@pytest.mark.parametrize("endpoint, fault, words", [
    ("session", {"code": 2001}, "service refused: no credits left on the free starter token"),
    ("export", {"status": 402, "body": {}}, "service refused: export blocked on the free plan"),
    ("upload", {"code": 4001}, "service refused: the service does not accept this file"),
    ("upload", {"code": 4002}, "service refused: file too large"),
])
def test_submit_refusals_exit_2_with_one_line(service, env, real_media_modules, lipgate, sources,
                                              tmp_path, endpoint, fault, words):
    service.fault(endpoint, **fault)
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path)
    assert result.exit_code == 2
    (last,) = [line for line in result.stderr.splitlines() if line.startswith("lipgate submit:")]
    assert words in last
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == last


def test_submit_unreachable_exit_2(env, real_media_modules, lipgate, sources, tmp_path,
                                   monkeypatch):
    monkeypatch.setenv("LIPGATE_API_BASE", closed_port_url())
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        "lipgate submit: service unreachable: cannot reach the lip-sync service at 127.0.0.1")


def test_submit_refuses_plain_http_to_remote(env, real_media_modules, lipgate, sources, tmp_path,
                                             monkeypatch):
    monkeypatch.setenv("LIPGATE_API_BASE", "http://lipsync.example.com")
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path)
    assert result.exit_code == 2 and "plain http" in result.stderr


def test_submit_missing_input_exit_2_names_the_file(env, lipgate, tmp_path, sources):
    result = invoke(lipgate, "submit", tmp_path / "nope.mp4", "--audio", sources[1])
    assert result.exit_code == 2
    missing = tmp_path / "nope.mp4"
    assert result.stderr.strip() == f"lipgate submit: error: cannot read input {missing}"


def test_submit_media_error_is_one_line_without_traceback(service, env, real_media_modules,
                                                          lipgate, sources, tmp_path, monkeypatch):
    def broken(input_path, audio_path=None, config=None):
        raise RuntimeError("ffprobe not found on PATH")

    monkeypatch.setattr(sys.modules["lipgate.preflight.runner"], "run_check", broken)
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "lipgate submit: error: ffprobe not found on PATH"


def test_submit_bad_poll_interval_is_a_usage_error(env, lipgate, sources, monkeypatch):
    monkeypatch.setenv("LIPGATE_POLL_S", "soon")
    result = invoke(lipgate, "submit", sources[0], "--audio", sources[1])
    assert result.exit_code == 2 and "LIPGATE_POLL_S" in result.stderr


def test_submit_needs_audio_or_batch(env, lipgate, sources):
    assert invoke(lipgate, "submit", sources[0]).exit_code == 2
    assert invoke(lipgate, "submit", sources[0], "--audio", sources[1], "--batch", "x.csv"
                  ).exit_code == 2


def test_token_never_printed_or_written(service, env, real_media_modules, lipgate, sources,
                                        tmp_path, monkeypatch):
    token = service.issue_token()
    monkeypatch.setenv("NEMO_TOKEN", token)
    outputs = [invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path / "o"),
               invoke(lipgate, "credits")]
    service.fault("credits", status=500, body={"message": f"token {token} is odd"})
    outputs.append(invoke(lipgate, "credits"))
    monkeypatch.delenv("NEMO_TOKEN")
    outputs.append(invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o",
                          tmp_path / "a"))
    assert [result.exit_code for result in outputs] == [0, 0, 2, 0]
    printed = "".join(result.stdout + result.stderr for result in outputs)
    written = b"".join(path.read_bytes() for path in (tmp_path / "o").iterdir())
    written += b"".join(path.read_bytes() for path in (tmp_path / "a").iterdir())
    for secret in service.tokens:
        assert secret not in printed
        assert secret.encode() not in written


def test_credits_text_and_json(service, env, lipgate):
    result = invoke(lipgate, "credits")
    assert result.exit_code == 0
    assert result.stdout == "available: 100\nfrozen: 5\ntotal: 105\n"
    as_json = invoke(lipgate, "credits", "--format", "json")
    assert json.loads(as_json.stdout) == {"available": 100, "frozen": 5, "total": 105}


def test_credits_no_credits_error_exit_2(service, env, lipgate):
    service.fault("credits", code=2001)
    result = invoke(lipgate, "credits")
    assert result.exit_code == 2
    assert result.stderr.startswith("lipgate credits: service refused: no credits left")
    assert "?bind=" in result.stderr


def test_batch_cli_reports_each_item_and_resumes(service, env, real_media_modules, lipgate,
                                                 tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4", "fr.wav"):
        (folder / name).write_bytes(b"\x00" * 32)
    batch = folder / "list.json"
    batch.write_text(json.dumps([{"video": "a.mp4", "audio": "fr.wav", "language": "fr"},
                                 {"video": "b.mp4", "audio": "fr.wav"}]))
    service.fault("upload", code=4002)
    first = invoke(lipgate, "submit", "--batch", batch, "-o", tmp_path / "out")
    assert first.exit_code == 2
    lines = first.stdout.splitlines()
    assert lines[0].startswith("failed") and "a.mp4 + fr.wav (fr)" in lines[0]
    assert "compress it" in lines[0]
    assert lines[1].startswith("done") and "b.en.lipsync.mp4" in lines[1]
    second = invoke(lipgate, "submit", "--batch", batch, "-o", tmp_path / "out")
    assert second.exit_code == 0
    assert "(earlier run)" in second.stdout.splitlines()[1]
    assert [call.file_names for call in service.calls("upload")] == [
        ["a.mp4", "fr.wav"], ["b.mp4", "fr.wav"], ["a.mp4", "fr.wav"]]


def test_batch_cli_bad_file_exit_2(env, lipgate, tmp_path):
    bad = tmp_path / "list.csv"
    bad.write_text("video,audio\n")
    result = invoke(lipgate, "submit", "--batch", bad)
    assert result.exit_code == 2 and "lists no items" in result.stderr


def test_build_flow_reads_the_environment(service, tmp_path):
    flow = build_flow(tmp_path, env={"LIPGATE_API_BASE": service.base_url, "LIPGATE_POLL_S": "2.5"},
                      preflight=lambda v, a: FakeReport(), qa=lambda p, s, a: FakeReport())
    assert flow.poll_s == 2.5 and flow.client.base_url == service.base_url
    flow.client.close()


# -- the service's documented answers, end to end through `lipgate submit` --------------------

def _submit(lipgate, sources, tmp_path):
    return invoke(lipgate, "submit", sources[0], "--audio", sources[1], "-o", tmp_path / "out")


def test_documented_text_reply_exports_and_qa_source_decides(service, env, real_media_modules, lipgate,
                                                           sources, tmp_path):
    service.apply_edit = False  # a text reply: the state's shape is not judged
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 0, result.output
    assert [r.endpoint for r in service.requests] == ["token", "session", "upload", "state", "run_sse", "state",
                                                      "export", "status", "status", "status", "download"]
    assert real_media_modules.qa_sources == [tuple(sources)]
    real_media_modules.qa_verdict = "fail"  # the render judged against the upload decides
    flagged = _submit(lipgate, sources, tmp_path)
    assert flagged.exit_code == 1 and "QA flagged" in flagged.stderr


def test_documented_no_text_with_an_applied_state_exports(service, env, real_media_modules, lipgate, sources,
                                                          tmp_path):
    from tests.submit.fake_service import tool_event

    service.stream = [(0, ": heartbeat\n\n"), (0, tool_event())]
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 0, result.output
    assert [r.endpoint for r in service.requests][3:7] == ["state", "run_sse", "state", "export"]


def test_documented_no_text_and_no_edit_exit_2(service, env, real_media_modules, lipgate, sources, tmp_path):
    from tests.submit.fake_service import tool_event

    service.stream = [(0, tool_event())]
    service.apply_edit = False
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 2 and service.calls("export") == []
    assert "no text" in result.stderr.strip().splitlines()[-1]


def test_documented_1001_with_nemo_token_exit_2_naming_the_variable(service, env, real_media_modules, lipgate,
                                                                   sources, tmp_path, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", "stale-user-token")  # not issued by the service: 1001
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("lipgate submit:")]
    assert "NEMO_TOKEN" in line and "stale-user-token" not in result.output + result.stderr
    assert [r.endpoint for r in service.requests] == ["session"]  # never swapped for an anonymous token
    assert service.calls("session")[0].headers["authorization"] == "Bearer stale-user-token"


def test_documented_1001_with_a_cached_anonymous_token_replaces_it(service, env, real_media_modules, lipgate,
                                                                  sources, tmp_path):
    first = _submit(lipgate, sources, tmp_path)
    assert first.exit_code == 0
    (old,) = service.tokens
    service.tokens.discard(old)  # the cached token expires on the service's side
    second = _submit(lipgate, sources, tmp_path)
    assert second.exit_code == 0, second.output
    endpoints = [r.endpoint for r in service.requests]
    assert endpoints.count("token") == 2
    retried = service.calls("session")
    assert retried[1].headers["authorization"] == f"Bearer {old}"  # refused (1001) ...
    new = retried[2].headers["authorization"].removeprefix("Bearer ")
    assert new != old and new in service.tokens  # ... and sent again with a new anonymous token


def test_documented_429_waits_retry_after_and_retries(service, env, real_media_modules, lipgate, sources,
                                                      tmp_path, monkeypatch):
    from lipgate.submit.client import ServiceClient

    waits: list[float] = []
    original = ServiceClient.from_env.__func__
    monkeypatch.setattr(ServiceClient, "from_env",
                        classmethod(lambda cls, env, **options: original(cls, env, sleep=waits.append, **options)))
    service.fault("upload", status=429, body={"message": "slow down"}, headers={"Retry-After": "7"})
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(service.calls("upload")) == 2 and waits == [7.0]


def test_documented_2001_exit_2_with_the_registration_link(service, env, real_media_modules, lipgate, sources,
                                                          tmp_path):
    service.stream = [(0, "data: " + json.dumps({"code": 2001, "message": "no credits"}) + "\n\n")]
    result = _submit(lipgate, sources, tmp_path)
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("lipgate submit: service refused: no credits") and "?bind=" in line
    assert service.calls("export") == []
