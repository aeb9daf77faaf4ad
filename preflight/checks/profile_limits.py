"""Limits that only a service profile asks for (upload size, clip length, frame size, frame rate).

Their thresholds default to ``None`` ("no limit"): without a ``--profile`` (or a configured value)
these checks say ``skip``. The profiles in ``lipgate.profiles`` set them, each with its source.
"""

from __future__ import annotations

from lipgate.preflight.checks.base import Check, Threshold

NOT_ASKED = "no limit set (a --profile or the configuration sets one)"


def _asked(limits: dict, *names: str) -> bool:
    return any(limits.get(name) is not None for name in names)


class UploadSize(Check):
    id = "upload_size"
    unit = "MB"
    title = "Upload file size"
    thresholds = {
        "fail_above": Threshold(None, "MB", "no default: a service's upload limit, set by its profile"),
    }

    def judge(self, measured, limits):
        if not _asked(limits, "fail_above"):
            return self.skip(NOT_ASKED)
        size_bytes = measured.get("source_file_bytes")
        if size_bytes is None:
            return self.skip("the file size was not measured")
        size_mb = size_bytes / 1e6
        details = {"bytes": size_bytes}
        if size_mb > limits["fail_above"]:
            return self.result("fail", size_mb, f"the file is {size_mb:.1f} MB, over the {limits['fail_above']:g} MB upload limit",
                               limits, "fail_above", details=details,
                               fix="re-encode at a lower bitrate or trim the clip before upload")
        return self.result("pass", size_mb, f"the file is {size_mb:.1f} MB, within {limits['fail_above']:g} MB", limits, "fail_above", details=details)


class ClipDuration(Check):
    id = "clip_duration"
    unit = "s"
    title = "Clip length"
    thresholds = {
        "fail_below": Threshold(None, "s", "no default: a service's shortest accepted clip, set by its profile"),
        "fail_above": Threshold(None, "s", "no default: a service's longest accepted clip, set by its profile"),
    }

    def judge(self, measured, limits):
        if not _asked(limits, "fail_below", "fail_above"):
            return self.skip(NOT_ASKED)
        if measured.get("kind") == "image":
            return self.skip("a still has no duration: the render takes the audio's length")
        duration_s = measured.get("video_duration_s")
        if duration_s is None:
            return self.skip("the picture stream declares no duration")
        low, high = limits.get("fail_below"), limits.get("fail_above")
        name = "fail_above" if high is not None else "fail_below"
        if low is not None and duration_s < low:
            return self.result("fail", duration_s, f"the clip lasts {duration_s:.2f} s, shorter than the {low:g} s minimum",
                               limits, "fail_below", fix="use a longer take (or loop the picture) to reach the minimum")
        if high is not None and duration_s > high:
            return self.result("fail", duration_s, f"the clip lasts {duration_s:.2f} s, longer than the {high:g} s maximum",
                               limits, "fail_above", fix="split the clip, or cut it with lipgate trim")
        return self.result("pass", duration_s, f"the clip lasts {duration_s:.2f} s, within the accepted length", limits, name)


class VideoResolution(Check):
    id = "video_resolution"
    unit = "px"
    title = "Frame size"
    thresholds = {
        "fail_below": Threshold(None, "px", "no default: a service's smallest accepted shorter side, set by its profile"),
        "fail_above": Threshold(None, "px", "no default: a service's largest accepted longer side, set by its profile"),
    }

    def judge(self, measured, limits):
        if not _asked(limits, "fail_below", "fail_above"):
            return self.skip(NOT_ASKED)
        if measured.get("kind") == "image":
            width, height = measured.get("image_width"), measured.get("image_height")
        else:
            width, height = measured.get("video_width"), measured.get("video_height")
        if not width or not height:
            return self.skip("the frame size was not measured")
        shorter, longer = float(min(width, height)), float(max(width, height))
        details = {"width": width, "height": height, "longer_side_px": longer}
        low, high = limits.get("fail_below"), limits.get("fail_above")
        if low is not None and shorter < low:
            return self.result("fail", shorter, f"frames are {width}x{height} px; the shorter side is under {low:g} px",
                               limits, "fail_below", details=details, fix="use a larger original; upscaling does not add mouth detail")
        if high is not None and longer > high:
            return self.result("fail", shorter, f"frames are {width}x{height} px; the longer side is over {high:g} px",
                               limits, "fail_above", comparable=False, details=details, fix=f"downscale to at most {high:g} px on the longer side")
        name = "fail_below" if low is not None else "fail_above"
        return self.result("pass", shorter, f"frames are {width}x{height} px, within the accepted size", limits, name,
                           comparable=name == "fail_below", details=details)


class FrameRate(Check):
    id = "frame_rate"
    unit = "fps"
    title = "Frame rate"
    thresholds = {
        "expected_fps": Threshold(None, "fps", "no default: the frame rate a model was trained on, set by its profile"),
        "tolerance_fps": Threshold(0.5, "fps", "lipgate: 23.976 vs 24 or 29.97 vs 30 are the same rate for a lip-sync model"),
    }

    def judge(self, measured, limits):
        if not _asked(limits, "expected_fps"):
            return self.skip(NOT_ASKED)
        if measured.get("kind") == "image":
            return self.skip("a still has no frame rate")
        fps = measured.get("fps")
        if not fps:
            return self.skip("the frame rate was not measured")
        expected = limits["expected_fps"]
        if abs(fps - expected) > limits["tolerance_fps"]:
            return self.result("warn", fps, f"{fps:.3g} fps, the model works at {expected:g} fps and will resample the picture",
                               limits, "expected_fps", fix=f"convert to {expected:g} fps yourself (ffmpeg -r {expected:g}) to control how frames are dropped or doubled")
        return self.result("pass", fps, f"{fps:.3g} fps, the model's own rate", limits, "expected_fps")
