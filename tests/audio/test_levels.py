"""Loudness, true peak and clipping: known closed-form values, and the streamed meters against
the whole-signal computations whatever the block size."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.preflight.analyzers.audio.level import ClipCounter, LoudnessMeter, PeakMeter
from tests.audio import whole_signal

SR = 48000


def fed(meter, channels: np.ndarray, block: int):
    for start in range(0, channels.shape[-1], block):
        meter.add(channels[:, start:start + block])
    return meter


def test_loudness_of_a_full_scale_997_hz_sine_is_minus_3_lufs():
    # ITU-R BS.1770-4: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS
    t = np.arange(5 * SR) / SR
    sine = np.sin(2 * np.pi * 997 * t)[np.newaxis, :]
    assert fed(LoudnessMeter(SR, 1), sine, SR).integrated_lufs() == pytest.approx(-3.01, abs=0.1)
    assert fed(LoudnessMeter(SR, 1), sine * 10 ** (-20 / 20), SR).integrated_lufs() == pytest.approx(-23.01, abs=0.1)


def test_loudness_of_silence_and_of_a_short_clip_is_none():
    assert fed(LoudnessMeter(SR, 1), np.zeros((1, 2 * SR)), SR).integrated_lufs() is None
    assert fed(LoudnessMeter(SR, 1), np.ones((1, int(0.3 * SR))), SR).integrated_lufs() is None


@pytest.mark.parametrize("sr", [8000, 11025, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("block_s", [0.05, 0.37, 1.0])
def test_streamed_loudness_matches_pyloudnorm(sr, block_s):
    # stereo noise whose level ramps over 40 dB with a quiet second: both gates have work to do
    rng = np.random.default_rng(sr)
    n = int(6.73 * sr)
    channels = rng.standard_normal((2, n)) * np.geomspace(0.003, 0.3, n)
    channels[:, sr:2 * sr] *= 1e-3
    streamed = fed(LoudnessMeter(sr, 2), channels.astype(np.float32), int(block_s * sr)).integrated_lufs()
    assert streamed == pytest.approx(whole_signal.loudness_lufs(channels.astype(np.float32), sr), abs=0.001)


def test_true_peak_finds_the_peak_between_samples():
    # a sine at a quarter of the rate, sampled 45 degrees off its crests: samples at 0.707 of the peak
    n = np.arange(SR)
    sine = np.sin(2 * np.pi * n / 4 + np.pi / 4)[np.newaxis, :]
    meter = fed(PeakMeter(1), sine, SR // 10)
    assert meter.sample_peak_dbfs() == pytest.approx(-3.01, abs=0.05)
    assert meter.true_peak_dbfs() == pytest.approx(0.0, abs=0.3)


@pytest.mark.parametrize("block", [1, 31, 64, 1000, 48000])
def test_streamed_true_peak_is_the_whole_signal_one(block):
    # impulses right at block borders and at both ends of the signal
    rng = np.random.default_rng(block)
    channels = (0.1 * rng.standard_normal((2, 5000))).astype(np.float32)
    for at in (0, 999, 1000, 1001, 2047, 4999):
        channels[at % 2, at] = 0.9 * (-1) ** at
    meter = fed(PeakMeter(2), channels, block)
    assert meter.true_peak_dbfs() == pytest.approx(whole_signal.true_peak_dbfs(channels), abs=1e-4)
    assert meter.sample_peak_dbfs() == pytest.approx(20 * np.log10(0.9), abs=1e-4)


def test_clipping_counts_flat_tops_not_single_peaks():
    t = np.arange(SR) / SR
    clipped = np.clip(1.5 * np.sin(2 * np.pi * 100 * t), -1, 1)[np.newaxis, :]
    assert fed(ClipCounter(1), clipped, 4800).ratio() > 0.3
    single = np.zeros((1, SR))
    single[0, 100] = 1.0
    assert fed(ClipCounter(1), single, 4800).ratio() == 0.0


@pytest.mark.parametrize("block", [1, 2, 3, 5, 100, 1000])
def test_clipped_runs_are_followed_across_block_borders(block):
    channels = np.zeros((2, 1000), np.float32)
    channels[0, 98:103] = 1.0      # 5 at the rail across a border of 100
    channels[0, 500] = 1.0         # a single peak
    channels[0, 699:701] = -1.0    # 2: not a clip
    channels[1, 997:] = 0.9995     # 3 at the very end
    channels[1, :4] = -1.0         # 4 at the very start
    assert fed(ClipCounter(2), channels, block).ratio() == pytest.approx(whole_signal.clipped_ratio(channels))
    assert whole_signal.clipped_ratio(channels) == pytest.approx(12 / 2000)
