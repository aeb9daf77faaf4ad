"""duration_mismatch: audio stream duration minus picture stream duration (seconds), and the fix."""

from __future__ import annotations

from lipgate.fit import MAX_STRETCH_PERCENT
from lipgate.preflight.checks.base import Check, Threshold


def suggest_fix(audio_s: float, video_s: float) -> tuple[str, dict]:
    """The fix for a mismatch: stretch the audio when within 10%, else trim or pad."""
    stretch_percent = (video_s / audio_s - 1.0) * 100.0
    if abs(stretch_percent) <= MAX_STRETCH_PERCENT:
        verb = "lengthen" if stretch_percent > 0 else "shorten"
        return (f"stretch the audio by {stretch_percent:+.1f}% ({verb} it, pitch kept): lipgate fit VIDEO --audio AUDIO --mode stretch -o OUT",
                {"mode": "stretch", "stretch_percent": stretch_percent})
    if audio_s > video_s:
        return ("trim the audio to the picture's length, or pad the picture (hold its last frame): lipgate fit VIDEO --audio AUDIO --mode trim|pad -o OUT",
                {"mode": "trim", "stretch_percent": stretch_percent})
    return ("trim the picture to the audio's length, or pad the audio with silence: lipgate fit VIDEO --audio AUDIO --mode trim|pad -o OUT",
            {"mode": "trim", "stretch_percent": stretch_percent})


class DurationMismatch(Check):
    id = "duration_mismatch"
    unit = "s"
    title = "Audio vs picture duration"
    thresholds = {
        "pass_within_frames": Threshold(2.0, "frames", "lipgate: up to two frame periods is below what a render shows"),
        "fail_beyond": Threshold(0.5, "s", "lipgate: past half a second the render visibly freezes the picture or cuts the speech"),
    }

    def judge(self, measured, limits):
        kind = measured.get("kind")
        if kind == "image":
            return self.skip("a still has no duration: the render takes the audio's length")
        audio_s, video_s = measured.get("audio_duration_s"), measured.get("video_duration_s")
        if audio_s is None:
            return self.skip("no audio to compare with the picture (give --audio or use a video with sound)")
        if video_s is None:
            return self.skip("the picture stream declares no duration")
        fps = measured.get("fps") or 25.0
        difference = audio_s - video_s
        frames = difference * fps
        details = {"audio_duration_s": audio_s, "video_duration_s": video_s, "frames": frames}
        if abs(frames) <= limits["pass_within_frames"]:
            return self.result("pass", difference, f"audio and picture lengths agree within {abs(frames):.1f} frames",
                               limits, "fail_beyond", details=details)
        fix, fit = suggest_fix(audio_s, video_s)
        details.update(fit)
        longer = "audio" if difference > 0 else "picture"
        message = f"the {longer} is {abs(difference):.2f} s ({abs(frames):.0f} frames) longer ({audio_s:.2f} s audio, {video_s:.2f} s picture)"
        status = "fail" if abs(difference) > limits["fail_beyond"] else "warn"
        return self.result(status, difference, message, limits, "fail_beyond", details=details, fix=fix)
