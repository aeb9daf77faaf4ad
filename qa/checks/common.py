"""What the checks of `qa --source` share: the render's frame times and which frames matched."""

from __future__ import annotations

import numpy as np

from lipgate.measurements import Measurements


def frame_times(measured: Measurements) -> np.ndarray:
    return np.asarray(measured.series.get("compare_frame_t", np.zeros(0)), float)


def frame_period_s(measured: Measurements) -> float:
    return 1.0 / float(measured.get("render_fps") or 25.0)


def matched(measured: Measurements) -> np.ndarray:
    """Per render frame: True where it has a source frame."""
    return np.asarray(measured.series.get("source_frame", np.zeros(0)), int) >= 0


def median_of(values: np.ndarray, where: np.ndarray | None = None) -> float | None:
    """The median of the finite values (inside ``where``), None when there is none."""
    values = np.asarray(values, float)
    if where is not None:
        values = values[where]
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else None


def level_ratio(measured: Measurements, render_name: str, source_name: str) -> tuple[float | None, float | None, float | None]:
    """(render median / source median, render median, source median) of two per-frame level
    series over the matched frames where both are measured; (None, ...) where none or the
    source's level is 0."""
    both = matched(measured)
    render = np.asarray(measured.series.get(render_name, np.zeros(len(both))), float)
    source = np.asarray(measured.series.get(source_name, np.zeros(len(both))), float)
    both = both & np.isfinite(render) & np.isfinite(source)
    render_level, source_level = median_of(render, both), median_of(source, both)
    ratio = render_level / source_level if render_level is not None and source_level else None
    return ratio, render_level, source_level
