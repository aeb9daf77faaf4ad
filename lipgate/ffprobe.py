"""ffprobe runs that a command can start before its imports: ``lipgate check`` and ``qa`` start
their input's probe first thing, and ``lipgate.media.probe`` collects it.

Python's imports before the first probe take about 0.25 s and ffprobe about 0.12 s (Debian's
ffmpeg binds 215 libraries at start); run side by side, the decode starts 0.1 s sooner. This
module imports nothing heavy, so that it can run before numpy is loaded.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess

_started: dict[tuple, subprocess.Popen] = {}


def _launch(ffprobe: str, path) -> subprocess.Popen:
    return subprocess.Popen([ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _identity(path) -> tuple | None:
    """The file as it is now (path, size, modification time), None when it is not a regular file:
    a probe started before the file changed is not used for it."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if not os.path.isfile(path):
        return None
    return os.path.realpath(path), status.st_size, status.st_mtime_ns


def start(path) -> None:
    """Start probing ``path`` in the background (nothing when it is not a file or ffprobe is missing:
    ``run`` then probes, or reports, as usual)."""
    identity, ffprobe = _identity(path), shutil.which("ffprobe")
    if identity is None or ffprobe is None or identity in _started:
        return
    _started[identity] = _launch(ffprobe, path)


def run(ffprobe: str, path, timeout_s: float) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ffprobe on ``path``: the run ``start`` began, else a new one."""
    proc = _started.pop(_identity(path), None) or _launch(ffprobe, path)
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return proc.returncode, stdout, stderr


@atexit.register
def _stop_unused() -> None:
    """Probes nobody collected (a results-cache hit, an error before the probe) are stopped."""
    for proc in _started.values():
        proc.kill()
        proc.communicate()
    _started.clear()
