"""Level measurements: integrated loudness (LUFS), sample and true peak (dBFS), clipping."""

from __future__ import annotations

import numpy as np
from scipy.signal import resample_poly

TRUE_PEAK_OVERSAMPLING = 4
"""ITU-R BS.1770-4 Annex 2: true peak from the signal oversampled 4 times (at 48 kHz)."""
CLIP_LEVEL = 0.999
"""Samples at 99.9% of full scale or more count as at the rail."""
CLIP_RUN_SAMPLES = 3
"""Three or more consecutive samples at the rail are a clip (a single full-scale sample can be
a legitimate peak; a flat top of 3 is not)."""


def integrated_loudness_lufs(channels: np.ndarray, sr: int) -> float | None:
    """EBU R128 / ITU-R BS.1770 integrated loudness of (channels, n) samples, via pyloudnorm;
    None for clips under 0.4 s (one gating block) or silence."""
    import pyloudnorm

    if channels.shape[-1] < int(0.4 * sr) + 1:
        return None
    loudness = pyloudnorm.Meter(sr).integrated_loudness(np.asarray(channels, dtype=np.float64).T)
    return float(loudness) if np.isfinite(loudness) else None


def sample_peak_dbfs(channels: np.ndarray) -> float:
    peak = float(np.max(np.abs(channels))) if channels.size else 0.0
    return 20 * np.log10(max(peak, 1e-10))


def true_peak_dbfs(channels: np.ndarray, sr: int, block_s: float = 10.0) -> float:
    """Highest inter-sample peak (dBTP) of (channels, n) samples, 4x oversampled in blocks."""
    block = int(block_s * sr)
    peak = 0.0
    for channel in np.atleast_2d(channels):
        for start in range(0, channel.size, block):
            # 32 samples of overlap so each block's filter sees its neighbours
            piece = channel[max(0, start - 32): start + block + 32].astype(np.float64)
            if piece.size:
                peak = max(peak, float(np.max(np.abs(resample_poly(piece, TRUE_PEAK_OVERSAMPLING, 1)))))
    return 20 * np.log10(max(peak, 1e-10))


def clipped_ratio(channels: np.ndarray) -> float:
    """Share of samples (0..1) in runs of CLIP_RUN_SAMPLES or more at the rail (|x| >= 0.999)."""
    channels = np.atleast_2d(channels)
    clipped = 0
    for channel in channels:
        at_rail = np.abs(channel) >= CLIP_LEVEL
        if not at_rail.any():
            continue
        padded = np.concatenate([[False], at_rail, [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(padded))
        lengths = edges[1::2] - edges[::2]
        clipped += int(lengths[lengths >= CLIP_RUN_SAMPLES].sum())
    return clipped / max(1, channels.size)
