"""Small hand-built reports (no media) for the format tests: every status, segments, a fix."""

from __future__ import annotations

import numpy as np

from lipgate.batch import BatchReport, InputFailure
from lipgate.results import CheckReport, CheckResult, Segment


def check_report(name: str = "clips/a, b:1%.mp4") -> CheckReport:
    checks = [
        CheckResult("face_presence", "pass", 1.0, None, "ratio", "a face is found in 100% of analysed frames"),
        CheckResult("face_yaw", "fail", 52.5, 45.0, "deg", "head turned 52 deg in 95% of face frames, past the 45 deg limit",
                    segments=[Segment(1.2, 2.0), Segment(63.5, 64.25)], fix="use a frontal shot", source="the service's limit"),
        CheckResult("lighting_flicker", "warn", 0.02, 0.03, "index", "light varies on the face\nnear the limit",
                    segments=[Segment(3.0, 3.5)]),
        CheckResult("image_resolution", "skip", None, None, "px", "applies to still images; this input is a video"),
    ]
    t = np.arange(0, 5, 0.04)
    series = {"face_t": t, "yaw_deg": 50 * np.sin(t), "light_t": t, "light_face": 0.3 + 0.01 * np.sin(9 * t)}
    return CheckReport(inputs={"video": name, "image": None, "audio": name}, checks=checks, series=series)


def passing_report(name: str = "b.mp4") -> CheckReport:
    return CheckReport(inputs={"video": name, "image": None, "audio": None},
                       checks=[CheckResult("face_yaw", "pass", 3.0, 45.0, "deg", "head turn 3 deg")])


def batch_report() -> BatchReport:
    return BatchReport(reports=[check_report(), InputFailure("broken.mp4", "broken.mp4: not a video (empty file)"), passing_report()])


class QaReportStandIn:
    """Stands in for qa's QaReport until it is on main: the contract's lipgate/qa/v1 JSON and its
    local-offset series (names as on the qa branch). Replace with the real QaReport when `qa` lands."""

    verdict = "fail"
    exit_code = 1

    def __init__(self, name: str = "render.mp4"):
        self.name = name
        t = np.arange(0, 6, 0.2)
        self.series = {"local_t": t, "local_offset_ms": np.where((t > 3.1) & (t < 3.8), 160.0, -20.0)}

    def to_dict(self) -> dict:
        return {
            "schema": "lipgate/qa/v1", "tool": {"name": "lipgate", "version": "0.1.0"}, "input": self.name, "verdict": "fail",
            "sync": {"offset_ms": -20.0, "confidence": 6.1, "fps": 25.0},
            "segments": [
                {"start": 1.0, "end": 1.4, "offset_ms": -10.0, "confidence": 5.0, "closeup": True, "stressed": True,
                 "rerender": False, "reason": "in sync"},
                {"start": 3.2, "end": 3.7, "offset_ms": 160.0, "confidence": 4.2, "closeup": True, "stressed": True,
                 "rerender": True, "reason": "sound 160 ms early, past +45 ms"},
            ],
        }
