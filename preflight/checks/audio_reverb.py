"""audio_reverb: blind reverberation time RT60 of the room the speech was recorded in (s)."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_speech_reason
from lipgate.preflight.checks.base import Check, Threshold

FIX = "record in a drier room (soft furnishings, closer to the microphone, a lavalier) or de-reverberate the speech"


class AudioReverb(Check):
    id = "audio_reverb"
    unit = "s"
    title = "Reverberation (RT60)"
    thresholds = {
        "fail_above": Threshold(1.0, "s", "lipgate: at 4-5 syllables a second a 1 s tail has fallen only 12-15 dB when the next syllable starts, smearing the onsets the mouth shapes follow; the service: reverberant rooms cause timing drift"),
        "warn_above": Threshold(0.6, "s", "ANSI/ASA S12.60-2010: 0.6 s is the longest RT60 allowed in classrooms for intelligible speech"),
    }

    def judge(self, measured, limits):
        reason = no_speech_reason(measured)
        if reason:
            return self.skip(reason)
        rt60 = measured.get("audio_rt60_s")
        details = {"decays": measured.get("audio_rt60_decays")}
        if rt60 is None:
            return self.skip(f"too few speech offsets to read the room's decay from ({details['decays']} found)", details=details)
        if rt60 > limits["fail_above"]:
            return self.result("fail", rt60, f"reverberant room: RT60 about {rt60:.2f} s (limit {limits['fail_above']:.1f} s)",
                               limits, "fail_above", details=details, fix=FIX)
        if rt60 > limits["warn_above"]:
            return self.result("warn", rt60, f"noticeable room echo: RT60 about {rt60:.2f} s",
                               limits, "fail_above", details=details, fix=FIX)
        return self.result("pass", rt60, f"dry enough: RT60 about {rt60:.2f} s", limits, "fail_above", details=details)
