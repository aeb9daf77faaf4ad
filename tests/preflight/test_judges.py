"""Check rules on measurements with known values (no media decoding: fast)."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.measurements import Measurements
from lipgate.preflight.checks import CHECKS
from lipgate.preflight.checks.duration_mismatch import suggest_fix
from lipgate.preflight.checks.lighting_flicker import flashes_per_second, flicker_index_windows


def judge(check_id, values, **series):
    check = CHECKS[check_id]
    return check.judge(Measurements(values=values, series={k: np.asarray(v, float) for k, v in series.items()}), check.limits())


def video_yaw(yaw):
    t = np.arange(len(yaw)) / 15.0
    return judge("face_yaw", {"kind": "video"}, face_t=t, yaw_deg=yaw)


def test_yaw_95th_percentile_against_45_degrees():
    calm = video_yaw(np.r_[np.full(95, 10.0), np.full(5, 60.0)])  # 5% over: the 95th percentile stays low
    assert calm.status == "pass"
    assert calm.details["max_abs_deg"] == 60.0 and calm.details["over_limit_ratio"] == pytest.approx(0.05)
    turned = video_yaw(np.r_[np.full(80, 10.0), np.full(20, -50.0)])
    assert turned.status == "fail" and turned.value == pytest.approx(50.0)
    assert turned.details["yaw_deg"] == pytest.approx(-50.0)
    (segment,) = turned.segments
    assert segment.start == pytest.approx(80 / 15) and segment.end == pytest.approx(100 / 15)


def test_yaw_near_limit_warns():
    assert video_yaw(np.full(30, 40.0)).status == "warn"


def test_yaw_without_face_skips_with_null_value():
    result = video_yaw(np.full(30, np.nan))
    assert result.status == "skip" and result.value is None and result.message


def test_flicker_index_is_the_modulation_depth():
    fps = 30.0
    t = np.arange(int(4 * fps)) / fps
    for depth in (0.02, 0.1):
        light = 0.3 * (1 + depth * np.sin(2 * np.pi * 6 * t))
        assert flicker_index_windows(light, fps).max() == pytest.approx(depth, rel=0.05)
    assert flicker_index_windows(np.full(t.size, 0.3), fps).max() == pytest.approx(0.0, abs=1e-9)


def test_slow_light_change_is_not_flicker():
    fps = 25.0
    t = np.arange(int(6 * fps)) / fps
    drift = 0.3 * (1 + 0.3 * np.sin(2 * np.pi * 0.3 * t))  # clouds, auto exposure
    assert flicker_index_windows(drift, fps).max() < 0.01


def test_wcag_flash_count():
    fps = 25.0
    light = np.full(50, 0.2)
    light[5::5] = 0.6  # a one-frame flash every 0.2 s: 5 per second
    assert flashes_per_second(light, fps) == pytest.approx(5.0, abs=0.5)
    light_bright = np.full(50, 0.85)
    light_bright[5::5] = 0.99  # darker state above 0.8: not a WCAG flash
    assert flashes_per_second(light_bright, fps) == 0.0
    small = np.full(50, 0.2)
    small[5::5] = 0.25  # change under 0.1: not a flash
    assert flashes_per_second(small, fps) == 0.0


def test_face_presence_gap_rules():
    t = np.arange(60) / 15.0
    count = np.ones(60)
    count[15:20] = 0  # 0.33 s: a warning
    assert judge("face_presence", {"kind": "video"}, face_t=t, face_found=count).status == "warn"
    count[15:30] = 0  # 1.0 s: a failure
    result = judge("face_presence", {"kind": "video"}, face_t=t, face_found=count)
    assert result.status == "fail" and result.value == pytest.approx(45 / 60)
    assert result.threshold is None and result.details["fail_gap_s"] == 0.5


@pytest.mark.parametrize("audio_s, video_s, mode, percent", [
    (10.5, 10.0, "stretch", -4.76), (9.5, 10.0, "stretch", 5.26), (13.0, 10.0, "trim", None), (7.0, 10.0, "trim", None),
])
def test_duration_fix_choice(audio_s, video_s, mode, percent):
    text, fit = suggest_fix(audio_s, video_s)
    assert fit["mode"] == mode
    if percent is not None:
        assert fit["stretch_percent"] == pytest.approx(percent, abs=0.01)
        assert f"{percent:+.1f}%" in text


def test_duration_within_two_frames_passes():
    result = judge("duration_mismatch", {"kind": "video", "fps": 25.0, "audio_duration_s": 10.06, "video_duration_s": 10.0})
    assert result.status == "pass" and result.value == pytest.approx(0.06)
    missing = judge("duration_mismatch", {"kind": "video", "fps": 25.0, "audio_duration_s": None, "video_duration_s": 10.0})
    assert missing.status == "skip" and missing.value is None


def test_a_one_off_light_step_is_not_flicker():
    fps = 25.0
    light = np.full(150, 0.35)
    light[60:] = 0.30  # a 14% drop as the head turns away from the key light
    assert flicker_index_windows(light, fps).max() < 0.02
