"""Face measurements per analysed frame: presence, pose, size, mouth opening; and face counts."""

from __future__ import annotations

import numpy as np

from lipgate.face import FaceObservation, mouth_features, MOUTH_FEATURE_NAMES
from lipgate.measurements import Measurements

LIP_OPENING, MOUTH_WIDTH = MOUTH_FEATURE_NAMES.index("lip_opening"), MOUTH_FEATURE_NAMES.index("mouth_width")


class FaceSeriesAnalyzer:
    """Collects the face layer's per-frame observations into series.

    Series (one entry per analysed frame, in time order): ``face_t`` (s), ``face_found`` (1 or
    0), ``yaw_deg``, ``pitch_deg``, ``roll_deg`` (NaN without a face), ``face_height_ratio``
    (face box height over frame height), ``mouth_open_ratio`` (inner-lip gap over mouth width,
    pose-free), ``face_refined`` (1 for a frame analysed between two regular ones because they
    differ, 0 on the regular grid: statistics take the grid, time ranges every row). And, on
    the frames where faces are counted: ``count_t`` (s), ``face_count``.
    """

    def __init__(self):
        self._rows: list[tuple[float, ...]] = []
        self._counts: list[tuple[float, int]] = []

    def process(self, t: float, observation: FaceObservation, frame_height: int, refined: bool = False) -> None:
        if not observation.found:
            self._rows.append((t, 0, np.nan, np.nan, np.nan, np.nan, np.nan, float(refined)))
            return
        pose = observation.pose
        features = mouth_features(observation.landmarks, pose)
        x0, y0, x1, y1 = observation.box
        self._rows.append((
            t, 1, pose.yaw_deg, pose.pitch_deg, pose.roll_deg,
            (y1 - y0) / frame_height, features[LIP_OPENING] / max(features[MOUTH_WIDTH], 1e-6), float(refined),
        ))

    def count(self, t: float, faces: int) -> None:
        self._counts.append((t, faces))

    def measurements(self) -> Measurements:
        rows = np.array(self._rows, dtype=np.float64).reshape(-1, 8)
        names = ("face_t", "face_found", "yaw_deg", "pitch_deg", "roll_deg", "face_height_ratio", "mouth_open_ratio",
                 "face_refined")
        counts = np.array(self._counts, dtype=np.float64).reshape(-1, 2)
        return Measurements(series={**{name: rows[:, i] for i, name in enumerate(names)},
                                    "count_t": counts[:, 0], "face_count": counts[:, 1]})
