"""Visual checks against media whose truth is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures import synth
from lipgate.preflight.runner import run_check
from tests.preflight import media_truth

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("yaw", [-50.0, -25.0, 0.0, 25.0, 50.0])
def test_still_yaw_within_tolerance_and_signed(truth_dir, yaw):
    still = media_truth.still_at_yaw(truth_dir, yaw)
    report = run_check(still)
    check = report.check("face_yaw")
    # bundled portrait: worst measured error 14 deg at 60, 6 deg at 45 (bench/yaw_accuracy.py)
    tolerance = 5.0 if abs(yaw) <= 30 else 12.0
    assert check.details["yaw_deg"] == pytest.approx(yaw, abs=tolerance)
    assert np.sign(check.details["yaw_deg"]) == np.sign(yaw) or yaw == 0.0
    assert check.value == pytest.approx(abs(check.details["yaw_deg"]))


def test_face_turned_past_detection_fails_the_still(truth_dir):
    turned = run_check(media_truth.still_at_yaw(truth_dir, 75.0))
    assert turned.check("face_presence").status == "fail" or turned.check("face_yaw").status == "fail"
    assert turned.exit_code == 1


def test_steady_clip_passes_flicker(steady_clip):
    check = run_check(steady_clip).check("lighting_flicker")
    assert check.status == "pass"
    assert check.value < 0.01
    assert check.details["flashes_per_s"] == 0.0


@pytest.mark.parametrize("frequency", [3.5, 8.0, 12.0, 20.0])
def test_ten_percent_modulation_fails(flicker_clips, frequency):
    """3 to 25 Hz: 20 Hz is past the 12.5 Hz Nyquist frequency of these 25 fps clips, and the
    frames carry it as its 5 Hz alias, as a viewer of the video sees it."""
    check = run_check(flicker_clips[(0.10, frequency)]).check("lighting_flicker")
    assert check.status == "fail"
    assert check.value == pytest.approx(0.10, abs=0.015)
    assert check.segments, "the flickering time ranges are reported"


def test_flicker_index_grows_with_depth(flicker_clips, steady_clip):
    values = [run_check(steady_clip).check("lighting_flicker").value]
    values += [run_check(flicker_clips[(depth, 8.0)]).check("lighting_flicker").value for depth in (0.02, 0.05, 0.10)]
    assert values == sorted(values)
    assert values[-1] > 3 * values[1]


def test_one_frame_flashes_fail_by_wcag_count(generated, truth_dir):
    clip = media_truth.flashing(generated["speech"], truth_dir / "flashes.mp4", every_s=0.2)
    check = run_check(clip).check("lighting_flicker")
    assert check.status == "fail"
    assert check.details["flashes_per_s"] == pytest.approx(5.0, abs=1.0)


def test_face_lost_for_a_second_fails_with_the_range(generated, truth_dir):
    clip = media_truth.face_hidden(generated["speech"], truth_dir / "hidden.mp4", 1.0, 2.2)
    check = run_check(clip).check("face_presence")
    assert check.status == "fail"
    assert check.value == pytest.approx(1 - 1.2 / 3.5, abs=0.05)
    (gap,) = check.segments  # to the frame: the frames between two grid samples that differ are analysed too
    assert gap.start == pytest.approx(1.0, abs=1e-6) and gap.end == pytest.approx(2.2, abs=1e-6)


def test_a_two_frame_blink_on_a_grid_frame_is_measured_to_its_length(generated, truth_dir):
    """Frames 25 and 26 have no face; frame 25 is on the 5 fps grid. Measured without the frames
    around it, the blink would count as a whole 0.2 s grid period and warn."""
    clip = media_truth.face_hidden(generated["speech"], truth_dir / "blink.mp4", 1.0, 1.0 + 2 / media_truth.FPS)
    report = run_check(clip)
    assert report.check("face_presence").status == "pass"
    t, found = report.series["face_t"], report.series["face_found"]
    assert t[found == 0] == pytest.approx([1.0, 1.04], abs=1e-6)


def test_still_without_face_is_a_judged_failure(truth_dir):
    blank = media_truth.write_png(truth_dir / "noface.png", np.full((600, 600, 3), 120, np.uint8))
    report = run_check(blank)
    assert report.check("face_presence").status == "fail"
    assert report.check("face_presence").value == 0.0
    assert report.check("face_yaw").status == "skip" and report.check("face_yaw").value is None
    assert report.exit_code == 1


def test_two_faces_warn(truth_dir):
    pair = np.concatenate([synth.portrait(512), synth.portrait(512)[:, ::-1]], axis=1)
    check = run_check(media_truth.write_png(truth_dir / "pair.png", pair)).check("face_count")
    assert check.status == "warn" and check.value == 2.0


def test_second_face_in_a_video_warns_with_its_time(generated, truth_dir):
    clip = media_truth.second_face(generated["speech"], truth_dir / "second_face.mp4", 1.0, 2.2)
    check = run_check(clip).check("face_count")
    assert check.status == "warn" and check.value == 2.0
    assert len(check.segments) == 1
    assert check.segments[0].start == pytest.approx(1.0, abs=0.25) and check.segments[0].end == pytest.approx(2.2, abs=0.25)


def test_image_resolution_limit(truth_dir):
    small = media_truth.write_png(truth_dir / "small.png", synth.portrait(400))
    check = run_check(small).check("image_resolution")
    assert (check.status, check.value, check.threshold) == ("fail", 400.0, 512.0)
    assert run_check(media_truth.write_png(truth_dir / "big.png", synth.portrait(640))).check("image_resolution").status == "pass"


def test_image_resolution_skips_videos(steady_clip):
    check = run_check(steady_clip).check("image_resolution")
    assert check.status == "skip" and check.value is None


def test_open_smile_in_still_warns(generated):
    # the bundled portrait smiles with her teeth showing
    assert run_check(generated["portrait"]).check("mouth_expression").status == "warn"


@pytest.mark.parametrize("pad_s, status, mode", [(0.0, "pass", None), (0.3, "warn", "stretch"), (1.5, "fail", "trim")])
def test_duration_mismatch_value_and_fix(generated, truth_dir, pad_s, status, mode):
    audio = media_truth.padded_audio(generated["speech"], truth_dir / f"pad_{pad_s}.wav", pad_s)
    check = run_check(generated["talking"], audio).check("duration_mismatch")
    assert check.status == status
    assert check.value == pytest.approx(pad_s, abs=1 / 25 + 0.03)  # within a frame (AAC priming aside)
    if mode:
        assert check.details["mode"] == mode
        assert "lipgate fit" in check.fix


def test_shadow_across_the_mouth_warns(generated, truth_dir, steady_clip):
    clip = media_truth.shadowed_mouth(generated["speech"], truth_dir / "shadow.mp4")
    check = run_check(clip).check("mouth_shadow")
    assert check.status == "warn"
    assert check.value == pytest.approx(0.3 * 1.27, abs=0.12)  # the unshadowed portrait measures 1.27
    assert check.segments and check.segments[0].end - check.segments[0].start > 2.0
    assert run_check(steady_clip).check("mouth_shadow").status == "pass"
