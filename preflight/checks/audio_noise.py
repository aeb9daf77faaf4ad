"""audio_noise: blind speech-to-noise ratio of the audio under test (dB)."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_speech_reason
from lipgate.preflight.checks.base import Check, Threshold

FIX = "record closer to the microphone in a quieter room, or denoise the speech (e.g. a speech-enhancement tool) before upload"


class AudioNoise(Check):
    id = "audio_noise"
    unit = "dB"
    title = "Speech-to-noise ratio"
    thresholds = {
        "fail_below": Threshold(15.0, "dB", "Aurora-2 (Hirsch & Pearce, ISCA ASR2000): speech recognition accuracy falls steeply under 15 dB SNR; phoneme timing, which lip-sync follows, degrades with it"),
        "warn_below": Threshold(25.0, "dB", "lipgate: 10 dB of margin over the floor; the service asks for clean speech with little background noise"),
    }

    def judge(self, measured, limits):
        reason = no_speech_reason(measured)
        if reason:
            return self.skip(reason)
        snr = measured.get("audio_snr_db")
        details = {"method": measured.get("audio_snr_method"),
                   "definition": "mean speech power over active-speech frames / mean noise power"}
        if snr is None:
            return self.skip("the noise could not be measured", details=details)
        if snr < limits["fail_below"]:
            return self.result("fail", snr, f"speech is only {snr:.0f} dB over the noise (floor {limits['fail_below']:.0f} dB)",
                               limits, "fail_below", details=details, fix=FIX)
        if snr < limits["warn_below"]:
            return self.result("warn", snr, f"speech is {snr:.0f} dB over the noise: audible background noise",
                               limits, "fail_below", details=details, fix=FIX)
        if details["method"].startswith("digital silence"):
            return self.result("pass", snr, f"the pauses are digitally silent: speech is at least {snr:.0f} dB over any noise",
                               limits, "fail_below", details=details)
        return self.result("pass", snr, f"speech is {snr:.0f} dB over the noise", limits, "fail_below", details=details)
