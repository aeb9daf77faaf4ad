"""duration_kept: the render's picture against the target speech's duration (s)."""

from __future__ import annotations

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.results import Segment


class DurationKept(Check):
    id = "duration_kept"
    unit = "s"
    title = "Render as long as the target speech"
    thresholds = {
        "max_frames": Threshold(2.0, "frames", "the contract (CONTRACT.md, qa --source): past 2 frames; a render "
                                "encoded frame by frame may end up to a frame either side of the speech's end"),
    }

    def judge(self, measured, limits):
        if not measured.get("target_given"):
            return self.skip("no target speech given (--audio): nothing to compare the render's duration with")
        render_s, target_s = measured.get("render_duration_s"), measured.get("target_duration_s")
        difference = render_s - target_s
        period = 1.0 / measured.get("render_fps")
        limit_s = limits["max_frames"] * period
        details = {"render_duration_s": render_s, "target_duration_s": target_s, "limit_s": limit_s,
                   "frames": difference / period}
        shown = f"the render's picture lasts {render_s:.2f} s, the target speech {target_s:.2f} s ({difference:+.3f} s, {difference / period:+.1f} frames)"
        if abs(difference) <= limit_s + 1e-6:
            return self.result("pass", difference, shown, limits, "max_frames", comparable=False, details=details)
        if difference < 0:
            segment, fix = Segment(render_s, target_s), "render again: the service stopped before the speech ends (check the upload's duration and the plan's length limit)"
        else:
            segment, fix = Segment(target_s, render_s), "trim the render's end to the speech, or render again with a source as long as the speech"
        return self.result("fail", difference, shown + f": past {limits['max_frames']:g} frames", limits, "max_frames",
                           comparable=False, details=details, segments=[segment], fix=fix)
