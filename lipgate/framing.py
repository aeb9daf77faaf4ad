"""Face-aware analysis resolution: where the faces are, and the window of the frame to decode
so that the face mesh sees each face at least at its own input size, whatever the framing.

A sparse look first (the key frames and the first frame, decoded small, through the
full-range face detector); then the window around the faces found, which ffmpeg crops before
it scales, so the cost of the whole decode follows the faces, not the frame (a 4K or a wide
shot costs about what a close-up does). A frame that is already small, or faces that already
fill it, are decoded whole, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lipgate.media import MediaInfo, VideoDecoder

MESH_FACE_PX = 128
"""The face mesh warps the face's box widened 1.5 times to its 192 px input: a face box at least
128 px tall reaches the mesh at the mesh's own resolution (MediaPipe face_mesh's
``face_landmark`` model card: 192 x 192 input, ROI 1.5 x the detected face)."""
LOCATE_MAX_SIDE = 960
"""The sparse look decodes frames at most 960 px on their longer side: the full-range detector
finds faces down to about 20 px there (a face 4% of a 1080p frame's height)."""
LOCATE_ABOVE_SIDE = 720
"""Frames at most this long on their longer side are decoded whole without a look first: the
analysis then keeps at least two thirds of the source's pixels, and a crop could add little."""
WINDOW_MARGIN = 1.5
"""The window reaches this many face heights beyond the faces found on every side: room for
the head to move between the sampled frames, for the mesh's widened ROI and for the detector's
box, which on small faces covers little more than eyes to mouth (on the generated wide shot of
tests/qa/test_every_shot.py, boxes of 44-48 px for a portrait 120 px tall)."""
WINDOW_SHARE = 0.6
"""A window covering more than this share of the frame's area is not worth a crop: decode whole."""
MAX_WINDOW_SIDE = 960
"""The analysis frame is at most this long on its longer side, however the faces lie (bounded cost)."""
FIRST_FRAMES = 1
"""How many frames from the start the sparse look reads when the key frames cannot be read alone."""


@dataclass
class FaceLayout:
    """The faces found by the sparse look and the window to decode (source pixels)."""

    boxes: list[list[tuple[float, float, float, float]]] = field(default_factory=list)
    """Per sampled frame, the boxes found (x0, y0, x1, y1), in source pixels."""
    crop: tuple[int, int, int, int] | None = None
    """(x, y, width, height) to decode, or None for the whole frame."""
    max_side: int = 480
    """The analysis frame's longer side."""
    faces: int = 1
    """How many faces to track (2 when most sampled frames hold two or more)."""

    def centres(self, decoder: VideoDecoder) -> np.ndarray:
        """The centres of the faces of the sampled frame that holds most, in the decoder's pixels
        (one row per tracked face, at most ``faces``), for telling tracked faces apart."""
        richest = max(self.boxes, key=len, default=[])[: self.faces]
        if not richest:
            return np.zeros((0, 2))
        x0, y0, width, height = decoder.crop or (0, 0, decoder.info.video.width, decoder.info.video.height)
        centres = np.array([((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in richest])
        return (centres - (x0, y0)) * (decoder.width / width, decoder.height / height)


def _tiles(width: int, height: int, side: int) -> list[tuple[int, int, int]]:
    """(x, y, side) of square tiles of ``side`` px covering a ``width`` x ``height`` frame, each
    overlapping the next by half (a face cut by one tile's edge is whole in the next)."""
    xs = sorted({*range(0, max(1, width - side + 1), max(1, side // 2)), max(0, width - side)})
    ys = sorted({*range(0, max(1, height - side + 1), max(1, side // 2)), max(0, height - side)})
    return [(x, y, side) for y in ys for x in xs]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over the smaller box's area (1 when one box holds the other)."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def find_boxes(finder, rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """The faces in ``rgb`` (pixel boxes), small ones included: the detector sees its input at
    192 px, where a face under about a tenth of the frame's longer side is too small for it, so it
    also looks at square tiles of the frame's shorter side (and of half of it when nothing was
    found yet), each shown to it whole; the same face found twice is kept once."""
    height, width = rgb.shape[:2]
    found = list(finder.boxes(rgb))
    for side in (min(width, height), min(width, height) // 2):
        if side < 64 or (side < min(width, height) and found):
            break
        for x, y, tile in _tiles(width, height, side):
            found += [(b[0] + x, b[1] + y, b[2] + x, b[3] + y) for b in finder.boxes(rgb[y:y + tile, x:x + tile])]
    kept: list[tuple[float, float, float, float]] = []
    for box in found:
        if all(_overlap(box, other) < 0.5 for other in kept):
            kept.append(box)
    return kept


def sample_faces(info: MediaInfo) -> list[list[tuple[float, float, float, float]]]:
    """The face boxes (source pixels) in the key frames (the first frame is one), decoded at most
    ``LOCATE_MAX_SIDE`` px, through ``lipgate.face.FaceFinder`` (``find_boxes``); the first
    ``FIRST_FRAMES`` frames instead when no key frame could be read. ffmpeg starts before the
    detector loads, so the two overlap."""
    keyframes = VideoDecoder(info, max_side=LOCATE_MAX_SIDE, keyframes_only=True).start()
    from lipgate.face import FaceFinder

    sampled = []
    with FaceFinder() as finder:
        for decoder in (keyframes, VideoDecoder(info, max_side=LOCATE_MAX_SIDE)):
            scale = info.video.width / decoder.width, info.video.height / decoder.height
            frames = iter(decoder)
            try:
                for count, frame in enumerate(frames):
                    if decoder is not keyframes and count >= FIRST_FRAMES:
                        break
                    sampled.append([(b[0] * scale[0], b[1] * scale[1], b[2] * scale[0], b[3] * scale[1])
                                    for b in find_boxes(finder, frame.rgb)])
            finally:
                frames.close()
            if sampled:
                break
    return sampled


def window_for(boxes: list[list[tuple[float, float, float, float]]], width: int, height: int,
               base_max_side: int) -> FaceLayout:
    """The layout for faces found at ``boxes`` in a ``width`` x ``height`` source: a window around
    all of them (``WINDOW_MARGIN`` face heights beyond), decoded so that the smallest face is at
    least ``MESH_FACE_PX`` tall (never larger than the source, never longer than
    ``MAX_WINDOW_SIDE``), or the whole frame at ``base_max_side`` when that already shows the faces
    large enough or the window would be most of the frame."""
    found = [box for frame in boxes for box in frame]
    several = sum(len(frame) >= 2 for frame in boxes) > len(boxes) / 2 if boxes else False
    faces = 2 if several else 1
    if not found:
        return FaceLayout(boxes, None, base_max_side, faces)
    face_height = float(np.median([box[3] - box[1] for box in found]))
    whole_scale = min(1.0, base_max_side / max(width, height))
    if face_height * whole_scale >= MESH_FACE_PX:
        return FaceLayout(boxes, None, base_max_side, faces)
    margin = WINDOW_MARGIN * face_height
    x0, y0 = max(0.0, min(b[0] for b in found) - margin), max(0.0, min(b[1] for b in found) - margin)
    x1, y1 = min(float(width), max(b[2] for b in found) + margin), min(float(height), max(b[3] for b in found) + margin)
    crop_w, crop_h = int(x1 - x0) // 2 * 2, int(y1 - y0) // 2 * 2
    wanted_scale = min(1.0, MESH_FACE_PX / face_height)
    if crop_w * crop_h > WINDOW_SHARE * width * height:
        side = min(MAX_WINDOW_SIDE, max(base_max_side, int(round(wanted_scale * max(width, height)))))
        return FaceLayout(boxes, None, side, faces)
    side = min(MAX_WINDOW_SIDE, max(int(round(wanted_scale * max(crop_w, crop_h))), 64))
    return FaceLayout(boxes, (int(x0) // 2 * 2, int(y0) // 2 * 2, crop_w, crop_h), side, faces)


def face_layout(info: MediaInfo, base_max_side: int) -> FaceLayout:
    """Where to look in ``info``'s frames: the whole frame at ``base_max_side`` when the source is
    at most ``LOCATE_ABOVE_SIDE`` px (no look first: close-ups from small sources cost what they
    did), else the window of ``window_for`` around the faces of the sparse look."""
    width, height = info.video.width, info.video.height
    if info.kind == "image" or max(width, height) <= LOCATE_ABOVE_SIDE:
        return FaceLayout([], None, base_max_side, 1)
    return window_for(sample_faces(info), width, height, base_max_side)
