"""audio_clipping: true peak (dBTP) and samples stuck at full scale."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_audio_reason
from lipgate.preflight.checks.base import Check, Threshold

FIX = "re-export with the level lowered (peaks under -1 dBTP); if the recording itself clipped, re-record with less gain"


class AudioClipping(Check):
    id = "audio_clipping"
    unit = "dBTP"
    title = "Clipping and true peak"
    thresholds = {
        "true_peak_above": Threshold(0.0, "dBTP", "ITU-R BS.1770-4 true peak (4x oversampled): over 0 dBTP the sound clips in any decoder or converter (EBU R128 asks for at most -1 dBTP)"),
        "clipped_percent_above": Threshold(0.01, "%", "lipgate: runs of 3+ samples at full scale over 0.01% of the samples (one clipped word in a minute) are audible distortion"),
    }

    def judge(self, measured, limits):
        reason = no_audio_reason(measured)
        if reason:
            return self.skip(reason)
        true_peak = measured.get("audio_true_peak_dbfs")
        clipped_percent = 100.0 * (measured.get("audio_clipped_ratio") or 0.0)
        details = {"sample_peak_dbfs": measured.get("audio_sample_peak_dbfs"), "clipped_percent": clipped_percent,
                   "clipped_percent_above": limits["clipped_percent_above"]}
        if clipped_percent > limits["clipped_percent_above"]:
            return self.result("warn", true_peak, f"{clipped_percent:.2f}% of the samples are flattened at full scale: the sound clipped",
                               limits, "true_peak_above", details=details, fix=FIX)
        if true_peak > limits["true_peak_above"]:
            return self.result("warn", true_peak, f"true peak {true_peak:+.1f} dBTP: over full scale between samples",
                               limits, "true_peak_above", details=details, fix=FIX)
        return self.result("pass", true_peak, f"true peak {true_peak:.1f} dBTP, no clipping", limits, "true_peak_above", details=details)
