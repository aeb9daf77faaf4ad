"""Whole-signal reference computations (the method before the audio was streamed): the streamed
measurements are tested against them."""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from lipgate.speech import frame_signal, power_db
from lipgate.preflight.analyzers.audio.bandwidth import spectrum_n_fft
from lipgate.preflight.analyzers.audio.level import CLIP_LEVEL, CLIP_RUN_SAMPLES, TRUE_PEAK_OVERSAMPLING


def loudness_lufs(channels: np.ndarray, sr: int) -> float:
    return float(pyloudnorm.Meter(sr).integrated_loudness(np.asarray(channels, np.float64).T))


def true_peak_dbfs(channels: np.ndarray) -> float:
    peak = max(float(np.max(np.abs(resample_poly(channel.astype(np.float64), TRUE_PEAK_OVERSAMPLING, 1))))
               for channel in channels)
    return 20 * np.log10(peak)


def clipped_ratio(channels: np.ndarray) -> float:
    clipped = 0
    for channel in channels:
        padded = np.concatenate([[False], np.abs(channel) >= CLIP_LEVEL, [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(padded))
        lengths = edges[1::2] - edges[::2]
        clipped += int(lengths[lengths >= CLIP_RUN_SAMPLES].sum())
    return clipped / channels.size


def speech_spectrum_db(samples: np.ndarray, sr: int, mask: np.ndarray, frame_length: int,
                       hop_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean power spectrum of exactly the frames the mask calls speech (Hann, ~46 ms, centred
    on the detector's frames)."""
    n_fft = spectrum_n_fft(sr)
    offset = (frame_length - n_fft) // 2
    padded = np.concatenate([np.zeros(max(0, -offset), np.float32), np.asarray(samples, np.float32)[max(0, offset):]])
    frames = frame_signal(padded, n_fft, hop_length)[: mask.size]
    chosen = frames[mask[: frames.shape[0]]].astype(np.float64)
    power = np.abs(np.fft.rfft(chosen * np.hanning(n_fft), axis=1)) ** 2
    return np.fft.rfftfreq(n_fft, 1.0 / sr), power_db(power.mean(axis=0), floor_db=-200.0)
