"""The in-memory edits of bench/desync_sweep.py: what a re-encoded picture-late or frozen stretch
does to the per-frame picture series, on constructed series whose frames are numbered."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.desync_sweep import Clip, mouth_frozen, picture_late, stretch_starts
from bench.qa_sync import PICTURE_LATE_S, STRETCH_S
from lipgate.qa.measure import PictureSeries

FPS = 25.0


def numbered(duration_s: float = 6.0, start_s: float = 0.5) -> PictureSeries:
    """Series whose every value is its frame's index, on a timeline starting at ``start_s``."""
    index = np.arange(int(duration_s * FPS), dtype=float)
    return PictureSeries(fps=FPS, frame_t=start_s + index / FPS, mouth=np.repeat(index[:, None], 5, axis=1),
                         face_height_ratio=index.copy(), mouth_pixel_change=index.copy(), shot=np.zeros(index.size, int))


def test_picture_late_shows_the_frame_200_ms_earlier_inside_the_stretch_only():
    series = numbered()
    late = picture_late(series, 2.0)
    first, last, lag = int(2.0 * FPS), int((2.0 + STRETCH_S) * FPS), int(PICTURE_LATE_S * FPS)
    index = np.arange(series.frame_t.size)
    expected = np.where((index >= first) & (index < last), index - lag, index)
    for name in ("face_height_ratio", "mouth_pixel_change"):
        assert np.array_equal(getattr(late, name), expected)
    assert np.array_equal(late.mouth[:, 0], expected)
    assert np.array_equal(series.mouth[:, 0], index)  # the measured series is left as it was


def test_frozen_repeats_the_stretchs_first_frame_without_pixel_change():
    frozen = mouth_frozen(numbered(), 2.0)
    first, last = int(2.0 * FPS), int((2.0 + STRETCH_S) * FPS)
    assert np.all(frozen.mouth[first:last] == first)
    assert np.all(frozen.mouth_pixel_change[first + 1:last] == 0.0)
    assert frozen.mouth_pixel_change[first] == first and frozen.mouth_pixel_change[last] == last


def test_stretches_stay_inside_a_part_with_room_for_the_frames_they_show():
    series = numbered(duration_s=11.0)
    clip = Clip("two parts", Path("clip.mp4"), series, None, [("a", 0.0, 5.0), ("b", 5.0, 11.0)])
    starts = stretch_starts(clip, 0.4)
    assert starts[0] == ("a", PICTURE_LATE_S)
    for part, start in starts:
        first, last = {"a": (0.0, 5.0), "b": (5.0, 11.0)}[part]
        assert start - PICTURE_LATE_S >= first - 1e-9 and start + STRETCH_S <= last + 1e-9
    assert {part for part, _ in starts} == {"a", "b"}
