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
    qa_runner.run_qa = lambda path, config=None: media.qa(path)
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
                      preflight=lambda v, a: FakeReport(), qa=lambda p: FakeReport())
    assert flow.poll_s == 2.5 and flow.client.base_url == service.base_url
    flow.client.close()
