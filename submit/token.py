"""The bearer token: from ``NEMO_TOKEN``, or an anonymous starter token cached per user.

The cache lives in ``$XDG_CACHE_HOME/lipgate/`` (else ``~/.cache/lipgate/``), one file per service
base URL, mode 0600, and is reused until the token expires (7 days after it was issued unless the
service says otherwise). A :class:`Token` never shows its value in ``repr`` or ``str``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

ANONYMOUS_TOKEN_LIFETIME_S = 7 * 24 * 3600
EXPIRY_MARGIN_S = 600  # stop using a cached token 10 minutes before it expires


@dataclass(frozen=True)
class Token:
    """A bearer token; ``client_id`` set for anonymous ones; ``expires_at`` in epoch seconds."""

    value: str = field(repr=False)
    client_id: str | None = None
    expires_at: float | None = None

    @property
    def anonymous(self) -> bool:
        return self.client_id is not None

    def usable(self, now: float | None = None) -> bool:
        """True while the token is not within ``EXPIRY_MARGIN_S`` of its expiry."""
        if self.expires_at is None:
            return True
        return (now if now is not None else time.time()) < self.expires_at - EXPIRY_MARGIN_S

    def __str__(self) -> str:
        return repr(self)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/lipgate`` or ``~/.cache/lipgate``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lipgate"


class TokenCache:
    """The anonymous token for one service base URL, stored as JSON with file mode 0600."""

    def __init__(self, base_url: str, cache_dir: Path | None = None):
        digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]
        self.path = (cache_dir or default_cache_dir()) / f"token-{digest}.json"

    def load(self) -> Token | None:
        """The cached token if present, well-formed and still usable; else None."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            token = Token(value=str(record["token"]), client_id=str(record["client_id"]),
                          expires_at=float(record["expires_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return token if token.usable() else None

    def save(self, token: Token) -> None:
        """Write atomically: a 0600 temporary file in the same directory, then rename."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"token": token.value, "client_id": token.client_id,
                           "expires_at": token.expires_at}, handle)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
