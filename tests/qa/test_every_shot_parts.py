"""The parts of judging every shot, on constructed inputs: the face-aware window, the cropping
decoder, telling tracked faces apart, picking the face that speaks, frozen stretches in any
framing and a mouth that never moves."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from lipgate.framing import MESH_FACE_PX, WINDOW_MARGIN, window_for
from lipgate.measurements import Measurements
from lipgate.qa.judge import judge_qa
from lipgate.qa.measure import PictureSeries, FaceSeries, _nearest_slots, speaking_face
from lipgate.qa.report import QaSegment

FPS = 25.0


def test_close_up_is_decoded_whole():
    """A face 600 px tall in a 1080p frame is 150 px at 480: no crop, the usual analysis size."""
    layout = window_for([[(700, 200, 1300, 800)]], 1920, 1080, 480)
    assert layout.crop is None and layout.max_side == 480 and layout.faces == 1


def test_small_face_gets_a_window_around_it():
    """A face 140 px tall in a 1080 x 1920 portrait (7% of its height, 35 px at 480): a window around
    it, scaled so that the face is ``MESH_FACE_PX`` tall."""
    layout = window_for([[(470, 900, 610, 1040)], [(480, 910, 620, 1050)]], 1080, 1920, 480)
    x, y, width, height = layout.crop
    margin = WINDOW_MARGIN * 140
    assert x <= 470 - margin + 2 and x + width >= 620 + margin - 2
    assert y <= 900 - margin + 2 and y + height >= 1050 + margin - 2
    assert 140 * layout.max_side / max(width, height) == pytest.approx(MESH_FACE_PX, abs=1)


def test_tiny_face_in_4k_is_scaled_to_the_mesh_size():
    layout = window_for([[(1800, 900, 2056, 1156)]], 3840, 2160, 480)
    x, y, width, height = layout.crop
    assert layout.max_side == pytest.approx(MESH_FACE_PX / 256 * max(width, height), abs=2)


def test_two_faces_far_apart_are_both_tracked():
    boxes = [[(300, 400, 420, 520), (1500, 400, 1620, 520)]] * 3
    layout = window_for(boxes, 1920, 1080, 480)
    assert layout.faces == 2
    x, y, width, height = layout.crop
    assert x <= 300 and x + width >= 1620


def test_no_face_found_decodes_whole():
    layout = window_for([[], []], 1920, 1080, 480)
    assert layout.crop is None and layout.max_side == 480


def test_cropping_decoder_maps_back_to_the_source(tmp_path):
    """A white square at (1200, 600)-(1300, 700) of a 1920x1080 frame, decoded through a crop
    window: found where it is in the source's pixels."""
    from lipgate.media import VideoDecoder, probe

    clip = tmp_path / "square.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=black:s=1920x1080:d=0.4:r=25",
                    "-vf", "drawbox=x=1200:y=600:w=100:h=100:color=white:t=fill", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", str(clip)], check=True)
    decoder = VideoDecoder(probe(clip), max_side=200, crop=(1000, 500, 400, 300))
    frames = list(decoder)
    assert len(frames) == 10 and frames[0].rgb.shape == (150, 200, 3)
    ys, xs = np.nonzero(frames[0].rgb[..., 0] > 128)
    corners = decoder.to_source(np.array([[xs.min(), ys.min()], [xs.max() + 1, ys.max() + 1]], float))
    assert corners == pytest.approx(np.array([[1200, 600], [1300, 700]]), abs=4)
    assert decoder.frame_height == pytest.approx(150 * 1080 / 300)


def test_faces_keep_their_slots_as_they_move():
    face = lambda x, y: np.column_stack([np.full(468, x), np.full(468, y), np.zeros(468)])
    centres = np.array([[100.0, 100.0], [400.0, 100.0]])
    assert _nearest_slots([face(390, 110), face(110, 95)], centres)[0][0, 0] == 110
    assert _nearest_slots([face(420, 100)], centres)[0] is None
    assert centres[1, 0] == 420  # the slot follows its face


def series_of(opening: np.ndarray, x0: float) -> FaceSeries:
    mouth = np.column_stack([opening, np.ones((opening.size, 4))])
    return FaceSeries(mouth, np.full(opening.size, 0.1), np.full(opening.size, 3.0),
                      np.tile([x0, 100.0, x0 + 100, 200.0], (opening.size, 1)))


def test_the_face_that_speaks_is_picked_per_stretch_of_speech():
    """Two stretches of speech: the first spoken by face 0 (its mouth moves), the second by face 1."""
    n = 200
    rng = np.random.default_rng(0)
    speaking = np.zeros(n, bool)
    speaking[10:90], speaking[110:190] = True, True
    moving = lambda: 0.3 + 0.2 * rng.random(n)
    first, second = np.full(n, 0.3), np.full(n, 0.3)
    first[:100], second[100:] = moving()[:100], moving()[100:]
    a, b = series_of(first, 0.0), series_of(second, 500.0)
    pictures = PictureSeries(FPS, np.arange(n) / FPS, a.mouth, a.face_height_ratio, a.mouth_pixel_change,
                             np.zeros(n, int), a.face_box, [b])
    chosen_pictures, chosen = speaking_face(pictures, speaking)
    assert (chosen[:90] == 0).all() and (chosen[110:] == 1).all()
    assert chosen_pictures.face_box[150, 0] == 500.0 and chosen_pictures.face_box[50, 0] == 0.0


def medium_shot(change: np.ndarray, face_height: float = 0.12, offset_ms: float | None = 0.0,
                reason: str | None = None) -> Measurements:
    """A shot talking the whole time with the given smoothed mouth pixel change per frame."""
    n = change.size
    frame_t = np.arange(n) / FPS
    series = {
        "frame_t": frame_t, "face_height_ratio": np.full(n, face_height), "speaking": np.ones(n, bool),
        "mouth_pixel_change": change, "mouth": np.ones((n, 5)), "face_box": np.tile([10.0, 20.0, 110.0, 140.0], (n, 1)),
        "local_t": np.zeros(0), "local_offset_ms": np.zeros(0), "local_confidence": np.zeros(0),
        "syllable_t": np.zeros(0), "syllable_start": np.zeros(0), "syllable_end": np.zeros(0),
        "syllable_stress_score": np.zeros(0), "track_lags_ms": np.zeros(0), "track_offset_ms": np.full(n, np.nan),
        "track_evidence": np.zeros((n, 0)),
    }
    return Measurements(values={"fps": FPS, "offset_ms": offset_ms, "confidence": 5.0 if offset_ms is not None else 0.0,
                                "unmeasured_reason": reason}, series=series)


def test_frozen_stretch_in_a_medium_shot_is_a_segment():
    change = np.full(250, 4.0)
    change[100:140] = 0.2  # 1.6 s pasted still: some change at the patch's edges, far below its speech
    report = judge_qa(medium_shot(change), "clip.mp4")
    frozen = [s for s in report.segments if s.kind == "frozen"]
    assert len(frozen) == 1 and frozen[0].rerender and not frozen[0].closeup
    assert frozen[0].start == pytest.approx(4.0, abs=0.05) and frozen[0].end == pytest.approx(5.6, abs=0.05)
    assert frozen[0].to_dict()["face_box"] == [10, 20, 110, 140]
    assert report.exit_code == 1


def test_short_stillness_is_not_frozen():
    change = np.full(250, 4.0)
    change[100:105] = 0.2  # 0.2 s: shorter than MIN_FROZEN_S
    assert not [s for s in judge_qa(medium_shot(change), "clip.mp4").segments if s.rerender]


def test_mouth_that_never_moves_under_speech_is_a_judged_failure():
    """No offset could be measured (the mouth never moves), yet the voice speaks: fail, exit 1."""
    report = judge_qa(medium_shot(np.zeros(250), offset_ms=None, reason="the mouth never moves (a still face)"),
                      "clip.mp4")
    assert report.verdict == "fail" and report.exit_code == 1
    assert [s.kind for s in report.segments] == ["frozen"]


def test_segment_json_has_its_kind_and_face():
    segment = QaSegment(1.0, 2.0, 150.0, 3.0, False, False, True, "slip", 20.0, "slip", (1.4, 2.6, 100.2, 200.7))
    data = segment.to_dict()
    assert data["kind"] == "slip" and data["face_box"] == [1, 3, 100, 201] and data["closeup"] is False
    assert "face_box" not in QaSegment(1.0, 2.0, None, 0.0, True, True, False, "in sync").to_dict()


def test_two_shot_names_the_judged_face_in_sync():
    """Two faces tracked: ``sync.face_box`` is the box of the face judged over most of the speech."""
    change = np.full(250, 4.0)
    measured = medium_shot(change)
    measured.values["faces_tracked"] = 2
    boxes = np.tile([10.0, 20.0, 110.0, 140.0], (250, 1))
    boxes[200:] = [500.0, 20.0, 600.0, 140.0]
    measured.series["face_box"], measured.series["face_index"] = boxes, np.r_[np.zeros(200, int), np.ones(50, int)]
    assert judge_qa(measured, "clip.mp4").to_dict()["sync"]["face_box"] == [10, 20, 110, 140]
    measured.values["faces_tracked"] = 1
    assert "face_box" not in judge_qa(measured, "clip.mp4").to_dict()["sync"]
