"""Pictures for the HTML pages: a few frames decoded at report time (ffmpeg seeks to each one),
cropped to the mouth or the face, scaled small and inlined as JPEG data URIs.

Reports carry times, not pictures: the cached measurements stay small and a report re-judged
from the cache still gets its pictures, as long as the input file is where the report says.
A file that cannot be read gives no picture (the page says so), never an error.
"""

from __future__ import annotations

import base64
import math
import subprocess
from dataclasses import dataclass

import numpy as np

FILMSTRIP_FRAMES = 5
"""Frames per filmstrip, evenly spread over the moment: enough to see a mouth open and close."""
TILE_WIDTH_PX = 96
THUMBNAIL_WIDTH_PX = 160
DECODE_MAX_SIDE = 640
"""Frames are decoded at most 640 px on their longer side: crops of a 96-160 px tile need no more."""
MOUTH_MARGIN = 0.6
"""The mouth crop extends past the lip corners by 60% of the mouth width on each side."""
FACE_MARGIN = 0.25
"""The face crop extends past the face mesh by 25% of its size on each side."""
JPEG_QUALITY = 82
ONE_PASS_MAX_GAP_S = 4.0
"""Wanted frames less than 4 s apart come from one seek and one decode running through them
(frames stream through; only the wanted ones are kept): decoding 4 s costs about what a seek
costs on long-GOP video, where it decodes from the previous keyframe (a GOP of 250 frames is
10 s at 25 fps)."""


@dataclass
class Tile:
    """One picture of a filmstrip: ``uri`` is None where there is no frame (the caption says why)."""

    t: float | None
    uri: str | None
    caption: str


def moment_times(start: float, end: float, count: int = FILMSTRIP_FRAMES) -> list[float]:
    """``count`` instants evenly inside [start, end] s (the middle of each of ``count`` equal parts)."""
    length = max(0.0, end - start)
    return [start + (k + 0.5) * length / count for k in range(count)]


def source_times(series: dict, render_times: list[float]) -> list[float | None]:
    """The source time mapped to each render time: ``series["source_t"]`` at the nearest render
    frame (``series["frame_t"]``) when the report has the mapping (None where no source frame
    maps), else the same time."""
    frame_t, source_t = series.get("frame_t"), series.get("source_t")
    if frame_t is None or source_t is None or len(frame_t) == 0 or len(frame_t) != len(source_t):
        return list(render_times)
    frame_t, source_t = np.asarray(frame_t, float), np.asarray(source_t, float)
    mapped = []
    for t in render_times:
        value = float(source_t[int(np.argmin(np.abs(frame_t - t)))])
        mapped.append(value if math.isfinite(value) else None)
    return mapped


class FrameReader:
    """Frames of one video (or the one picture of a still) at given times, decoded on demand."""

    def __init__(self, path: str, max_side: int = DECODE_MAX_SIDE):
        from lipgate.errors import LipgateError
        from lipgate.media import analysis_size, probe

        self.path = path
        self.size = None
        self.still = None
        try:
            info = probe(path, expect={"video", "image"})
        except LipgateError:
            return
        if info.kind == "image":
            from lipgate.media import read_image

            try:
                self.still = read_image(info, max_side=max_side)
            except LipgateError:
                return
            self.size = (self.still.shape[1], self.still.shape[0])
        else:
            self.size = analysis_size(info.video.width, info.video.height, max_side)
            self.native_size = (info.video.width, info.video.height)
            self.fps = info.video.fps or 25.0

    @property
    def readable(self) -> bool:
        return self.size is not None

    def frame_at(self, t: float) -> np.ndarray | None:
        """The frame shown at ``t`` s (RGB), or None if it cannot be read."""
        return self.frames_at([t])[0]

    def frames_at(self, times: list[float | None]) -> list[np.ndarray | None]:
        """The frames shown at ``times`` (s; None gives None; past the end, None), each within a
        frame. Runs of times less than ``ONE_PASS_MAX_GAP_S`` apart share one seek and one decode."""
        if self.still is not None:
            return [self.still if t is not None else None for t in times]
        frames: list[np.ndarray | None] = [None] * len(times)
        if self.size is None:
            return frames
        wanted = sorted((max(0.0, t), k) for k, t in enumerate(times) if t is not None)
        while wanted:
            first = wanted[0][0]
            count = 1
            while count < len(wanted) and wanted[count][0] - wanted[count - 1][0] <= ONE_PASS_MAX_GAP_S:
                count += 1
            batch, wanted = wanted[:count], wanted[count:]
            indices = {k: int(round((t - first) * self.fps)) for t, k in batch}
            decoded = self._decode(first, batch[-1][0] - first + 1.5 / self.fps, set(indices.values()))
            last = max(decoded) if decoded else -2
            for k, index in indices.items():
                # a frame past the last one decoded: the last, when it is the next (rounding at the end)
                frames[k] = decoded.get(index, decoded[last] if index == last + 1 else None)
        return frames

    def _decode(self, start_s: float, length_s: float, keep: set[int]) -> dict[int, np.ndarray]:
        """The frames numbered ``keep`` (0 = the frame at ``start_s``) of ``length_s`` s decoded from
        ``start_s`` at ``self.size``, and the last one decoded; frames stream through one at a time."""
        from lipgate.media import require_program

        width, height = self.size
        size = width * height * 3
        command = [require_program("ffmpeg"), "-nostdin", "-v", "error", "-ss", f"{start_s:.3f}", "-i", self.path,
                   "-t", f"{length_s:.3f}", "-map", "0:v:0", "-vf", f"scale={width}:{height}", "-f", "rawvideo",
                   "-pix_fmt", "rgb24", "pipe:1"]
        kept: dict[int, np.ndarray] = {}
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
            index, last = 0, None
            while True:
                raw = process.stdout.read(size)
                if len(raw) < size:
                    break
                if index in keep:
                    kept[index] = np.frombuffer(raw, np.uint8).reshape(height, width, 3)
                last = (index, raw)
                index += 1
        if last is not None and last[0] not in kept:
            kept[last[0]] = np.frombuffer(last[1], np.uint8).reshape(height, width, 3)
        return kept


class Cropper:
    """Finds the face (MediaPipe face mesh, one detector for the whole page) and gives the crop box
    of the mouth or of the face. Use as a context manager."""

    def __init__(self):
        self._tracker = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._tracker is not None:
            self._tracker.close()

    def landmarks(self, rgb: np.ndarray) -> np.ndarray | None:
        if self._tracker is None:
            from lipgate.face import FaceTracker

            self._tracker = FaceTracker(static=True)
        return self._tracker.observe(rgb).landmarks

    def box(self, rgb: np.ndarray, region: str = "mouth") -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1) px of the mouth (or the face) in ``rgb``, None without a face."""
        points = self.landmarks(rgb)
        if points is None:
            return None
        return mouth_box(points, rgb.shape) if region == "mouth" else face_box(points, rgb.shape)


def mouth_box(landmarks: np.ndarray, shape: tuple) -> tuple[int, int, int, int]:
    """The lip corners plus ``MOUTH_MARGIN``, square-ish, clipped to the frame."""
    from lipgate.face import OUTER_LIP_RING

    lips = landmarks[list(OUTER_LIP_RING), :2]
    (left, top), (right, bottom) = lips.min(axis=0), lips.max(axis=0)
    margin = MOUTH_MARGIN * (right - left)
    half_height = max(bottom - top, right - left) / 2 + margin / 2
    middle = (top + bottom) / 2
    return _clipped(left - margin, middle - half_height, right + margin, middle + half_height, shape)


def face_box(landmarks: np.ndarray, shape: tuple) -> tuple[int, int, int, int]:
    (left, top), (right, bottom) = landmarks[:, :2].min(axis=0), landmarks[:, :2].max(axis=0)
    pad_x, pad_y = FACE_MARGIN * (right - left), FACE_MARGIN * (bottom - top)
    return _clipped(left - pad_x, top - pad_y, right + pad_x, bottom + pad_y, shape)


def _clipped(x0: float, y0: float, x1: float, y1: float, shape: tuple) -> tuple[int, int, int, int]:
    return int(max(0, x0)), int(max(0, y0)), int(min(shape[1], x1)), int(min(shape[0], y1))


def crop(rgb: np.ndarray, box: tuple[int, int, int, int] | None) -> np.ndarray:
    if box is None:
        return rgb
    x0, y0, x1, y1 = box
    return rgb[y0:y1, x0:x1] if x1 > x0 and y1 > y0 else rgb


def jpeg_uri(rgb: np.ndarray, width_px: int) -> str:
    """``rgb`` scaled to ``width_px`` wide, as a JPEG data URI."""
    import cv2

    height = max(1, int(round(rgb.shape[0] * width_px / rgb.shape[1])))
    small = cv2.resize(np.ascontiguousarray(rgb), (width_px, height), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode()


def filmstrip(frames: list[np.ndarray | None], times: list[float | None], cropper: Cropper, region: str = "mouth",
              fallback_box: tuple | None = None, reader: FrameReader | None = None, width_px: int = TILE_WIDTH_PX) -> list[Tile]:
    """One tile per time from its decoded frame; every tile is cut with the same box (found on the
    middlemost frame with a face, else the report's ``fallback_box`` in ``reader``'s input pixels),
    so the strip shows the mouth moving rather than the crop jumping."""
    box = None
    middle = len(frames) // 2
    for k in sorted(range(len(frames)), key=lambda k: abs(k - middle)):
        if frames[k] is not None:
            box = cropper.box(frames[k], region)
            if box is not None:
                break
    if box is None and fallback_box is not None and reader is not None and reader.readable:
        box = _scaled_box(fallback_box, reader)
    tiles = []
    for t, frame in zip(times, frames):
        if t is None:
            tiles.append(Tile(None, None, "no frame maps here"))
        elif frame is None:
            tiles.append(Tile(t, None, "unreadable"))
        else:
            tiles.append(Tile(t, jpeg_uri(crop(frame, box), width_px), f"{t:.2f} s"))
    return tiles


def _scaled_box(face_box_px, reader: FrameReader) -> tuple[int, int, int, int]:
    """A report's ``face_box`` (px of the input's own size) in the decoded frame's pixels."""
    native = getattr(reader, "native_size", reader.size)
    scale_x, scale_y = reader.size[0] / native[0], reader.size[1] / native[1]
    x0, y0, x1, y1 = (float(v) for v in face_box_px)
    return _clipped(x0 * scale_x, y0 * scale_y, x1 * scale_x, y1 * scale_y, (reader.size[1], reader.size[0]))
