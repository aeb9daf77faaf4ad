"""Which frames between two 5 fps grid samples the check analyses too (lipgate.preflight.measure.needs_refining)."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.face import FaceObservation, Pose
from lipgate.preflight.measure import needs_refining


def seen(yaw_deg: float | None) -> FaceObservation:
    if yaw_deg is None:
        return FaceObservation(None, None, None)
    pose = Pose(yaw_deg, 0.0, 0.0, 1.0, np.eye(3), np.zeros(3))
    return FaceObservation(np.zeros((468, 3)), pose, (0.0, 0.0, 1.0, 1.0))


@pytest.mark.parametrize("earlier, later, expected", [
    (10.0, 12.0, False),   # a steady face
    (10.0, 30.0, False),   # a turn that stays under the warning level
    (30.0, 40.0, True),    # across the 35 degree warning level
    (40.0, -50.0, True),   # across the 45 degree limit (either side)
    (50.0, 60.0, False),   # past the limit in both
    (10.0, None, True),    # the face lost
    (None, 10.0, True),    # the face found again
    (None, None, False),   # no face in either
])
def test_needs_refining(earlier, later, expected):
    assert needs_refining(seen(earlier), seen(later)) is expected
