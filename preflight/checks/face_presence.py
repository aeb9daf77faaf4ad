"""face_presence: the share of analysed frames with a face, and the ranges without one."""

from __future__ import annotations

import numpy as np

from lipgate.timeline import median_period_s, segments_where
from lipgate.preflight.checks.base import Check, Threshold, regular_face_samples


class FacePresence(Check):
    id = "face_presence"
    unit = "ratio"
    title = "Face in every frame"
    thresholds = {
        "fail_gap_s": Threshold(0.5, "s", "lipgate: a lip-sync model renders nothing where it finds no face; a gap past half a second is a visible break"),
        "warn_gap_s": Threshold(0.2, "s", "lipgate: shorter misses are usually a detector blink, worth a look but not a failure"),
    }

    def judge(self, measured, limits):
        t, found = measured.series.get("face_t", np.array([])), measured.series.get("face_found", np.array([]))
        if found.size == 0:
            return self.skip("no frames could be analysed")
        present = found > 0
        grid = regular_face_samples(measured)
        share = float(present[grid].mean())
        if measured.get("kind") == "image":
            if present[0]:
                return self.result("pass", 1.0, "a face is found in the still", limits, "fail_gap_s", comparable=False)
            return self.result("fail", 0.0, "no face found in the still", limits, "fail_gap_s", comparable=False,
                               fix="use a picture where one face is clearly visible, frontal and well lit")
        period = median_period_s(t[grid])
        gaps = segments_where(t, ~present, period, min_duration_s=limits["warn_gap_s"])
        longest = max((g.end - g.start for g in gaps), default=0.0)
        details = {"longest_gap_s": longest, "analysed_frames": int(found.size)}
        if share == 0.0:
            return self.result("fail", 0.0, "no face found in any frame", limits, "fail_gap_s", comparable=False, details=details,
                               segments=gaps, fix="use footage where one face is clearly visible")
        if longest > limits["fail_gap_s"]:
            return self.result("fail", share, f"the face is lost for {longest:.1f} s (in {len(gaps)} range(s))", limits, "fail_gap_s", comparable=False,
                               details=details, segments=gaps, fix="cut the ranges without a face, or choose footage where the face stays in view")
        if gaps:
            return self.result("warn", share, f"the face is briefly lost ({len(gaps)} range(s), longest {longest:.2f} s)", limits, "fail_gap_s", comparable=False,
                               details=details, segments=gaps, fix="check those moments: a hand, a turn or motion blur hides the face")
        return self.result("pass", share, f"a face is found in {share:.0%} of analysed frames", limits, "fail_gap_s", comparable=False, details=details)
