"""A server-sent-events reader for the service's ``/run_sse`` answer.

:func:`parse_sse` turns text lines into events as the WHATWG spec says (``data:`` lines joined
by newlines, ``:`` comments ignored, a blank line ends an event). :func:`follow_stream` reads a
stream in a background thread so it can tell a person "still working" on a fixed period even while the
server is silent, and gives up at a ceiling. :func:`agent_text` pulls the agent's answer out of
the events (text parts only; tool calls, tool results and heartbeats are not shown).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from lipgate.submit.errors import ServiceError, ServiceTimeout, error_from_payload

STREAM_CEILING_S = 15 * 60
STILL_WORKING_EVERY_S = 2 * 60
HEARTBEAT_TYPES = {"heartbeat", "ping", "keepalive", "keep-alive"}


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event: its ``data`` (lines joined by newlines), ``event`` type and ``id``."""

    data: str
    event: str = "message"
    id: str | None = None


def parse_sse(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Events from an SSE text stream given line by line (line endings already removed)."""
    data_lines: list[str] = []
    event_type = ""
    last_id: str | None = None
    for line in lines:
        if line == "":
            if data_lines:
                yield SseEvent("\n".join(data_lines), event_type or "message", last_id)
            data_lines, event_type = [], ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data_lines.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
    if data_lines:
        yield SseEvent(data="\n".join(data_lines), event=event_type or "message", id=last_id)


def follow_stream(lines: Iterable[str], *, close: Callable[[], None],
                  still_working: Callable[[float], None],
                  ceiling_s: float = STREAM_CEILING_S,
                  notice_every_s: float = STILL_WORKING_EVERY_S) -> list[SseEvent]:
    """All events of the stream, calling ``still_working(elapsed_s)`` every ``notice_every_s``.

    Past ``ceiling_s`` seconds the stream is closed with ``close()`` and :class:`ServiceTimeout`
    raised. An error raised while reading (e.g. a dropped connection) is raised here.
    """
    inbox: queue.Queue = queue.Queue()

    def read() -> None:
        try:
            for event in parse_sse(lines):
                inbox.put(("event", event))
            inbox.put(("end", None))
        except BaseException as error:  # handed to the waiting thread, raised there
            inbox.put(("error", error))

    threading.Thread(target=read, name="lipgate-sse", daemon=True).start()
    started = time.monotonic()
    next_notice = started + notice_every_s
    deadline = started + ceiling_s
    events: list[SseEvent] = []
    while True:
        now = time.monotonic()
        if now >= deadline:
            close()
            raise ServiceTimeout(f"the lip-sync request did not finish within "
                                 f"{ceiling_s / 60:.0f} minutes")
        if now >= next_notice:
            still_working(now - started)
            next_notice += notice_every_s
            continue
        try:
            kind, item = inbox.get(timeout=min(next_notice, deadline) - now)
        except queue.Empty:
            continue
        if kind == "end":
            return events
        if kind == "error":
            raise item
        events.append(item)


def _payload(event: SseEvent) -> object:
    try:
        return json.loads(event.data)
    except ValueError:
        return event.data


def is_heartbeat(event: SseEvent) -> bool:
    """Empty data, or a JSON object whose ``type`` is a heartbeat word."""
    if not event.data.strip() or event.event.lower() in HEARTBEAT_TYPES:
        return True
    payload = _payload(event)
    return isinstance(payload, dict) and str(payload.get("type", "")).lower() in HEARTBEAT_TYPES


def _text_parts(payload: dict) -> list[str]:
    content = payload.get("content")
    parts = content.get("parts") if isinstance(content, dict) else payload.get("parts")
    if isinstance(parts, list):
        return [part["text"] for part in parts
                if isinstance(part, dict) and isinstance(part.get("text"), str)
                and not part.get("thought")]
    text = payload.get("text")
    return [text] if isinstance(text, str) else []


def stream_error(events: list[SseEvent], **context) -> ServiceError | None:
    """The first error the service reported inside the stream (a non-zero ``code``), if any."""
    for event in events:
        payload = _payload(event)
        if isinstance(payload, dict) and not is_heartbeat(event):
            error = error_from_payload(payload, **context)
            if error is not None:
                return error
    return None


def agent_text(events: list[SseEvent]) -> str:
    """The agent's answer: text parts of final events, else of partial (streamed) ones."""
    final: list[str] = []
    partial: list[str] = []
    for event in events:
        if is_heartbeat(event):
            continue
        payload = _payload(event)
        if isinstance(payload, str):
            final.append(payload)
        elif isinstance(payload, dict):
            (partial if payload.get("partial") else final).extend(_text_parts(payload))
    pieces = final or partial
    joiner = "\n" if final else ""
    return joiner.join(piece for piece in pieces if piece.strip()).strip()
