"""audio_loudness: integrated loudness of the audio under test (LUFS, EBU R128)."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_audio_reason
from lipgate.preflight.checks.base import Check, Threshold


class AudioLoudness(Check):
    id = "audio_loudness"
    unit = "LUFS"
    title = "Loudness"
    thresholds = {
        "target": Threshold(-23.0, "LUFS", "EBU R128: programme loudness -23 LUFS"),
        "tolerance": Threshold(10.0, "LU", "lipgate: 10 LU either side still holds streaming targets (-14 to -16 LUFS, AES TD1004) and quiet but usable speech; further off, the speech is too faint or pushed into limiting"),
    }

    def judge(self, measured, limits):
        reason = no_audio_reason(measured)
        if reason:
            return self.skip(reason)
        lufs = measured.get("audio_loudness_lufs")
        if lufs is None:
            return self.skip("too short or silent to measure loudness (EBU R128 needs 0.4 s of sound)")
        details = {"target_lufs": limits["target"], "tolerance_lu": limits["tolerance"]}
        off = lufs - limits["target"]
        if abs(off) > limits["tolerance"]:
            direction = "quiet" if off < 0 else "loud"
            return self.result("warn", lufs, f"speech at {lufs:.1f} LUFS is {abs(off):.0f} LU too {direction} (target {limits['target']:.0f} LUFS)",
                               limits, "target", details=details,
                               fix=f"normalise the speech to about {limits['target']:.0f} LUFS (e.g. ffmpeg -af loudnorm=I={limits['target']:.0f})")
        return self.result("pass", lufs, f"loudness {lufs:.1f} LUFS, within {limits['tolerance']:.0f} LU of {limits['target']:.0f}",
                           limits, "target", details=details)
