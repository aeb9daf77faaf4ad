"""audio_bitrate: the bitrate (kbps) and the effective bandwidth of the audio under test."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_audio_reason
from lipgate.preflight.checks.base import Check, Threshold

FIX = "re-export the speech from its original recording as WAV (or AAC at 128 kbps or more); re-encoding a low-bitrate file cannot restore what it lost"


def bandwidth_text(cutoff_hz: float | None) -> str:
    return "bandwidth not measured (no speech to measure it on)" if cutoff_hz is None else f"bandwidth {cutoff_hz / 1000:.1f} kHz"


class AudioBitrate(Check):
    id = "audio_bitrate"
    unit = "kbps"
    title = "Audio bitrate and bandwidth"
    thresholds = {
        "mp3_min_kbps": Threshold(96.0, "kbps", "LAME's bandwidth table: under 96 kbps MP3 is low-passed under 15 kHz (11 kHz at 64, 7.5 kHz at 48); the service: low-bitrate MP3 causes timing drift"),
        "aac_min_kbps": Threshold(64.0, "kbps", "measured (docs/benchmarks.md, bench.calibrate_audio): ffmpeg's AAC encoder keeps 12.7 kHz of speech at 64 kbps, 8 kHz at 48 kbps; the service prefers WAV or high-bitrate AAC"),
        "lossy_min_kbps": Threshold(64.0, "kbps", "other lossy codecs (Opus, Vorbis, AC-3...): as AAC"),
        "fail_cutoff_below_hz": Threshold(12000.0, "Hz", "measured (docs/benchmarks.md, bench.calibrate_audio): on real stereo speech MP3 leaves 8 kHz at 48 kbps, 11.6 kHz at 64 and 15.3-15.7 kHz at 96; AAC 8 kHz at 48 and 12.7 kHz at 64; a later decode to WAV keeps the cut. 12 kHz separates the encodes the codec table fails from those it passes"),
    }

    def floor_kbps(self, codec: str, limits) -> tuple[str, float]:
        name = {"mp3": "mp3_min_kbps", "aac": "aac_min_kbps"}.get(codec, "lossy_min_kbps")
        return name, limits[name]

    def judge(self, measured, limits):
        reason = no_audio_reason(measured)
        if reason:
            return self.skip(reason)
        kbps, codec = measured.get("audio_bitrate_kbps"), measured.get("audio_codec")
        cutoff, lowpassed = measured.get("audio_cutoff_hz"), measured.get("audio_lowpassed")
        details = {"cutoff_hz": cutoff, "lowpassed": lowpassed, "codec": codec, "sample_rate": measured.get("audio_sample_rate")}
        if measured.get("audio_lossy"):
            name, floor = self.floor_kbps(codec, limits)
            if kbps is not None and kbps < floor:
                return self.result("fail", kbps, f"{codec} at {kbps:.0f} kbps is low-bitrate lossy audio (under {floor:.0f} kbps), {bandwidth_text(cutoff)}",
                                   limits, name, details=details, fix=FIX)
        else:
            name = "fail_cutoff_below_hz"
        if lowpassed and cutoff < limits["fail_cutoff_below_hz"]:
            return self.result("fail", kbps, f"the sound stops at {cutoff / 1000:.1f} kHz although its rate allows {measured.get('audio_sample_rate') / 2000:.1f} kHz: it was low-bitrate lossy once (or upsampled) before becoming {codec}",
                               limits, "fail_cutoff_below_hz", comparable=False, details=details, fix=FIX)
        shown = f"{kbps:.0f} kbps" if kbps is not None else "bitrate not declared"
        return self.result("pass", kbps, f"{codec}, {shown}, {bandwidth_text(cutoff)}", limits, name,
                           comparable=measured.get("audio_lossy", False), details=details)
