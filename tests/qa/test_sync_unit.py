"""The estimator on signals with a known lag (no video, no face mesh): sign, magnitude, confidence."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.qa import sync
from fixtures.synth import loudness_envelope
from lipgate.qa.features import AudioFeatures

SR = 16_000
FPS = 25.0


def babble(duration_s: float, seed: int = 0) -> np.ndarray:
    """Speech-like sound: syllable-rate bursts (3-6 per s) of harmonic tones and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * SR)) / SR
    envelope = np.zeros_like(t)
    position = 0.1
    while position < duration_s - 0.2:
        length = rng.uniform(0.08, 0.3)
        envelope += np.exp(-0.5 * ((t - position - length / 2) / (length / 3)) ** 2) * rng.uniform(0.3, 1.0)
        position += length + rng.uniform(0.02, 0.25)
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.5 * t)
    voice = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / SR) / k for k in range(1, 8))
    return (envelope * (voice + 0.3 * rng.standard_normal(t.size)) * 0.1).astype(np.float32), envelope


def mouth_from_envelope(samples: np.ndarray, frame_t: np.ndarray, sound_early_s: float) -> np.ndarray:
    """Mouth features that open with the sound's loudness (the talking fixture's model, 40 ms RMS)
    ``sound_early_s`` later than the sound (the picture lags when positive)."""
    opening = loudness_envelope(np.concatenate([np.zeros(SR, np.float32), samples, np.zeros(SR, np.float32)]), SR,
                                1000.0, samples.size * 1000 // SR + 2000)
    opening = np.interp(frame_t - sound_early_s, np.arange(opening.size) / 1000.0 - 1.0, opening)
    rng = np.random.default_rng(1)
    noise = lambda: 0.02 * rng.standard_normal(frame_t.size)  # noqa: E731  landmark jitter
    return np.column_stack([0.3 * opening + noise(), 1.0 - 0.05 * opening + noise(), 0.1 * opening ** 1.5 + noise(),
                            2.0 + 0.2 * opening + noise(), 0.5 + 0.3 * opening + noise()])


@pytest.mark.parametrize("sound_early_ms", [-200.0, -90.0, 0.0, 60.0, 180.0])
def test_offset_sign_and_magnitude(sound_early_ms):
    samples, envelope = babble(8.0)
    frame_t = np.arange(int(8.0 * FPS)) / FPS
    mouth = mouth_from_envelope(samples, frame_t, sound_early_ms / 1000.0)
    estimate = sync.estimate_offset(frame_t, mouth, AudioFeatures(samples, SR, 0.0, window_s=1 / FPS))
    assert estimate.offset_ms == pytest.approx(sound_early_ms, abs=1000 / FPS)
    assert estimate.confidence > 3.0


def test_audio_start_time_counts():
    """The same sound declared to start 150 ms later on the container timeline is 150 ms later."""
    samples, envelope = babble(8.0, seed=3)
    frame_t = np.arange(int(8.0 * FPS)) / FPS
    mouth = mouth_from_envelope(samples, frame_t, 0.0)
    on_time = sync.estimate_offset(frame_t, mouth, AudioFeatures(samples, SR, 0.0, window_s=1 / FPS))
    late = sync.estimate_offset(frame_t, mouth, AudioFeatures(samples, SR, 0.15, window_s=1 / FPS))
    assert late.offset_ms - on_time.offset_ms == pytest.approx(-150.0, abs=1000 / FPS)


def test_unrelated_mouth_gets_low_confidence():
    samples, _ = babble(8.0, seed=4)
    frame_t = np.arange(int(8.0 * FPS)) / FPS
    mouth = mouth_from_envelope(babble(8.0, seed=9)[0], frame_t, 0.0)
    related = mouth_from_envelope(samples, frame_t, 0.0)
    audio = AudioFeatures(samples, SR, 0.0, window_s=1 / FPS)
    assert sync.estimate_offset(frame_t, mouth, audio).confidence < sync.estimate_offset(frame_t, related, audio).confidence


def slipped_clip(duration_s: float, seed: int, slip_s: float, start_s: float, end_s: float):
    """(frame times, mouth features, sound features, stretch mask) of babble whose lips lag the
    sound by ``slip_s`` from ``start_s`` to ``end_s`` and are in sync elsewhere."""
    samples, _ = babble(duration_s, seed=seed)
    frame_t = np.arange(int(duration_s * FPS)) / FPS
    mouth = mouth_from_envelope(samples, frame_t, 0.0)
    slipped = mouth_from_envelope(samples, frame_t, slip_s)
    stretch = (frame_t >= start_s) & (frame_t < end_s)
    mouth[stretch] = slipped[stretch]
    return frame_t, mouth, AudioFeatures(samples, SR, 0.0, window_s=1 / FPS), stretch


def local_offsets_of(frame_t, mouth, audio, clip):
    """``sync.local_offsets`` of one shot with speech throughout."""
    return sync.local_offsets(frame_t, mouth, audio, clip, np.zeros(frame_t.size, int), np.ones(frame_t.size, bool), FPS)


def test_local_offsets_find_a_slipped_stretch():
    frame_t, mouth, audio, _ = slipped_clip(10.0, seed=5, slip_s=0.2, start_s=4.0, end_s=5.6)
    clip = sync.estimate_offset(frame_t, mouth, audio)
    local = local_offsets_of(frame_t, mouth, audio, clip)
    inside = (local["t"] >= 4.6) & (local["t"] <= 5.0)
    outside = (local["t"] >= 1.5) & (local["t"] <= 3.0)
    assert np.nanmedian(local["offset_ms"][inside]) == pytest.approx(200.0, abs=1000 / FPS)
    assert np.nanmedian(local["offset_ms"][outside]) == pytest.approx(0.0, abs=1000 / FPS)


def test_refine_peak_interpolates_between_steps():
    lags = np.arange(-50.0, 51.0, 5.0)
    scores = -(lags - 12.0) ** 2
    assert sync.refine_peak(lags, scores, int(np.argmax(scores))) == pytest.approx(12.0, abs=0.5)


def test_local_window_is_never_read_at_the_edge_of_its_range():
    """A stretch slipped past the local search range (+-400 ms around the clip's offset) has its
    true peak outside it: its windows' curves rise to the edge of the range, which is no peak
    and must not be read as an offset at either edge."""
    frame_t, mouth, audio, stretch = slipped_clip(12.0, seed=6, slip_s=0.55, start_s=3.0, end_s=8.0)
    clip = sync.estimate_offset(frame_t, mouth, audio, rows=~stretch)
    local = local_offsets_of(frame_t, mouth, audio, clip)
    inside = (local["t"] >= 4.0) & (local["t"] <= 7.0)
    from_clip = np.abs(local["offset_ms"][inside] - clip.offset_ms)
    assert not np.any(np.abs(from_clip - sync.LOCAL_SEARCH_MS) < 2 * sync.LAG_STEP_MS)


def test_track_lags_follows_a_slip_and_ignores_a_short_chance_peak():
    """Constructed evidence over 100 frames and lags -100..+300 ms: the true lag 0 scores 0.5 per
    frame, except frames 40-79 where +200 scores 1.0 (a 1.6 s slip at 25 fps); frames 10-14 have
    a chance peak at +300 (2.0 per frame, 10 in all, less than two jumps). The path sits at 0,
    jumps to +200 over the slip and back, and ignores the chance peak."""
    lags = np.arange(-100.0, 301.0, 10.0)
    evidence = np.zeros((100, lags.size))
    home, slip, chance = [int(np.flatnonzero(lags == lag)[0]) for lag in (0.0, 200.0, 300.0)]
    evidence[:, home] = 0.5
    evidence[40:80, home] = 0.0
    evidence[40:80, slip] = 1.0
    evidence[10:15, chance] = 2.0
    path = lags[sync.track_lags(evidence, lags, np.zeros(100, int), home)]
    assert np.all(path[40:80] == 200.0)
    assert np.all(path[:40] == 0.0) and np.all(path[80:] == 0.0)


def test_track_lags_restarts_at_a_cut_without_cost():
    """Two shots with different true lags (0 and +100 ms): each shot's path takes its own lag,
    starting and ending at the clip's lag (home) only as far as the evidence pays for it."""
    lags = np.arange(-100.0, 301.0, 10.0)
    evidence = np.zeros((120, lags.size))
    evidence[:60, np.flatnonzero(lags == 0.0)[0]] = 1.0
    evidence[60:, np.flatnonzero(lags == 100.0)[0]] = 1.0
    shot = np.repeat([0, 1], 60)
    path = lags[sync.track_lags(evidence, lags, shot, int(np.flatnonzero(lags == 0.0)[0]))]
    assert np.all(path[:60] == 0.0) and np.all(path[61:119] == 100.0)


def test_lag_evidence_tracks_a_slipped_stretch():
    """Synthetic babble with a 1.6 s stretch of the picture 200 ms late: the tracked path reads
    +200 ms (within a frame) in the stretch's middle and the clip's offset well outside it."""
    samples, envelope = babble(10.0, seed=5)
    frame_t = np.arange(int(10.0 * FPS)) / FPS
    mouth = mouth_from_envelope(samples, frame_t, 0.0)
    stretch = (frame_t >= 4.0) & (frame_t < 5.6)
    mouth[stretch] = mouth_from_envelope(samples, frame_t, 0.2)[stretch]
    audio = AudioFeatures(samples, SR, 0.0, window_s=1 / FPS)
    clip = sync.estimate_offset(frame_t, mouth, audio)
    shot, speaking = np.zeros(frame_t.size, int), np.ones(frame_t.size, bool)
    lags, evidence = sync.lag_evidence(frame_t, mouth, audio, clip, speaking, shot, FPS)
    path = lags[sync.track_lags(evidence, lags, shot, lags.size // 2)]
    assert np.median(path[(frame_t >= 4.4) & (frame_t < 5.2)]) == pytest.approx(200.0, abs=1000 / FPS)
    assert np.median(path[(frame_t >= 1.5) & (frame_t < 3.0)]) == pytest.approx(clip.offset_ms, abs=1000 / FPS)
