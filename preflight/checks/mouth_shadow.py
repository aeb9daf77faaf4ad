"""mouth_shadow: a shadow across the mouth (hat brim, hand, harsh top light) hides lip shapes."""

from __future__ import annotations

import numpy as np

from lipgate.timeline import median_period_s, segments_where
from lipgate.preflight.checks.base import Check, Threshold


class MouthShadow(Check):
    id = "mouth_shadow"
    unit = "ratio"
    title = "Light on the mouth"
    thresholds = {
        "warn_below": Threshold(0.45, "ratio", "lipgate calibration: on the corpus clips the philtrum and chin measure 0.59 to 1.39 of the forehead-and-cheek light (5th to 95th percentile); under 0.45 the mouth is in shadow"),
        "min_duration_s": Threshold(0.5, "s", "lipgate: shorter dips are head motion"),
    }

    def judge(self, measured, limits):
        face, mouth = measured.series.get("light_face", np.array([])), measured.series.get("light_perioral", np.array([]))
        t = measured.series.get("light_t", np.array([]))
        ok = np.isfinite(face) & np.isfinite(mouth) & (face > 1e-3)
        if not ok.any():
            return self.skip("no face found, so no light on the mouth to measure")
        ratio = np.full(face.shape, np.nan)
        ratio[ok] = mouth[ok] / face[ok]
        value = float(np.nanmedian(ratio))
        dark = np.nan_to_num(ratio, nan=1.0) < limits["warn_below"]
        if measured.get("kind") == "image":
            segments, flagged = [], value < limits["warn_below"]
        else:
            segments = segments_where(t, dark, median_period_s(t), min_duration_s=limits["min_duration_s"], merge_gap_s=0.2)
            flagged = bool(segments)
        details = {"min_ratio": float(np.nanmin(ratio))}
        if flagged:
            return self.result("warn", value, "a shadow falls across the mouth", limits, "warn_below", details=details,
                               segments=segments, fix="light the lower face (fill light), or pick a take without the shadow")
        return self.result("pass", value, "the mouth is as well lit as the rest of the face", limits, "warn_below", details=details)
