"""The mouth's appearance, beside its landmarks: a fixed-size grey patch of the mouth region,
normalised in position, size, roll and light, and its projection on the principal components
learned from real in-sync speech (``lipgate/data/sync_model.npz``, see lipgate.qa.train).

A soft generated mouth (Wav2Lip and its forks, diffusion renders) opens and closes in its pixels
while MediaPipe's lip landmarks barely follow it; the patch sees what the pixels do. The patch is
resolution-independent: its axes follow the line through the outer eye corners and its size is a
fixed share of their distance, so a face crop of any size gives the same patch.
"""

from __future__ import annotations

from functools import lru_cache
import numpy as np

from lipgate.face import LEFT_EYE_OUTER, OUTER_LIP_RING, RIGHT_EYE_OUTER
from lipgate.qa.syncmodel import model_path

PATCH_WIDTH, PATCH_HEIGHT = 32, 16
"""Samples across and down the mouth patch (the feasibility study's 32 x 16 grey crop)."""
PATCH_SPAN = (1.0, 0.5)
"""Width and height of the patch in units of the outer-eye-corner distance: an adult mouth is
about half that distance wide (about 50 mm of 95 mm), so the patch holds the lips, their
corners and the jaw's opening below them."""
SUPERSAMPLE = 2
"""Each patch sample averages 2 x 2 bilinear samples: a close-up mouth 100 px wide shrunk to 32
samples would otherwise alias."""


def mouth_patch(rgb: np.ndarray, landmarks: np.ndarray | None) -> np.ndarray | None:
    """The mouth region of one frame as a ``PATCH_HEIGHT`` x ``PATCH_WIDTH`` float32 grey patch
    with zero mean and unit spread (None without a face, or for a flat patch).

    ``landmarks``: the 468 x 2+ face-mesh landmarks in ``rgb``'s pixel coordinates. The patch is
    centred on the mean of the outer lip ring, its x axis along the outer eye corners (head roll
    removed), sampled bilinearly (grey = mean of R, G, B), only at the patch's own points."""
    if landmarks is None:
        return None
    eyes = landmarks[LEFT_EYE_OUTER, :2] - landmarks[RIGHT_EYE_OUTER, :2]
    span = float(np.hypot(*eyes))
    if span < 4.0:
        return None
    across = eyes / span
    down = np.array([-across[1], across[0]])
    centre = landmarks[list(OUTER_LIP_RING), :2].mean(axis=0)
    columns, rows = PATCH_WIDTH * SUPERSAMPLE, PATCH_HEIGHT * SUPERSAMPLE
    u = ((np.arange(columns) + 0.5) / columns - 0.5) * PATCH_SPAN[0] * span
    v = ((np.arange(rows) + 0.5) / rows - 0.5) * PATCH_SPAN[1] * span
    x = centre[0] + u[None, :] * across[0] + v[:, None] * down[0]
    y = centre[1] + u[None, :] * across[1] + v[:, None] * down[1]
    height, width = rgb.shape[:2]
    x = np.clip(x, 0, width - 1.001)
    y = np.clip(y, 0, height - 1.001)
    x0, y0 = x.astype(int), y.astype(int)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    picture = rgb.astype(np.float32, copy=False) if rgb.dtype != np.uint8 else rgb
    top = picture[y0, x0] * (1 - fx) + picture[y0, x0 + 1] * fx
    bottom = picture[y0 + 1, x0] * (1 - fx) + picture[y0 + 1, x0 + 1] * fx
    grey = ((top * (1 - fy) + bottom * fy).mean(axis=2)).astype(np.float32)
    grey = grey.reshape(PATCH_HEIGHT, SUPERSAMPLE, PATCH_WIDTH, SUPERSAMPLE).mean(axis=(1, 3))
    grey -= grey.mean()
    spread = float(grey.std())
    if spread < 1e-3:
        return None
    return grey / spread


@lru_cache(maxsize=1)
def appearance_basis() -> tuple[np.ndarray, np.ndarray]:
    """(mean patch (``PATCH_HEIGHT * PATCH_WIDTH``), components (k x that)) of the shipped model;
    an empty basis when the model is not there (training extracts the raw patches first)."""
    path = model_path()
    if not path.exists():
        return np.zeros(PATCH_HEIGHT * PATCH_WIDTH, np.float32), np.zeros((0, PATCH_HEIGHT * PATCH_WIDTH), np.float32)
    with np.load(path) as model:
        return model["patch_mean"].astype(np.float32), model["patch_components"].astype(np.float32)


_recorders: list[list] = []


class recording_patches:
    """Context in which every ``mouth_appearance`` call also appends its raw patch (or None) to
    ``self.patches``: how training sees exactly the patches run time computes."""

    def __enter__(self):
        self.patches: list = []
        _recorders.append(self.patches)
        return self

    def __exit__(self, *exc) -> None:
        _recorders.remove(self.patches)


def appearance_size() -> int:
    return len(appearance_basis()[1])


def mouth_appearance(rgb: np.ndarray, landmarks: np.ndarray | None) -> np.ndarray:
    """The mouth patch of one frame projected on the learned appearance components (a k-vector,
    NaN without a face): a few numbers per frame, so memory stays flat in clip length."""
    patch = mouth_patch(rgb, landmarks)
    for patches in _recorders:
        patches.append(patch)
    mean, components = appearance_basis()
    if patch is None:
        return np.full(len(components), np.nan, np.float32)
    return components @ (patch.ravel() - mean)


MOTION_HIGH_PASS_S = 0.6
"""Appearance projections minus their moving mean over this window before their motion is
taken (the sync model's high-pass, lipgate.qa.syncmodel.HIGH_PASS_S): slow changes of light or
head pose are not the mouth moving."""
STILL_MOUTH_PIXEL_MOTION = 0.9
"""Below this ``appearance_motion`` the mouth's pixels do not move. Measured 2026-12-06
(docs/qa-sync.md): a still frame of talk1 looped with its sound 0.02, the same still panned and
zoomed like a moving head 0.43; the least-moving real in-sync clip 1.93 and its softened-mouth
copy 1.73 (bench/qa_absolute.py): 0.9 sits between, about the geometric mean of 0.43 and 1.73."""


def appearance_motion(appearance: np.ndarray | None, fps: float) -> float | None:
    """How much the mouth's pixels move: the median over frames with a face of the norm of the
    high-passed appearance projections (normalised patch units; None without a face or a basis)."""
    from lipgate.dsp import running_mean

    if appearance is None or appearance.size == 0:
        return None
    found = np.all(np.isfinite(appearance), axis=1)
    if found.sum() < 3:
        return None
    values = appearance[found].astype(np.float64)
    width = max(1, int(round(MOTION_HIGH_PASS_S * fps)) | 1)
    moving = values - running_mean(values.T, width).T
    return float(np.median(np.linalg.norm(moving, axis=1)))
