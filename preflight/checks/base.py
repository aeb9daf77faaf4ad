"""What every check is: an id, declared thresholds with their sources, and a judge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lipgate.measurements import Measurements
from lipgate.results import CheckResult


def regular_face_samples(measured: Measurements) -> np.ndarray:
    """Mask of the face series' rows on the regular analysis grid (not ``face_refined``): the
    statistics of the face checks are taken there, so the frames analysed around a change do
    not weigh more; their time ranges use every row."""
    t = measured.series.get("face_t", np.array([]))
    return measured.series.get("face_refined", np.zeros(len(t))) == 0


@dataclass(frozen=True)
class Threshold:
    value: float | None
    """None: no limit unless a profile or the configuration sets one."""
    unit: str
    source: str
    doc: str = ""


class Limits(dict):
    """Threshold name -> value in force, with ``sources``: name -> where an overridden value comes from."""

    def __init__(self, values: dict, sources: dict[str, str] | None = None):
        super().__init__(values)
        self.sources = dict(sources or {})


class Check:
    """A check judges measurements against its thresholds; it never decodes media itself."""

    id: str = ""
    unit: str = "-"
    title: str = ""
    thresholds: dict[str, Threshold] = {}

    def limits(self, overrides: dict[str, float] | None = None, sources: dict[str, str] | None = None) -> Limits:
        """Default thresholds with the overrides (profile, configuration) applied; ``sources`` says
        where each overridden value comes from."""
        values = {name: threshold.value for name, threshold in self.thresholds.items()}
        values.update(overrides or {})
        return Limits(values, sources)

    def judge(self, measured: Measurements, limits: dict[str, float]) -> CheckResult:
        raise NotImplementedError

    def result(self, status: str, value, message: str, limits: dict[str, float], threshold_name: str,
               comparable: bool = True, **extra) -> CheckResult:
        """A result for this check against the named (possibly overridden) threshold, with its source.

        ``comparable`` False when the threshold is not in the value's unit (the JSON then carries
        ``threshold: null`` and the limit goes into ``details``)."""
        if not comparable:
            extra.setdefault("details", {})[threshold_name] = limits[threshold_name]
        return CheckResult(
            id=self.id, status=status, value=value, threshold=limits[threshold_name] if comparable else None,
            unit=self.unit, message=message, **extra,
            source=getattr(limits, "sources", {}).get(threshold_name) or self.thresholds[threshold_name].source,
        )

    def skip(self, message: str, **extra) -> CheckResult:
        return CheckResult(id=self.id, status="skip", value=None, threshold=None, unit=self.unit, message=message, **extra)
