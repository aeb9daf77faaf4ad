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


def test_fast_fft_length_is_the_next_5_smooth_length():
    from lipgate.speech import fast_fft_length

    def smooth(n):
        for p in (2, 3, 5):
            while n % p == 0:
                n //= p
        return n == 1

    for n in (1, 7, 741, 2678, 2734, 4097):
        length = fast_fft_length(n)
        assert length >= n and smooth(length)
        assert not any(smooth(m) for m in range(n, length))


def test_voicing_equals_the_linear_autocorrelation(clean_speech):
    """The short FFT (no wrap up to the longest pitch lag) gives the values of one twice the frame."""
    from lipgate.speech import PITCH_RANGE_HZ, default_frame_length, default_hop_length, frame_signal, frame_voicing

    speech, sr = clean_speech
    frames = frame_signal(speech.astype(np.float32), default_frame_length(sr), default_hop_length(sr)).astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    length = frames.shape[1]
    window = np.hanning(length)
    n_fft = 2 * length
    autocorr = np.fft.irfft(np.abs(np.fft.rfft(frames * window, n_fft, axis=1)) ** 2, n_fft, axis=1)
    window_autocorr = np.fft.irfft(np.abs(np.fft.rfft(window, n_fft)) ** 2, n_fft)
    lags = slice(max(1, int(sr / PITCH_RANGE_HZ[1])), min(length // 2, int(np.ceil(sr / PITCH_RANGE_HZ[0]))) + 1)
    normalised = autocorr[:, lags] / np.maximum(autocorr[:, :1], 1e-20) / (window_autocorr[lags] / window_autocorr[0])
    expected = np.clip(np.where(autocorr[:, 0] > 1e-12, normalised.max(axis=1), 0.0), 0.0, 1.0)
    assert np.abs(frame_voicing(frame_signal(speech.astype(np.float32), length, default_hop_length(sr)), sr) - expected).max() < 1e-12
