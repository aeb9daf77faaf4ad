"""The speech detector finds speech, not breaths or room tone, and its span to within 50 ms."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

from fixtures.audio_truth import pad_silence
from lipgate.speech import speech_activity, speech_span


def breath(sr: int, duration_s: float = 0.35, rms: float = 0.03, seed: int = 1) -> np.ndarray:
    """A breath: band-limited noise (500-3000 Hz) with a smooth swell, unvoiced like a real one."""
    noise = np.random.default_rng(seed).standard_normal(int(duration_s * sr))
    noise = sosfilt(butter(4, [500, 3000], "band", fs=sr, output="sos"), noise)
    return noise / np.sqrt(np.mean(noise ** 2)) * rms * np.hanning(noise.size)


def test_span_of_padded_speech(clean_speech):
    speech, sr = clean_speech
    truth = speech_span(speech, sr)
    padded = pad_silence(speech, sr, lead_s=1.5, tail_s=1.0, room_tone_dbfs=-55.0)
    start, end = speech_span(padded, sr)
    assert abs(start - (1.5 + truth[0])) <= 0.05
    assert abs(end - (1.5 + truth[1])) <= 0.05


def test_a_breath_before_the_speech_is_not_speech(clean_speech):
    speech, sr = clean_speech
    padded = pad_silence(speech, sr, lead_s=1.5, tail_s=0.5, room_tone_dbfs=-55.0)
    puff = breath(sr)
    at = int(0.5 * sr)
    padded[at:at + puff.size] += puff
    start, _ = speech_span(padded, sr)
    assert start > 1.4


def test_room_tone_and_silence_hold_no_speech():
    sr = 16000
    rng = np.random.default_rng(0)
    assert speech_span(np.zeros(3 * sr), sr) is None
    assert speech_span(0.01 * rng.standard_normal(3 * sr), sr) is None
    assert not speech_activity(0.01 * rng.standard_normal(3 * sr), sr).any()
