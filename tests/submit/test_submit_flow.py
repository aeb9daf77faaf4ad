"""The whole submit flow against the fake service, with fake preflight and QA."""

from __future__ import annotations

import json

import pytest

from lipgate.submit import errors
from lipgate.submit.flow import Progress
from tests.submit.fake_service import text_event, tool_event


def endpoints(service) -> list[str]:
    return [request.endpoint for request in service.requests]


def test_happy_path_goes_over_the_wire_in_order(service, make_flow, media, sources, tmp_path):
    video, audio = sources
    progress: list[Progress] = []
    result = make_flow().run(video, audio, language="fr", on_progress=progress.append)

    assert result.state == "done"
    assert endpoints(service) == ["token", "session", "upload", "state", "run_sse", "state",
                                  "export", "status", "status", "status", "download"]
    assert service.calls("session")[0].json == {"task_name": "project", "language": "fr"}
    assert service.calls("upload")[0].file_names == ["talk.mp4", "talk-fr.wav"]
    run = service.calls("run_sse")[0]
    assert run.headers["accept"] == "text/event-stream"
    assert run.json["app_name"] == "nemo_agent" and run.json["user_id"] == "me"
    assert "Lip-sync" in run.json["new_message"]["parts"][0]["text"]
    export = service.calls("export")[0].json
    assert export["id"].startswith("render_") and export["id"][7:].isdigit()
    assert export["output"] == {"format": "mp4", "quality": "high"}
    assert {"tt": 1, "sg": [{"d": 4000, "m": {"lipsync": True}}]} in export["draft"]["t"]

    assert result.output == tmp_path / "out" / "talk.fr.lipsync.mp4"
    assert result.output.read_bytes() == service.render_bytes
    assert json.loads(result.qa_report_path.read_text())["verdict"] == "pass"
    assert result.qa_report_path == tmp_path / "out" / "talk.fr.lipsync.qa.json"
    assert media.qa_calls == [result.output]
    assert result.agent_text == "Done: the lips follow the audio."
    assert [p.stage for p in progress] == ["edited", "rendering", "downloaded"]


def test_render_pending_polls_at_the_poll_interval(service, make_flow, sources, sleeps):
    service.pending_polls = 4
    flow = make_flow(poll_s=0.25)
    flow.run(*sources)
    assert len(service.calls("status")) == 5
    assert sleeps.calls == [0.25] * 4
    assert sum("render rendering" in line for line in flow.said) == 4


def test_failing_preflight_sends_nothing_at_all(service, make_flow, media, sources):
    media.preflight_verdict = "fail"
    flow = make_flow()
    result = flow.run(*sources)
    assert result.state == "preflight_failed"
    assert service.requests == []
    assert any("face_yaw: head turned 60 deg" in line and "nothing uploaded" in line
               for line in flow.said)


def test_force_uploads_a_failing_clip_and_says_so(service, make_flow, media, sources):
    media.preflight_verdict = "fail"
    flow = make_flow()
    assert flow.run(*sources, force=True).state == "done"
    assert len(service.calls("upload")) == 1
    assert any(line.startswith("WARNING: --force") and "FAILED" in line for line in flow.said)


def test_qa_fail_flags_the_render(service, make_flow, media, sources):
    media.qa_verdict = "fail"
    result = make_flow().run(*sources)
    assert result.state == "qa_flagged" and result.output.exists()


def test_same_file_as_video_and_audio_is_uploaded_once(service, make_flow, sources):
    video, _ = sources
    make_flow().run(video, video)
    assert service.calls("upload")[0].file_names == ["talk.mp4"]


def test_a_text_reply_goes_on_to_export_whatever_the_state(service, make_flow, media, sources):
    """The documented conversation: a text reply is the answer. The state is read once, for the
    draft to export, and its shape is not judged: the downloaded render is (qa --source)."""
    service.apply_edit = False  # the state does not change at all
    result = make_flow().run(*sources)
    assert result.state == "done" and result.agent_text == "Done: the lips follow the audio."
    assert endpoints(service)[3:7] == ["state", "run_sse", "state", "export"]
    assert media.qa_sources == [tuple(sources)]


def test_stream_without_text_is_confirmed_through_state(service, make_flow, sources):
    service.stream = [(0, ": heartbeat\n\n"), (0, tool_event()), (0, "data:\n\n")]
    result = make_flow().run(*sources)
    assert result.state == "done" and result.agent_text == ""
    assert endpoints(service)[3:6] == ["state", "run_sse", "state"]


def test_stream_without_text_and_no_edit_stops_before_export(service, make_flow, sources):
    service.stream = [(0, tool_event())]
    service.apply_edit = False
    with pytest.raises(errors.RenderFailed, match="no text and its session state shows no edit"):
        make_flow().run(*sources)
    assert len(service.calls("state")) == 4
    assert service.calls("export") == []


def test_slow_stream_with_heartbeats_says_still_working(service, make_client, make_flow, sources):
    service.stream = [(0.08, ": ping\n\n")] * 5 + [(0, text_event("Synced."))]
    flow = make_flow(make_client(still_working_every_s=0.1))
    result = flow.run(*sources)
    assert result.agent_text == "Synced."
    assert sum(line.startswith("still working") for line in flow.said) >= 2


def test_stream_over_the_ceiling_is_a_timeout(service, make_client, make_flow, sources):
    service.stream = [(0.1, ": ping\n\n")] * 4
    with pytest.raises(errors.ServiceTimeout):
        make_flow(make_client(stream_ceiling_s=0.15)).run(*sources)
    assert service.calls("export") == []


def test_1002_starts_a_new_session_and_uploads_there(service, make_flow, sources):
    service.fault("upload", code=1002)
    result = make_flow().run(*sources)
    assert result.state == "done"
    first, second = service.calls("upload")
    assert first.path.endswith("/sess-1") and second.path.endswith("/sess-2")
    assert service.calls("export")[0].json["sessionId"] == "sess-2"


def test_1002_twice_gives_up(service, make_flow, sources):
    service.fault("upload", times=2, code=1002)
    with pytest.raises(errors.SessionNotFound):
        make_flow().run(*sources)


def test_2001_inside_the_stream_stops_with_the_credits_message(service, make_flow, sources):
    service.stream = [(0, "data: " + json.dumps({"code": 2001, "message": "no credits"}) + "\n\n")]
    with pytest.raises(errors.NoCredits, match="bind="):
        make_flow().run(*sources)
    assert service.calls("export") == []


def test_render_failure_status_is_reported(service, make_flow, sources):
    service.fault("status", body={"code": 0, "status": "failed"})
    with pytest.raises(errors.RenderFailed, match="status failed"):
        make_flow().run(*sources)


def test_resume_from_rendering_only_polls_and_downloads(service, make_flow, media, sources):
    progress: list[Progress] = []

    def interrupt_when_rendering(step: Progress):
        progress.append(step)
        if step.stage == "rendering":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_flow().run(*sources, on_progress=interrupt_when_rendering)
    assert service.calls("status") == []
    result = make_flow().run(*sources, resume=progress[-1])
    assert result.state == "done" and result.output.exists()
    assert len(service.calls("upload")) == 1 and len(service.calls("export")) == 1
    assert len(service.calls("status")) == 3
    assert len(media.preflight_calls) == 1


def test_resume_from_edited_exports_the_existing_draft(service, make_flow, media, sources):
    progress: list[Progress] = []

    def interrupt(step: Progress):
        progress.append(step)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_flow().run(*sources, on_progress=interrupt)
    result = make_flow().run(*sources, resume=progress[-1])
    assert result.state == "done"
    assert len(service.calls("upload")) == 1 and len(service.calls("run_sse")) == 1
    assert len(media.preflight_calls) == 1
