"""Light on the face per frame, in linear relative luminance (WCAG 2 / sRGB, 0 = black, 1 = white).

Measured on skin patches (forehead and both cheeks) located by the latest face landmarks, away
from the mouth so that speech does not modulate it; and on the skin around the mouth, whose
ratio to the cheeks shows a shadow falling across the mouth.
"""

from __future__ import annotations

import numpy as np

from lipgate.face import CHEEK_PATCHES, FOREHEAD_PATCH, PERIORAL_PATCHES, patch_mean
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


def _skin_light(luminance: np.ndarray, landmarks: np.ndarray) -> float:
    """Mean luminance of the forehead and cheek patches located by ``landmarks``."""
    patches = [patch_mean(luminance, landmarks, FOREHEAD_PATCH)] + [patch_mean(luminance, landmarks, p) for p in CHEEK_PATCHES]
    return float(np.nanmean(patches))


class FaceLightAnalyzer:
    """Per frame: ``light_face`` (forehead and cheeks), ``light_face_chained`` (the same, with each
    frame-to-frame change measured inside one fixed set of patches), ``light_perioral`` (skin
    around the mouth) and ``light_frame`` (whole frame), all relative luminance.

    The face is located every few frames; when the patches move to new landmarks, the plain
    series steps with them. The chained series does not: on such a frame the change is taken in
    the previous patches, so landmark updates add no false flicker. Landmarks are used while at
    most ``max_age`` frames old (a flash or a blink of the detector does not blank the
    measurement: the light where the face was is exactly what a flash changes); NaN after that.
    """

    def __init__(self, max_age: int = 4):
        self.max_age = max_age
        self._rows: list[tuple[float, float, float, float, float]] = []
        self._landmarks = None
        self._previous_landmarks = None
        self._previous_light = np.nan
        self._chained = np.nan
        self._age = 0

    def update_face(self, landmarks: np.ndarray | None) -> None:
        if landmarks is not None:
            self._landmarks = landmarks
            self._age = 0

    def process(self, t: float, rgb: np.ndarray) -> None:
        self._age += 1
        frame_light = float(relative_luminance(rgb[::4, ::4]).mean())
        landmarks = self._landmarks if self._age <= self.max_age else None
        if landmarks is None:
            self._rows.append((t, np.nan, np.nan, np.nan, frame_light))
            self._previous_landmarks, self._chained = None, np.nan
            return
        previous = self._previous_landmarks
        corners = np.concatenate([landmarks[:, :2], previous[:, :2]]) if previous is not None else landmarks[:, :2]
        x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
        luminance = relative_luminance(rgb[y0:y1, x0:x1])  # the face only: the costly part
        origin = np.array([x0, y0, 0.0])
        light = _skin_light(luminance, landmarks - origin)
        if previous is None or not np.isfinite(self._chained):
            self._chained = light
        elif previous is landmarks:
            self._chained *= light / max(self._previous_light, 1e-6)
        else:  # the patches moved: take this frame's change in the old ones
            self._chained *= _skin_light(luminance, previous - origin) / max(self._previous_light, 1e-6)
        self._previous_landmarks, self._previous_light = landmarks, light
        perioral = float(np.nanmean([patch_mean(luminance, landmarks - origin, patch) for patch in PERIORAL_PATCHES]))
        self._rows.append((t, light, self._chained, perioral, frame_light))

    def measurements(self) -> Measurements:
        rows = np.array(self._rows, dtype=np.float64).reshape(-1, 5)
        names = ("light_t", "light_face", "light_face_chained", "light_perioral", "light_frame")
        return Measurements(series={name: rows[:, i] for i, name in enumerate(names)})
