"""A local HTTP server implementing SERVICE_API.md, with fault injection, for the submit tests.

Runs on 127.0.0.1 with a free port in a background thread. Every request is recorded (endpoint,
method, path, headers, body, parsed JSON or uploaded file names) so tests can assert what went
over the wire. Faults are queued per endpoint and consumed one request at a time.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES = [
    ("POST", r"/api/auth/anonymous-token", "token"),
    ("POST", r"/api/tasks/me/with-session/nemo_agent", "session"),
    ("POST", r"/api/upload-video/nemo_agent/me/(?P<sid>[^/]+)", "upload"),
    ("POST", r"/run_sse", "run_sse"),
    ("GET", r"/api/credits/balance/simple", "credits"),
    ("GET", r"/api/state/nemo_agent/me/(?P<sid>[^/]+)/latest", "state"),
    ("POST", r"/api/render/proxy/lambda", "export"),
    ("GET", r"/api/render/proxy/lambda/(?P<rid>[^/]+)", "status"),
    ("GET", r"/files/(?P<name>[^/]+)", "download"),
]
UNAUTHENTICATED = {"token", "download"}


@dataclass
class Recorded:
    endpoint: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: object = None
    file_names: list[str] = field(default_factory=list)


@dataclass
class Fault:
    """An injected answer: HTTP ``status``, JSON ``body`` (default ``{"code": code}``) and
    ``headers``; ``hangup`` closes the connection without answering."""

    status: int = 200
    code: int | None = None
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    hangup: bool = False


def text_event(text: str) -> str:
    return "data: " + json.dumps({"content": {"role": "model", "parts": [{"text": text}]}}) + "\n\n"


def tool_event() -> str:
    return "data: " + json.dumps({"content": {"parts": [
        {"functionCall": {"name": "lipsync", "args": {}}}]}}) + "\n\n"


class FakeService:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.faults: dict[str, list[Fault]] = {}
        self.tokens: set[str] = set()
        self.client_ids: set[str] = set()
        self.sessions: dict[str, dict] = {}
        self.renders: dict[str, int] = {}
        self.credits = {"available": 100, "frozen": 5, "total": 105}
        self.stream: list[tuple[float, str]] = [(0, tool_event()),
                                                (0, text_event("Done: the lips follow the audio."))]
        self.apply_edit = True
        self.pending_polls = 2
        self.render_bytes = bytes(range(256)) * 4096  # 1 MiB
        self.drop_downloads = 0
        self.download_base: str | None = None  # another server's URL for output.url
        self.download_url: str | None = None  # a literal output.url (e.g. ftp://...)
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> "FakeService":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, endpoint: str, times: int = 1, **spec) -> None:
        with self.lock:
            self.faults.setdefault(endpoint, []).extend(Fault(**spec) for _ in range(times))

    def calls(self, endpoint: str) -> list[Recorded]:
        with self.lock:
            return [request for request in self.requests if request.endpoint == endpoint]

    def issue_token(self) -> str:
        token = "tok-" + secrets.token_hex(16)
        with self.lock:
            self.tokens.add(token)
        return token

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                service._dispatch(self, "GET")

            def do_POST(self):
                service._dispatch(self, "POST")

        return Handler

    # -- dispatch ----------------------------------------------------------------------------

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?")[0]
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        for route_method, pattern, endpoint in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                break
        else:
            return self._send_json(handler, 404, {"code": 404, "message": "no such route"})
        headers = {name.lower(): value for name, value in handler.headers.items()}
        record = Recorded(endpoint, method, path, headers, body)
        content_type = handler.headers.get("Content-Type", "")
        if "json" in content_type:
            record.json = json.loads(body)
        elif "multipart" in content_type:
            message = BytesParser(policy=email_policy).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
            record.file_names = [part.get_filename() for part in message.iter_parts()
                                 if part.get_param("name", header="content-disposition") == "files"]
        with self.lock:
            self.requests.append(record)
            queued = self.faults.get(endpoint)
            fault = queued.pop(0) if queued else None
        if fault is not None:
            if fault.hangup:
                handler.close_connection = True
                return
            payload = fault.body if fault.body is not None else {"code": fault.code,
                                                                  "message": "injected"}
            return self._send_json(handler, fault.status, payload, fault.headers)
        if endpoint not in UNAUTHENTICATED:
            token = record.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return self._send_json(handler, 401, {"code": 1001, "message": "token invalid"})
        getattr(self, f"_on_{endpoint}")(handler, record, match.groupdict())

    def _send_json(self, handler, status: int, payload: object, headers: dict | None = None):
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _session(self, handler, sid: str) -> dict | None:
        with self.lock:
            state = self.sessions.get(sid)
        if state is None:
            self._send_json(handler, 200, {"code": 1002, "message": "session not found"})
        return state

    # -- endpoints ---------------------------------------------------------------------------

    def _on_token(self, handler, record: Recorded, params: dict) -> None:
        client_id = record.headers.get("x-client-id")
        if not client_id:
            return self._send_json(handler, 400, {"message": "missing X-Client-Id"})
        with self.lock:
            seen = client_id in self.client_ids
            self.client_ids.add(client_id)
        if seen:
            return self._send_json(handler, 429, {"message": "one token per client id per 7 days"})
        self._send_json(handler, 200, {"code": 0, "data": {"token": self.issue_token(),
                                                           "credits": 100}})

    def _on_session(self, handler, record: Recorded, params: dict) -> None:
        sid = f"sess-{next(self._ids)}"
        with self.lock:
            self.sessions[sid] = {"draft": {"t": []}, "video_infos": [], "generated_media": []}
        self._send_json(handler, 200, {"code": 0, "data": {"task_id": f"task-{sid}",
                                                           "session_id": sid}})

    def _on_upload(self, handler, record: Recorded, params: dict) -> None:
        state = self._session(handler, params["sid"])
        if state is None:
            return
        with self.lock:
            state["video_infos"].extend({"name": name} for name in record.file_names)
            state["draft"]["t"].append({"tt": 0, "sg": [{"d": 4000, "m": {"src": name}}
                                                        for name in record.file_names]})
        self._send_json(handler, 200, {"code": 0, "data": {"uploaded": record.file_names}})

    def _on_run_sse(self, handler, record: Recorded, params: dict) -> None:
        state = self._session(handler, record.json["session_id"])
        if state is None:
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        for delay, chunk in self.stream:
            time.sleep(delay)
            handler.wfile.write(chunk.encode())
            handler.wfile.flush()
        if self.apply_edit:
            with self.lock:
                state["generated_media"].append({"kind": "lipsync"})
                state["draft"]["t"].append({"tt": 1, "sg": [{"d": 4000, "m": {"lipsync": True}}]})
        handler.close_connection = True

    def _on_credits(self, handler, record: Recorded, params: dict) -> None:
        self._send_json(handler, 200, {"code": 0, "data": dict(self.credits)})

    def _on_state(self, handler, record: Recorded, params: dict) -> None:
        state = self._session(handler, params["sid"])
        if state is not None:
            with self.lock:
                snapshot = json.loads(json.dumps(state))
            self._send_json(handler, 200, {"code": 0, "data": {"state": snapshot}})

    def _on_export(self, handler, record: Recorded, params: dict) -> None:
        if not all(record.headers.get(h) for h in ("x-skill-source", "x-skill-version",
                                                    "x-skill-platform")):
            return self._send_json(handler, 402, {"message": "attribution missing"})
        if self._session(handler, record.json["sessionId"]) is None:
            return
        with self.lock:
            self.renders[record.json["id"]] = self.pending_polls
        self._send_json(handler, 200, {"code": 0, "data": {"id": record.json["id"]}})

    def _on_status(self, handler, record: Recorded, params: dict) -> None:
        rid = params["rid"]
        with self.lock:
            remaining = self.renders.get(rid)
            if remaining:
                self.renders[rid] = remaining - 1
        if remaining is None:
            return self._send_json(handler, 404, {"message": "no such render"})
        if remaining:
            return self._send_json(handler, 200, {"code": 0, "status": "rendering"})
        url = self.download_url or f"{self.download_base or self.base_url}/files/{rid}.mp4"
        self._send_json(handler, 200, {"code": 0, "status": "completed", "output": {"url": url}})

    def _on_download(self, handler, record: Recorded, params: dict) -> None:
        with self.lock:
            drop = self.drop_downloads > 0
            self.drop_downloads -= drop
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Content-Length", str(len(self.render_bytes)))
        handler.end_headers()
        if drop:
            handler.wfile.write(self.render_bytes[: len(self.render_bytes) // 3])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(self.render_bytes)


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
