"""Time ranges from per-frame flags."""

from __future__ import annotations

import numpy as np

from lipgate.results import Segment


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs of each run of True in a boolean array."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def segments_where(t: np.ndarray, mask: np.ndarray, frame_period_s: float, min_duration_s: float = 0.0,
                   merge_gap_s: float = 0.0) -> list[Segment]:
    """Time ranges where ``mask`` holds; each sample holds until the next one (the last one for
    ``frame_period_s``), so a series sampled more densely around its changes gets exact ends.

    Ranges closer than ``merge_gap_s`` are merged; then ranges shorter than ``min_duration_s``
    are dropped.
    """
    merged: list[list[float]] = []
    for first, last in runs(mask):
        start = float(t[first])
        end = float(t[last + 1]) if last + 1 < len(t) else float(t[last]) + frame_period_s
        if merged and start - merged[-1][1] <= merge_gap_s:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [Segment(start, end) for start, end in merged if end - start >= min_duration_s - 1e-9]


def median_period_s(t: np.ndarray, default: float = 0.04) -> float:
    """The typical spacing of a time axis in seconds."""
    return float(np.median(np.diff(t))) if len(t) > 1 else default
