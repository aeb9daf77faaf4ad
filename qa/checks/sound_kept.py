"""sound_kept: where the target speech lies in the render's sound (ms), and whether all of it is there."""

from __future__ import annotations

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.results import Segment


def service_offset_ms(measured) -> float | None:
    """The offset of the render's sound against the target speech placed at the render's first
    frame (ms), with qa's sign: positive when the sound comes early, negative when it comes late."""
    lag = measured.get("sound_lag_s")
    if lag is None:
        return None
    placed_s = measured.get("render_sound_start_s", 0.0) + lag
    return round(-1000.0 * (placed_s - measured.get("render_start_s", 0.0)), 2) + 0.0  # to 0.01 ms, never -0


class SoundKept(Check):
    id = "sound_kept"
    unit = "ms"
    title = "The target speech is the render's sound, in place and whole"
    thresholds = {
        "max_offset_frames": Threshold(0.5, "frames", "the contract (CONTRACT.md, qa --source): moved by more than half a frame"),
        "min_similarity": Threshold(0.8, "correlation", "measurement (bench/qa_source_margins.py, 2026-12-06, docs/benchmarks.md): "
                                    "the target speech in the render (AAC 160k) correlates 1.00 with it on 7 corpus builds "
                                    "(0.996 on the fixture), 0.977-0.978 when moved 60 ms; with its last 1.5 s silenced 0.17-0.30"),
    }

    def judge(self, measured, limits):
        if not measured.get("target_given"):
            return self.skip("no target speech given (--audio): nothing to look for in the render's sound")
        if not measured.get("render_has_sound"):
            return self.result("fail", None, "the render has no sound track", limits, "max_offset_frames", comparable=False,
                               fix="render again: the service's export lost the sound")
        offset_ms = service_offset_ms(measured)
        similarity = float(measured.get("sound_similarity") or 0.0)
        period_ms = 1000.0 / measured.get("render_fps")
        limit_ms = limits["max_offset_frames"] * period_ms
        missing = [Segment(*pair) for pair in measured.get("sound_missing") or []]
        details = {"similarity": similarity, "limit_ms": limit_ms, "min_similarity": limits["min_similarity"],
                   "missing_s": sum(s.end - s.start for s in missing),
                   "target_speech_s": measured.get("target_speech_s")}
        problems, fixes = [], []
        if offset_ms is None or similarity < limits["min_similarity"]:
            problems.append(f"the render's sound is not the target speech (similarity {similarity:.2f} < {limits['min_similarity']:g})")
            fixes.append("check that the right audio was uploaded and that the service used it as the soundtrack")
        if offset_ms is not None and abs(offset_ms) > limit_ms:
            way = "early" if offset_ms > 0 else "late"
            problems.append(f"the target speech was moved {abs(offset_ms):.1f} ms {way} (past half a frame, {limit_ms:.0f} ms)")
            fixes.append("shift the render's sound back by the offset (or render again)")
        if missing:
            problems.append(f"{details['missing_s']:.1f} s of the target speech is missing from the render's sound")
            fixes.append("render again: the service cut the speech")
        if not problems:
            where = "in place" if abs(offset_ms) < 0.5 else f"{offset_ms:+.1f} ms from its place"
            return self.result("pass", offset_ms, f"the target speech is the render's sound, {where} (similarity {similarity:.2f})",
                               limits, "max_offset_frames", comparable=False, details=details)
        return self.result("fail", offset_ms, "; ".join(problems), limits, "max_offset_frames", comparable=False,
                           details=details, segments=missing, fix="; ".join(fixes))
