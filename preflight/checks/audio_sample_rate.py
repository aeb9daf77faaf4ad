"""audio_sample_rate: the audio's sample rate (Hz)."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_audio_reason
from lipgate.preflight.checks.base import Check, Threshold


class AudioSampleRate(Check):
    id = "audio_sample_rate"
    unit = "Hz"
    title = "Sample rate"
    thresholds = {
        "warn_below": Threshold(16000.0, "Hz", "ITU-T G.722 wideband speech: 16 kHz sampling keeps the 4-7 kHz band of fricatives that 8 kHz telephone audio loses"),
    }

    def judge(self, measured, limits):
        reason = no_audio_reason(measured)
        if reason:
            return self.skip(reason)
        rate = measured.get("audio_sample_rate")
        if rate < limits["warn_below"]:
            return self.result("warn", rate, f"{rate / 1000:g} kHz sampling: narrowband audio (telephone quality)", limits, "warn_below",
                               fix="use the original recording at 44.1 or 48 kHz; resampling up does not restore the lost band")
        return self.result("pass", rate, f"{rate / 1000:g} kHz sampling", limits, "warn_below")
