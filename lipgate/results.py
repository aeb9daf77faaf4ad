"""The one result model: checks return ``CheckResult``; every report format is a view of it.

Measurement and judgement are separate: analyzers produce ``Measurements`` (series and values
measured from the media, cacheable), checks judge them against thresholds into results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lipgate import __version__

STATUSES = ("pass", "warn", "fail", "skip")
TOOL = {"name": "lipgate", "version": __version__}


@dataclass(frozen=True)
class Segment:
    """A time range in seconds on the input's timeline."""

    start: float
    end: float

    def to_dict(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass
class CheckResult:
    id: str
    status: str
    value: float | None
    threshold: float | None
    unit: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    fix: str | None = None
    """What to do about it, for people (None when nothing needs doing)."""
    source: str | None = None
    """Where the threshold comes from (a standard, the service's documentation, a measurement)."""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.value is not None and not math.isfinite(self.value):
            self.value = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "value": _round(self.value),
            "threshold": _round(self.threshold),
            "unit": self.unit,
            "message": self.message,
            "details": {key: _jsonable(val) for key, val in self.details.items()},
            "segments": [segment.to_dict() for segment in self.segments],
            "fix": self.fix,
            "source": self.source,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return _round(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def worst_verdict(statuses) -> str:
    """'fail' if any failed, else 'warn' if any warned, else 'pass' (skips do not count)."""
    statuses = set(statuses)
    if "fail" in statuses:
        return "fail"
    if "warn" in statuses:
        return "warn"
    return "pass"


@dataclass
class CheckReport:
    """The preflight report of one source (video or still) and its audio."""

    inputs: dict[str, str | None]
    checks: list[CheckResult]
    series: dict[str, Any] = field(default_factory=dict)
    """Measured time series for plots (t, yaw, light, ...); not part of the JSON contract."""

    schema = "lipgate/check/v1"

    @property
    def verdict(self) -> str:
        return worst_verdict(check.status for check in self.checks)

    @property
    def exit_code(self) -> int:
        return 1 if self.verdict == "fail" else 0

    def check(self, check_id: str) -> CheckResult:
        return next(c for c in self.checks if c.id == check_id)

    def to_dict(self) -> dict:
        return {
            "schema": self.schema,
            "tool": dict(TOOL),
            "inputs": dict(self.inputs),
            "verdict": self.verdict,
            "checks": [check.to_dict() for check in self.checks],
        }
