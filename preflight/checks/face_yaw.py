"""face_yaw: how far the head turns away from the camera (degrees)."""

from __future__ import annotations

import numpy as np

from lipgate.timeline import median_period_s, segments_where
from lipgate.preflight.checks.base import Check, Threshold, regular_face_samples


class FaceYaw(Check):
    id = "face_yaw"
    unit = "deg"
    title = "Head turn (yaw)"
    thresholds = {
        "fail_above": Threshold(45.0, "deg", "the lip-sync service's stated limit: faces turned more than 45 degrees do not render well"),
        "warn_above": Threshold(35.0, "deg", "lipgate: 10 degrees of margin under the service's limit: from 30 to 45 degrees the "
                                                "measured yaw of the corpus faces' renders reads up to 6.3 (video) to 8.3 degrees "
                                                "(still) off, most often low (bench/yaw_accuracy.py, 2026-11-25)"),
    }

    def judge(self, measured, limits):
        t, yaw = measured.series.get("face_t", np.array([])), measured.series.get("yaw_deg", np.array([]))
        grid = regular_face_samples(measured)
        has_face = np.isfinite(yaw)
        if not has_face.any():
            return self.skip("no face found, so no head turn to measure")
        sampled = has_face & grid if (has_face & grid).any() else has_face
        absolute = np.abs(yaw[sampled])
        if measured.get("kind") == "image":
            value, signed = float(absolute[0]), float(yaw[sampled][0])
        else:
            value = float(np.percentile(absolute, 95))
            signed = float(yaw[sampled][np.argmin(np.abs(absolute - value))])
        over = np.abs(np.nan_to_num(yaw)) > limits["fail_above"]
        details = {
            "yaw_deg": signed,
            "max_abs_deg": float(np.abs(yaw[has_face]).max()),
            "over_limit_ratio": float(over[sampled].mean()),
        }
        segments = segments_where(t, over, median_period_s(t[grid])) if measured.get("kind") == "video" else []
        where = "the still" if measured.get("kind") == "image" else "95% of face frames"
        if value > limits["fail_above"]:
            return self.result("fail", value, f"head turned {value:.0f} deg in {where}, past the {limits['fail_above']:.0f} deg limit",
                               limits, "fail_above", details=details, segments=segments,
                               fix="use a shot where the speaker faces the camera, or cut the turned parts")
        if value > limits["warn_above"]:
            return self.result("warn", value, f"head turned {value:.0f} deg in {where}, close to the {limits['fail_above']:.0f} deg limit "
                               "(strong turns read up to 8 deg low)",
                               limits, "fail_above", details=details, segments=segments,
                               fix="a more frontal shot renders more reliably")
        return self.result("pass", value, f"head turn {value:.0f} deg in {where}, within {limits['fail_above']:.0f} deg",
                           limits, "fail_above", details=details, segments=segments)
