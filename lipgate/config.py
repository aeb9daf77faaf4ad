"""Configuration: per-check thresholds, levels and ignores from ``[tool.lipgate]`` or a lipgate.toml,
on top of a service profile and the checks' documented defaults.

Layout::

    [tool.lipgate]                     # or the top level of a lipgate.toml
    profile = "nemo"                   # a service profile (lipgate.profiles); --profile wins

    [tool.lipgate.checks.face_yaw]     # or [checks.face_yaw] in a lipgate.toml
    fail_above = 40
    level = "warning"                  # "error" (default), "warning" (a fail only warns) or "off"
    ignore = ["intro_*.mp4"]           # inputs (glob on the path or the file name) this check skips

    [tool.lipgate.qa]                  # settings of `lipgate qa` (names in lipgate.qa.settings.QA_THRESHOLDS)

Precedence, lowest first: the check's default (with its source), the profile, the file.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lipgate.errors import UsageError
from lipgate.profiles import Profile, get_profile

@dataclass(frozen=True)
class KnownSettings:
    """The names a configuration may set, given by the layers that own them (``lipgate.api``
    gathers the checks' thresholds and qa's settings), so this core module imports no layer."""

    checks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Check id -> its threshold names."""
    qa: tuple[str, ...] = ()


LEVELS = ("error", "warning", "off")
TOP_LEVEL_KEYS = ("profile", "checks", "qa")
CHECK_KEYS = ("level", "ignore")


@dataclass
class Config:
    checks: dict[str, dict] = field(default_factory=dict)
    qa: dict[str, float] = field(default_factory=dict)
    source: str = "defaults"
    profile: Profile | None = None

    def thresholds(self, check_id: str) -> dict[str, float]:
        """The profile's and the file's values for this check (the file wins)."""
        values = {name: limit.value for name, limit in self._profile_limits(check_id).items()}
        values.update({k: float(v) for k, v in self.checks.get(check_id, {}).items() if k not in CHECK_KEYS})
        return values

    def sources(self, check_id: str) -> dict[str, str]:
        """Threshold name -> where the value in force comes from, for overridden thresholds."""
        sources = {name: f"profile {self.profile.name}: {limit.source}" for name, limit in self._profile_limits(check_id).items()}
        sources.update({k: f"configuration {self.source}" for k in self.checks.get(check_id, {}) if k not in CHECK_KEYS})
        return sources

    def level(self, check_id: str) -> str:
        if "level" in self.checks.get(check_id, {}):
            return self.checks[check_id]["level"]
        if self.profile is not None and check_id in self.profile.levels:
            return self.profile.levels[check_id]
        return "error"

    def level_source(self, check_id: str) -> str:
        if "level" in self.checks.get(check_id, {}):
            return f"configuration {self.source}"
        if self.profile is not None and check_id in self.profile.levels:
            return f"profile {self.profile.name}"
        return "default"

    def ignored(self, check_id: str, input_path: str | None) -> str | None:
        """The matching ignore pattern when this check is to be skipped for this input, else None."""
        if not input_path:
            return None
        for pattern in self.checks.get(check_id, {}).get("ignore", []):
            if fnmatch.fnmatch(input_path, pattern) or fnmatch.fnmatch(Path(input_path).name, pattern):
                return pattern
        return None

    def _profile_limits(self, check_id: str) -> dict:
        return self.profile.checks.get(check_id, {}) if self.profile is not None else {}


def load_config(known: KnownSettings, path: str | Path | None = None, start: Path | None = None,
                profile: str | None = None) -> Config:
    """The --config file, else ``[tool.lipgate]`` of the nearest pyproject.toml upward, its names
    checked against ``known``; ``profile`` (from --profile) replaces the file's profile."""
    config = _load_file(known, path, start)
    if profile is not None:
        config.profile = get_profile(profile)
    return config


def _load_file(known: KnownSettings, path: str | Path | None, start: Path | None) -> Config:
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"{path}: configuration file not found")
        table = _read_toml(path)
        if path.name == "pyproject.toml":
            return _validated(known, table.get("tool", {}).get("lipgate", {}), f"{path} [tool.lipgate]")
        return _validated(known, table, str(path))
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _read_toml(candidate).get("tool", {}).get("lipgate")
            if table is not None:
                return _validated(known, table, f"{candidate} [tool.lipgate]")
            break
    return Config()


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None


def _validated(known: KnownSettings, table: dict, source: str) -> Config:
    for key in table:
        if key not in TOP_LEVEL_KEYS:
            raise UsageError(f"{source}: unknown key '{key}'")
    profile = None
    if "profile" in table:
        if not isinstance(table["profile"], str):
            raise UsageError(f"{source}: profile must be a name")
        profile = get_profile(table["profile"])
    checks = table.get("checks", {})
    if not isinstance(checks, dict):
        raise UsageError(f"{source}: checks must be a table")
    for check_id, settings in checks.items():
        if check_id not in known.checks:
            raise UsageError(f"{source}: unknown key 'checks.{check_id}' (no such check)")
        if not isinstance(settings, dict):
            raise UsageError(f"{source}: checks.{check_id} must be a table")
        for key, value in settings.items():
            if key == "level":
                if value not in LEVELS:
                    raise UsageError(f"{source}: checks.{check_id}.level must be one of {', '.join(LEVELS)}")
            elif key == "ignore":
                if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                    raise UsageError(f"{source}: checks.{check_id}.ignore must be a list of file patterns")
            elif key not in known.checks[check_id]:
                raise UsageError(f"{source}: unknown key 'checks.{check_id}.{key}'")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UsageError(f"{source}: checks.{check_id}.{key} must be a number")
    qa_settings = table.get("qa", {})
    if qa_settings:
        for key, value in qa_settings.items():
            if key not in known.qa:
                raise UsageError(f"{source}: unknown key 'qa.{key}'")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UsageError(f"{source}: qa.{key} must be a number")
    return Config(checks=checks, qa=qa_settings, source=source, profile=profile)
