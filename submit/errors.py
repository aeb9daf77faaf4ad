"""Errors of the lip-sync service, one class per documented error code.

The service reports an error by HTTP status and/or a ``code`` in the JSON body; the code may sit
at the top level or under ``data``. :func:`error_from_response` maps both to the classes below.
Every message is one line meant for a person; none ever contains the bearer token.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SUPPORTED_FORMATS = ("mp4", "mov", "avi", "webm", "mkv", "jpg", "png", "gif", "webp",
                     "mp3", "wav", "m4a", "aac")

# The API page says anonymous users get "a registration URL with ?bind=<id>" but not its host:
# this default is our guess, used only when the 2001 response does not carry its own URL.
DEFAULT_REGISTRATION_URL = "https://nemovideo.ai/"


class ServiceError(Exception):
    """Base class: the service refused a request or could not be used (CLI exit 2).

    ``stops_batch`` says whether the next batch items would fail the same way.
    """

    stops_batch = True

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status

    def __str__(self) -> str:
        return self.message


class AuthError(ServiceError):
    """1001 (or HTTP 401): bad or expired token."""


class SessionNotFound(ServiceError):
    """1002: the session does not exist (any more)."""


class NoCredits(ServiceError):
    """2001: the account has no credits left."""


class UnsupportedFile(ServiceError):
    """4001: the service does not accept the uploaded file."""

    stops_batch = False


class FileTooLarge(ServiceError):
    """4002: the uploaded file is over the service's size limit."""

    stops_batch = False


class MissingClientId(ServiceError):
    """HTTP 400 on the anonymous-token call: the service did not get a usable X-Client-Id."""


class PlanBlocked(ServiceError):
    """HTTP 402: export is blocked on the free plan (not a credits problem)."""


class RateLimited(ServiceError):
    """HTTP 429: too many requests; ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: float, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServiceUnreachable(ServiceError):
    """The service could not be reached (connection refused, DNS, timeouts)."""


class InsecureTransport(ServiceError):
    """Refused to send the token over plain http to a non-loopback host."""


class ProtocolError(ServiceError):
    """The service answered something this client does not understand."""


class RenderFailed(ServiceError):
    """The service ran but produced no usable render (edit not applied, export failed)."""

    stops_batch = False


class ServiceTimeout(ServiceError):
    """The service did not finish within our ceiling (15 min stream, render wait)."""

    stops_batch = False


class DownloadFailed(ServiceError):
    """The render could not be downloaded completely."""

    stops_batch = False


def body_field(payload: object, name: str):
    """``payload[name]``, or ``payload["data"][name]`` when the service nests it; else None."""
    if not isinstance(payload, dict):
        return None
    if name in payload:
        return payload[name]
    data = payload.get("data")
    if isinstance(data, dict):
        return data.get(name)
    return None


def _service_message(payload: object) -> str:
    for name in ("message", "msg", "error", "detail"):
        value = body_field(payload, name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return ""


def parse_retry_after(value: str | None, default_s: float) -> float:
    """Seconds to wait per a ``Retry-After`` header (seconds or HTTP date); else ``default_s``."""
    if not value:
        return default_s
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default_s
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def error_from_payload(payload: object, *, http_status: int | None = None, context: str = "",
                       anonymous_client_id: str | None = None,
                       retry_after: str | None = None,
                       default_retry_after_s: float = 30.0) -> ServiceError | None:
    """The error a response body (and HTTP status) stands for, or None on success.

    ``context`` names what was being done (e.g. "upload of a.mp4, fr.wav") for the message;
    ``anonymous_client_id`` is set when the token is an anonymous one, for the 2001 link.
    """
    raw_code = body_field(payload, "code")
    try:
        code = int(raw_code) if raw_code is not None else None
    except (TypeError, ValueError):
        code = None
    said = _service_message(payload)
    where = f" ({context})" if context else ""

    if code == 1001 or http_status == 401:
        return AuthError(f"the service rejected the token (bad or expired){where}",
                         code=code, http_status=http_status)
    if code == 1002:
        return SessionNotFound(f"the service lost the session{where}", code=code,
                               http_status=http_status)
    if code == 2001:
        if anonymous_client_id:
            link = _registration_link(payload, anonymous_client_id)
            text = (f"no credits left on the free starter token; register to get more and keep "
                    f"this work: {link}")
        else:
            text = "no credits left on your account; top up your credits with the provider"
        return NoCredits(text, code=code, http_status=http_status)
    if code == 4001:
        formats = ", ".join(SUPPORTED_FORMATS)
        return UnsupportedFile(f"the service does not accept this file{where}; supported "
                               f"formats: {formats}", code=code, http_status=http_status)
    if code == 4002:
        return FileTooLarge(f"file too large for the service{where}; compress it (e.g. ffmpeg "
                            f"-crf 28, or a lower resolution) or trim it (lipgate trim)",
                            code=code, http_status=http_status)
    if http_status == 402:
        return PlanBlocked("export blocked on the free plan (not a credits problem): register or "
                           "upgrade your plan to unlock export", code=code, http_status=http_status)
    if http_status == 429:
        wait_s = parse_retry_after(retry_after, default_retry_after_s)
        return RateLimited(f"the service is rate limiting requests{where}; retry in {wait_s:.0f} s",
                           retry_after=wait_s, code=code, http_status=http_status)
    if http_status == 400 and code in (None, 0):
        return MissingClientId(f"the service refused the request as malformed (HTTP 400){where}"
                               + (f": {said}" if said else ""), code=code, http_status=http_status)
    if (http_status is not None and http_status >= 400) or code not in (None, 0):
        status = f"HTTP {http_status}" if http_status else "error"
        detail = f"{status}" + (f", code {code}" if code not in (None, 0) else "")
        suffix = f": {said}" if said else ""
        return ProtocolError(f"the service failed{where} ({detail}){suffix}", code=code,
                             http_status=http_status)
    return None


def _registration_link(payload: object, client_id: str) -> str:
    """The registration URL with ``bind=<client id>``: the service's own if it sent one."""
    url = None
    for name in ("register_url", "registration_url", "bind_url", "url"):
        value = body_field(payload, name)
        if isinstance(value, str) and urlsplit(value).scheme == "https":
            url = value
            break
    parts = urlsplit(url or DEFAULT_REGISTRATION_URL)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "bind"] + [("bind", client_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
