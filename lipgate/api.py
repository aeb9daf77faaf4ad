"""The library API: ``lipgate.check`` and ``lipgate.qa`` return the report objects whose
``to_dict()`` is the JSON of ``lipgate check --format json`` and ``lipgate qa --format json``.

    import lipgate
    report = lipgate.check("talk.mp4", audio="fr.wav")
    if report.verdict == "fail":
        for result in report.checks:
            print(result.id, result.status, result.message)

This facade is the top of the package: it imports the layers (``lipgate.preflight``,
``lipgate.qa``); the core modules under it never do.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from lipgate.config import Config, KnownSettings
from lipgate.config import load_config as _load_config


def known_settings() -> KnownSettings:
    """Every name a configuration may set: each check's thresholds and qa's settings."""
    from lipgate.preflight.checks import CHECKS
    from lipgate.qa.checks import SOURCE_CHECKS
    from lipgate.qa.settings import QA_THRESHOLDS

    return KnownSettings(checks={check_id: tuple(check.thresholds) for check_id, check in {**CHECKS, **SOURCE_CHECKS}.items()},
                         qa=tuple(QA_THRESHOLDS))


def load_config(path: str | Path | None = None, start: Path | None = None, profile: str | None = None) -> Config:
    """The configuration in force: ``path`` (a lipgate.toml or pyproject.toml), else
    ``[tool.lipgate]`` of the nearest pyproject.toml upward from ``start`` (the working directory),
    with ``profile`` (a service profile's name) in place of the file's."""
    return _load_config(known_settings(), path, start, profile)


def _config(config: Config | str | Path | None) -> Config:
    if config is None or isinstance(config, Config):
        return config or load_config()
    return load_config(config)


@contextlib.contextmanager
def native_logs_silenced():
    """While lipgate measures, what native libraries write to file descriptor 2 (MediaPipe's
    TensorFlow Lite and absl lines, from its own threads) goes to /dev/null; Python's
    ``sys.stderr`` keeps writing to the real stderr meanwhile, and both are restored after.
    ``LIPGATE_NATIVE_LOGS=1`` leaves them alone."""
    if os.environ.get("LIPGATE_NATIVE_LOGS") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    previous = sys.stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = io.TextIOWrapper(os.fdopen(os.dup(real), "wb", buffering=0), encoding="utf-8", errors="replace",
                                  line_buffering=True, write_through=True)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(real, 2)
        os.close(real)
        sys.stderr = previous


def check(path: str | Path, audio: str | Path | None = None, config: Config | str | Path | None = None):
    """Preflight of a source (video or still) and its target speech: a ``CheckReport``.

    ``config`` is a ``Config``, a configuration file's path, or None for the configuration found
    from the working directory. Raises ``lipgate.errors.InputError`` for input that cannot be
    judged (the CLI's exit 2)."""
    from lipgate.preflight.runner import run_check

    with native_logs_silenced():
        return run_check(path, audio, _config(config))


def qa(path: str | Path, source: str | Path | None = None, audio: str | Path | None = None,
       config: Config | str | Path | None = None):
    """Post-render QA of a render with its sound: a ``QaReport`` (with ``source``, what the
    service changed against the uploaded source and ``audio``, the target speech: the report's
    ``source`` and ``checks``). ``audio`` without ``source`` is a ``UsageError``."""
    from lipgate.qa.runner import run_qa

    with native_logs_silenced():
        return run_qa(path, _config(config), source=source, audio=audio)
