"""speech_presence: seconds of speech in the audio under test, and the silence around it."""

from __future__ import annotations

from lipgate.preflight.checks.audio_common import no_audio_reason
from lipgate.preflight.checks.base import Check, Threshold


class SpeechPresence(Check):
    id = "speech_presence"
    unit = "s"
    title = "Speech present"
    thresholds = {
        "min_speech_s": Threshold(0.3, "s", "lipgate: under one stressed syllable (about 0.3 s) there is nothing for the lips to follow"),
        "warn_lead_trail_above": Threshold(1.0, "s", "the service: long silent intros and outros only add processing time"),
    }

    def judge(self, measured, limits):
        reason = no_audio_reason(measured)
        if reason:
            return self.skip(reason)
        speech_s = measured.get("speech_s") or 0.0
        if speech_s < limits["min_speech_s"]:
            return self.result("fail", speech_s, f"no speech found in the audio ({speech_s:.2f} s of voice)", limits, "min_speech_s",
                               fix="check that the right audio file was given and that it holds the target speech")
        lead = measured.get("speech_start_s")
        trail = measured.get("audio_decoded_s") - measured.get("speech_end_s")
        details = {"speech_start_s": lead, "speech_end_s": measured.get("speech_end_s"), "trailing_silence_s": trail}
        if max(lead, trail) > limits["warn_lead_trail_above"]:
            return self.result("warn", speech_s, f"{speech_s:.1f} s of speech, with {lead:.1f} s of silence before and {trail:.1f} s after",
                               limits, "min_speech_s", details=details,
                               fix="cut the silent intro and outro: lipgate trim INPUT [--audio AUDIO] -o OUT")
        return self.result("pass", speech_s, f"{speech_s:.1f} s of speech", limits, "min_speech_s", details=details)
