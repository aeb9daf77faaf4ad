"""Slips judged relative to the rest of their clip (lipgate.qa.judge.relative_slips), on generated
evidence: the model's bias on a clip cancels, a clip whose own evidence cannot tell a shift is not
judged for slips, and which evidence judges the slips (slips_from_model)."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.measurements import Measurements
from lipgate.qa.judge import SLIP_WINDOW_S, judge_qa, relative_slips, slips_from_model
from lipgate.qa.settings import qa_limits

FPS, DURATION_S, STRETCH = 25.0, 12.0, (5.0, 6.6)
STRONG = 2.0
"""Evidence per frame at the peak of a mouth the model follows well."""


def evidence_series(home_ms: float, stretch_ms: float | None, strength: float = STRONG, seed: int = 4,
                    stretch_strength: float | None = None) -> dict:
    """Per-frame evidence over offsets -400..+400 ms: a peak (``strength`` at its top, about 100 ms
    wide) at ``home_ms`` everywhere, at ``stretch_ms`` over ``STRETCH`` (``stretch_strength`` there
    when given); noise on top."""
    frame_t = np.arange(0.0, DURATION_S, 1 / FPS)
    offsets = np.arange(-400.0, 401.0, 10.0)
    rng = np.random.default_rng(seed)
    inside = (frame_t >= STRETCH[0]) & (frame_t < STRETCH[1])
    centre = np.where(inside, stretch_ms if stretch_ms is not None else home_ms, home_ms)
    height = np.where(inside & (stretch_strength is not None), stretch_strength or 0.0, strength)
    evidence = height[:, None] * np.exp(-0.5 * ((offsets[None, :] - centre[:, None]) / 50.0) ** 2)
    evidence += 0.3 * rng.standard_normal(evidence.shape)
    return {"frame_t": frame_t, "model_lags_ms": offsets, "model_evidence": evidence.astype(np.float32)}


def test_a_stretch_that_departs_from_its_clip_is_a_slip_at_its_offset():
    slips = relative_slips(evidence_series(0.0, 200.0), qa_limits())
    assert len(slips) == 1
    assert slips[0].offset_ms == pytest.approx(200.0, abs=10)
    assert abs(slips[0].start - STRETCH[0]) <= 0.3 and abs(slips[0].end - STRETCH[1]) <= 0.3


def test_the_clips_own_bias_cancels():
    """A clip the model reads at -100 ms throughout (a speaker it reads off zero) has no slip; with
    a stretch 200 ms from the rest, the stretch is one, at its own absolute offset (+100 ms, past
    the +45 ms tolerance)."""
    assert relative_slips(evidence_series(-100.0, None), qa_limits()) == []
    slips = relative_slips(evidence_series(-100.0, 100.0), qa_limits())
    assert len(slips) == 1 and slips[0].offset_ms == pytest.approx(100.0, abs=10)


def test_a_departure_within_tolerance_is_not_a_slip():
    """-100 ms to 0 ms: the stretch departs from the rest, but its offset is within tolerance."""
    assert relative_slips(evidence_series(-100.0, 0.0), qa_limits()) == []


def test_a_clip_whose_evidence_cannot_tell_a_shift_is_not_judged_for_slips():
    """A clip whose evidence barely prefers its own offset (a mouth the model barely follows): the
    rest prefers it over the stretch's by less than ``model_min_slip_contrast`` over a stretch's
    length, so even a stretch gaining well past ``model_min_slip_gain`` is not judged (a chance
    stretch of such a clip gains as much); the same stretch in a clip that tells shifts apart is."""
    limits = {**qa_limits(), "model_min_slip_contrast": 20.0}
    frames = SLIP_WINDOW_S * FPS
    weak, strong = 0.25 * limits["model_min_slip_contrast"] / frames, 2.0 * limits["model_min_slip_gain"] / frames
    assert relative_slips(evidence_series(0.0, 200.0, strength=weak, stretch_strength=strong), limits) == []
    assert len(relative_slips(evidence_series(0.0, 200.0, strength=strong, stretch_strength=strong), limits)) == 1


def judged(values: dict, series: dict) -> Measurements:
    n = len(series["frame_t"])
    series = {**series, "face_height_ratio": np.full(n, 0.4), "speaking": np.ones(n, bool),
              "mouth_pixel_change": np.full(n, 5.0), "syllable_t": np.zeros(0), "syllable_start": np.zeros(0),
              "syllable_end": np.zeros(0), "syllable_stress_score": np.zeros(0), "local_t": np.zeros(0),
              "local_offset_ms": np.zeros(0), "local_confidence": np.zeros(0), "track_lags_ms": np.zeros(0),
              "track_offset_ms": np.full(n, np.nan), "track_evidence": np.zeros((n, 0))}
    return Measurements(values={"fps": FPS, "offset_ms": 0.0, "confidence": 1.0, **values}, series=series)


@pytest.mark.parametrize("uncertain", [False, True])
def test_a_slip_is_judged_on_the_model_certain_or_not(uncertain):
    measured = judged({"uncertain": uncertain, "cca_confidence": 3.0, "local_evidence": "canonical"},
                      evidence_series(0.0, 200.0))
    assert slips_from_model(measured, qa_limits())
    flagged = [s for s in judge_qa(measured, "clip.mp4").segments if s.rerender]
    assert len(flagged) == 1 and flagged[0].kind == "slip" and flagged[0].offset_ms == pytest.approx(200.0, abs=10)


def test_the_canonical_correlation_judges_slips_when_only_it_follows_the_mouth():
    limits = qa_limits()
    confident = limits["canonical_slip_confidence"] + 1.0
    series = evidence_series(0.0, 200.0)
    assert not slips_from_model(judged({"uncertain": True, "cca_confidence": confident}, series), limits)
    assert slips_from_model(judged({"uncertain": False, "cca_confidence": confident}, series), limits)
    assert not slips_from_model(judged({"uncertain": False}, {**series, "model_lags_ms": np.zeros(0)}), limits)


def test_judged_in_blocks_as_at_once(monkeypatch):
    import lipgate.qa.judge as judge

    series = evidence_series(-100.0, 100.0)
    whole = relative_slips(series, qa_limits())
    monkeypatch.setattr(judge, "SLIP_BLOCK_ROWS", 7)
    assert relative_slips(series, qa_limits()) == whole and len(whole) == 1
