"""Configuration: per-check thresholds and levels from ``[tool.lipgate]`` or a lipgate.toml.

Layout::

    [tool.lipgate.checks.face_yaw]     # or [checks.face_yaw] in a lipgate.toml
    fail_above = 40
    level = "warning"                  # "error" (default), "warning" or "off"

    [tool.lipgate.qa]                  # settings of `lipgate qa` (names in qa.settings.QA_THRESHOLDS)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lipgate.errors import UsageError

LEVELS = ("error", "warning", "off")


@dataclass
class Config:
    checks: dict[str, dict] = field(default_factory=dict)
    qa: dict[str, float] = field(default_factory=dict)
    source: str = "defaults"

    def thresholds(self, check_id: str) -> dict[str, float]:
        return {k: float(v) for k, v in self.checks.get(check_id, {}).items() if k != "level"}

    def level(self, check_id: str) -> str:
        return self.checks.get(check_id, {}).get("level", "error")


def load_config(path: str | Path | None = None, start: Path | None = None) -> Config:
    """The --config file, else ``[tool.lipgate]`` of the nearest pyproject.toml upward."""
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"{path}: configuration file not found")
        table = _read_toml(path)
        table = table.get("tool", {}).get("lipgate", table) if path.name == "pyproject.toml" else table
        return _validated(table, str(path))
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _read_toml(candidate).get("tool", {}).get("lipgate")
            if table is not None:
                return _validated(table, f"{candidate} [tool.lipgate]")
            break
    return Config()


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None


def _validated(table: dict, source: str) -> Config:
    from preflight.checks import CHECKS

    unknown = set(table) - {"checks", "qa"}
    if unknown:
        raise UsageError(f"{source}: unknown key '{sorted(unknown)[0]}'")
    checks = table.get("checks", {})
    for check_id, settings in checks.items():
        if check_id not in CHECKS:
            raise UsageError(f"{source}: unknown check '{check_id}'")
        for key, value in settings.items():
            if key == "level":
                if value not in LEVELS:
                    raise UsageError(f"{source}: checks.{check_id}.level must be one of {', '.join(LEVELS)}")
            elif key not in CHECKS[check_id].thresholds:
                raise UsageError(f"{source}: unknown key 'checks.{check_id}.{key}'")
            elif not isinstance(value, (int, float)):
                raise UsageError(f"{source}: checks.{check_id}.{key} must be a number")
    qa_settings = table.get("qa", {})
    if qa_settings:
        from qa.settings import QA_THRESHOLDS

        for key, value in qa_settings.items():
            if key not in QA_THRESHOLDS:
                raise UsageError(f"{source}: unknown key 'qa.{key}'")
            if not isinstance(value, (int, float)):
                raise UsageError(f"{source}: qa.{key} must be a number")
    return Config(checks=checks, qa=qa_settings, source=source)
