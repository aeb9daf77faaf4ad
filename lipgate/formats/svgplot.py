"""Time plots as inline SVG for the HTML pages: one or more stacked panels on one time axis, with
ranges shaded, a tolerance band, reference lines and a playhead. The page's script maps a click
on the plot to a time (``data-t0``/``data-t1`` over ``data-x0``/``data-x1`` in SVG units) and
seeks the video there; a shaded range that stands for a moment carries ``data-moment``."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

WIDTH = 1000
LEFT, RIGHT = 64, 14
"""Plot area margins (SVG units): room for the y ticks on the left."""
PANEL_HEIGHT = 150
GAP = 26
AXIS_HEIGHT = 30
CURVE_COLORS = ("#0969da", "#bc4c00", "#8250df")


@dataclass
class Panel:
    """One panel: curves over time, in one unit."""

    label: str
    t: np.ndarray
    curves: dict[str, np.ndarray]
    band: tuple[float, float] | None = None
    """(low, high) shaded green: the tolerance."""
    lines: list[tuple[float, str]] = field(default_factory=list)
    """(value, label) dashed reference lines."""
    y_limits: tuple[float, float] | None = None
    """Clamp the y range to this (values beyond are drawn at the edge)."""


@dataclass
class Span:
    start: float
    end: float
    css_class: str
    """'flagged' (red), 'checked' (grey) or 'warned' (amber)."""
    title: str
    moment: int | None = None


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high]."""
    span = max(high - low, 1e-9)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def _y_range(panel: Panel) -> tuple[float, float]:
    values = [np.asarray(v, float) for v in panel.curves.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    extra = [b for b in (panel.band or ())] + [value for value, _ in panel.lines]
    pool = np.concatenate([finite, np.asarray(extra, float)]) if extra else finite
    if pool.size == 0:
        return 0.0, 1.0
    low, high = float(pool.min()), float(pool.max())
    if panel.y_limits is not None:
        low, high = max(low, panel.y_limits[0]), min(high, panel.y_limits[1])
    pad = 0.08 * (high - low) if high > low else max(1.0, abs(high) * 0.1)
    return low - pad, high + pad


def _tick_text(value: float, ticks: list[float]) -> str:
    """A tick's label with as many decimals as the tick step needs (0.45, 0.5 -> "0.45", "0.50")."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}"


def time_plot(panels: list[Panel], t_end: float, spans: list[Span] = (), plot_id: str = "plot", title: str = "") -> str:
    """The SVG (a string) of ``panels`` stacked over 0..``t_end`` s, ``spans`` shaded across all."""
    t_end = max(float(t_end), 1e-3)
    x0, x1 = LEFT, WIDTH - RIGHT
    height = len(panels) * (PANEL_HEIGHT + GAP) + AXIS_HEIGHT

    def x_of(t):
        return x0 + (np.asarray(t, float) / t_end) * (x1 - x0)

    parts = [f'<svg id="{plot_id}" class="seekplot" viewBox="0 0 {WIDTH} {height}" role="img" data-t0="0" data-t1="{t_end:.3f}" '
             f'data-x0="{x0}" data-x1="{x1}" xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>']
    bottom = len(panels) * (PANEL_HEIGHT + GAP)
    for k in range(len(panels)):
        parts.append(f'<rect class="frame" x="{x0}" y="{k * (PANEL_HEIGHT + GAP) + GAP / 2:.0f}" width="{x1 - x0}" height="{PANEL_HEIGHT}"/>')
    for span in spans:
        left, right = float(x_of(max(0.0, span.start))), float(x_of(min(t_end, span.end)))
        moment = f' data-moment="{span.moment}"' if span.moment is not None else ""
        parts.append(f'<rect class="span {span.css_class}"{moment} x="{left:.1f}" y="{GAP / 2:.0f}" width="{max(2.0, right - left):.1f}" '
                     f'height="{bottom - GAP:.0f}"><title>{html.escape(span.title)}</title></rect>')
    for k, panel in enumerate(panels):
        top = k * (PANEL_HEIGHT + GAP) + GAP / 2
        low, high = _y_range(panel)

        def y_of(v, top=top, low=low, high=high):
            v = np.clip(np.asarray(v, float), low, high)
            return top + PANEL_HEIGHT - (v - low) / (high - low) * PANEL_HEIGHT

        parts.append(f'<text class="label" x="{x0 + 6}" y="{top + 14:.0f}">{html.escape(panel.label)}</text>')
        if panel.band is not None:
            band_low, band_high = sorted(panel.band)
            y_top, y_bottom = float(y_of(band_high)), float(y_of(band_low))
            parts.append(f'<rect class="band" x="{x0}" y="{y_top:.1f}" width="{x1 - x0}" height="{max(0.0, y_bottom - y_top):.1f}">'
                         f'<title>tolerance {band_low:+.0f} to {band_high:+.0f}</title></rect>')
        ticks = _ticks(low, high, 5)
        for tick in ticks:
            y = float(y_of(tick))
            parts.append(f'<line class="grid" x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}"/>'
                         f'<text class="tick" x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick_text(tick, ticks)}</text>')
        for value, label in panel.lines:
            y = float(y_of(value))
            parts.append(f'<line class="ref" x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}"><title>{html.escape(label)}</title></line>')
        for c, (name, values) in enumerate(panel.curves.items()):
            parts.append(_polyline(x_of(panel.t), y_of(values), np.isfinite(np.asarray(values, float)),
                                   CURVE_COLORS[c % len(CURVE_COLORS)], name))
        legend = " · ".join(panel.curves)
        parts.append(f'<text class="legend" x="{x1 - 6}" y="{top + 14:.0f}" text-anchor="end">{html.escape(legend)}</text>')
    ticks = _ticks(0.0, t_end, 8)
    for tick in ticks:
        x = float(x_of(tick))
        parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{_tick_text(tick, ticks)}</text>')
    parts.append(f'<text class="tick" x="{x1}" y="{bottom + 28}" text-anchor="end">time (s)</text>')
    parts.append(f'<line class="playhead" x1="{x0}" x2="{x0}" y1="{GAP / 2:.0f}" y2="{bottom - GAP / 2:.0f}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _polyline(xs: np.ndarray, ys: np.ndarray, finite: np.ndarray, color: str, name: str) -> str:
    """One path, broken where the values are not finite (no reading there)."""
    commands, pen_down = [], False
    for x, y, ok in zip(np.asarray(xs, float), np.asarray(ys, float), finite):
        if not ok:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        pen_down = True
    return (f'<path class="curve" d="{" ".join(commands)}" stroke="{color}"><title>{html.escape(name)}</title></path>'
            if commands else "")


def histogram(values: list[float], bin_width: float, band: tuple[float, float] | None = None, label: str = "",
              plot_id: str = "histogram", limit: float = 1000.0) -> str:
    """Counts of ``values`` in bins of ``bin_width`` (centred on multiples of it), the band shaded;
    values beyond +-``limit`` are counted in the outermost bins."""
    values = np.clip(np.asarray([v for v in values if v is not None and math.isfinite(v)], float), -limit, limit)
    if values.size == 0:
        return ""
    bins = np.round(values / bin_width).astype(int)
    low_bin, high_bin = int(bins.min()), int(bins.max())
    if band is not None:
        low_bin = min(low_bin, int(math.floor(min(band) / bin_width)))
        high_bin = max(high_bin, int(math.ceil(max(band) / bin_width)))
    counts = np.bincount(bins - low_bin, minlength=high_bin - low_bin + 1)
    x0, x1, top, height = LEFT, WIDTH - RIGHT, 10, PANEL_HEIGHT
    v_low, v_high = (low_bin - 0.5) * bin_width, (high_bin + 0.5) * bin_width

    def x_of(v):
        return x0 + (v - v_low) / (v_high - v_low) * (x1 - x0)

    parts = [f'<svg id="{plot_id}" class="histogram" viewBox="0 0 {WIDTH} {top + height + AXIS_HEIGHT + 4}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(label)}</title>',
             f'<rect class="frame" x="{x0}" y="{top}" width="{x1 - x0}" height="{height}"/>']
    if band is not None:
        parts.append(f'<rect class="band" x="{x_of(min(band)):.1f}" y="{top}" width="{x_of(max(band)) - x_of(min(band)):.1f}" height="{height}">'
                     f'<title>tolerance</title></rect>')
    most = max(1, int(counts.max()))
    for k, count in enumerate(counts):
        if not count:
            continue
        centre = (low_bin + k) * bin_width
        bar = count / most * (height - 20)
        left = x_of(centre - bin_width / 2) + 1
        parts.append(f'<rect class="bar" x="{left:.1f}" y="{top + height - bar:.1f}" width="{x_of(centre + bin_width / 2) - left - 1:.1f}" '
                     f'height="{bar:.1f}"><title>{centre - bin_width / 2:+.0f} to {centre + bin_width / 2:+.0f}: {count}</title></rect>'
                     f'<text class="tick" x="{x_of(centre):.1f}" y="{top + height - bar - 4:.1f}" text-anchor="middle">{count}</text>')
    ticks = _ticks(v_low, v_high, 8)
    for tick in ticks:
        parts.append(f'<text class="tick" x="{x_of(tick):.1f}" y="{top + height + 16}" text-anchor="middle">{_tick_text(tick, ticks)}</text>')
    parts.append(f'<text class="tick" x="{x1}" y="{top + height + 30}" text-anchor="end">{html.escape(label)}</text></svg>')
    return "".join(parts)
