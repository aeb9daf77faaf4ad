"""The QA report model: whole-clip sync and the stressed-syllable close-ups, as the contract's
``lipgate/qa/v1`` JSON. Formats (text, json, and later html/junit) are views of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lipgate.results import TOOL, CheckResult


def _round(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


@dataclass
class QaSegment:
    """A judged stretch of the render (times in s on the input's timeline): a stressed syllable in a
    close-up, a frozen mouth or a local slip (``kind``)."""

    start: float
    end: float
    offset_ms: float | None
    """Local offset (ms, positive = sound early); None where unmeasured."""
    confidence: float
    closeup: bool
    stressed: bool
    rerender: bool
    reason: str
    severity: float = 0.0
    """How far past tolerance (ms; frozen mouth counts as the window length): orders the text view."""
    kind: str = "syllable"
    """'syllable' (a stressed syllable), 'frozen' (the mouth still while the voice speaks) or
    'slip' (a sustained local slip of the picture against the sound)."""
    face_box: tuple[float, float, float, float] | None = None
    """The judged face (the one that speaks): median x0, y0, x1, y1 over the segment, in pixels of the render."""

    def to_dict(self) -> dict:
        data = {
            "start": round(self.start, 3), "end": round(self.end, 3), "kind": self.kind,
            "offset_ms": _round(self.offset_ms), "confidence": _round(self.confidence, 2),
            "closeup": self.closeup, "stressed": self.stressed, "rerender": self.rerender, "reason": self.reason,
        }
        if self.face_box is not None:
            data["face_box"] = [int(round(v)) for v in self.face_box]
        return data


@dataclass
class SyncResult:
    offset_ms: float | None
    """Whole-clip offset (ms, positive = sound early) from the learned zero of in-sync speech."""
    confidence: float
    """The sync model's peak score against chance (lipgate.qa.syncmodel.confidence_of): about
    0.8 and below is what a sound that is not the face's speech reads; docs/qa-sync.md has the
    calibration table (for each band, how often the reading is within one frame)."""
    fps: float
    status: str
    """'pass', 'fail' (past tolerance), 'unsure' (uncertain: reported, not judged) or
    'skip' (could not be measured: no face, no speech, static face)."""
    message: str
    tolerance_ms: tuple[float, float] = (45.0, -125.0)
    uncertain: bool = False
    """True when the reading is not reliable enough to judge (calibrated on held-out speakers)."""
    interval_ms: tuple[float, float] | None = None
    """The range (ms) that holds the true offset with 90% probability on speakers the model never saw."""

    def to_dict(self) -> dict:
        result = {"offset_ms": _round(self.offset_ms), "confidence": _round(self.confidence, 2),
                  "fps": _round(self.fps, 3), "uncertain": bool(self.uncertain or self.status in ("unsure", "skip")),
                  "interval_ms": None if self.interval_ms is None else [_round(v) for v in self.interval_ms]}
        if self.status in ("unsure", "skip"):
            result["note"] = self.message
        return result


@dataclass
class QaReport:
    input: str
    sync: SyncResult
    segments: list[QaSegment] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    """Measured series for plots (local offsets over time, mouth motion...); not in the JSON contract."""
    source: dict[str, str | None] | None = None
    """With ``--source``: the contract's ``{"video"|"image": path, "audio": path|None}``, else None."""
    checks: list[CheckResult] = field(default_factory=list)
    """With ``--source``: what the service did (``lipgate.qa.checks``), results shaped like check's."""
    face_box: tuple[float, float, float, float] | None = None
    """The face judged while the voice speaks (median x0, y0, x1, y1 in the render's pixels), given as
    ``sync.face_box`` when several faces were tracked: which of them the report is about."""

    schema = "lipgate/qa/v1"

    @property
    def rerenders(self) -> list[QaSegment]:
        """Segments to re-render, worst first."""
        return sorted((s for s in self.segments if s.rerender), key=lambda s: (-s.severity, s.start))

    @property
    def verdict(self) -> str:
        """'fail' when a segment needs a re-render or the clip is past tolerance; 'skip' when
        sync could not be measured at all (exit 2, could not judge: the commands then print one
        line instead of a report, see ``lipgate.qa.runner.judge_input``); else 'pass'."""
        if self.sync.status == "fail" or self.rerenders or any(check.status == "fail" for check in self.checks):
            return "fail"
        if self.sync.status == "skip":
            return "skip"
        return "pass"

    @property
    def unjudged_reason(self) -> str | None:
        """Why sync could not be judged (exit 2), else None."""
        return self.sync.message if self.verdict == "skip" else None

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "fail": 1, "skip": 2}[self.verdict]

    def to_dict(self) -> dict:
        sync = self.sync.to_dict()
        if self.face_box is not None:
            sync["face_box"] = [int(round(v)) for v in self.face_box]
        return {
            "schema": self.schema,
            "tool": dict(TOOL),
            "input": self.input,
            "verdict": self.verdict,
            "sync": sync,
            "segments": [segment.to_dict() for segment in self.segments],
            **({"source": dict(self.source), "checks": [check.to_dict() for check in self.checks]}
               if self.source is not None else {}),
        }
