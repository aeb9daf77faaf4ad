"""Light on the face per frame, in linear relative luminance (WCAG 2 / sRGB, 0 = black, 1 = white).

Measured on skin patches (forehead and both cheeks) located by the latest face landmarks, away
from the mouth so that speech does not modulate it; and on the skin around the mouth, whose
ratio to the cheeks shows a shadow falling across the mouth.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from lipgate.face import CHEEK_PATCHES, FOREHEAD_PATCH, PERIORAL_PATCHES
from lipgate.measurements import Measurements


def srgb_to_linear_lut() -> np.ndarray:
    """Linear light of each 8-bit sRGB code value (IEC 61966-2-1)."""
    code = np.arange(256) / 255.0
    return np.where(code <= 0.04045, code / 12.92, ((code + 0.055) / 1.055) ** 2.4)


_LINEAR = srgb_to_linear_lut()
_LUMA_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of an RGB uint8 image (H x W), 0 to 1."""
    return _LINEAR[rgb] @ _LUMA_WEIGHTS


SKIN_PATCHES = (FOREHEAD_PATCH, *CHEEK_PATCHES)


@lru_cache(maxsize=4)
def _patch_layout(patches: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
    """(every patch's landmark indices in one array, where each patch starts in it)."""
    return np.concatenate([np.asarray(patch) for patch in patches]), np.cumsum([0] + [len(p) for p in patches[:-1]])


def patch_boxes(landmarks: np.ndarray, patches, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) pixel box around each patch's landmarks, clipped to the frame (patches
    that fall outside it are left out)."""
    indices, starts = _patch_layout(tuple(patches))
    points = landmarks[indices, :2]
    low = np.clip(np.floor(np.minimum.reduceat(points, starts, axis=0)).astype(int), 0, [width - 1, height - 1])
    high = np.clip(np.ceil(np.maximum.reduceat(points, starts, axis=0)).astype(int) + 1, 1, [width, height])
    return [(x0, y0, x1, y1) for (x0, y0), (x1, y1) in zip(low.tolist(), high.tolist()) if x1 > x0 and y1 > y0]


PIXELS_PER_PATCH = 1024
"""A patch's light is the mean of at most about 1024 of its pixels, on a fixed grid (every
k-th row and column): the standard error of such a mean is far under the 1% modulations the
flicker check resolves, and a large face's patches cost no more than a small one's."""


def boxes_light(rgb: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> float:
    """Mean relative luminance of the boxes (each box's mean, averaged); NaN without a box."""
    if not boxes:
        return float("nan")
    means = []
    for x0, y0, x1, y1 in boxes:
        step = max(1, int(np.sqrt((x1 - x0) * (y1 - y0) / PIXELS_PER_PATCH)))
        means.append(relative_luminance(rgb[y0:y1:step, x0:x1:step]).mean())
    return float(np.mean(means))


class FaceLightAnalyzer:
    """Per frame: ``light_face`` (forehead and cheeks), ``light_face_chained`` (the same, with each
    frame-to-frame change measured inside one fixed set of patches) and ``light_perioral`` (skin
    around the mouth), all relative luminance.

    The face is located every few frames; when the patches move to new landmarks, the plain
    series steps with them. The chained series does not: on such a frame the change is taken in
    the previous patches, so landmark updates add no false flicker. Landmarks are used while at
    most ``max_age`` frames old (a flash or a blink of the detector does not blank the
    measurement: the light where the face was is exactly what a flash changes); NaN after that.
    Only the patches' pixels are converted to luminance: a few thousand per frame.
    """

    def __init__(self, max_age: int = 4):
        self.max_age = max_age
        self._rows: list[tuple[float, float, float, float]] = []
        self._landmarks = None
        self._boxes = None  # (skin boxes, perioral boxes) of ``_landmarks``
        self._previous_skin = None  # skin boxes used on the previous frame
        self._previous_light = np.nan
        self._chained = np.nan
        self._age = 0

    def update_face(self, landmarks: np.ndarray | None) -> None:
        if landmarks is not None:
            self._landmarks, self._boxes = landmarks, None
            self._age = 0

    def process(self, t: float, rgb: np.ndarray) -> None:
        self._age += 1
        if self._landmarks is None or self._age > self.max_age:
            self._rows.append((t, np.nan, np.nan, np.nan))
            self._previous_skin, self._chained = None, np.nan
            return
        if self._boxes is None:
            height, width = rgb.shape[:2]
            self._boxes = (patch_boxes(self._landmarks, SKIN_PATCHES, width, height),
                           patch_boxes(self._landmarks, PERIORAL_PATCHES, width, height))
        skin, perioral = self._boxes
        light = boxes_light(rgb, skin)
        previous = self._previous_skin
        if previous is None or not np.isfinite(self._chained):
            self._chained = light
        elif previous == skin:  # the same pixel boxes: the landmarks moved less than a pixel
            self._chained *= light / max(self._previous_light, 1e-6)
        else:  # the patches moved: take this frame's change in the old ones
            self._chained *= boxes_light(rgb, previous) / max(self._previous_light, 1e-6)
        self._previous_skin, self._previous_light = skin, light
        self._rows.append((t, light, self._chained, boxes_light(rgb, perioral)))

    def measurements(self) -> Measurements:
        rows = np.array(self._rows, dtype=np.float64).reshape(-1, 4)
        names = ("light_t", "light_face", "light_face_chained", "light_perioral")
        return Measurements(series={name: rows[:, i] for i, name in enumerate(names)})
