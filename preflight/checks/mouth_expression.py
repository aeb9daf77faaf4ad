"""mouth_expression: a still whose mouth is open (speaking, laughing) animates badly."""

from __future__ import annotations

import numpy as np

from lipgate.preflight.checks.base import Check, Threshold


class MouthExpression(Check):
    id = "mouth_expression"
    unit = "ratio"
    title = "Neutral mouth in the still"
    thresholds = {
        "warn_above": Threshold(0.15, "ratio", "lipgate measurement: inner-lip gap over mouth width; closed and relaxed mouths measure under 0.08, open or laughing ones over 0.2"),
    }

    def judge(self, measured, limits):
        if measured.get("kind") != "image":
            return self.skip("applies to stills; in a video the mouth is expected to move")
        ratio = measured.series.get("mouth_open_ratio", np.array([np.nan]))[0]
        if not np.isfinite(ratio):
            return self.skip("no face found, so no mouth to measure")
        if ratio > limits["warn_above"]:
            return self.result("warn", float(ratio), "the mouth is open in the still (speaking or laughing)", limits, "warn_above",
                               fix="use a picture with a closed, relaxed mouth: the render opens it in time with the speech")
        return self.result("pass", float(ratio), "the mouth is closed or nearly so", limits, "warn_above")
