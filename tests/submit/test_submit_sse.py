"""The SSE reader on its own: parsing, text extraction, the still-working notice, the ceiling."""

from __future__ import annotations

import json
import threading
import time

import pytest

from lipgate.submit import errors
from lipgate.submit.sse import SseEvent, agent_text, follow_stream, is_heartbeat, parse_sse, stream_error


def test_parse_joins_multiline_data_and_skips_comments():
    lines = [": heartbeat", "event: update", "id: 7", "data: first", "data:second", "", "data: x"]
    assert list(parse_sse(lines)) == [SseEvent("first\nsecond", "update", "7"),
                                      SseEvent("x", "message", "7")]


def test_parse_keeps_empty_data_events_and_ignores_blank_runs():
    events = list(parse_sse(["", "", "data:", "", "", "data: ", ""]))
    assert events == [SseEvent(""), SseEvent("")]
    assert all(is_heartbeat(event) for event in events)


def test_heartbeat_objects_are_recognised():
    assert is_heartbeat(SseEvent(json.dumps({"type": "ping"})))
    assert not is_heartbeat(SseEvent(json.dumps({"content": {"parts": [{"text": "hi"}]}})))


def test_agent_text_keeps_text_parts_and_drops_tool_calls():
    events = [SseEvent(json.dumps({"content": {"parts": [{"functionCall": {"name": "x"}}]}})),
              SseEvent(json.dumps({"content": {"parts": [{"text": "thinking", "thought": True}]}})),
              SseEvent(json.dumps({"content": {"parts": [{"text": "All done."}]}})),
              SseEvent("")]
    assert agent_text(events) == "All done."


def test_agent_text_uses_partials_only_without_a_final_event():
    partials = [SseEvent(json.dumps({"partial": True, "content": {"parts": [{"text": piece}]}}))
                for piece in ("Lips ", "synced.")]
    assert agent_text(partials) == "Lips synced."
    final = SseEvent(json.dumps({"content": {"parts": [{"text": "Lips synced."}]}}))
    assert agent_text(partials + [final]) == "Lips synced."


def test_agent_text_is_empty_for_a_stream_without_text():
    assert agent_text([SseEvent(json.dumps({"content": {"parts": [{"functionResponse": {}}]}})),
                       SseEvent("")]) == ""


def test_stream_error_maps_a_code_inside_the_stream():
    error = stream_error([SseEvent(json.dumps({"code": 2001}))], anonymous_client_id="abc")
    assert isinstance(error, errors.NoCredits) and "bind=abc" in str(error)


def slow_lines(pauses_s):
    for pause in pauses_s:
        time.sleep(pause)
        yield ": heartbeat"
    yield "data: done"
    yield ""


def test_follow_stream_says_still_working_on_its_period():
    notices: list[float] = []
    events = follow_stream(slow_lines([0.1] * 5), close=lambda: None, still_working=notices.append,
                           notice_every_s=0.12, ceiling_s=10)
    assert events == [SseEvent("done")]
    assert 3 <= len(notices) <= 5
    assert notices == sorted(notices)


def test_follow_stream_notices_while_the_server_is_silent():
    notices: list[float] = []
    follow_stream(slow_lines([0.35]), close=lambda: None, still_working=notices.append,
                  notice_every_s=0.1, ceiling_s=10)
    assert len(notices) >= 2


def test_follow_stream_gives_up_at_the_ceiling_and_closes():
    release = threading.Event()
    closed: list[bool] = []

    def hanging():
        yield ": heartbeat"
        release.wait(5)
        yield ""

    with pytest.raises(errors.ServiceTimeout, match="did not finish"):
        follow_stream(hanging(), close=lambda: closed.append(True), still_working=lambda s: None,
                      notice_every_s=10, ceiling_s=0.2)
    release.set()
    assert closed == [True]


def test_follow_stream_raises_the_reader_error():
    def broken():
        yield "data: a"
        raise ConnectionResetError("peer gone")

    with pytest.raises(ConnectionResetError):
        follow_stream(broken(), close=lambda: None, still_working=lambda s: None)
