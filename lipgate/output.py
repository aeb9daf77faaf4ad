"""Writing outputs so that nothing half-written is ever left: a temporary name, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: str | Path, data: str | bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Without ``mode`` the file gets the usual permissions (0666 less the umask), not mkstemp's 0600.
    A path that exists and is not a regular file (``/dev/null``, a FIFO, ``/dev/stdout``) is
    written in place: renaming over it would replace the device with a file."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    if path.exists() and not path.is_file():
        with open(path, "wb") as stream:
            stream.write(payload)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
