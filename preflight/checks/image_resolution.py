"""image_resolution: the still's shorter side in pixels."""

from __future__ import annotations

from lipgate.preflight.checks.base import Check, Threshold


class ImageResolution(Check):
    id = "image_resolution"
    unit = "px"
    title = "Still image resolution"
    thresholds = {
        "fail_below": Threshold(512.0, "px", "the lip-sync service's stated minimum for stills (512 px)"),
    }

    def judge(self, measured, limits):
        if measured.get("kind") != "image":
            return self.skip("applies to still images; this input is a video")
        width, height = measured.get("image_width"), measured.get("image_height")
        shorter = float(min(width, height))
        details = {"width": width, "height": height}
        if shorter < limits["fail_below"]:
            return self.result("fail", shorter, f"still is {width}x{height} px; its shorter side is under {limits['fail_below']:.0f} px",
                               limits, "fail_below", details=details,
                               fix="use a larger original (upscaling does not add the detail the mouth needs)")
        return self.result("pass", shorter, f"still is {width}x{height} px", limits, "fail_below", details=details)
