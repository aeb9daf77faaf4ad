"""Local offsets and the tracked lag path from the learned model (lipgate.qa.local), on generated
series: a sound whose in-sync mouth the model predicts exactly, the picture 200 ms late over 1.6 s."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.dsp import gaussian_smooth
from lipgate.qa import syncmodel
from lipgate.qa.features import AudioFeatures
from lipgate.measurements import Measurements
from lipgate.qa.judge import judge_qa, path_stretches, relative_slips
from lipgate.qa.local import model_lag_evidence, model_local_offsets
from lipgate.qa.settings import qa_limits
from lipgate.qa.sync import track_lags

FPS, DURATION_S, SLIP = 25.0, 14.0, (6.0, 7.6)


def sound_envelope(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(times s, values) of a syllable-rate random envelope on the model's 100 Hz clock."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, DURATION_S, syncmodel.MODEL_HOP_S)
    return t, gaussian_smooth(rng.standard_normal(len(t)), 4.0) * 10


def identity_model() -> syncmodel.SyncModel:
    """A map predicting each of the five lip distances as the (only) sound band at the picture's
    instant, every output counting alike (as the shipped model's outputs, they move together)."""
    weights = np.zeros((len(syncmodel.TAPS_MS), 5))
    weights[int(np.flatnonzero(syncmodel.TAPS_MS == 0)[0]), :] = 1.0
    return syncmodel.SyncModel(weights, np.full(5, 0.2), 0)


def series(slip_ms: float):
    t_sound, envelope = sound_envelope()
    log_mel = object.__new__(AudioFeatures)
    log_mel._assign(envelope[:, None].astype(np.float32), 0.0, DURATION_S, 0.0, syncmodel.MODEL_HOP_S)
    frame_t = np.arange(0.0, DURATION_S, 1 / FPS)
    shown = np.where((frame_t >= SLIP[0]) & (frame_t < SLIP[1]), frame_t - slip_ms / 1000.0, frame_t)
    rng = np.random.default_rng(5)
    mouth = np.interp(shown, t_sound, envelope)[:, None] + 0.3 * rng.standard_normal((len(frame_t), 5))
    return frame_t, mouth, log_mel


def tracked(slip_ms: float):
    frame_t, mouth, log_mel = series(slip_ms)
    speaking, shot = np.ones(len(frame_t), bool), np.zeros(len(frame_t), int)
    lags, evidence, usable = model_lag_evidence(identity_model(), frame_t, mouth, None, log_mel, FPS, 0.0, speaking, shot)
    path = lags[track_lags(evidence, lags, shot, len(lags) // 2)]
    local = model_local_offsets(lags, evidence, usable, frame_t, shot, speaking, FPS)
    measured = {"frame_t": frame_t, "track_offset_ms": path, "track_lags_ms": lags, "track_evidence": evidence,
                "model_lags_ms": lags, "model_evidence": evidence,
                "local_t": local["t"], "local_offset_ms": local["offset_ms"], "local_confidence": local["confidence"]}
    return frame_t, path, local, measured


@pytest.mark.parametrize("slip_ms", [200.0, -200.0])
def test_slipped_stretch_is_tracked_at_its_offset(slip_ms):
    frame_t, path, local, measured = tracked(slip_ms)
    inside = (frame_t >= SLIP[0] + 0.2) & (frame_t < SLIP[1] - 0.2)
    outside = ((frame_t >= 1.0) & (frame_t < SLIP[0] - 0.4)) | ((frame_t >= SLIP[1] + 0.4) & (frame_t < DURATION_S - 1.0))
    assert np.median(np.abs(path[inside] - slip_ms)) <= 20
    assert np.median(np.abs(path[outside])) <= 20
    centre = int(np.argmin(np.abs(local["t"] - sum(SLIP) / 2)))
    assert abs(local["offset_ms"][centre] - slip_ms) <= 40
    slips = relative_slips(measured, qa_limits())
    assert len(slips) == 1
    stretch = slips[0]
    assert abs(stretch.start - SLIP[0]) <= 0.3 and abs(stretch.end - SLIP[1]) <= 0.3
    assert abs(stretch.offset_ms - slip_ms) <= 20


def test_untouched_series_stays_in_sync():
    frame_t, path, local, measured = tracked(0.0)
    assert np.abs(path).max() <= 40
    assert path_stretches(measured, qa_limits()) == []
    assert relative_slips(measured, qa_limits()) == []
    measured_offsets = local["offset_ms"][np.isfinite(local["offset_ms"])]
    assert len(measured_offsets) > 0.5 * len(local["t"]) and np.abs(measured_offsets).max() <= 40


def judged(slip_ms: float):
    """The series judged as a close-up talking throughout whose whole clip reads in sync."""
    frame_t, _, _, measured = tracked(slip_ms)
    n = len(frame_t)
    measured.update({"face_height_ratio": np.full(n, 0.4), "speaking": np.ones(n, bool),
                     "mouth_pixel_change": np.full(n, 5.0), "syllable_t": np.zeros(0), "syllable_start": np.zeros(0),
                     "syllable_end": np.zeros(0), "syllable_stress_score": np.zeros(0)})
    values = {"fps": FPS, "offset_ms": 0.0, "confidence": 5.0, "local_evidence": "model"}
    return judge_qa(Measurements(values=values, series=measured), "clip.mp4")


@pytest.mark.parametrize("slip_ms", [200.0, -200.0])
def test_slipped_stretch_is_a_rerender_segment_at_its_offset(slip_ms):
    report = judged(slip_ms)
    flagged = [segment for segment in report.segments if segment.rerender]
    assert len(flagged) == 1 and flagged[0].kind == "slip"
    assert abs(flagged[0].offset_ms - slip_ms) <= 20
    assert flagged[0].start < SLIP[1] and flagged[0].end > SLIP[0]
    assert report.verdict == "fail"


def test_untouched_series_has_no_rerender_segment():
    report = judged(0.0)
    assert not [segment for segment in report.segments if segment.rerender]
    assert report.verdict == "pass"
