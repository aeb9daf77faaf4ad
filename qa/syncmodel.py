"""The absolute zero of lip sync, learned from real in-sync speech: a fixed multi-lag ridge map
from the sound's log-mel to the mouth (lip distances and the mouth patch's principal
components), whose prediction is correlated with the observed mouth over candidate offsets.

Canonical correlation refitted per clip finds the lag at which a clip's own mouth and sound
correlate best; in natural speech the lips lead the sound by an amount that varies with
speaker, phoneme and feature, so that lag is not "in sync". This map is trained once, on real
recordings whose sound is their own (``lipgate.qa.train``); it predicts the mouth a real
speaker shows for a sound *in sync*, so the offset at which the prediction best matches the
picture is the clip's offset from that zero. The method, the comparison it won and the
calibration tables: docs/qa-sync.md.

Sign (ITU-R BT.1359, EBU R37): ``offset_ms`` > 0 when the sound comes before the picture. A
candidate offset ``d`` pairs the picture at time ``t`` with the sound at ``t - d``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from lipgate.dsp import gaussian_smooth, running_mean
from lipgate.qa.features import AudioFeatures, AudioFeatureStream, fill_gaps
from lipgate.qa.sync import highest_interior_peak, peak_to_sidelobe, refine_peak

MODEL_BANDS = 40
"""Log-mel bands of the model's sound features (the feasibility study's 40)."""
MODEL_HOP_S = 0.01
"""The model's sound clock (s): 100 Hz."""
MODEL_WINDOW_S = 0.025
"""Analysis window of the model's log-mel (s): the usual 25 ms speech frame."""
TAPS_MS = np.arange(-320, 321, 20)
"""Context of the map (ms from the picture's instant): the mouth shapes a sound up to a third
of a second before it is heard (anticipation) and holds it after."""
HIGH_PASS_S = 0.6
"""Mouth and sound features minus their moving mean over this window (15 frames at 25 fps): the
map sees movements, not a speaker's resting mouth or the room's tone. Held-out speakers
(docs/qa-sync.md): 0.2 s 65 ms median error, 0.36 s 60 ms, 0.6 s 58 ms."""
SEARCH_MS = 600.0
"""Offsets searched: +-600 ms (the contract asks for at least +-500 ms)."""
STEP_MS = 10.0
"""Spacing of the candidate offsets (ms); the peak is refined by parabolic interpolation."""
SMOOTH_MS = 10.0
"""Gaussian smoothing (sigma, ms) of the score curve before its peak is picked."""
MIN_FRAMES = 25
"""Fewest usable frames (a face, inside the sound) for an estimate."""
MODEL_PATH = Path(__file__).resolve().parents[1] / "lipgate" / "data" / "sync_model.npz"


def model_sound_stream(sr: int) -> AudioFeatureStream:
    """The streaming log-mel the model reads (``MODEL_BANDS`` bands every ``MODEL_HOP_S``)."""
    return AudioFeatureStream(sr, MODEL_WINDOW_S, n_bands=MODEL_BANDS, hop_s=MODEL_HOP_S, extras=False)


@dataclass
class SyncModel:
    weights: np.ndarray
    """(taps x bands) x outputs ridge map."""
    output_weights: np.ndarray
    """How much each mouth output counts in the score (its held-out correlation, summing to 1)."""
    n_components: int
    """Appearance components used after the lip distances."""
    zero_ms: float = 0.0
    """The map's own reading of in-sync speech on speakers it did not see (median over the
    corpus, held out by speaker): subtracted, so that 0 is in sync."""
    calibration: dict = field(default_factory=dict)
    """Confidence calibration (lipgate.qa.train.calibration): ``edges`` (confidence band edges),
    ``low``/``high`` (3rd and 97th percentile of the held-out error per band, ms: the 90%
    interval), ``table_edges``/``within_frame`` (share within one frame per band of the
    documented table), ``min_confidence`` (below it the reading is uncertain)."""


def model_path() -> Path:
    """The shipped weights: the installed package's data, else the checkout's."""
    from importlib.resources import files

    packaged = Path(str(files("lipgate") / "data" / "sync_model.npz"))
    return packaged if packaged.exists() else MODEL_PATH


def model_fingerprint() -> str:
    """Content hash of the shipped weights ('none' without them): part of qa's cache key."""
    from lipgate.cache import content_hash

    path = model_path()
    return content_hash(path) if path.exists() else "none"


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> SyncModel | None:
    """The shipped model (None when it is missing)."""
    location = Path(path) if path else model_path()
    if not location.exists():
        return None
    with np.load(location) as data:
        calibration = {key[len("cal_"):]: data[key] for key in data.files if key.startswith("cal_")}
        calibration["min_confidence"] = float(calibration.get("min_confidence", 0.0))
        return SyncModel(data["weights"], data["output_weights"], int(data["n_components"]),
                         zero_ms=float(data["zero_ms"]), calibration=calibration)


def high_pass(values: np.ndarray, width: int) -> np.ndarray:
    """``values`` (time along axis 0) minus their moving mean over ``width`` samples."""
    return values - running_mean(values.T, max(1, width)).T


def sound_matrix(log_mel: AudioFeatures) -> np.ndarray:
    """The log-mel rows standardised per band over the real sound, then high-passed."""
    values = log_mel.values.astype(np.float64)
    times = log_mel.t0_s + np.arange(len(values)) * log_mel.hop_s
    inside = (times >= log_mel.start_s) & (times <= log_mel.end_s)
    reference = values[inside] if inside.sum() > 10 else values
    spread = reference.std(axis=0)
    standard = (values - reference.mean(axis=0)) / np.where(spread > 1e-6, spread, 1.0)
    standard[~inside] = 0.0
    return high_pass(standard, int(round(HIGH_PASS_S / log_mel.hop_s)))


def context_rows(sound: np.ndarray, hop_s: float, t0_s: float, times_s: np.ndarray) -> np.ndarray:
    """Per time, the sound rows at every tap of ``TAPS_MS`` side by side (linear interpolation;
    zero beyond the sound): the map's input."""
    blocks = [_sample(sound, hop_s, t0_s, times_s + tap / 1000.0) for tap in TAPS_MS]
    return np.hstack(blocks)


def _sample(rows: np.ndarray, hop_s: float, t0_s: float, times_s: np.ndarray) -> np.ndarray:
    position = (np.asarray(times_s) - t0_s) / hop_s
    outside = (position < 0) | (position > len(rows) - 1)
    position = np.clip(position, 0, len(rows) - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, len(rows) - 1)
    weight = (position - low)[:, None]
    sampled = rows[low] * (1 - weight) + rows[high] * weight
    sampled[outside] = 0.0
    return sampled


def predicted_mouth(model: SyncModel, sound: np.ndarray) -> np.ndarray:
    """The map applied at every row of the sound clock (rows x outputs): the mouth a real
    speaker shows, in sync, for the sound around each instant."""
    bands = sound.shape[1]
    step = int(round(np.diff(TAPS_MS)[0] / 1000.0 / MODEL_HOP_S))
    first = int(round(TAPS_MS[0] / 1000.0 / MODEL_HOP_S))
    result = np.zeros((len(sound), model.weights.shape[1]))
    for k in range(len(TAPS_MS)):
        shift = first + k * step
        w = model.weights[k * bands:(k + 1) * bands]
        if shift >= 0:
            result[:len(sound) - shift] += sound[shift:] @ w
        else:
            result[-shift:] += sound[:shift] @ w
    return result


def mouth_targets(mouth: np.ndarray, appearance: np.ndarray | None, n_components: int, fps: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(high-passed mouth features, valid mask): the lip distances then the first
    ``n_components`` appearance components, gaps filled, minus their moving mean."""
    parts = [np.asarray(mouth, np.float64)]
    if n_components:
        if appearance is None or appearance.shape[1] < n_components:
            appearance = np.full((len(mouth), n_components), np.nan)
        parts.append(np.asarray(appearance[:, :n_components], np.float64))
    features = np.hstack(parts)
    filled, valid = fill_gaps(features)
    return high_pass(filled, int(round(HIGH_PASS_S * fps)) | 1), valid


def _standardise(values: np.ndarray) -> np.ndarray:
    centred = values - values.mean(axis=0)
    spread = centred.std(axis=0)
    return centred / np.where(spread > 1e-9, spread, 1.0)


def candidate_offsets_ms() -> np.ndarray:
    count = int(round(SEARCH_MS / STEP_MS))
    return np.arange(-count, count + 1) * STEP_MS


@dataclass
class ModelReading:
    offset_ms: float | None
    confidence: float
    """``peak_score`` in units of its chance spread (see ``confidence_of``)."""
    peak_score: float
    lags_ms: np.ndarray
    scores: np.ndarray
    frames_used: int = 0
    interval_ms: tuple[float, float] | None = None
    uncertain: bool = True
    psr: float = 0.0
    """Peak-to-sidelobe ratio of the score curve (robust z-score of the peak)."""


def score_curve(model: SyncModel, frame_t: np.ndarray, observed: np.ndarray, use: np.ndarray,
                sound: np.ndarray, hop_s: float, t0_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(offsets ms, score per offset): the weighted mean correlation between the observed mouth
    and the mouth the map predicts from the sound at ``t - d``."""
    lags_ms = candidate_offsets_ms()
    predicted_rows = predicted_mouth(model, sound)
    z = _standardise(observed[use])
    times = frame_t[use]
    scores = np.empty(len(lags_ms))
    for k, lag in enumerate(lags_ms):
        p = _standardise(_sample(predicted_rows, hop_s, t0_s, times - lag / 1000.0))
        scores[k] = float((z * p).mean(axis=0) @ model.output_weights)
    return lags_ms, gaussian_smooth(scores, SMOOTH_MS / STEP_MS)


def calibrated(cal: dict, offset_ms: float, confidence: float) -> tuple[tuple[float, float], bool]:
    """(90% interval of the true offset, uncertain) for a reading, from a held-out calibration
    (``SyncModel.calibration``; the band of its confidence)."""
    if "edges" not in cal:
        return (offset_ms - SEARCH_MS, offset_ms + SEARCH_MS), True
    band = int(np.clip(np.searchsorted(cal["edges"], confidence, side="right") - 1, 0, len(cal["low"]) - 1))
    low, high = float(cal["low"][band]), float(cal["high"][band])
    # the error is reading - truth, so truth lies in [reading - high, reading - low]
    return (offset_ms - high, offset_ms - low), confidence < cal["min_confidence"]


def read_offset(model: SyncModel, frame_t: np.ndarray, mouth: np.ndarray, appearance: np.ndarray | None,
                log_mel: AudioFeatures, fps: float, rows: np.ndarray | None = None) -> ModelReading:
    """The clip's offset from the learned zero, its confidence, interval and uncertainty.

    ``mouth`` per-frame lip distances (NaN without a face), ``appearance`` the per-frame
    appearance projections (lipgate.qa.evidence), ``log_mel`` the sound through
    ``model_sound_stream``; ``rows`` an optional mask of frames to use."""
    lags_ms = candidate_offsets_ms()
    observed, valid = mouth_targets(mouth, appearance, model.n_components, fps)
    use = valid & (frame_t >= log_mel.start_s) & (frame_t <= log_mel.end_s)
    if rows is not None:
        use &= rows
    if use.sum() < MIN_FRAMES:
        return ModelReading(None, 0.0, 0.0, lags_ms, np.zeros(len(lags_ms)))
    sound = sound_matrix(log_mel)
    lags_ms, scores = score_curve(model, frame_t, observed, use, sound, log_mel.hop_s, log_mel.t0_s)
    peak = highest_interior_peak(scores)
    if peak is None:
        return ModelReading(None, 0.0, 0.0, lags_ms, scores, int(use.sum()))
    offset = refine_peak(lags_ms, scores, peak) - model.zero_ms
    confidence = confidence_of(float(scores[peak]), int(use.sum()), fps)
    interval, uncertain = calibrated(model.calibration, offset, confidence)
    return ModelReading(offset, confidence, float(scores[peak]), lags_ms, scores, int(use.sum()), interval, uncertain,
                        peak_to_sidelobe(lags_ms, scores, peak))


def confidence_of(peak_score: float, frames: int, fps: float) -> float:
    """The peak score as a z-score against chance: a correlation between unrelated signals
    spreads about 1 / sqrt(independent samples), and the high-passed mouth gives about one
    independent sample per ``HIGH_PASS_S`` / 2 (its moving mean's half width)."""
    independent = max(1.0, frames / max(1.0, fps * HIGH_PASS_S / 2))
    return float(peak_score * np.sqrt(independent))
