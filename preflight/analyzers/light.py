"""Light on the face per frame, in linear relative luminance (WCAG 2 / sRGB, 0 = black, 1 = white).

Measured on skin patches (forehead and both cheeks) located by the latest face landmarks, away
from the mouth so that speech does not modulate it; and on the skin around the mouth, whose
ratio to the cheeks shows a shadow falling across the mouth.
"""

from __future__ import annotations

import numpy as np

from lipgate.face import CHEEK_PATCHES, FOREHEAD_PATCH, PERIORAL_PATCH, patch_mean
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


class FaceLightAnalyzer:
    """Per frame: ``light_face`` (mean luminance of forehead and cheeks), ``light_perioral``
    (skin around the mouth) and ``light_frame`` (whole frame), all relative luminance.

    Uses the landmarks of the latest frame where a face was found while they are at most
    ``max_age`` frames old (a flash or a blink of the detector does not blank the measurement:
    the light where the face was is exactly what a flash changes); NaN after that.
    """

    def __init__(self, max_age: int = 4):
        self.max_age = max_age
        self._rows: list[tuple[float, float, float, float]] = []
        self._landmarks = None
        self._age = 0

    def update_face(self, landmarks: np.ndarray | None) -> None:
        if landmarks is not None:
            self._landmarks = landmarks
            self._age = 0

    def process(self, t: float, rgb: np.ndarray) -> None:
        self._age += 1
        small = rgb[::4, ::4]
        frame_light = float(relative_luminance(small).mean())
        landmarks = self._landmarks if self._age <= self.max_age else None
        if landmarks is None:
            self._rows.append((t, np.nan, np.nan, frame_light))
            return
        x0, y0 = np.maximum(np.floor(landmarks[:, :2].min(axis=0)).astype(int), 0)
        x1, y1 = np.ceil(landmarks[:, :2].max(axis=0)).astype(int) + 1
        face = relative_luminance(rgb[y0:y1, x0:x1])
        local = landmarks[:, :2] - (x0, y0)
        patches = [patch_mean(face, local, FOREHEAD_PATCH)] + [patch_mean(face, local, p) for p in CHEEK_PATCHES]
        self._rows.append((t, float(np.nanmean(patches)), patch_mean(face, local, PERIORAL_PATCH), frame_light))

    def measurements(self) -> Measurements:
        rows = np.array(self._rows, dtype=np.float64).reshape(-1, 4)
        names = ("light_t", "light_face", "light_perioral", "light_frame")
        return Measurements(series={name: rows[:, i] for i, name in enumerate(names)})
