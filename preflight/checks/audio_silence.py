"""audio_silence: the longest pause inside the speech (s)."""

from __future__ import annotations

from lipgate.results import Segment
from lipgate.preflight.checks.audio_common import no_speech_reason
from lipgate.preflight.checks.base import Check, Threshold


class AudioSilence(Check):
    id = "audio_silence"
    unit = "s"
    title = "Long pauses inside the speech"
    thresholds = {
        "warn_above": Threshold(2.0, "s", "Campione & Veronis 2002 (silent pauses in 5 languages): even long pauses seldom pass 2 s; longer is dead air"),
    }

    def judge(self, measured, limits):
        reason = no_speech_reason(measured)
        if reason:
            return self.skip(reason)
        longest = measured.get("longest_pause_s") or 0.0
        long_pauses = [Segment(start, end) for start, end in measured.get("speech_pauses", []) if end - start > limits["warn_above"]]
        details = {"pauses": len(measured.get("speech_pauses", []))}
        if long_pauses:
            return self.result("warn", longest, f"{len(long_pauses)} pause(s) longer than {limits['warn_above']:g} s inside the speech (longest {longest:.1f} s)",
                               limits, "warn_above", details=details, segments=long_pauses,
                               fix="shorten the pauses in an editor; the picture keeps talking through dead air otherwise")
        return self.result("pass", longest, f"longest pause inside the speech {longest:.1f} s", limits, "warn_above", details=details)
