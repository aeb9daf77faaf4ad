"""Judging local offsets (lipgate.qa.runner): sustained slips become segments, jitter within the local
measurement's margin and short chance runs do not. Measurements are constructed, so the truth
is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.measurements import Measurements
from lipgate.qa.judge import MIN_SLIP_S, judge_qa
from lipgate.qa.settings import qa_limits

FPS = 25.0
HOP_S = 0.2


def measured(clip_offset_ms: float, local_offset_ms, stressed_at: tuple[float, ...] = (), duration_s: float = 10.0,
             confidence: float = 4.0) -> Measurements:
    """A close-up talking the whole time, mouth moving, with the given local offsets (a function
    of the window centre in s) and stressed syllables 0.2 s long centred at ``stressed_at``."""
    frame_t = np.arange(0.0, duration_s, 1 / FPS)
    local_t = np.arange(0.0, duration_s, HOP_S)
    syllables = np.array(stressed_at, dtype=float)
    series = {
        "frame_t": frame_t, "face_height_ratio": np.full(frame_t.size, 0.4), "speaking": np.ones(frame_t.size, bool),
        "mouth_pixel_change": np.full(frame_t.size, 5.0),
        "local_t": local_t, "local_offset_ms": np.array([local_offset_ms(t) for t in local_t], float),
        "local_confidence": np.full(local_t.size, confidence),
        "syllable_t": syllables, "syllable_start": syllables - 0.1, "syllable_end": syllables + 0.1,
        "syllable_stress_score": np.full(syllables.size, 2.0),
        "track_lags_ms": np.zeros(0), "track_offset_ms": np.full(frame_t.size, np.nan),
        "track_evidence": np.zeros((frame_t.size, 0)),
    }
    return Measurements(values={"fps": FPS, "offset_ms": clip_offset_ms, "confidence": 5.0}, series=series)


def rerenders(measurements: Measurements):
    return [s for s in judge_qa(measurements, "clip.mp4").segments if s.rerender]


def test_slip_without_stressed_syllable_is_flagged():
    slip = measured(0.0, lambda t: 200.0 if 4.0 <= t < 5.6 else 0.0)
    flagged = rerenders(slip)
    assert len(flagged) == 1
    segment = flagged[0]
    assert not segment.stressed and segment.offset_ms == 200.0
    assert segment.start < 4.0 + 0.2 and segment.end > 5.6 - 0.2
    assert "200 ms before the lips from 3.9 s to 5.5 s" in segment.reason
    assert judge_qa(slip, "clip.mp4").verdict == "fail"


def test_sound_late_slip_is_flagged_with_its_side():
    flagged = rerenders(measured(0.0, lambda t: -220.0 if 2.0 <= t < 3.6 else 0.0))
    assert len(flagged) == 1 and "220 ms after the lips" in flagged[0].reason


def test_in_tolerance_clip_with_jitter_is_not_flagged():
    """A clip at +42 ms whose windows jitter by up to +28 ms (within the 30 ms local margin) over
    a stressed syllable: reported, not flagged."""
    rng = np.random.default_rng(0)
    jitter = dict(zip(np.round(np.arange(0.0, 10.0, HOP_S), 1), rng.uniform(-10.0, 28.0, 50)))
    report = judge_qa(measured(42.0, lambda t: 42.0 + jitter[round(t, 1)], stressed_at=(3.0, 6.0)), "clip.mp4")
    assert report.segments and not [s for s in report.segments if s.rerender]
    assert report.verdict == "pass"


def test_past_margin_but_too_short_is_not_flagged():
    """A chance peak lasting four windows (0.8 s) on a stressed syllable is not a slip; five
    windows (``MIN_SLIP_S``) are."""
    assert MIN_SLIP_S == 5 * HOP_S
    short = measured(0.0, lambda t: -340.0 if 5.0 <= t < 5.0 + 4 * HOP_S - 1e-9 else 0.0, stressed_at=(5.2,))
    assert not rerenders(short)
    sustained = measured(0.0, lambda t: -340.0 if 5.0 <= t < 5.0 + 5 * HOP_S - 1e-9 else 0.0, stressed_at=(5.2,))
    flagged = rerenders(sustained)
    assert {s.stressed for s in flagged} == {True, False}


def test_unsure_windows_are_not_judged():
    limits = qa_limits()
    low = measured(0.0, lambda t: 200.0 if 4.0 <= t < 5.6 else 0.0, confidence=limits["min_local_confidence"] - 0.1)
    assert not rerenders(low)


def test_a_run_at_the_clips_own_offset_is_the_clips_offset_not_a_slip():
    """A clip measured at -330 ms whose windows all read about -340 ms fails as a whole (fix:
    re-mux); no stretch of it is a local slip."""
    report = judge_qa(measured(-330.0, lambda t: -340.0), "clip.mp4")
    assert report.sync.status == "fail"
    assert not [s for s in report.segments if not s.stressed]


def tracked(clip_offset_ms: float, path_ms, evidence_at, duration_s: float = 10.0) -> Measurements:
    """A close-up talking the whole time whose tracked lag path is ``path_ms(t)``, with evidence 1
    per frame at the path's lag and ``evidence_at(t, lag)`` elsewhere; local windows unmeasured."""
    base = measured(clip_offset_ms, lambda t: np.nan, duration_s=duration_s, confidence=0.0)
    frame_t = base.series["frame_t"]
    lags = clip_offset_ms + np.arange(-400.0, 401.0, 10.0)
    path = np.array([path_ms(t) for t in frame_t])
    evidence = np.array([[1.0 if lag == p else evidence_at(t, lag) for lag in lags] for t, p in zip(frame_t, path)])
    base.series.update({"track_lags_ms": lags, "track_offset_ms": path, "track_evidence": evidence})
    return base


def test_tracked_slip_is_flagged_when_it_gains_enough():
    """A 1.6 s stretch of the path at +200 ms where in-tolerance lags explain nothing (gain 40
    frames): one slip segment over the stretch, read from the path."""
    slip = tracked(0.0, lambda t: 200.0 if 4.0 <= t < 5.6 else 0.0, lambda t, lag: 0.0)
    flagged = rerenders(slip)
    assert len(flagged) == 1 and not flagged[0].stressed
    assert flagged[0].offset_ms == 200.0
    assert flagged[0].start == pytest.approx(4.0) and flagged[0].end == pytest.approx(5.6)
    assert "200 ms before the lips" in flagged[0].reason


def test_tracked_stretch_with_little_gain_is_not_flagged():
    """The same stretch where the clip's own lag explains it almost as well (gain 40 x 0.1 = 4,
    under ``min_slip_gain``) is not a slip."""
    assert qa_limits()["min_slip_gain"] > 4.0
    weak = tracked(0.0, lambda t: 200.0 if 4.0 <= t < 5.6 else 0.0, lambda t, lag: 0.9 if lag == 0.0 else 0.0)
    assert not rerenders(weak)


def test_tracked_stretch_shorter_than_a_slip_is_not_flagged():
    short = tracked(0.0, lambda t: 200.0 if 4.0 <= t < 4.0 + MIN_SLIP_S - 0.1 else 0.0, lambda t, lag: 0.0)
    assert not rerenders(short)
