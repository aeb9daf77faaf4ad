"""lighting_flicker: light on the face that pulses, and flashes by the WCAG 2 definition.

Flicker index (dimensionless, 0 = steady): the amplitude of the strongest periodic component of
the face-skin luminance between ``FLICKER_BAND_LOW_HZ`` and the Nyquist frequency, over the mean
luminance, in windows of ``WINDOW_S`` seconds (linear trend removed, Hann window, zero-padded
4x). For a modulation L0 (1 + m sin 2 pi f t) this is its depth m; a one-off change of light (a
head turn, a cloud) spreads over all frequencies and scores low, because flicker repeats. The
check's value is the largest window's index. Flashes follow WCAG 2.3.1's general flash definition: a pair of opposing
changes in relative luminance of at least 0.1 where the darker state is under 0.8, counted in
any one-second window.
"""

from __future__ import annotations

import numpy as np

from lipgate.results import Segment
from lipgate.preflight.checks.base import Check, Threshold

FLICKER_BAND_LOW_HZ = 3.0
"""WCAG 2.3.1 counts flashes from 3 per second; slower light changes read as motion, not flicker."""
WINDOW_S = 2.0
"""Two seconds: six periods of the slowest flicker counted, short enough to localise it."""


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaNs (frames where the face was not located)."""
    values = np.asarray(values, dtype=np.float64)
    good = np.isfinite(values)
    if good.all() or not good.any():
        return values
    index = np.arange(values.size)
    return np.interp(index, index[good], values[good])


def remove_linear_trend(values: np.ndarray) -> np.ndarray:
    """``values`` minus their least-squares straight line (a slow drift of the light is not flicker)."""
    position = np.arange(values.size) - (values.size - 1) / 2.0
    slope = float(position @ (values - values.mean())) / max(float(position @ position), 1e-12)
    return values - values.mean() - slope * position


def flicker_index_windows(luminance: np.ndarray, fps: float, window_s: float = WINDOW_S) -> np.ndarray:
    """Flicker index of each window of ``window_s`` seconds (hop a quarter window), dimensionless."""
    light = fill_gaps(luminance)
    size = int(round(window_s * fps))
    if light.size < size or not np.isfinite(light).all() or fps / 2 <= FLICKER_BAND_LOW_HZ:
        return np.array([])
    taper = np.hanning(size)
    padded = 4 * size
    frequencies = np.fft.rfftfreq(padded, 1 / fps)
    band = (frequencies >= FLICKER_BAND_LOW_HZ) & (frequencies <= fps / 2)
    indices = []
    for start in range(0, light.size - size + 1, max(1, size // 4)):
        window = light[start:start + size]
        amplitude = 2 * np.abs(np.fft.rfft(remove_linear_trend(window) * taper, padded)) / taper.sum()
        indices.append(float(amplitude[band].max() / max(window.mean(), 1e-4)))
    return np.array(indices)


def wcag_flash_changes(luminance: np.ndarray, min_change: float = 0.1, dark_limit: float = 0.8) -> list[int]:
    """Frame indices where an opposing luminance change of a WCAG 2 flash completes.

    A change counts when luminance moves by at least ``min_change`` away from the last
    extreme in the opposite direction, and the darker of the two states is under ``dark_limit``.
    """
    light = fill_gaps(luminance)
    changes: list[int] = []
    if light.size == 0 or not np.isfinite(light).all():
        return changes
    low = high = light[0]  # extremes since the last counted change
    last = 0  # direction of the last counted change: +1 up, -1 down
    for i, value in enumerate(light[1:], start=1):
        low, high = min(low, value), max(high, value)
        if last != 1 and value - low >= min_change and low < dark_limit:
            changes.append(i)
            last, low, high = 1, value, value
        elif last != -1 and high - value >= min_change and value < dark_limit:
            changes.append(i)
            last, low, high = -1, value, value
    return changes


def flashes_per_second(luminance: np.ndarray, fps: float) -> float:
    """Most WCAG 2 flashes (pairs of opposing changes) in any one-second window."""
    changes = np.array(wcag_flash_changes(luminance))
    if changes.size < 2:
        return 0.0
    window = int(round(fps))
    counts = [np.count_nonzero((changes >= c) & (changes < c + window)) for c in changes]
    return max(counts) / 2.0


class LightingFlicker(Check):
    id = "lighting_flicker"
    unit = "-"
    title = "Steady light on the face"
    thresholds = {
        "fail_above": Threshold(0.03, "index", "temporal contrast sensitivity (de Lange 1958, Kelly 1961): a luminance modulation of a few percent at 3-25 Hz is visible; lipgate calibration: 3% modulations of the corpus clips measure 0.024-0.030 (a warning), 10% ones 0.100-0.108"),
        "warn_above": Threshold(0.02, "index", "lipgate calibration: steady real clips measure at most 0.016 (bench/flicker_calibration.py)"),
        "max_flashes_per_s": Threshold(3.0, "flashes/s", "WCAG 2.3.1 three flashes threshold"),
    }

    def judge(self, measured, limits):
        if measured.get("kind") == "image":
            return self.skip("a still has no flicker")
        light = measured.series.get("light_face_chained", np.array([]))
        absolute = measured.series.get("light_face", np.array([]))
        t = measured.series.get("light_t", np.array([]))
        fps = measured.get("fps") or 25.0
        if np.isfinite(light).sum() < fps:
            return self.skip("the face is visible for less than a second, too short to judge its light")
        windows = flicker_index_windows(light, fps)
        if windows.size == 0:
            return self.skip(f"the face is visible for less than {WINDOW_S:g} s at {fps:.0f} fps: too short to see flicker")
        value = float(windows.max())
        flashes = flashes_per_second(absolute, fps)
        hop_s = max(1, int(round(WINDOW_S * fps)) // 4) / fps
        bad = np.flatnonzero(windows > limits["warn_above"])
        segments = _merge([Segment(float(t[0] + i * hop_s), float(t[0] + i * hop_s + WINDOW_S)) for i in bad])
        details = {"flashes_per_s": flashes, "median_window_index": float(np.median(windows))}
        if flashes > limits["max_flashes_per_s"]:
            return self.result("fail", value, f"{flashes:.1f} flashes per second on the face (WCAG 2 limit {limits['max_flashes_per_s']:.0f})",
                               limits, "fail_above", details=details, segments=segments,
                               fix="remove the flashing frames or use another take")
        if value > limits["fail_above"]:
            return self.result("fail", value, f"the light on the face flickers (index {value:.3f})", limits, "fail_above",
                               details=details, segments=segments,
                               fix="record under steady light (mains-synchronised shutter, flicker-free LEDs) or deflicker the footage")
        if value > limits["warn_above"]:
            return self.result("warn", value, f"the light on the face is slightly unsteady (index {value:.3f})", limits, "fail_above",
                               details=details, segments=segments, fix="check those moments for flicker or flashes")
        return self.result("pass", value, f"steady light on the face (index {value:.3f})", limits, "fail_above", details=details)


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and segment.start <= merged[-1].end:
            merged[-1] = Segment(merged[-1].start, max(merged[-1].end, segment.end))
        else:
            merged.append(segment)
    return merged
