"""face_count: more than one face in the picture (the service syncs one speaker)."""

from __future__ import annotations

import numpy as np

from lipgate.timeline import median_period_s, segments_where
from lipgate.preflight.checks.base import Check, Threshold


class FaceCount(Check):
    id = "face_count"
    unit = "faces"
    title = "One face"
    thresholds = {
        "max_faces": Threshold(1.0, "faces", "the lip-sync service animates one speaker's face"),
        "warn_min_duration_s": Threshold(0.3, "s", "lipgate: faces are counted 5 times a second; a second face in a single "
                                         "count (0.2 s) is usually a false detection, two counts in a row are not"),
    }

    def judge(self, measured, limits):
        t, count = measured.series.get("count_t", np.array([])), measured.series.get("face_count", np.array([]))
        found = measured.series.get("face_found", np.array([]))
        if count.size == 0 or not ((count > 0).any() or (found > 0).any()):
            return self.skip("no face found, so no faces to count")
        most = max(int(count.max()), 1)  # the detector can miss a face the mesh tracks (a turned head)
        several = count > limits["max_faces"]
        if measured.get("kind") == "image":
            segments = []
            flagged = bool(several[0])
        else:
            segments = segments_where(t, several, median_period_s(t), min_duration_s=limits["warn_min_duration_s"])
            flagged = bool(segments)
        details = {"several_faces_ratio": float(several.mean())}
        if flagged:
            when = "" if not segments else " at " + ", ".join(f"{s.start:.1f}-{s.end:.1f} s" for s in segments[:5])
            return self.result("warn", float(most), f"{most} or more faces in view{when}: the service syncs only one", limits,
                               "max_faces", details=details, segments=segments,
                               fix="crop to the speaker, or make sure the largest face is the one speaking")
        return self.result("pass", float(most), "one face in view", limits, "max_faces", details=details)
