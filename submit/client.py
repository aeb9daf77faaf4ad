"""An httpx client for the lip-sync service (see ``SERVICE_API.md``), usable on its own.

Every call has a timeout and carries the attribution headers. Error codes are mapped to
:mod:`lipgate.submit.errors`; the client itself handles the ones that have a mechanical answer:
1001 (new anonymous token, retry once), HTTP 400 on the token call (new client id, retry once),
HTTP 429 (wait ``Retry-After``, 30 s when absent, retry once). Connection errors are retried with
backoff for GETs, and for POSTs only when the connection was never made (nothing was sent).
"""

from __future__ import annotations

import ipaddress
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence
from urllib.parse import urlsplit

import httpx

import lipgate
from lipgate.submit import errors
from lipgate.submit.errors import ServiceError, body_field
from lipgate.submit.sse import SseEvent, agent_text, follow_stream, stream_error
from lipgate.submit.token import ANONYMOUS_TOKEN_LIFETIME_S, Token, TokenCache

DEFAULT_BASE_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(30.0, connect=10.0, write=600.0)
STREAM_TIMEOUT = httpx.Timeout(30.0, connect=10.0, read=300.0)  # silence allowed between bytes
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DOWNLOAD_CHUNK_BYTES = 1 << 16
APP_NAME = "nemo_agent"


@dataclass(frozen=True)
class Attribution:
    """Values of the ``X-Skill-*`` headers; the service blocks export (HTTP 402) without them."""

    source: str = "lipgate"
    version: str = lipgate.__version__
    platform: str = "cli"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Attribution":
        """From ``LIPGATE_SKILL_SOURCE``, ``LIPGATE_SKILL_VERSION``, ``LIPGATE_SKILL_PLATFORM``."""
        return cls(source=env.get("LIPGATE_SKILL_SOURCE") or cls.source,
                   version=env.get("LIPGATE_SKILL_VERSION") or cls.version,
                   platform=env.get("LIPGATE_SKILL_PLATFORM") or cls.platform)

    def headers(self) -> dict[str, str]:
        return {"X-Skill-Source": self.source, "X-Skill-Version": self.version,
                "X-Skill-Platform": self.platform}


@dataclass(frozen=True)
class Session:
    task_id: str | None
    session_id: str


@dataclass(frozen=True)
class AgentReply:
    """What ``run_sse`` gave: the agent's text ("" when it sent none) and the raw events."""

    text: str
    events: list[SseEvent]


@dataclass(frozen=True)
class RenderStatus:
    status: str
    url: str | None


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ServiceClient:
    """The lip-sync service. ``token`` is a registered token (``NEMO_TOKEN``); without one an
    anonymous starter token is fetched and cached. ``sleep`` waits (seconds) between retries."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, token: str | None = None,
                 transport: httpx.BaseTransport | None = None,
                 attribution: Attribution | None = None, cache_dir: Path | None = None,
                 sleep: Callable[[float], None] = time.sleep, transport_attempts: int = 3,
                 backoff_s: float = 0.5, default_retry_after_s: float = 30.0,
                 max_retry_after_s: float = 300.0,
                 stream_ceiling_s: float = 15 * 60, still_working_every_s: float = 120.0):
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise errors.ProtocolError(f"service base URL must be http(s)://host, got {base_url!r}")
        if url.scheme == "http" and not is_loopback_host(url.host):
            raise errors.InsecureTransport(
                f"refusing to send the token over plain http to {url.host}; use https")
        self.base_url = str(url).rstrip("/")
        self._origin = (url.scheme, url.host, url.port)
        self._registered_token = token
        self._token: Token | None = Token(token) if token else None
        self._cache = TokenCache(self.base_url, cache_dir)
        self._attribution = attribution or Attribution()
        self._sleep = sleep
        self._transport_attempts = max(1, transport_attempts)
        self._backoff_s = backoff_s
        self._default_retry_after_s = default_retry_after_s
        self._max_retry_after_s = max_retry_after_s
        self.stream_ceiling_s = stream_ceiling_s
        self.still_working_every_s = still_working_every_s
        self._http = httpx.Client(base_url=self.base_url, transport=transport,
                                  timeout=DEFAULT_TIMEOUT, headers=self._attribution.headers())

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **options) -> "ServiceClient":
        """Configured from ``LIPGATE_API_BASE``, ``NEMO_TOKEN`` and ``LIPGATE_SKILL_*``."""
        return cls(env.get("LIPGATE_API_BASE") or DEFAULT_BASE_URL,
                   token=env.get("NEMO_TOKEN") or None,
                   attribution=Attribution.from_env(env), **options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "registered" if self._registered_token else "anonymous"
        return f"ServiceClient(base_url={self.base_url!r}, token={kind})"

    # -- token -------------------------------------------------------------------------------

    @property
    def anonymous_client_id(self) -> str | None:
        """The client id of the anonymous token in use (for the registration link), else None."""
        return self._token.client_id if self._token else None

    def _current_token(self) -> Token:
        if self._token is None or not self._token.usable():
            self._token = self._cache.load() or self._fetch_anonymous_token()
        return self._token

    def _fetch_anonymous_token(self) -> Token:
        """``POST /api/auth/anonymous-token`` with a fresh client id (another after HTTP 400)."""
        for attempt in range(2):
            client_id = str(uuid.uuid4())
            try:
                payload = self._send("POST", "/api/auth/anonymous-token", auth=False,
                                     headers={"X-Client-Id": client_id},
                                     context="anonymous token")
            except errors.MissingClientId:
                if attempt == 0:
                    continue
                raise
            value = body_field(payload, "token") or body_field(payload, "access_token")
            if not isinstance(value, str) or not value:
                raise errors.ProtocolError("the service answered the anonymous-token call "
                                           "without a token")
            token = Token(value, client_id=client_id, expires_at=self._expiry(payload))
            self._cache.save(token)
            return token
        raise AssertionError("unreachable")

    @staticmethod
    def _expiry(payload: object) -> float:
        """Epoch seconds: ``expires_at`` (epoch s or ms) or ``expires_in`` (s), else 7 days on."""
        now = time.time()
        expires_at = body_field(payload, "expires_at")
        if isinstance(expires_at, (int, float)) and expires_at > now:
            return float(expires_at / 1000 if expires_at > 1e11 else expires_at)
        expires_in = body_field(payload, "expires_in")
        if isinstance(expires_in, (int, float)) and expires_in > 0:
            return now + float(expires_in)
        return now + ANONYMOUS_TOKEN_LIFETIME_S

    def _redact(self, error: ServiceError) -> ServiceError:
        """The same error with any token value in its message replaced by ``***``."""
        for secret in {self._registered_token, self._token.value if self._token else None} - {None}:
            error.message = error.message.replace(secret, "***")
        error.args = (error.message,)
        return error

    # -- transport ---------------------------------------------------------------------------

    def _same_origin(self, url: httpx.URL) -> bool:
        return (url.scheme, url.host, url.port) == self._origin

    def _send(self, method: str, url: str, *, auth: bool = True, context: str = "",
              headers: Mapping[str, str] | None = None,
              consume: Callable[[httpx.Response], object] | None = None,
              timeout: httpx.Timeout | None = None, **request):
        """Send one logical request; the JSON payload, or ``consume(response)`` for a non-JSON 2xx.

        ``consume`` receives the open streaming response (an SSE stream, a file download).
        """
        idempotent = method == "GET"
        reauthenticated = rate_limited = False
        transport_failures = 0
        while True:
            request_headers = dict(headers or {})
            target = self._http.build_request(method, url).url
            if auth and self._same_origin(target):
                request_headers["Authorization"] = f"Bearer {self._current_token().value}"
            try:
                with self._http.stream(method, url, headers=request_headers,
                                       timeout=timeout or DEFAULT_TIMEOUT, **request) as response:
                    is_json = "json" in response.headers.get("content-type", "")
                    if consume is not None and response.status_code < 400 and not is_json:
                        return consume(response)
                    response.read()
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                transport_failures += 1
                if (idempotent or never_sent) and transport_failures < self._transport_attempts:
                    self._sleep(self._backoff_s * 2 ** (transport_failures - 1))
                    continue
                what = f" during {context}" if context else ""
                raise errors.ServiceUnreachable(
                    f"cannot reach the lip-sync service at {target.host}{what} "
                    f"({type(exc).__name__})") from exc
            payload = _json_or_none(response)
            error = errors.error_from_payload(
                payload, http_status=response.status_code, context=context,
                anonymous_client_id=self.anonymous_client_id,
                retry_after=response.headers.get("retry-after"),
                default_retry_after_s=self._default_retry_after_s)
            if error is None:
                return payload
            if (isinstance(error, errors.AuthError) and auth and not reauthenticated
                    and self._registered_token is None):
                reauthenticated = True
                self._cache.clear()
                self._token = self._fetch_anonymous_token()
                continue
            if (isinstance(error, errors.RateLimited) and not rate_limited
                    and error.retry_after <= self._max_retry_after_s):
                rate_limited = True
                self._sleep(error.retry_after)
                continue
            if isinstance(error, errors.AuthError) and self._registered_token is not None:
                error.message += "; check NEMO_TOKEN"
            raise self._redact(error)

    # -- calls -------------------------------------------------------------------------------

    def credits(self) -> dict[str, float]:
        """``available``, ``frozen`` and ``total`` credits."""
        payload = self._send("GET", "/api/credits/balance/simple", context="credits")
        balance = {name: body_field(payload, name) for name in ("available", "frozen", "total")}
        if any(not isinstance(value, (int, float)) for value in balance.values()):
            raise errors.ProtocolError("the credits answer lacks available/frozen/total")
        return balance

    def create_session(self, language: str) -> Session:
        payload = self._send("POST", f"/api/tasks/me/with-session/{APP_NAME}",
                             json={"task_name": "project", "language": language},
                             context="session creation")
        session_id = body_field(payload, "session_id")
        if not session_id:
            raise errors.ProtocolError("the service created a session without a session_id")
        task_id = body_field(payload, "task_id")
        return Session(task_id=str(task_id) if task_id is not None else None,
                       session_id=str(session_id))

    def upload(self, session_id: str, paths: Sequence[Path]) -> object:
        """Multipart upload of ``paths`` in the form field ``files`` (one request)."""
        names = ", ".join(path.name for path in paths)
        handles = [open(path, "rb") for path in paths]
        try:
            files = [("files", (path.name, handle, "application/octet-stream"))
                     for path, handle in zip(paths, handles)]
            return self._send("POST", f"/api/upload-video/{APP_NAME}/me/{session_id}",
                              files=files, timeout=UPLOAD_TIMEOUT, context=f"upload of {names}")
        finally:
            for handle in handles:
                handle.close()

    def send_message(self, session_id: str, message: str,
                     still_working: Callable[[float], None] = lambda elapsed_s: None) -> AgentReply:
        """``POST /run_sse`` and read the whole event stream (see :mod:`lipgate.submit.sse`)."""
        body = {"app_name": APP_NAME, "user_id": "me", "session_id": session_id,
                "new_message": {"parts": [{"text": message}]}}

        def read_stream(response: httpx.Response) -> list[SseEvent]:
            return follow_stream(response.iter_lines(), close=response.close,
                                 still_working=still_working, ceiling_s=self.stream_ceiling_s,
                                 notice_every_s=self.still_working_every_s)

        events = self._send("POST", "/run_sse", json=body, consume=read_stream,
                            headers={"Accept": "text/event-stream"}, timeout=STREAM_TIMEOUT,
                            context="lip-sync request")
        if not isinstance(events, list):
            raise errors.ProtocolError("the service answered run_sse without an event stream")
        error = stream_error(events, context="lip-sync request",
                             anonymous_client_id=self.anonymous_client_id)
        if error is not None:
            raise self._redact(error)
        return AgentReply(text=agent_text(events), events=events)

    def session_state(self, session_id: str) -> dict:
        """``data.state`` of the session (draft, video_infos, generated_media)."""
        payload = self._send("GET", f"/api/state/{APP_NAME}/me/{session_id}/latest",
                             context="session state")
        state = body_field(payload, "state")
        return state if isinstance(state, dict) else {}

    def export(self, session_id: str, draft: object, render_id: str) -> None:
        """Ask for the free mp4 export of ``draft`` under ``render_id``."""
        self._send("POST", "/api/render/proxy/lambda",
                   json={"id": render_id, "sessionId": session_id, "draft": draft,
                         "output": {"format": "mp4", "quality": "high"}},
                   context="export")

    def render_status(self, render_id: str) -> RenderStatus:
        payload = self._send("GET", f"/api/render/proxy/lambda/{render_id}",
                             context="render status")
        status = body_field(payload, "status")
        output = body_field(payload, "output")
        url = output.get("url") if isinstance(output, dict) else None
        return RenderStatus(status=str(status or "").lower(),
                            url=url if isinstance(url, str) else None)

    def download(self, url: str, destination: Path) -> Path:
        """Stream ``url`` into ``destination`` via a temporary file renamed when complete.

        Only http(s) URLs; the token goes only to the service's own origin. A connection dropped
        mid-way leaves no partial file and is retried (a GET) with backoff.
        """
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https", ""):
            raise errors.ProtocolError(f"refusing to download the render from a {scheme}: URL")
        absolute = self._http.build_request("GET", url).url
        destination = Path(destination)
        partial = destination.with_name(f".{destination.name}.part")

        def write(response: httpx.Response) -> Path:
            expected = response.headers.get("content-length")
            received = 0
            try:
                with open(partial, "wb") as handle:
                    for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
                        handle.write(chunk)
                        received += len(chunk)
                if expected is not None and received != int(expected):
                    raise httpx.RemoteProtocolError(
                        f"got {received} of {expected} bytes", request=response.request)
                os.replace(partial, destination)
            finally:
                partial.unlink(missing_ok=True)
            return destination

        try:
            return self._send("GET", str(absolute), consume=write, timeout=DOWNLOAD_TIMEOUT,
                              follow_redirects=True, context="render download")
        except errors.ServiceUnreachable as exc:
            raise errors.DownloadFailed(f"the render download failed: {exc}; no partial file "
                                        f"was kept") from exc


def _json_or_none(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
