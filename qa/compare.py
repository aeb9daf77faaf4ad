"""`lipgate qa --source`, measuring: what the lip-sync service did to the source.

One streaming decode of the source (video or still) and one of the render (picture and sound
from the same ffmpeg), one of the target speech. Per frame only small summaries are kept: a
64 px grey thumbnail of the source (4 kB a frame, the index the render is aligned against), its
16 px signature (1 kB), 48 px crops of its lower and upper face (4.6 kB) and a few numbers;
the sound tracks of the render and the target at 8 kHz (32 kB a second each). The thumbnails,
signatures, crops and sound tracks go to unnamed temporary files read back as memory maps
(``lipgate.spill``: about 10 kB of disk a source frame, 15 MB a minute at 25 fps), so memory
stays flat in the clips' length; decoded frames are never kept.

- **Alignment.** Each render frame is first matched to the source frame whose picture outside
  the lower face correlates best with it (thumbnails normalised to zero mean and unit norm over
  the mask, so a light change does not break the match; the mask is every place the source's
  lower face ever is, so the new mouth does not disturb it); under ``UNMATCHED_CORRELATION`` it
  has none. The final mapping is the best path (``best_path``) through the correlations within
  ``BAND`` frames of the first matches, each source frame skipped or shown again paying a
  penalty, so near-identical source frames never read as drops or repeats. The picture's
  per-frame measures below are taken against the first match, which differs from the final one
  only where the source frames are alike.
- **Sound.** The target speech is found in the render's sound by cross-correlation: coarse on
  10 ms log-energy frames, then on the 8 kHz waveforms within 20 ms of it, refined by a parabola
  through the peak (sub-sample). Similarity: the correlation of 16-band log spectrograms over the
  target's speech, aligned; per second where the render's sound no longer matches the target.
- **Picture.** Mean absolute grey-level difference and PSNR of the aligned thumbnails outside
  the lower face; the high-frequency level (standard deviation of the Laplacian) outside the
  lower face at 256 px and of the lower face at a 96 px face-box height, so render and source
  are compared at the same scale whatever their sizes; how far the lower-face crop differs from
  the source's, against how far the upper-face crop (same size, no speech in it) does.

Everything goes into ``Measurements`` (cacheable); ``lipgate.qa.checks`` judges them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lipgate.errors import InputError
from lipgate.face import FaceTracker
from lipgate.measurements import Measurements
from lipgate.media import AudioDecoder, FastScalerMissing, MediaInfo, VideoDecoder, probe
from lipgate.spill import SpillArray

ANALYSIS_MAX_SIDE = 480
"""Frames are decoded at most 480 px on their longer side (as ``lipgate.qa.measure``)."""
THUMB_SIDE = 64
"""Alignment and picture-change thumbnails: 64 px on the longer side, grey."""
COARSE_SIDE = 16
"""Coarse alignment signatures (16 px): the candidates the thumbnails then decide between."""
COARSE_CANDIDATES = 8
CROP_SIDE = 48
"""Lower- and upper-face crops for the mouth-change comparison: 48 x 48 grey."""
SHARPNESS_BOX_HEIGHT = 96
"""The lower-face box is resampled to this height before its Laplacian: the same scale in both files."""
DETAIL_SIDE = 256
"""The picture outside the lower face is resampled to 256 px (longer side) for its Laplacian."""
MESH_EVERY_S = 0.12
"""The source's face mesh runs about every 0.12 s (3 frames at 25 fps); the lower-face box is
held between runs (a head does not leave a padded box in 0.1 s)."""
BOX_MARGIN = 0.15
"""The lower-face box is padded by 15% of its size on every side."""
MASK_MARGIN = 0.1
"""The alignment mask (where the lower face may be) is padded by a further 10% of the frame."""
BAND = 6
"""The final mapping may move a render frame up to 6 source frames from its first match."""
STEP_PENALTY_CHANGES = 4.0
"""A drop, repeat or jump must explain the render better than keeping to the next source frame
by 4 times the source's median frame-to-frame change (1 - correlation): the evidence of a few
frames, so noise on near-identical source frames never reads as a fault (fixtures exact; corpus
builds in docs/qa-source.md)."""
UNMATCHED_CORRELATION = 0.5
"""A render frame whose best correlation with the source (outside the lower face) is below
this has no source frame: another picture altogether (a black frame, a title, another clip)."""
AUDIO_SR = 8000
SPEC_HOP = 80
"""10 ms at 8 kHz."""
SPEC_WINDOW = 256
SPEC_BANDS = 16
FINE_SEARCH_S = 0.02
SPEECH_BELOW_PEAK_DB = 30.0
"""A 10 ms frame of the target holds speech when its energy is within 30 dB of the 99th percentile."""
CUT_WINDOW_S = 1.0
MATCH_WINDOW_SIMILARITY = 0.5
"""A second of the target's speech is found in the render when its spectrogram correlates at
least this much with the render's there."""


def lower_face_box(landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
    """(x0, y0, x1, y1) as fractions of the frame: every landmark below the nose tip, padded."""
    nose_y = landmarks[1, 1]
    lower = landmarks[landmarks[:, 1] >= nose_y, :2]
    (x0, y0), (x1, y1) = lower.min(axis=0), lower.max(axis=0)
    pad_x, pad_y = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
    return np.array([max(0.0, (x0 - pad_x) / width), max(0.0, (y0 - pad_y) / height),
                     min(1.0, (x1 + pad_x) / width), min(1.0, (y1 + pad_y) / height)])


def upper_face_box(box: np.ndarray) -> np.ndarray:
    """The box of the same size just above ``box`` (eyes and nose: no speech in it), clamped to the frame."""
    height = box[3] - box[1]
    top = max(0.0, box[1] - height)
    return np.array([box[0], top, box[2], top + height])


def _pixels(box: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = int(math.floor(box[0] * width)), int(math.floor(box[1] * height))
    x1, y1 = int(math.ceil(box[2] * width)), int(math.ceil(box[3] * height))
    return x0, y0, max(x0 + 2, x1), max(y0 + 2, y1)


def crop(grey: np.ndarray, box: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``box`` (fractions) of ``grey`` resampled to ``size`` (width, height), float32."""
    height, width = grey.shape
    x0, y0, x1, y1 = _pixels(box, width, height)
    region = grey[y0:y1, x0:x1]
    interpolation = cv2.INTER_AREA if region.shape[0] >= size[1] else cv2.INTER_LINEAR
    return cv2.resize(region, size, interpolation=interpolation).astype(np.float32)


def laplacian_level(grey: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Standard deviation of the 3x3 Laplacian (grey levels), inside ``mask`` when given."""
    response = cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)
    inner = response[1:-1, 1:-1]
    if mask is not None:
        inner = inner[mask[1:-1, 1:-1]]
    return float(inner.std()) if inner.size else float("nan")


def mouth_sharpness(grey: np.ndarray, box: np.ndarray) -> float:
    """High-frequency level of the lower face at ``SHARPNESS_BOX_HEIGHT`` px box height."""
    height, width = grey.shape
    x0, y0, x1, y1 = _pixels(box, width, height)
    scale = SHARPNESS_BOX_HEIGHT / max(2, y1 - y0)
    size = (max(4, int(round((x1 - x0) * scale))), SHARPNESS_BOX_HEIGHT)
    return laplacian_level(crop(grey, box, size))


def thumbnail(grey: np.ndarray, side: int) -> np.ndarray:
    height, width = grey.shape
    scale = side / max(height, width)
    size = (max(2, int(round(width * scale))), max(2, int(round(height * scale))))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def box_mask(boxes: np.ndarray, shape: tuple[int, int], margin: float = MASK_MARGIN) -> np.ndarray:
    """True outside every box (fractions, padded by ``margin`` of the frame) on a ``shape`` grid."""
    height, width = shape
    keep = np.ones(shape, bool)
    for x0, y0, x1, y1 in np.unique(np.round(boxes, 3), axis=0):
        keep[int(max(0, (y0 - margin) * height)):int(math.ceil(min(1, y1 + margin) * height)),
             int(max(0, (x0 - margin) * width)):int(math.ceil(min(1, x1 + margin) * width))] = False
    return keep


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each row minus its mean, scaled to unit norm (zero rows stay zero)."""
    centred = rows - rows.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(centred, axis=-1, keepdims=True)
    return centred / np.where(norm > 1e-6, norm, 1.0)


@dataclass
class SourceIndex:
    """What one pass over the source keeps per frame."""

    fps: float
    still: bool
    frame_t: np.ndarray
    thumbs: np.ndarray
    """uint8 (frames, h, w) at ``THUMB_SIDE``."""
    boxes: np.ndarray
    """Lower-face boxes (fractions), NaN where no face was ever seen before the frame."""
    lower_crops: np.ndarray
    upper_crops: np.ndarray
    sharpness: np.ndarray
    detail: np.ndarray
    """High-frequency level outside the frame's own lower face (padded box) at ``DETAIL_SIDE``."""
    coarse: np.ndarray
    """float32 (frames, ``COARSE_SIDE``, ``COARSE_SIDE``): each thumbnail shrunk, the aligner's first sieve."""


def index_source(info: MediaInfo) -> SourceIndex:
    """Stream the source once: thumbnails, lower-face boxes, crops and sharpness per frame."""
    decoder = VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE).start()
    still = info.kind == "image"
    every = max(1, int(round(MESH_EVERY_S * decoder.fps)))
    frame_t, boxes, sharp, detail = [], [], [], []
    thumbs, lowers, uppers = SpillArray(np.uint8), SpillArray(np.uint8), SpillArray(np.uint8)
    coarse = SpillArray(np.float32)
    blank = np.zeros((CROP_SIDE, CROP_SIDE), np.uint8)
    box = None
    with FaceTracker(static=still) as tracker:
        for frame in decoder:
            grey = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY)
            height, width = grey.shape
            if frame.index % every == 0:
                landmarks = tracker.landmarks(frame.rgb)
                if landmarks is not None:
                    box = lower_face_box(landmarks, width, height)
            frame_t.append(frame.t)
            thumb = thumbnail(grey, THUMB_SIDE).round().astype(np.uint8)
            thumbs.append(thumb)
            coarse.append(cv2.resize(thumb.astype(np.float32), (COARSE_SIDE, COARSE_SIDE), interpolation=cv2.INTER_AREA))
            detail.append(outside_detail(grey, box))
            if box is None:
                boxes.append(np.full(4, np.nan))
                lowers.append(blank)
                uppers.append(blank)
                sharp.append(np.nan)
            else:
                boxes.append(box)
                lowers.append(crop(grey, box, (CROP_SIDE, CROP_SIDE)).round().astype(np.uint8))
                uppers.append(crop(grey, upper_face_box(box), (CROP_SIDE, CROP_SIDE)).round().astype(np.uint8))
                sharp.append(mouth_sharpness(grey, box))
    if not frame_t:
        raise InputError(info.path, "no picture could be decoded")
    return SourceIndex(
        fps=decoder.fps, still=still, frame_t=np.array(frame_t), thumbs=thumbs.array(), boxes=np.array(boxes),
        lower_crops=lowers.array(), upper_crops=uppers.array(), sharpness=np.array(sharp), detail=np.array(detail),
        coarse=coarse.array())


def outside_detail(grey: np.ndarray, box: np.ndarray | None) -> float:
    """High-frequency level of the picture outside the lower face ``box`` (padded), at ``DETAIL_SIDE``."""
    small = thumbnail(grey, DETAIL_SIDE)
    mask = None if box is None or not np.all(np.isfinite(box)) else box_mask(box[None, :], small.shape)
    return laplacian_level(small, mask)


class Aligner:
    """Matches render frames, one at a time, to the source frames (see the module's docstring)."""

    def __init__(self, source: SourceIndex, mask: np.ndarray):
        self.mask = mask
        self.thumbs = source.thumbs
        coarse_mask = cv2.resize(mask.astype(np.uint8), (COARSE_SIDE, COARSE_SIDE), interpolation=cv2.INTER_AREA) > 0
        self.coarse_mask = coarse_mask
        if coarse_mask.any():
            signatures = SpillArray(np.float32)
            for first in range(0, len(source.coarse), 4096):  # a block at a time: memory flat in the source's length
                signatures.extend(unit_rows(np.asarray(source.coarse[first:first + 4096])[:, coarse_mask]))
            self.coarse = signatures.array()
        else:
            self.coarse = np.zeros((len(source.coarse), 0), np.float32)
        self.previous: int | None = None
        self.count = len(source.thumbs)
        self.bands: list[tuple[int, np.ndarray] | None] = []

    def units(self, frames: np.ndarray) -> np.ndarray:
        """The normalised masked thumbnails of these source frames (made when asked: 9 a render frame)."""
        return unit_rows(self.thumbs[frames].astype(np.float32)[:, self.mask])

    def match(self, thumb: np.ndarray) -> tuple[int, float]:
        """(source frame, correlation), frame -1 when none matches."""
        unit = unit_rows(thumb[self.mask][None, :])[0]
        if self.count <= 4 * COARSE_CANDIDATES or self.coarse.shape[1] == 0:
            candidates = np.arange(self.count)
        else:
            small = cv2.resize(thumb, (COARSE_SIDE, COARSE_SIDE), interpolation=cv2.INTER_AREA)
            coarse_unit = unit_rows(small[self.coarse_mask][None, :])[0]
            candidates = np.argpartition(-(self.coarse @ coarse_unit), COARSE_CANDIDATES)[:COARSE_CANDIDATES]
        continuation = 0 if self.previous is None else self.previous + 1
        if continuation < self.count:
            candidates = np.union1d(candidates, [continuation])
        units = self.units(candidates)
        scores = units @ unit
        at = int(np.argmax(scores))
        best, best_score = int(candidates[at]), float(scores[at])
        if best_score < UNMATCHED_CORRELATION:
            self.previous = None
            self.bands.append(None)
            return -1, best_score
        if continuation < self.count and best != continuation:
            here = int(np.searchsorted(candidates, continuation))
            continuation_score = float(scores[here])
            gain = best_score - continuation_score
            separation = 1.0 - float(units[at] @ units[here])
            if gain <= 0.5 * separation or gain <= 1.0 - best_score:
                best, best_score = continuation, continuation_score
        self.previous = best
        self.record_band(best, unit)
        return best, best_score

    def record_band(self, centre: int, unit: np.ndarray) -> None:
        """Keep the correlations of the render frame with the source frames within ``BAND``
        of its match, for ``best_path`` (a few floats a frame)."""
        first = max(0, centre - BAND)
        frames = np.arange(first, min(self.count, centre + BAND + 1))
        self.bands.append((first, (self.units(frames) @ unit).astype(np.float32)))


def step_cost(step: np.ndarray) -> np.ndarray:
    """Penalties (in units of the step penalty) of moving ``step`` source frames between two
    render frames: 0 to the next one, else one a source frame skipped or shown again (a repeat
    costs 1, a drop of three 3, a step back by one 2), at least 1."""
    step = np.asarray(step)
    return np.where(step == 1, 0.0, np.maximum(1.0, np.abs(step - 1)))


def best_path(bands: list[tuple[int, np.ndarray] | None], penalty: float) -> np.ndarray:
    """The source frame of each render frame that maximises the summed correlation minus
    ``penalty`` x ``step_cost`` of every step (the first frame's from frame -1). ``bands[i]`` is
    (first source frame, correlations) or None for a frame that matches none (-1; the path starts
    again after it). Viterbi on the band."""
    path = np.full(len(bands), -1, int)
    start = 0
    while start < len(bands):
        while start < len(bands) and bands[start] is None:
            start += 1
        stop = start
        while stop < len(bands) and bands[stop] is not None:
            stop += 1
        if stop > start:
            path[start:stop] = _viterbi(bands[start:stop], penalty, from_frame=-1 if start == 0 else None)
        start = stop
    return path


def _viterbi(bands, penalty: float, from_frame: int | None) -> np.ndarray:
    first, scores = bands[0]
    frames = first + np.arange(len(scores))
    value = scores - (penalty * step_cost(frames - from_frame) if from_frame is not None else 0.0)
    back: list[np.ndarray] = []
    previous_frames = frames
    for first, scores in bands[1:]:
        frames = first + np.arange(len(scores))
        totals = value[None, :] - penalty * step_cost(frames[:, None] - previous_frames[None, :])
        best = np.argmax(totals, axis=1)
        back.append(best)
        value = scores + totals[np.arange(len(frames)), best]
        previous_frames = frames
    chosen = np.empty(len(bands), int)
    at = int(np.argmax(value))
    for i in range(len(bands) - 1, -1, -1):
        chosen[i] = bands[i][0] + at
        if i:
            at = int(back[i - 1][at])
    return chosen


@dataclass
class RenderComparison:
    fps: float
    frame_t: np.ndarray
    source_index: np.ndarray
    correlation: np.ndarray
    outside_mad: np.ndarray
    outside_psnr_db: np.ndarray
    lower_change: np.ndarray
    upper_change: np.ndarray
    sharpness: np.ndarray
    detail: np.ndarray
    sound: np.ndarray | None
    sound_start_s: float


def source_step_change(source: SourceIndex, mask: np.ndarray) -> np.ndarray:
    """1 - correlation of each source frame with the next, outside the lower face."""
    if len(source.thumbs) < 2:
        return np.zeros(0)
    previous = unit_rows(source.thumbs[0].astype(np.float32)[mask][None, :])[0]
    changes = []
    for thumb in source.thumbs[1:]:
        unit = unit_rows(thumb.astype(np.float32)[mask][None, :])[0]
        changes.append(1.0 - float(unit @ previous))
        previous = unit
    return np.array(changes)


def source_step_median(source: SourceIndex, mask: np.ndarray) -> float:
    changes = source_step_change(source, mask)
    return float(np.median(changes)) if changes.size else 0.0


def _change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two crops, each with its own mean removed (grey levels)."""
    return float(np.abs((a - a.mean()) - (b - b.mean())).mean())


def compare_render(info: MediaInfo, source: SourceIndex, mask: np.ndarray) -> RenderComparison:
    """Stream the render once (picture, and its sound from the same ffmpeg) against the source index."""
    from concurrent.futures import ThreadPoolExecutor

    decoder = VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE)
    sound_decoder = decoder.with_sound(sr=AUDIO_SR) if info.audio is not None else None
    aligner = Aligner(source, mask)
    rows: dict[str, list] = {name: [] for name in ("t", "index", "corr", "mad", "psnr", "lower", "upper", "sharp", "detail")}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-source-sound") as pool:
        sound = pool.submit(_read_sound, sound_decoder) if sound_decoder is not None else None
        for frame in decoder:
            grey = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY)
            thumb = thumbnail(grey, THUMB_SIDE)
            if thumb.shape != mask.shape:
                thumb = cv2.resize(thumb, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_AREA)
            index, correlation = aligner.match(thumb)
            rows["t"].append(frame.t)
            rows["index"].append(index)
            rows["corr"].append(correlation)
            if index < 0:
                for name in ("mad", "psnr", "lower", "upper", "sharp", "detail"):
                    rows[name].append(np.nan)
                continue
            difference = thumb[mask] - source.thumbs[index][mask].astype(np.float32)
            rows["mad"].append(float(np.abs(difference).mean()))
            mse = float(np.mean(difference ** 2))
            rows["psnr"].append(10 * math.log10(255.0 ** 2 / max(mse, 1e-6)))
            box = source.boxes[index]
            rows["detail"].append(outside_detail(grey, box))
            if not np.all(np.isfinite(box)):
                for name in ("lower", "upper", "sharp"):
                    rows[name].append(np.nan)
                continue
            lower = crop(grey, box, (CROP_SIDE, CROP_SIDE))
            upper = crop(grey, upper_face_box(box), (CROP_SIDE, CROP_SIDE))
            rows["lower"].append(_change(lower, source.lower_crops[index].astype(np.float32)))
            rows["upper"].append(_change(upper, source.upper_crops[index].astype(np.float32)))
            rows["sharp"].append(mouth_sharpness(grey, box))
        samples = sound.result() if sound is not None else None
    if not rows["t"]:
        raise InputError(info.path, "no video frame could be decoded")
    index = best_path(aligner.bands, STEP_PENALTY_CHANGES * source_step_median(source, mask))
    return RenderComparison(
        fps=decoder.fps, frame_t=np.array(rows["t"]), source_index=index,
        correlation=np.array(rows["corr"]), outside_mad=np.array(rows["mad"]), outside_psnr_db=np.array(rows["psnr"]),
        lower_change=np.array(rows["lower"]), upper_change=np.array(rows["upper"]), sharpness=np.array(rows["sharp"]),
        detail=np.array(rows["detail"]), sound=samples, sound_start_s=info.audio.start_s if info.audio else 0.0)


def _read_sound(decoder: AudioDecoder) -> np.ndarray:
    """The whole track (on disk, ``SpillArray``: memory flat in its length)."""
    samples = SpillArray(np.float32, ())
    for block in decoder:
        samples.extend(block.samples)
    return samples.array()


# -- sound ---------------------------------------------------------------------------------------

def band_spectrogram(samples: np.ndarray) -> np.ndarray:
    """16-band log power (dB) of 32 ms Hann frames every 10 ms at 8 kHz: (frames, bands)."""
    if samples.size < SPEC_WINDOW:
        return np.zeros((0, SPEC_BANDS), np.float32)
    count = 1 + (samples.size - SPEC_WINDOW) // SPEC_HOP
    window = np.hanning(SPEC_WINDOW).astype(np.float32)
    edges = np.geomspace(2, SPEC_WINDOW // 2 + 1, SPEC_BANDS + 1).astype(int)
    out = np.empty((count, SPEC_BANDS), np.float32)
    for start in range(0, count, 4096):
        stop = min(count, start + 4096)
        index = np.arange(start, stop)[:, None] * SPEC_HOP + np.arange(SPEC_WINDOW)[None, :]
        power = np.abs(np.fft.rfft(samples[index] * window, axis=1)) ** 2
        bands = np.add.reduceat(power, edges[:-1], axis=1)[:, :SPEC_BANDS]
        out[start:stop] = 10 * np.log10(bands + 1e-10)
    return out


def _xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross-correlation c[k] = sum_n a[n + k] b[n] for k from -(len(b) - 1) to len(a) - 1."""
    size = 1 << int(math.ceil(math.log2(len(a) + len(b))))
    full = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    return np.concatenate([full[size - len(b) + 1:], full[:len(a)]])


def _overlap_dot(render: np.ndarray, target: np.ndarray, lag: int) -> float:
    """Sum of render[n + lag] x target[n] over the samples both have (no whole-signal FFT: the
    memory stays that of the two signals)."""
    first, last = max(0, -lag), min(len(target), len(render) - lag)
    return float(render[first + lag:last + lag] @ target[first:last]) if last > first else 0.0


def parabolic_peak(values: np.ndarray, index: int) -> float:
    """Sub-sample position of the peak at ``index`` (a parabola through it and its neighbours)."""
    if 0 < index < len(values) - 1:
        left, centre, right = values[index - 1], values[index], values[index + 1]
        denominator = left - 2 * centre + right
        if denominator < 0:
            return index + 0.5 * (left - right) / denominator
    return float(index)


def speech_frames(spectrogram: np.ndarray) -> np.ndarray:
    """10 ms frames within ``SPEECH_BELOW_PEAK_DB`` of the loudest (99th percentile)."""
    if spectrogram.size == 0:
        return np.zeros(0, bool)
    level = 10 * np.log10(np.sum(10 ** (spectrogram / 10), axis=1) + 1e-10)
    return level > np.percentile(level, 99) - SPEECH_BELOW_PEAK_DB


def find_target(render: np.ndarray, target: np.ndarray) -> dict:
    """Where ``target`` lies inside ``render`` (both 8 kHz mono): lag in s (target sample 0 at
    render sample lag x sr), similarity, and per-second coverage of the target's speech."""
    render_spec, target_spec = band_spectrogram(render), band_spectrogram(target)
    if len(render_spec) < 10 or len(target_spec) < 10:
        return {"lag_s": None, "similarity": 0.0, "speech_s": 0.0, "missing": []}
    envelope = lambda spec: np.diff(10 * np.log10(np.sum(10 ** (spec / 10), axis=1) + 1e-10), prepend=0)  # noqa: E731
    render_env, target_env = np.clip(envelope(render_spec), 0, None), np.clip(envelope(target_spec), 0, None)
    coarse = _xcorr(render_env - render_env.mean(), target_env - target_env.mean())
    coarse_lag = int(np.argmax(coarse)) - (len(target_env) - 1)  # in 10 ms frames
    reach = int(FINE_SEARCH_S * AUDIO_SR) + SPEC_HOP
    lags = np.arange(coarse_lag * SPEC_HOP - reach, coarse_lag * SPEC_HOP + reach + 1)
    fine = np.array([_overlap_dot(render, target, int(lag)) for lag in lags])
    peak = int(np.argmax(fine))
    lag_samples = float(lags[0]) + parabolic_peak(fine, peak)
    lag_frames = int(round(lag_samples / SPEC_HOP))
    speaking = speech_frames(target_spec)
    rows = np.arange(len(target_spec))
    shifted = rows + lag_frames
    inside = (shifted >= 0) & (shifted < len(render_spec))
    used = speaking & inside
    similarity = _spectral_similarity(target_spec[used], render_spec[shifted[used]]) if used.sum() > 10 else 0.0
    per_window = int(round(CUT_WINDOW_S * AUDIO_SR / SPEC_HOP))
    missing = []
    for start in range(0, len(target_spec), per_window):
        window = slice(start, start + per_window)
        talk = speaking[window]
        if talk.sum() < per_window // 5:
            continue
        here = inside[window] & talk
        found = here.sum() > 0.5 * talk.sum() and _spectral_similarity(
            target_spec[window][here], render_spec[shifted[window][here]]) >= MATCH_WINDOW_SIMILARITY
        if not found:
            missing.append((start * SPEC_HOP / AUDIO_SR, min(len(target_spec), start + per_window) * SPEC_HOP / AUDIO_SR))
    return {"lag_s": lag_samples / AUDIO_SR, "similarity": similarity,
            "speech_s": float(speaking.sum() * SPEC_HOP / AUDIO_SR), "missing": missing,
            "speech_frames": speaking, "coarse_lag_s": coarse_lag * SPEC_HOP / AUDIO_SR}


def _spectral_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two aligned log spectrograms (every band of every frame)."""
    if a.size < 2:
        return 0.0
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / denominator) if denominator > 0 else 0.0


def read_target(path: str | Path) -> tuple[np.ndarray, MediaInfo]:
    info = probe(path, expect={"audio", "video"})
    if info.audio is None:
        raise InputError(path, "has no sound: the target speech is needed")
    return _read_sound(AudioDecoder(info, sr=AUDIO_SR, block_s=5.0)), info


# -- the whole measurement -----------------------------------------------------------------------

def measure_against_source(render_path: str | Path, source_path: str | Path,
                           audio_path: str | Path | None = None) -> Measurements:
    """Measure the render against the source and the target speech (see the module's docstring)."""
    render_info = probe(render_path, expect={"video"})
    source_info = probe(source_path, expect={"video", "image"})
    target, _ = read_target(audio_path) if audio_path is not None else (None, None)
    source = index_source(source_info)
    if render_info.video is None:
        raise InputError(render_path, "has no video stream")
    finite = np.all(np.isfinite(source.boxes), axis=1)
    mask = box_mask(source.boxes[finite], source.thumbs.shape[1:]) if finite.any() else np.ones(source.thumbs.shape[1:], bool)
    if mask.mean() < 0.1:  # a face filling the frame: keep its upper part at least
        mask = np.ones_like(mask)
        mask[int(mask.shape[0] * 0.55):] = False
    try:
        render = compare_render(render_info, source, mask)
    except FastScalerMissing:
        render = compare_render(render_info, source, mask)
    return _measurements(render_info, source_info, source, render, target, mask)


def _measurements(render_info, source_info, source: SourceIndex, render: RenderComparison, target, mask) -> Measurements:
    index = render.source_index
    matched = index >= 0
    source_t = np.where(matched, source.frame_t[np.clip(index, 0, None)], np.nan)
    source_sharp = np.where(matched, source.sharpness[np.clip(index, 0, None)], np.nan)
    source_detail = np.where(matched, source.detail[np.clip(index, 0, None)], np.nan)
    # source frames next to each other that cannot be told apart (a still stretch): a repeat or
    # a drop there is invisible, and not counted
    step_change = source_step_change(source, mask)
    values = {
        "render_fps": render.fps, "render_frames": len(render.frame_t),
        "render_duration_s": len(render.frame_t) / render.fps, "render_start_s": float(render.frame_t[0]),
        "source_kind": source_info.kind, "source_fps": source.fps, "source_frames": len(source.frame_t),
        "source_face_share": float(np.mean(np.all(np.isfinite(source.boxes), axis=1))),
        "mask_share": float(mask.mean()),
        "render_has_sound": render.sound is not None and render.sound.size > 0,
        "target_given": target is not None,
    }
    series = {
        "source_t": source_t, "source_frame": index, "match_correlation": render.correlation,
        "outside_mad": render.outside_mad, "outside_psnr_db": render.outside_psnr_db,
        "lower_change": render.lower_change, "upper_change": render.upper_change,
        "render_sharpness": render.sharpness, "source_sharpness": source_sharp,
        "render_detail": render.detail, "source_detail": source_detail,
        "source_step_change": step_change, "compare_frame_t": render.frame_t,
    }
    speech_per_frame = np.zeros(len(render.frame_t), bool)
    if target is not None:
        values["target_duration_s"] = target.size / AUDIO_SR
        if render.sound is not None and render.sound.size:
            found = find_target(render.sound, target)
            values.update({
                "sound_lag_s": found["lag_s"], "sound_similarity": found["similarity"],
                "target_speech_s": found["speech_s"], "render_sound_start_s": render.sound_start_s,
                "render_sound_duration_s": render.sound.size / AUDIO_SR,
                "sound_missing": [list(pair) for pair in found["missing"]],
            })
            if found["lag_s"] is not None:
                speaking = found["speech_frames"]
                # where in the render the target speaks: target frame k at sound_start + lag + k x 10 ms
                times = render.sound_start_s + found["lag_s"] + np.arange(len(speaking)) * SPEC_HOP / AUDIO_SR
                speech_per_frame = _speech_at(render.frame_t, times[speaking])
        else:
            values.update({"sound_lag_s": None, "sound_similarity": 0.0})
    elif render.sound is not None and render.sound.size:
        spectrogram = band_spectrogram(render.sound)
        speaking = speech_frames(spectrogram)
        times = render.sound_start_s + np.arange(len(speaking)) * SPEC_HOP / AUDIO_SR
        speech_per_frame = _speech_at(render.frame_t, times[speaking])
    series["target_speaking"] = speech_per_frame
    return Measurements(values=values, series=series)


def _speech_at(frame_t: np.ndarray, speech_times: np.ndarray, reach_s: float = 0.02) -> np.ndarray:
    """Per frame: True when a speech frame lies within ``reach_s`` of the frame's time."""
    if speech_times.size == 0:
        return np.zeros(len(frame_t), bool)
    position = np.searchsorted(speech_times, frame_t)
    before = np.abs(frame_t - speech_times[np.clip(position - 1, 0, len(speech_times) - 1)])
    after = np.abs(speech_times[np.clip(position, 0, len(speech_times) - 1)] - frame_t)
    return np.minimum(before, after) <= reach_s
