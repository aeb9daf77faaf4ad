"""mouth_sharpness: the lower face's high-frequency level over the source's (1 = as sharp)."""

from __future__ import annotations

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.qa.checks.common import level_ratio


class MouthSharpness(Check):
    id = "mouth_sharpness"
    unit = "ratio"
    title = "The new mouth as sharp as the source's"
    thresholds = {
        "min_ratio": Threshold(0.7, "ratio", "measurement (bench/qa_source_margins.py, 2026-12-06, docs/benchmarks.md): "
                               "re-synced renders read 0.94-0.99 on 7 corpus builds, 1.00 on the fixture; the lower face "
                               "blurred by a Gaussian of sigma 2.5 px reads 0.27-0.54 (0.31 on the fixture), of sigma "
                               "1 px 0.48-0.82"),
    }

    def judge(self, measured, limits):
        ratio, render_level, source_level = level_ratio(measured, "render_sharpness", "source_sharpness")
        if source_level is None:
            return self.skip("no face found in the source over frames the render matches: the mouth region is unknown")
        if ratio is None:
            return self.skip("the source's lower face has no detail to compare with")
        details = {"render_level": render_level, "source_level": source_level}
        message = f"the lower face has {ratio:.2f} of the source's high-frequency level"
        if ratio >= limits["min_ratio"]:
            return self.result("pass", ratio, message, limits, "min_ratio", details=details)
        return self.result("fail", ratio, message + ": a soft or pasted mouth", limits, "min_ratio", details=details,
                           fix="render again at the highest quality the service offers, with a sharp, well-lit source")
