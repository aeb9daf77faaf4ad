"""frames_kept: source frames missing or repeated in the render (count), from the frame mapping."""

from __future__ import annotations

import numpy as np

from lipgate.preflight.checks.base import Check, Threshold
from lipgate.qa.checks.common import frame_period_s, frame_times
from lipgate.timeline import segments_where


def frame_faults(source_frame: np.ndarray) -> dict[str, np.ndarray]:
    """Per render frame, from the mapped source frame (-1: none): source frames missing just
    before it (the first frame counts those the render skipped at the start), times it repeats
    an earlier source frame, and whether it has no source frame at all."""
    source_frame = np.asarray(source_frame, int)
    missing, repeated = np.zeros(len(source_frame), int), np.zeros(len(source_frame), int)
    previous = None
    for i, j in enumerate(source_frame):
        if j < 0:
            continue
        if previous is None:
            missing[i] = j if i == 0 else 0
        elif j > previous + 1:
            missing[i] = j - previous - 1
        elif j <= previous:
            repeated[i] = previous - j + 1
        previous = j
    return {"missing": missing, "repeated": repeated, "unmatched": source_frame < 0}


class FramesKept(Check):
    id = "frames_kept"
    unit = "frames"
    title = "Every source frame kept once"
    thresholds = {
        "max_faults": Threshold(0.0, "frames", "the contract (CONTRACT.md, qa --source): any frame dropped or repeated "
                                "where the source had none"),
    }

    def judge(self, measured, limits):
        source_frame = np.asarray(measured.series.get("source_frame", np.zeros(0)), int)
        if source_frame.size == 0:
            return self.skip("the render has no frame to map")
        t, period = frame_times(measured), frame_period_s(measured)
        faults = frame_faults(source_frame)
        still = measured.get("source_kind") == "image"
        unmatched = int(faults["unmatched"].sum())
        if still:  # every frame shows the still: only frames that are not it count
            count, where = unmatched, faults["unmatched"]
        else:
            count = int(faults["missing"].sum() + faults["repeated"].sum()) + unmatched
            where = (faults["missing"] > 0) | (faults["repeated"] > 0) | faults["unmatched"]
        mapped = source_frame[source_frame >= 0]
        details = {
            "missing": int(faults["missing"].sum()), "repeated": int(faults["repeated"].sum()), "unmatched": unmatched,
            "first_source_frame": int(mapped[0]) if mapped.size else None,
            "source_frames_after_render": int(measured.get("source_frames") - 1 - mapped.max()) if mapped.size and not still else 0,
            "render_fps": measured.get("render_fps"), "source_fps": measured.get("source_fps"),
        }
        segments = segments_where(t, where, period, merge_gap_s=0.2)
        if count <= limits["max_faults"]:
            what = "every render frame shows the still" if still else f"each of the {mapped.size} render frames shows the next source frame"
            return self.result("pass", float(count), what, limits, "max_faults", details=details)
        parts = []
        if details["missing"]:
            start = f", {faults['missing'][0]} of them before the render's first frame" if faults["missing"][0] else ""
            parts.append(f"{details['missing']} source frame(s) missing{start}")
        if details["repeated"]:
            parts.append(f"{details['repeated']} repeated")
        if unmatched:
            parts.append(f"{unmatched} render frame(s) match no {'picture of the still' if still else 'source frame'}")
        rates = measured.get("render_fps"), measured.get("source_fps")
        if not still and abs(rates[0] - rates[1]) > 0.01:
            parts.append(f"the frame rate changed from {rates[1]:g} to {rates[0]:g} fps")
        fix = ("render again asking the service to keep the source's frame rate and every frame from its first; "
               "if the source's rate is unusual, convert it (constant frame rate) before upload")
        return self.result("fail", float(count), "; ".join(parts), limits, "max_faults", details=details,
                           segments=segments, fix=fix)
