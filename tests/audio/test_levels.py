"""Loudness, true peak and clipping on signals whose values are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from preflight.analyzers.audio.level import clipped_ratio, integrated_loudness_lufs, sample_peak_dbfs, true_peak_dbfs

SR = 48000


def test_loudness_of_a_full_scale_997_hz_sine_is_minus_3_lufs():
    # ITU-R BS.1770-4: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS
    t = np.arange(5 * SR) / SR
    sine = np.sin(2 * np.pi * 997 * t)[np.newaxis, :]
    assert integrated_loudness_lufs(sine, SR) == pytest.approx(-3.01, abs=0.1)
    assert integrated_loudness_lufs(sine * 10 ** (-20 / 20), SR) == pytest.approx(-23.01, abs=0.1)


def test_true_peak_finds_the_peak_between_samples():
    # a sine at a quarter of the rate, sampled 45 degrees off its crests: samples at 0.707 of the peak
    n = np.arange(SR)
    sine = np.sin(2 * np.pi * n / 4 + np.pi / 4)[np.newaxis, :]
    assert sample_peak_dbfs(sine) == pytest.approx(-3.01, abs=0.05)
    assert true_peak_dbfs(sine, SR) == pytest.approx(0.0, abs=0.3)


def test_clipping_counts_flat_tops_not_single_peaks():
    t = np.arange(SR) / SR
    clipped = np.clip(1.5 * np.sin(2 * np.pi * 100 * t), -1, 1)[np.newaxis, :]
    assert clipped_ratio(clipped) > 0.3
    single = np.zeros((1, SR))
    single[0, 100] = 1.0
    assert clipped_ratio(single) == 0.0
