"""lipsync_applied: the share of the speech during which the render's mouth is not the source's."""

from __future__ import annotations

import numpy as np

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.qa.checks.common import frame_period_s, frame_times, matched
from lipgate.timeline import segments_where

CHANGE_OVER_UPPER = 2.0
"""The lower face differs from the source's when its change is more than twice the upper face's
(the same-sized crop just above it, where no speech moves anything) ..."""
CHANGE_FLOOR = 1.0
"""... plus one grey level (mean absolute difference of 48 px crops, each with its mean removed):
the not re-synced renders (fixture and corpus builds) read 0.00 of the speech as changed."""


def mouth_differs(lower_change: np.ndarray, upper_change: np.ndarray) -> np.ndarray:
    return np.asarray(lower_change) > CHANGE_OVER_UPPER * np.asarray(upper_change) + CHANGE_FLOOR


class LipsyncApplied(Check):
    id = "lipsync_applied"
    unit = "ratio"
    title = "The mouth was re-synced"
    thresholds = {
        "min_share": Threshold(0.3, "ratio", "measurement (bench/qa_source_margins.py, 2026-12-06, docs/benchmarks.md): "
                               "a render whose mouth was not touched reads 0.00 on the fixture and 7 corpus builds; "
                               "re-synced renders 0.65-1.00 (corpus builds, spoiled elsewhere or not), 0.96 on the fixture"),
    }

    def judge(self, measured, limits):
        lower = np.asarray(measured.series.get("lower_change", np.zeros(0)), float)
        upper = np.asarray(measured.series.get("upper_change", np.zeros(0)), float)
        speaking = np.asarray(measured.series.get("target_speaking", np.zeros(0)), bool)
        judged = matched(measured) & np.isfinite(lower) & np.isfinite(upper)
        if not np.isfinite(lower).any():
            return self.skip("no face found in the source: the mouth region is unknown")
        if not (judged & speaking).any():
            return self.skip("no speech over render frames that match the source: nothing to re-sync")
        differs = mouth_differs(lower, upper)
        share = float(differs[judged & speaking].mean())
        details = {"speech_frames": int((judged & speaking).sum()), "median_lower_change": float(np.median(lower[judged])),
                   "median_upper_change": float(np.median(upper[judged]))}
        if share >= limits["min_share"]:
            return self.result("pass", share, f"the mouth differs from the source's during {share:.0%} of the speech",
                               limits, "min_share", details=details)
        still = judged & speaking & ~differs
        segments = segments_where(frame_times(measured), still, frame_period_s(measured), min_duration_s=0.2, merge_gap_s=0.2)
        return self.result("fail", share, f"the mouth is the source's during {1 - share:.0%} of the speech: nothing was re-synced",
                           limits, "min_share", details=details, segments=segments,
                           fix="render again (the job may have been billed without running the lip-sync); check that the "
                               "request named the uploaded audio")
