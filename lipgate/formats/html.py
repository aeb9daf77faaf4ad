"""HTML: one self-contained page (no network: styles inline, images as data URIs).

The verdict first, then per input: the table of checks, the plots a person would rather look
at than read (head yaw against its limit, the light on the face, the audio level against its
noise floor, the sync offset against the tolerance band with the re-render segments marked),
and a thumbnail of the mouth at each flagged moment.

Thumbnails: reports carry the flagged moments as segments (times), not pictures; this view
seeks the input at the middle of each flagged segment (one frame, with ffmpeg), finds the face
and crops the mouth. So the cached measurements stay small and a report re-judged from the
cache still gets its pictures, as long as the input file is where the report says.
"""

from __future__ import annotations

import base64
import html
import io
import subprocess
from pathlib import Path

import numpy as np

from lipgate.formats.view import InputView, input_views, overall_verdict, segments_text, timecode, value_text

MAX_THUMBNAILS_PER_INPUT = 6
THUMBNAIL_WIDTH_PX = 160
MOUTH_MARGIN = 0.6
"""The mouth crop extends past the lip corners by 60% of the mouth width on each side."""

BT1359_TOLERANCE_MS = (45.0, -125.0)
"""Sync tolerance band when a QA report does not state its own: ITU-R BT.1359 detectability,
+45 ms (sound early) / -125 ms (sound late), as in the contract."""

COLORS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "skip": "#6e7781", "error": "#8250df"}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1f2328;padding:0 16px}
.verdict{font-size:28px;font-weight:700;color:#fff;padding:14px 20px;border-radius:8px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}td,th{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
.status{font-weight:700;text-transform:uppercase}.input{margin-top:32px;border-top:3px solid #d0d7de;padding-top:8px}
.plots img{max-width:100%;display:block;margin:8px 0}.thumbs figure{display:inline-block;margin:4px 8px 4px 0;text-align:center;font-size:12px}
.thumbs img{border:2px solid #cf222e;border-radius:4px}code{background:#f6f8fa;padding:1px 4px;border-radius:4px}
"""


def render(report) -> str:
    views = input_views(report)
    verdict = overall_verdict(views)
    if any(view.error for view in views) and not any(view.verdict for view in views):
        verdict = "error"
    title = f"lipgate: {verdict.upper()}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f'<div class="verdict" id="verdict" style="background:{COLORS[verdict]}">verdict: {verdict.upper()}</div>',
    ]
    if len(views) > 1:
        parts.append(_summary_table(views))
    for view in views:
        parts.append(_input_section(view))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary_table(views: list[InputView]) -> str:
    rows = []
    for view in views:
        status = view.verdict or "error"
        label = view.verdict or "could not judge"
        rows.append(f'<tr><td><code>{html.escape(view.name)}</code></td><td class="status" style="color:{COLORS[status]}">{label}</td>'
                    f"<td>{html.escape(view.error or ', '.join(i.id for i in view.items if i.status == 'fail'))}</td></tr>")
    return "<table><tr><th>input</th><th>verdict</th><th>failed checks / error</th></tr>" + "".join(rows) + "</table>"


def _input_section(view: InputView) -> str:
    status = view.verdict or "error"
    head = (f'<section class="input"><h2><code>{html.escape(view.name)}</code> '
            f'<span class="status" style="color:{COLORS[status]}">{html.escape(view.verdict or "could not judge")}</span></h2>')
    if view.error is not None:
        return head + f"<p>{html.escape(view.error)}</p></section>"
    rows = []
    for item in view.items:
        finding = html.escape(item.message)
        if item.segments and item.status in ("fail", "warn"):
            finding += f"<br><small>at {html.escape(segments_text(item.segments))}</small>"
        if item.fix and item.status in ("fail", "warn"):
            finding += f"<br><small>fix: {html.escape(item.fix)}</small>"
        limit = f"{item.threshold:g}" if item.threshold is not None else ""
        rows.append(f'<tr class="check" data-id="{html.escape(item.id)}"><td class="status" style="color:{COLORS[item.status]}">{item.status}</td>'
                    f"<td><code>{html.escape(item.id)}</code></td><td>{html.escape(value_text(item))}</td><td>{limit}</td><td>{finding}</td></tr>")
    table = "<table><tr><th>status</th><th>check</th><th>value</th><th>limit</th><th>finding</th></tr>" + "".join(rows) + "</table>"
    plots = "".join(f'<img alt="{html.escape(alt)}" src="{uri}">' for alt, uri in _plots(view))
    thumbs = "".join(f'<figure><img alt="mouth at {timecode(t)}" src="{uri}"><figcaption>{timecode(t)} {html.escape(label)}</figcaption></figure>'
                     for t, label, uri in _thumbnails(view))
    return (head + table + (f'<div class="plots">{plots}</div>' if plots else "")
            + (f'<h3>Flagged moments</h3><div class="thumbs">{thumbs}</div>' if thumbs else "") + "</section>")


# --- plots -------------------------------------------------------------------------------------

def _plots(view: InputView) -> list[tuple[str, str]]:
    series = getattr(view.report, "series", None) or {}
    limits = {item.id: item for item in view.items}
    plots = []
    t, yaw = series.get("face_t"), series.get("yaw_deg")
    if t is not None and yaw is not None and len(t) > 1:
        limit = limits["face_yaw"].threshold if "face_yaw" in limits and limits["face_yaw"].threshold is not None else None
        plots.append(("head yaw over time", _line_plot(t, {"yaw (deg)": yaw}, "head yaw (deg)",
                                                       lines=[(limit, "limit"), (-limit, None)] if limit else [],
                                                       spans=_flagged_spans(limits.get("face_yaw")))))
    t, light = series.get("light_t"), series.get("light_face")
    if t is not None and light is not None and len(t) > 1:
        curves = {"face": light}
        if series.get("light_perioral") is not None:
            curves["around the mouth"] = series["light_perioral"]
        plots.append(("light on the face over time", _line_plot(t, curves, "relative luminance",
                                                                spans=_flagged_spans(limits.get("lighting_flicker")))))
    t, level = series.get("level_t"), series.get("level_db")
    if t is not None and level is not None and len(t) > 1:
        floor = series.get("noise_floor_db")
        lines = [(float(np.asarray(floor).ravel()[0]), "noise floor")] if floor is not None and np.size(floor) else []
        plots.append(("audio level over time", _line_plot(t, {"level (dB)": level}, "level (dB)", lines=lines)))
    t, offset = series.get("local_t"), series.get("local_offset_ms")
    if t is not None and offset is not None and len(t) > 1:
        early, late = getattr(getattr(view.report, "sync", None), "tolerance_ms", None) or BT1359_TOLERANCE_MS
        spans = [start_end for item in view.items if item.status == "fail" for start_end in item.segments]
        plots.append(("sync offset over time", _line_plot(t, {"local offset (ms)": offset}, "offset (ms, + = sound early)",
                                                          band=(late, early), spans=spans)))
    return plots


def _flagged_spans(item) -> list[tuple[float, float]]:
    return list(item.segments) if item is not None and item.status in ("fail", "warn") else []


def _line_plot(t, curves: dict, ylabel: str, lines=(), band=None, spans=()) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 2.6), dpi=90)
    axes = figure.subplots()
    if band is not None:
        axes.axhspan(band[0], band[1], color="#1a7f37", alpha=0.12, label="tolerance")
    for start, end in spans:
        axes.axvspan(start, end, color="#cf222e", alpha=0.18)
    for name, values in curves.items():
        axes.plot(np.asarray(t, float), np.asarray(values, float), linewidth=1.2, label=name)
    for value, label in lines:
        axes.axhline(value, color="#cf222e", linestyle="--", linewidth=1, label=label)
    axes.set_xlabel("time (s)")
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# --- thumbnails --------------------------------------------------------------------------------

def _thumbnails(view: InputView) -> list[tuple[float, str, str]]:
    moments = []
    for item in view.items:
        if item.status in ("fail", "warn"):
            moments += [((start + end) / 2, item.id) for start, end in item.segments]
    moments = sorted(moments)[:MAX_THUMBNAILS_PER_INPUT]
    if not moments or not Path(view.name).is_file():
        return []
    thumbnails = []
    for t, label in moments:
        rgb = _frame_at(view.name, t)
        if rgb is not None:
            thumbnails.append((t, label, _jpeg_uri(mouth_crop(rgb))))
    return thumbnails


def _frame_at(path: str, t: float, max_side: int = 640) -> np.ndarray | None:
    """The frame shown at ``t`` seconds, at most ``max_side`` px, or None if it cannot be read."""
    from lipgate.errors import LipgateError
    from lipgate.media import analysis_size, probe, require_program

    try:
        info = probe(path, expect={"video"})
    except LipgateError:
        return None
    width, height = analysis_size(info.video.width, info.video.height, max_side)
    command = [require_program("ffmpeg"), "-nostdin", "-v", "error", "-ss", f"{max(0.0, t):.3f}", "-i", path, "-map", "0:v:0",
               "-frames:v", "1", "-vf", f"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    done = subprocess.run(command, capture_output=True, timeout=60)
    if len(done.stdout) < width * height * 3:
        return None
    return np.frombuffer(done.stdout[: width * height * 3], np.uint8).reshape(height, width, 3)


def mouth_crop(rgb: np.ndarray) -> np.ndarray:
    """The mouth region (lip corners plus a margin, square-ish), or the whole frame without a face."""
    from lipgate.face import OUTER_LIP_RING, FaceTracker

    with FaceTracker(static=True) as tracker:
        observation = tracker.observe(rgb)
    if observation.landmarks is None:
        return rgb
    lips = observation.landmarks[list(OUTER_LIP_RING), :2]
    (left, top), (right, bottom) = lips.min(axis=0), lips.max(axis=0)
    margin = MOUTH_MARGIN * (right - left)
    half_height = max(bottom - top, (right - left)) / 2 + margin / 2
    middle = (top + bottom) / 2
    x0, x1 = int(max(0, left - margin)), int(min(rgb.shape[1], right + margin))
    y0, y1 = int(max(0, middle - half_height)), int(min(rgb.shape[0], middle + half_height))
    return rgb[y0:y1, x0:x1] if x1 > x0 and y1 > y0 else rgb


def _jpeg_uri(rgb: np.ndarray) -> str:
    import cv2

    scale = THUMBNAIL_WIDTH_PX / rgb.shape[1]
    small = cv2.resize(rgb, (THUMBNAIL_WIDTH_PX, max(1, int(round(rgb.shape[0] * scale)))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode()
