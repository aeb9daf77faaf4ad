"""The results cache: measurements keyed by the input files' content and the measurement settings.

Only measurements are stored (``Measurements.to_bytes()``), never verdicts: a threshold or level
change re-judges the cached measurements without decoding anything. The key holds the blake2b
hash of every input file's bytes (so a renamed or copied file still hits, an edited one misses),
with each file's extension (probing judges the content against the name: a PNG named .mp4 is
refused, so it must not hit the entry of the same bytes named .png), the command, lipgate's
version, the analysis settings (frame size, analysis rate, ...) and a fingerprint of the
measuring code (so an edited analyzer never serves stale measurements).
Entries live in ``$XDG_CACHE_HOME/lipgate`` (default ``~/.cache/lipgate``), written atomically.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from lipgate import __version__
from lipgate.errors import InputError
from lipgate.measurements import Measurements
from lipgate.output import write_atomic

HASH_CHUNK_BYTES = 1 << 20
CACHE_FORMAT = 1
"""Bumped when the layout of an entry changes."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lipgate"


def content_hash(path: str | Path) -> str:
    """blake2b (160 bit) of the file's bytes, read in 1 MiB chunks."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(HASH_CHUNK_BYTES):
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a media file") from None
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})") from None
    return digest.hexdigest()


def cache_key(command: str, settings: str, files: list[str | Path]) -> str:
    """The key of one input's measurements: its files' content and extension, the command and the settings."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (f"format={CACHE_FORMAT}", f"lipgate={__version__}", command, settings,
                 *(f"{Path(path).suffix.lower()}:{content_hash(path)}" for path in files)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def code_fingerprint(*module_names: str) -> str:
    """blake2b of the source files of the named modules (a package: every .py file under it),
    found without importing them (a cache hit must not pay for importing the measuring code)."""
    import importlib.util

    digest = hashlib.blake2b(digest_size=10)
    for name in module_names:
        origin = Path(importlib.util.find_spec(name).origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(path.read_bytes())
    return digest.hexdigest()


class ResultsCache:
    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else cache_dir()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npz"

    def get(self, key: str) -> Measurements | None:
        try:
            return Measurements.from_bytes(self.path(key).read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is a miss; it is rewritten after measuring
            return None

    def put(self, key: str, measured: Measurements) -> None:
        try:
            write_atomic(self.path(key), measured.to_bytes())
        except OSError:
            pass  # a read-only or full cache never fails a run; the next run measures again
