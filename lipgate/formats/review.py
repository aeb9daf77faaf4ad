"""The review page of a render (``lipgate qa --format html``) and the timeline of a checked source
(``lipgate check --format html``): the video in an HTML5 player, the moments to look at as
buttons that seek a little before each one and play it at 1x, the plot over time (clicking it
seeks too), and beside each moment a filmstrip of mouth crops (render, and source with
``--source``). Keyboard: n / j next moment, p / k previous, space play/pause.

The video is referenced by a path relative to the page (the page and the video can move
together), or embedded as a data URI with ``embed`` when the file is at most
``EMBED_MAX_BYTES``.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

from lipgate.formats import filmstrip
from lipgate.formats.svgplot import Panel, Span, time_plot
from lipgate.formats.view import InputView, timecode

LEAD_IN_S = 0.3
"""A moment's button seeks this long before the moment: the eye needs a beat to settle on the
mouth before the syllable (and stays within the 0.5 s the tests allow)."""
EMBED_MAX_BYTES = 25_000_000
"""``--embed`` inlines a video up to 25 MB; a larger one is referenced (a data URI of that size
makes the page slow to open and browsers cap them)."""
MAX_FILMSTRIPS = 12
"""Filmstrips for the 12 worst moments: each costs 5 frame decodes (10 with the source)."""
MAX_RANGE_THUMBNAILS = 8
POSTER_WIDTH_PX = 480
"""The poster (the frame at the worst moment, shown before the video plays) is 480 px wide at most."""
OFFSET_PLOT_LIMIT_MS = 600.0
"""The offset plot's y range is clamped to +-600 ms (a wrong reading far outside would squash the band)."""
FROZEN_SEVERITY_MS_PER_S = 1000.0
"""Ordering of a frozen stretch without a severity in the report: its length, 1000 ms per second."""

STYLE = """
.player{position:sticky;top:0;background:#fff;z-index:2;padding:8px 0;border-bottom:1px solid #d0d7de}
.player video{display:block;margin:0 auto;max-width:100%;height:min(46vh,480px);background:#000;border-radius:6px}
.player.compact{position:static}.player.compact video{height:min(32vh,300px)}
.player .hint{font-size:12px;color:#57606a}.player .problem{color:#cf222e;font-weight:600;margin:4px 0}
svg.seekplot{width:100%;height:auto;cursor:crosshair;display:block;margin:8px 0}
svg .frame{fill:#fff;stroke:#d0d7de}svg .band{fill:#1a7f37;opacity:.13}svg .grid{stroke:#eaeef2}
svg .ref{stroke:#cf222e;stroke-dasharray:5 4}svg .curve{fill:none;stroke-width:1.6}
svg .tick,svg .label,svg .legend{font:12px system-ui,sans-serif;fill:#57606a}svg .label,svg .legend{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}svg .label{fill:#1f2328;font-weight:600}
svg .span{opacity:.22;cursor:pointer}svg .span.flagged{fill:#cf222e}svg .span.warned{fill:#d4a72c}svg .span.checked{fill:#8c959f;opacity:.12}
svg .span.current{opacity:.5}svg .playhead{stroke:#1f2328;stroke-width:1.5}
ol.moments{list-style:none;padding:0;margin:0}ol.moments li{display:flex;gap:12px;align-items:flex-start;padding:8px 0;border-bottom:1px solid #eaeef2}
button.moment{width:280px;flex:none;text-align:left;font:inherit;padding:6px 10px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
button.moment.flagged{border-left:5px solid #cf222e}button.moment.checked{border-left:5px solid #8c959f}
button.moment.current{background:#ddf4ff;border-color:#0969da}button.moment .when{font-weight:700}
button.moment small{display:block;color:#57606a}
.strips{display:flex;flex-direction:column;gap:4px}.strip{display:flex;gap:3px;align-items:center}
.strip .side{width:52px;font-size:11px;color:#57606a;text-align:right}.strip figure{margin:0;text-align:center;font-size:10px;color:#57606a}
.strip img{display:block;border-radius:3px}.strip .none{width:96px;height:72px;display:flex;align-items:center;justify-content:center;background:#eaeef2;border-radius:3px}
.ranges figure{display:inline-block;vertical-align:top;margin:4px 8px 4px 0;text-align:center;font-size:12px}.ranges button.moment{width:auto}.ranges img{border:2px solid #cf222e;border-radius:4px}
.facts td:first-child{color:#57606a;width:180px}
svg.histogram{width:100%;height:auto;display:block}svg .bar{fill:#0969da;opacity:.75}
"""

SCRIPT = """
(function () {
  "use strict";
  var video = document.getElementById("video");
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.moment"));
  var stopAfter = document.getElementById("stop-after");
  var current = -1, stopAt = null;
  var lead = parseFloat(document.body.getAttribute("data-lead-s") || "0.3");

  function seek(t, play, end) {
    if (!video) { return; }
    video.playbackRate = 1;
    video.currentTime = Math.max(0, t);
    stopAt = end;
    if (play) {
      var started = video.play();
      if (started && started.catch) { started.catch(function () {}); }
    }
  }
  function mark(index) {
    buttons.forEach(function (b, k) { b.classList.toggle("current", k === index); });
    Array.prototype.forEach.call(document.querySelectorAll("svg .span[data-moment]"), function (r) {
      r.classList.toggle("current", +r.getAttribute("data-moment") === index);
    });
  }
  function select(index, play) {
    if (!buttons.length) { return; }
    current = (index + buttons.length) % buttons.length;
    mark(current);
    var b = buttons[current];
    var folded = b.closest("details");
    if (folded && !folded.open) { folded.open = true; }
    b.focus({preventScroll: true});
    if (b.scrollIntoView) { b.scrollIntoView({block: "nearest"}); }
    var start = parseFloat(b.getAttribute("data-start")), end = parseFloat(b.getAttribute("data-end"));
    seek(start - lead, play, stopAfter && stopAfter.checked ? end + lead : null);
  }
  buttons.forEach(function (b, k) { b.addEventListener("click", function () { select(k, true); }); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || (e.target && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName))) { return; }
    if (e.key === "n" || e.key === "j") { select(current + 1, true); e.preventDefault(); }
    else if (e.key === "p" || e.key === "k") { select(current - 1, true); e.preventDefault(); }
    else if (e.key === " " && video && e.target !== video) {
      if (video.paused) { stopAt = null; video.play().catch(function () {}); } else { video.pause(); }
      e.preventDefault();
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("svg.seekplot"), function (svg) {
    svg.addEventListener("click", function (e) {
      var moment = e.target.getAttribute && e.target.getAttribute("data-moment");
      if (moment !== null && moment !== undefined && buttons[+moment]) { select(+moment, true); return; }
      var point = svg.createSVGPoint();
      point.x = e.clientX; point.y = e.clientY;
      var p = point.matrixTransform(svg.getScreenCTM().inverse());
      var x0 = +svg.getAttribute("data-x0"), x1 = +svg.getAttribute("data-x1");
      var t0 = +svg.getAttribute("data-t0"), t1 = +svg.getAttribute("data-t1");
      var t = t0 + Math.min(1, Math.max(0, (p.x - x0) / (x1 - x0))) * (t1 - t0);
      seek(t, true, null);
    });
  });
  if (video) {
    video.addEventListener("error", function () {
      var hint = document.getElementById("video-problem");
      if (hint) {
        hint.hidden = false;
        hint.textContent = "The video does not load (" + video.getAttribute("src").slice(0, 200) + "): it is not where " +
          "this page expects it, or this browser cannot play its format. The moments' times still hold in any player.";
      }
    });
    video.addEventListener("timeupdate", function () {
      if (stopAt !== null && video.currentTime >= stopAt) { video.pause(); stopAt = null; }
      Array.prototype.forEach.call(document.querySelectorAll("svg.seekplot"), function (svg) {
        var x0 = +svg.getAttribute("data-x0"), x1 = +svg.getAttribute("data-x1");
        var t0 = +svg.getAttribute("data-t0"), t1 = +svg.getAttribute("data-t1");
        var x = x0 + Math.min(1, Math.max(0, (video.currentTime - t0) / (t1 - t0))) * (x1 - x0);
        var line = svg.querySelector(".playhead");
        if (line) { line.setAttribute("x1", x); line.setAttribute("x2", x); }
      });
    });
  }
  var wanted = /^#moment-(\\d+)$/.exec(location.hash);
  if (wanted && buttons[+wanted[1] - 1]) { select(+wanted[1] - 1, false); }
})();
"""


@dataclass
class Moment:
    """A segment of a QA report to look at, as the page shows it."""

    start: float
    end: float
    kind: str
    offset_ms: float | None
    confidence: float | None
    closeup: bool
    rerender: bool
    reason: str
    severity: float
    face_box: list | None = None

    @property
    def label(self) -> str:
        return {"syllable": "stressed syllable", "frozen": "frozen mouth", "slip": "sync slip"}.get(self.kind, self.kind)


def segment_kind(segment: dict) -> str:
    """The contract's ``kind``; a report without it: a frozen stretch when its reason says the
    mouth stays "still", else a stressed syllable when ``stressed``, else a slip."""
    if segment.get("kind"):
        return str(segment["kind"])
    if "still" in (segment.get("reason") or ""):
        return "frozen"
    return "syllable" if segment.get("stressed", True) else "slip"


def severity_ms(segment: dict, tolerance_ms: tuple[float, float]) -> float:
    """How far past tolerance a segment is (ms); a frozen stretch counts its length."""
    if segment_kind(segment) == "frozen":
        return FROZEN_SEVERITY_MS_PER_S * (segment["end"] - segment["start"])
    offset = segment.get("offset_ms")
    if offset is None:
        return 0.0
    early, late = tolerance_ms
    return max(0.0, offset - early, late - offset)


def qa_moments(report) -> list[Moment]:
    """Every segment of a QA report: the ones to re-render first, worst first, then the rest in time order."""
    data = report.to_dict()
    tolerance = tolerance_of(report)
    objects = getattr(report, "segments", None)
    objects = objects if isinstance(objects, list) and len(objects) == len(data.get("segments", [])) else None
    moments = []
    for k, segment in enumerate(data.get("segments", [])):
        severity = getattr(objects[k], "severity", None) if objects else None
        if severity is None or not segment.get("rerender"):
            severity = severity_ms(segment, tolerance) if segment.get("rerender") else 0.0
        moments.append(Moment(float(segment["start"]), float(segment["end"]), segment_kind(segment), segment.get("offset_ms"),
                              segment.get("confidence"), bool(segment.get("closeup", True)), bool(segment.get("rerender")),
                              segment.get("reason") or "", float(severity), segment.get("face_box")))
    return sorted(moments, key=lambda m: (not m.rerender, -m.severity if m.rerender else 0.0, m.start))


def tolerance_of(report) -> tuple[float, float]:
    """(early, late) ms: the report's own tolerance, else ITU-R BT.1359 (+45 / -125 ms, the contract's default)."""
    return tuple(getattr(getattr(report, "sync", None), "tolerance_ms", None) or (45.0, -125.0))


# --- the video ---------------------------------------------------------------------------------

def video_source(path: str, page_dir: str | Path | None, embed: bool) -> tuple[str, str]:
    """(src attribute, note): a data URI with ``embed`` and a small enough file, else the path
    relative to the page's folder, URL-quoted."""
    file = Path(path)
    if embed and file.is_file():
        size = file.stat().st_size
        if size <= EMBED_MAX_BYTES:
            kind = mimetypes.guess_type(file.name)[0] or "video/mp4"
            return f"data:{kind};base64," + base64.b64encode(file.read_bytes()).decode(), "embedded in this page"
        note = f"not embedded: {size / 1e6:.0f} MB is over the {EMBED_MAX_BYTES / 1e6:.0f} MB limit; "
    else:
        note = ""
    folder = Path(page_dir) if page_dir is not None else Path.cwd()
    try:
        relative = os.path.relpath(file.resolve(), folder.resolve())
    except ValueError:  # another drive (Windows)
        relative = str(file.resolve())
    return quote(Path(relative).as_posix()), note + f"the video is read from {relative} (relative to this page)"


def player(path: str, page_dir, embed: bool, poster_t: float | None = None, compact: bool = False) -> str:
    """The video, with the frame at ``poster_t`` s as its poster (the picture before it plays);
    ``compact``: smaller and not pinned to the top while scrolling."""
    src, note = video_source(path, page_dir, embed)
    poster = ""
    if poster_t is not None:
        frame = filmstrip.FrameReader(path).frame_at(poster_t)
        if frame is not None:
            poster = f' poster="{filmstrip.jpeg_uri(frame, min(POSTER_WIDTH_PX, frame.shape[1]))}"'
    stop = '<label><input type="checkbox" id="stop-after" checked> stop after each moment</label> · '
    return (f'<div class="player{" compact" if compact else ""}"><video id="video" controls preload="metadata" playsinline{poster} src="{html.escape(src)}"></video>'
            f'<div class="hint">{stop}keys: <kbd>n</kbd>/<kbd>j</kbd> next moment, <kbd>p</kbd>/<kbd>k</kbd> previous, '
            f'<kbd>space</kbd> play/pause; click the plot to seek · {html.escape(note)}</div>'
            '<p class="problem" id="video-problem" hidden></p></div>')


# --- the QA review page ------------------------------------------------------------------------

def qa_review(view: InputView, page_dir, embed: bool, checks_table=None) -> str:
    """The body of a render's review page (below the verdict)."""
    report = view.report
    data = report.to_dict()
    moments = qa_moments(report)
    poster_t = (moments[0].start + moments[0].end) / 2 if moments and moments[0].rerender else 0.0
    parts = [player(view.name, page_dir, embed, poster_t) if Path(view.name).is_file()
             else f"<p>The render {html.escape(view.name)} is not where the report says: no player, no pictures.</p>"]
    parts.append(_sync_facts(data, tolerance_of(report)))
    plot = _offset_plot(report, moments)
    if plot:
        parts.append("<h3>Local offset over time</h3>" + plot)
    flagged = [(k, m) for k, m in enumerate(moments) if m.rerender]
    checked = [(k, m) for k, m in enumerate(moments) if not m.rerender]
    strips = _filmstrips(view, data, [m for _, m in flagged[:MAX_FILMSTRIPS]])
    parts.append(f"<h3>Moments to re-render ({len(flagged)}), worst first</h3>")
    parts.append(_moment_list(flagged, strips) if flagged else "<p>None: every segment is within tolerance.</p>")
    if checked:
        parts.append(f"<details><summary>Checked and within tolerance or unsure ({len(checked)})</summary>"
                     + _moment_list(checked, {}) + "</details>")
    if data.get("checks") and checks_table is not None:
        parts.append("<h3>What the service did (against the source)</h3>" + checks_table(data["checks"]))
    return "\n".join(parts)


def _sync_facts(data: dict, tolerance: tuple[float, float]) -> str:
    sync = data.get("sync") or {}
    rows = []
    offset = sync.get("offset_ms")
    if offset is None:
        rows.append(("whole-clip offset", "not measured"))
    else:
        direction = "sound early" if offset > 0 else "sound late" if offset < 0 else "in sync"
        rows.append(("whole-clip offset", f"{offset:+.0f} ms ({direction})"))
    if sync.get("interval_ms"):
        low, high = sync["interval_ms"]
        rows.append(("90% interval", f"{low:+.0f} to {high:+.0f} ms"))
    if sync.get("confidence") is not None:
        rows.append(("confidence", f"{sync['confidence']:.1f}"))
    if "uncertain" in sync:
        rows.append(("uncertain", "yes: the offset is shown but not judged" if sync["uncertain"] else "no"))
    rows.append(("tolerance", f"{tolerance[0]:+.0f} ms (sound early) / {tolerance[1]:+.0f} ms (sound late)"))
    if sync.get("fps"):
        rows.append(("frame rate", f"{sync['fps']:g} fps"))
    if sync.get("note"):
        rows.append(("note", sync["note"]))
    source = data.get("source") or {}
    for key in ("video", "image", "audio"):
        if source.get(key):
            rows.append((f"source {key}", source[key]))
    return '<table class="facts">' + "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows) + "</table>"


def _offset_plot(report, moments: list[Moment]) -> str:
    series = getattr(report, "series", None) or {}
    t, offset = series.get("local_t"), series.get("local_offset_ms")
    ends = [m.end for m in moments]
    if t is not None and len(t):
        ends.append(float(np.max(t)))
    if series.get("frame_t") is not None and len(series["frame_t"]):
        ends.append(float(np.max(series["frame_t"])))
    if not ends:
        return ""
    early, late = tolerance_of(report)
    panels = []
    if t is not None and offset is not None and len(t) > 1:
        whole = (report.to_dict().get("sync") or {}).get("offset_ms")
        lines = [(whole, f"whole-clip offset {whole:+.0f} ms")] if whole is not None else []
        panels.append(Panel("local offset (ms, + = sound early)", np.asarray(t, float), {"local offset": np.asarray(offset, float)},
                            band=(late, early), lines=lines, y_limits=(-OFFSET_PLOT_LIMIT_MS, OFFSET_PLOT_LIMIT_MS)))
    else:
        panels.append(Panel("no local offsets measured", np.zeros(0), {}, band=(late, early)))
    spans = [Span(m.start, m.end, "flagged" if m.rerender else "checked",
                  f"{timecode(m.start)}-{timecode(m.end)} {m.label}: {m.reason}", moment=k) for k, m in enumerate(moments)]
    spans.sort(key=lambda s: s.css_class == "flagged")  # flagged ranges on top, so a click reaches them
    return time_plot(panels, max(ends), spans, plot_id="offset-plot", title="local offset over time")


def _moment_button(k: int, m: Moment) -> str:
    offset = f"{m.offset_ms:+.0f} ms" if m.offset_ms is not None else "offset not measured"
    shot = "close-up" if m.closeup else "wide shot"
    return (f'<button type="button" class="moment {"flagged" if m.rerender else "checked"}" id="moment-{k + 1}" '
            f'data-start="{m.start:.3f}" data-end="{m.end:.3f}" data-kind="{html.escape(m.kind)}">'
            f'<span class="when">{timecode(m.start)}–{timecode(m.end)}</span> {html.escape(m.label)}'
            f'<small>{html.escape(offset)} · {shot}</small><small>{html.escape(m.reason)}</small></button>')


def _moment_list(entries: list[tuple[int, Moment]], strips: dict) -> str:
    rows = []
    for k, m in entries:
        rows.append(f"<li>{_moment_button(k, m)}{strips.get(id(m), '')}</li>")
    return '<ol class="moments">' + "".join(rows) + "</ol>"


def _filmstrips(view: InputView, data: dict, moments: list[Moment]) -> dict:
    """id(moment) -> the HTML of its render (and source) filmstrips."""
    if not moments or not Path(view.name).is_file():
        return {}
    series = getattr(view.report, "series", None) or {}
    source = data.get("source") or {}
    source_path = source.get("video") or source.get("image")
    render_reader = filmstrip.FrameReader(view.name)
    source_reader = filmstrip.FrameReader(source_path) if source_path and Path(source_path).is_file() else None
    render_times = [filmstrip.moment_times(m.start, m.end) for m in moments]
    sides = [("render", render_reader, render_times, [m.face_box for m in moments])]
    if source_reader is not None:
        sides.append(("source", source_reader, [filmstrip.source_times(series, times) for times in render_times], [None] * len(moments)))
    rows = {id(m): [] for m in moments}
    with filmstrip.Cropper() as cropper:
        for side, reader, times_per_moment, boxes in sides:
            # every frame of a side in one call: moments near each other share a seek and a decode
            frames = iter(reader.frames_at([t for times in times_per_moment for t in times]))
            for m, times, box in zip(moments, times_per_moment, boxes):
                strip_frames = [next(frames) for _ in times]
                rows[id(m)].append((side, filmstrip.filmstrip(strip_frames, times, cropper, fallback_box=box, reader=reader)))
    return {key: '<div class="strips">' + "".join(_strip_html(side, tiles) for side, tiles in sides_of) + "</div>"
            for key, sides_of in rows.items()}


def _strip_html(side: str, tiles: list[filmstrip.Tile]) -> str:
    cells = []
    for tile in tiles:
        picture = (f'<img alt="{side} mouth at {tile.caption}" src="{tile.uri}">' if tile.uri
                   else f'<div class="none">{html.escape(tile.caption)}</div>')
        cells.append(f"<figure>{picture}<figcaption>{html.escape(tile.caption if tile.uri else '')}</figcaption></figure>")
    return f'<div class="strip {side}"><span class="side">{side}</span>{"".join(cells)}</div>'


# --- the check timeline ------------------------------------------------------------------------

def check_timeline(view: InputView, page_dir, embed: bool) -> str:
    """Yaw, light and level over time in one plot with the failing (and warned) ranges shaded, a
    thumbnail of the face per range; the player when the input is a video."""
    series = getattr(view.report, "series", None) or {}
    limits = {item.id: item for item in view.items}
    panels = []
    t, yaw = series.get("face_t"), series.get("yaw_deg")
    if t is not None and yaw is not None and len(t) > 1:
        limit = getattr(limits.get("face_yaw"), "threshold", None)
        lines = [(limit, f"limit {limit:g} deg"), (-limit, f"limit -{limit:g} deg")] if limit else []
        panels.append(Panel("head yaw (deg)", np.asarray(t, float), {"yaw": np.asarray(yaw, float)}, lines=lines))
    t, light = series.get("light_t"), series.get("light_face")
    if t is not None and light is not None and len(t) > 1:
        curves = {"face": np.asarray(light, float)}
        if series.get("light_perioral") is not None:
            curves["around the mouth"] = np.asarray(series["light_perioral"], float)
        panels.append(Panel("light on the face (relative luminance)", np.asarray(t, float), curves))
    t, level = series.get("level_t"), series.get("level_db")
    if t is not None and level is not None and len(t) > 1:
        floor = series.get("noise_floor_db")
        lines = [(float(np.asarray(floor).ravel()[0]), "noise floor")] if floor is not None and np.size(floor) else []
        panels.append(Panel("audio level (dB)", np.asarray(t, float), {"level": np.asarray(level, float)}, lines=lines))
    if not panels:
        return ""
    ranges = failing_ranges(view)
    t_end = max(float(np.nanmax(p.t)) for p in panels if len(p.t))
    spans = [Span(start, end, "flagged" if status == "fail" else "warned", f"{timecode(start)}-{timecode(end)} {check_id} {status}",
                  moment=k) for k, (start, end, check_id, status) in enumerate(ranges)]
    video = inputs_video(view)
    parts = ["<h3>Timeline</h3>"]
    if video and Path(video).is_file():
        parts.append(player(video, page_dir, embed, (ranges[0][0] + ranges[0][1]) / 2 if ranges else 0.0, compact=True))
    parts.append(time_plot(panels, t_end, spans, plot_id="check-timeline", title="yaw, light and level over time"))
    if ranges:
        parts.append(_range_thumbnails(video, ranges))
    return "\n".join(parts)


def inputs_video(view: InputView) -> str | None:
    data = view.report.to_dict()
    return (data.get("inputs") or {}).get("video")


def failing_ranges(view: InputView) -> list[tuple[float, float, str, str]]:
    """(start, end, check id, status) of every failing or warned check's segments, in time order."""
    ranges = [(float(start), float(end), item.id, item.status) for item in view.items if item.status in ("fail", "warn")
              for start, end in item.segments]
    return sorted(ranges)


def _range_thumbnails(video: str | None, ranges: list[tuple[float, float, str, str]]) -> str:
    """A button per range (it seeks the player) with a thumbnail of the face at the range's middle."""
    reader = filmstrip.FrameReader(video) if video and Path(video).is_file() else None
    middles = [(start + end) / 2 for start, end, _, _ in ranges[:MAX_RANGE_THUMBNAILS]]
    frames = reader.frames_at(middles) if reader is not None else []
    figures = []
    with filmstrip.Cropper() as cropper:
        for k, (start, end, check_id, status) in enumerate(ranges):
            picture = ""
            if k < len(frames):
                frame = frames[k]
                if frame is not None:
                    uri = filmstrip.jpeg_uri(filmstrip.crop(frame, cropper.box(frame, "face")), filmstrip.THUMBNAIL_WIDTH_PX)
                    picture = f'<img alt="face at {timecode((start + end) / 2)}" src="{uri}">'
            figures.append(f'<figure>{picture}<figcaption><button type="button" class="moment flagged" id="moment-{k + 1}" '
                           f'data-start="{start:.3f}" data-end="{end:.3f}">{timecode(start)}–{timecode(end)} '
                           f'{html.escape(check_id)} {status}</button></figcaption></figure>')
    return '<div class="ranges">' + "".join(figures) + "</div>"
