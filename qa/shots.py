"""Shot changes: a cut is not a desync, so the analysis is split at cuts.

A frame starts a new shot when the colour histogram of the frame differs from the previous one
by more than ``CUT_HISTOGRAM_DISTANCE`` (total variation distance of 8x8x8-bin RGB histograms,
0 = same colours, 1 = no colour in common) and the change stands out from the frame-to-frame
changes around it (``CUT_CONTRAST`` times their median), the classic histogram-difference
detector (Zhang, Kankanhalli & Smoliar 1993). Head motion, talking and lighting drift move a few
percent of the histogram; a cut to another shot moves a large part of it.
"""

from __future__ import annotations

import numpy as np

HISTOGRAM_BINS = 8
"""Bins per channel (a power of two: a bin is a channel value's top bits)."""
CUT_HISTOGRAM_DISTANCE = 0.35
"""Total variation distance between consecutive frames' histograms above which a cut is likely."""
CUT_CONTRAST = 4.0
"""A cut's distance must also be this many times the median distance of the +-1 s around it."""


def colour_histogram(rgb: np.ndarray) -> np.ndarray:
    """Normalised 8x8x8-bin RGB histogram of a frame (sums to 1), from a 4x subsampled picture."""
    small = rgb[::4, ::4]  # a strided view: each channel's bin is read from it without a copy of the frame
    shift = 8 - int(np.log2(HISTOGRAM_BINS))
    bits = int(np.log2(HISTOGRAM_BINS))
    codes = (((small[..., 0] >> shift).astype(np.uint16) << 2 * bits) | ((small[..., 1] >> shift).astype(np.uint16) << bits)
             | (small[..., 2] >> shift))
    counts = np.bincount(codes.ravel(), minlength=HISTOGRAM_BINS ** 3).astype(np.float64)
    return counts / max(counts.sum(), 1.0)


class ShotChangeTracker:
    """Feed frames in order; ``distances`` holds each frame's histogram distance to the previous one."""

    def __init__(self):
        self._previous: np.ndarray | None = None
        self.distances: list[float] = []

    def process(self, rgb: np.ndarray) -> None:
        histogram = colour_histogram(rgb)
        if self._previous is None:
            self.distances.append(0.0)
        else:
            self.distances.append(0.5 * float(np.abs(histogram - self._previous).sum()))
        self._previous = histogram


def cut_frames(distances: np.ndarray, fps: float) -> list[int]:
    """Indices of frames that start a new shot (never frame 0)."""
    distances = np.asarray(distances, dtype=np.float64)
    half = max(1, int(round(fps)))
    cuts = []
    for i in np.flatnonzero(distances > CUT_HISTOGRAM_DISTANCE):
        around = np.concatenate([distances[max(1, i - half):i], distances[i + 1:i + 1 + half]])
        typical = float(np.median(around)) if around.size else 0.0
        if i > 0 and distances[i] >= CUT_CONTRAST * max(typical, 0.01):
            cuts.append(int(i))
    return cuts


def shot_ids(n_frames: int, cuts: list[int]) -> np.ndarray:
    """Per-frame shot number (0, 1, ...) given the frames that start new shots."""
    ids = np.zeros(n_frames, dtype=np.int32)
    for cut in cuts:
        ids[cut:] += 1
    return ids
