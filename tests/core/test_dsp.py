"""lipgate.dsp against the scipy and pyloudnorm functions it stands in for (the tests may import
them; lipgate check and lipgate qa do not)."""

from __future__ import annotations

import numpy as np
import pytest
from pyloudnorm.iirfilter import IIRfilter
from scipy import ndimage, signal

from lipgate import dsp
from lipgate.preflight.analyzers.audio.level import (K_WEIGHTING_TAIL_SUM, PeakMeter, k_weighting,
                                             k_weighting_response)


def uneven_blocks(n: int, rng: np.random.Generator) -> list[slice]:
    """Slices covering range(n): single samples, blocks shorter and longer than the K-weighting's
    impulse response (0.16 s), and the rest."""
    sizes = [1, 2, 17, 300, 5000, 1, 40000, 3]
    sizes += list(rng.integers(1, 30000, 20))
    bounds = np.minimum(np.concatenate([[0], np.cumsum(sizes)]), n)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])] + [slice(bounds[-1], n)]


# --- K-weighting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sr", [16000, 44100, 48000])
def test_k_weighting_coefficients_are_pyloudnorms(sr):
    stages = (IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sr, "high_shelf"), IIRfilter(0.0, 0.5, 38.0, sr, "high_pass"))
    expected = np.array([np.concatenate([stage.b, stage.a]) for stage in stages])
    assert all(stage.passband_gain == 1.0 for stage in stages)
    np.testing.assert_array_equal(k_weighting(sr), expected)


def test_impulse_response_is_sosfilts():
    sections = k_weighting(44100)
    impulse = np.zeros(3000)
    impulse[0] = 1.0
    np.testing.assert_array_equal(dsp.impulse_response(sections, 3000), signal.sosfilt(sections, impulse))


@pytest.mark.parametrize("sr", [8000, 22050, 48000])
def test_k_weighting_response_is_cut_where_its_tail_sums_under_the_bound(sr):
    whole = dsp.impulse_response(k_weighting(sr), sr)  # 1 s
    cut = k_weighting_response(sr)
    np.testing.assert_array_equal(cut, whole[:cut.size])
    assert np.abs(whole[cut.size:]).sum() < K_WEIGHTING_TAIL_SUM <= np.abs(whole[cut.size - 1:]).sum()
    assert 0.15 < cut.size / sr < 0.17


@pytest.mark.parametrize("sr", [16000, 44100, 48000])
@pytest.mark.parametrize("n_channels", [1, 2])
def test_streamed_k_weighting_is_sosfilt_of_the_whole_signal(sr, n_channels):
    rng = np.random.default_rng(sr + n_channels)
    n = 3 * sr
    x = rng.uniform(-1, 1, (n_channels, n)) * np.geomspace(1e-3, 1, n)
    x[:, sr:sr + 100] = 1.0  # a full-scale step: the slow high-pass tail crosses several blocks
    convolution = dsp.StreamedConvolution(k_weighting_response(sr), n_channels)
    streamed = np.concatenate([convolution.add(x[:, part]) for part in uneven_blocks(n, rng)], axis=-1)
    expected = signal.sosfilt(k_weighting(sr), x, axis=-1)
    assert streamed.shape == expected.shape
    assert np.abs(streamed - expected).max() < 1e-9


def test_streamed_convolution_keeps_only_the_tail_between_blocks():
    convolution = dsp.StreamedConvolution(np.ones(10), 2)
    for size in (3, 100, 1, 5000):
        convolution.add(np.ones((2, size)))
        assert convolution.carried.shape == (2, 9)
    assert len(convolution.response_spectra) <= 4


# --- oversampling --------------------------------------------------------------------------------

def test_interpolation_filter_is_resample_polys():
    expected = signal.firwin(81, 0.25, window=("kaiser", 5.0)) * 4
    np.testing.assert_allclose(dsp.interpolation_filter(4), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n", [1, 5, 20, 21, 22, 100, 4801])
def test_upsample_is_resample_poly(n):
    rng = np.random.default_rng(n)
    noise = rng.uniform(-1, 1, (2, n))
    sine = np.sin(2 * np.pi * 0.23 * np.arange(n) + 0.4)
    for x in (noise, sine, noise[0]):
        np.testing.assert_allclose(dsp.upsample(x, 4), signal.resample_poly(x, 4, 1, axis=-1), rtol=0, atol=1e-12)
    # the meter's float32 samples: scipy filters those in float32, lipgate.dsp in float64
    audio = noise.astype(np.float32)
    np.testing.assert_allclose(dsp.upsample(audio, 4), signal.resample_poly(audio, 4, 1, axis=-1), rtol=0, atol=1e-6)


@pytest.mark.parametrize("block", [1, 7, 32, 33, 1000, 44100])
def test_streamed_true_peak_is_the_whole_signals(block):
    rng = np.random.default_rng(block)
    n = 600 if block < 1000 else 50000
    background = 0.3 * np.sin(2 * np.pi * 0.2499 * np.arange(n)) + 0.05 * rng.standard_normal((2, n))
    # the highest sample at each end of the signal, and on each side of a block border
    for at in (0, n - 1, min(block, n - 1), min(block, n - 1) - 1, min(3 * block, n - 1)):
        channels = background.astype(np.float32)
        channels[at % 2, at] = 0.9
        meter = PeakMeter(2)
        for start in range(0, n, block):
            meter.add(channels[:, start:start + block])
        assert meter.true_peak_dbfs() == 20 * np.log10(np.abs(dsp.upsample(channels, 4)).max())


# --- windowed filters ----------------------------------------------------------------------------

SIZES = [1, 2, 3, 4, 5, 8, 15, 18, 301]
"""Odd and even windows, and windows longer than the series."""


def series(rng: np.random.Generator, n: int, dtype=np.float64) -> np.ndarray:
    """A level-like series (dB) with repeated values."""
    x = np.cumsum(rng.standard_normal(n)) - 60
    x[rng.random(n) < 0.2] = -120.0
    return x.astype(dtype)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_running_median_and_minimum_are_ndimages(size, dtype):
    rng = np.random.default_rng(size)
    for n in (1, 2, 7, 300, 1001):
        x = series(rng, n, dtype)
        np.testing.assert_array_equal(dsp.running_median(x, size), ndimage.median_filter(x, size=size, mode="nearest"))
        np.testing.assert_array_equal(dsp.running_minimum(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))
        assert dsp.running_median(x, size).dtype == dsp.running_minimum(x, size).dtype == dtype


@pytest.mark.parametrize("size", SIZES)
def test_running_mean_is_uniform_filter1d_to_the_bit(size):
    rng = np.random.default_rng(size)
    for shape in ((1,), (5,), (999,), (3, 1), (4, 250)):
        for dtype in (np.float64, np.float32):
            x = (rng.standard_normal(shape) * 30 - 50).astype(dtype)
            expected = ndimage.uniform_filter1d(x, size, axis=-1, mode="nearest")
            np.testing.assert_array_equal(dsp.running_mean(x, size), expected)
            assert dsp.running_mean(x, size).dtype == dtype


@pytest.mark.parametrize("sigma", [0.1, 0.5, 1.0, 2.5, 4.0, 10.0])
def test_gaussian_smooth_is_gaussian_filter1d_to_the_bit(sigma):
    rng = np.random.default_rng(int(sigma * 10))
    for n in (1, 3, 121, 2000):
        x = rng.standard_normal(n)
        np.testing.assert_array_equal(dsp.gaussian_smooth(x, sigma), ndimage.gaussian_filter1d(x, sigma, mode="nearest"))


@pytest.mark.parametrize("reach", [1, 2, 8, 50])
def test_dilate_is_binary_dilation(reach):
    rng = np.random.default_rng(reach)
    for n in (1, 2, 10, 500):
        for share in (0.01, 0.3, 0.9):
            mask = rng.random(n) < share
            np.testing.assert_array_equal(dsp.dilate(mask, reach), ndimage.binary_dilation(mask, iterations=reach))
    edges = np.zeros(20, bool)
    edges[[0, 19]] = True
    np.testing.assert_array_equal(dsp.dilate(edges, 2), ndimage.binary_dilation(edges, iterations=2))


# --- peaks ---------------------------------------------------------------------------------------

def peak_series(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:   # white noise
        return rng.standard_normal(n)
    if kind == 1:   # coarse steps: plateaus, equal peaks, equal bases
        return np.round(rng.standard_normal(n) * 2)
    if kind == 2:   # flat tops three samples wide
        return np.repeat(rng.integers(0, 5, n // 3 + 1), 3)[:n].astype(float)
    # an intensity contour (dB, 10 ms hops): syllables of 100-300 ms, pauses, noise floor
    if n == 0:
        return np.zeros(0)
    level = np.full(n, -70.0)
    at = 0
    while at < n:
        length = min(int(rng.integers(10, 30)), n - at)
        level[at:at + length] = -35 + 12 * np.sin(np.linspace(0, np.pi, length)) ** 2 * rng.uniform(0.3, 1)
        at += length + int(rng.choice([0, 2, 5, 40]))
    return np.convolve(level, np.hanning(7) / np.hanning(7).sum())[3:3 + n] + rng.normal(0, 0.3, n)


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_find_peaks_is_scipys(kind):
    rng = np.random.default_rng(kind)
    for trial in range(150):
        n = int(rng.integers(0, 600))
        x = peak_series(rng, kind, n)
        height = float(np.median(x)) if n else 0.0
        prominence = float(rng.choice([0.0, 0.5, 2.0]))
        distance = int(rng.integers(1, 15))
        width = float(rng.choice([0.0, 1.0, 2.5]))
        peaks, left, right = dsp.find_peaks(x, height, prominence, distance, width, rel_height=0.5)
        expected, properties = signal.find_peaks(x, height=height, prominence=prominence, distance=distance,
                                                 width=width, rel_height=0.5)
        np.testing.assert_array_equal(peaks, expected)
        np.testing.assert_array_equal(left, properties["left_ips"])
        np.testing.assert_array_equal(right, properties["right_ips"])


def test_find_peaks_of_syllables_as_qa_calls_it():
    rng = np.random.default_rng(99)
    x = peak_series(rng, 3, 6000)  # a minute
    peaks, left, right = dsp.find_peaks(x, height=np.median(x), prominence=2.0, distance=10, width=1, rel_height=0.5)
    expected, properties = signal.find_peaks(x, height=np.median(x), prominence=2.0, distance=10, width=1,
                                             rel_height=0.5)
    assert peaks.size > 100
    np.testing.assert_array_equal(peaks, expected)
    np.testing.assert_array_equal(left, properties["left_ips"])
    np.testing.assert_array_equal(right, properties["right_ips"])
