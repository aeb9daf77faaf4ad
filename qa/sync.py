"""Lip-audio sync offset: regularised canonical correlation between mouth and audio features
over candidate lags (after FaceSync: Sargin et al. 2007, Bredin & Chollet 2007), a smoothed
score curve, sub-step peak interpolation, and a peak-to-sidelobe confidence.

Sign (ITU-R BT.1359, EBU R37): ``offset_ms`` > 0 when the sound comes before the picture. A
candidate offset ``d`` pairs the picture at time ``t`` with the sound at ``t - d``.

Confidence scale: the peak-to-sidelobe ratio (PSR) of the score curve, i.e. how many robust
standard deviations (1.4826 x MAD) the peak stands above the median of the scores more than
``SIDELOBE_EXCLUSION_MS`` away from it. 0 means no peak at all; below ``min_confidence``
(lipgate.qa.settings, 2.0) the estimate is reported as unsure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lipgate.dsp import gaussian_smooth, running_mean
from lipgate.qa.features import AudioFeatures, fill_gaps

SEARCH_MS = 600.0
"""Offsets searched: +-600 ms (the contract asks for at least +-500 ms)."""
LAG_STEP_MS = 5.0
"""Spacing of the candidate offsets (ms); the peak is then refined by parabolic interpolation."""
RIDGE = 0.5
"""Ridge added to each standardised feature set's covariance (a share of unit variance) before
canonical correlation: keeps a few seconds of speech from over-fitting 5 x 10 dimensions.
0.1 and 2.0 were less consistent on the corpus sweep (bench/qa_sync.py)."""
RIDGE_REFERENCE_FRAMES = 100
"""Below this many frames the ridge grows in proportion (RIDGE x 100 / frames): fewer frames,
more chance correlation to hold back."""
SMOOTH_MS = 20.0
"""Gaussian smoothing (sigma, ms) of the score curve before its peak is picked: per-lag refits
make the curve ragged at the scale of a frame, and the centre of the broad peak is steadier
than its highest spike (corpus sweep 73% -> 88% of shifts recovered)."""
SIDELOBE_EXCLUSION_MS = 120.0
"""Lags within this distance of the peak belong to the peak, not to its sidelobes."""
MIN_FRAMES = 25
"""Fewest frames with a face needed to estimate an offset (1 s at 25 fps)."""
LOCAL_WINDOW_S = 1.2
"""Sliding window (s) for local offsets: shorter than the 1.6 s desync a producer must catch."""
LOCAL_HOP_S = 0.2
"""Spacing of the local windows (s)."""
LOCAL_SEARCH_MS = 400.0
"""Local offsets (and the tracked lag path) are searched within +-400 ms of the clip's offset: twice the 200 ms local slip
to catch, and it keeps a window from locking onto a far, chance peak."""
LOCAL_MIN_COVERAGE = 0.8
"""Share of a window's frames that must be usable (face, same shot, real sound at every lag):
half windows at a clip's ends locked onto chance peaks on the corpus."""
LOCAL_MIN_SPEECH = 0.5
"""Share of a window's frames that must carry speech for its offset to be measured."""


@dataclass
class SyncEstimate:
    offset_ms: float | None
    """Best offset (ms, positive = sound early), None when it could not be measured."""
    confidence: float
    """Peak-to-sidelobe ratio of the score curve (see the module docstring)."""
    peak_correlation: float
    lags_ms: np.ndarray
    scores: np.ndarray
    """Smoothed score per candidate lag (first canonical correlation)."""
    mouth_weights: np.ndarray | None = None
    audio_weights: np.ndarray | None = None
    frames_used: int = 0


def unmeasured(lags_ms: np.ndarray) -> SyncEstimate:
    return SyncEstimate(None, 0.0, 0.0, lags_ms, np.zeros(len(lags_ms)))


def standardise(features: np.ndarray) -> np.ndarray:
    """Columns scaled to zero mean and unit variance (constant columns become 0)."""
    centred = features - features.mean(axis=0)
    spread = centred.std(axis=0)
    return centred / np.where(spread > 1e-9, spread, 1.0)


def _inverse_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return vectors @ np.diag(1.0 / np.sqrt(np.maximum(values, 1e-12))) @ vectors.T


def first_canonical_correlation(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE):
    """(rho, wx, wy): first regularised canonical correlation of standardised x (n x p), y (n x q)."""
    n = len(x)
    cxx = x.T @ x / n + ridge * np.eye(x.shape[1])
    cyy = y.T @ y / n + ridge * np.eye(y.shape[1])
    cxy = x.T @ y / n
    wx_half, wy_half = _inverse_sqrt(cxx), _inverse_sqrt(cyy)
    u, singular, vt = np.linalg.svd(wx_half @ cxy @ wy_half)
    return float(singular[0]), wx_half @ u[:, 0], wy_half @ vt[0]


def peak_to_sidelobe(lags_ms: np.ndarray, scores: np.ndarray, peak_index: int) -> float:
    """(peak - median of sidelobes) / (1.4826 x MAD of sidelobes): a robust z-score of the peak."""
    sidelobes = scores[np.abs(lags_ms - lags_ms[peak_index]) > SIDELOBE_EXCLUSION_MS]
    if sidelobes.size < 5:
        return 0.0
    centre = float(np.median(sidelobes))
    spread = 1.4826 * float(np.median(np.abs(sidelobes - centre)))
    return float((scores[peak_index] - centre) / max(spread, 1e-6))


def highest_interior_peak(scores: np.ndarray) -> int | None:
    """Index of the highest local maximum strictly inside the searched range (None if none).

    A curve still rising at the end of the range has its peak outside it, or no peak: on
    short stretches of the corpus the argmax then sat at +-600 ms with a high-looking ratio."""
    inside = np.flatnonzero((scores[1:-1] >= scores[:-2]) & (scores[1:-1] > scores[2:])) + 1
    if inside.size == 0:
        return None
    return int(inside[np.argmax(scores[inside])])


def refine_peak(lags_ms: np.ndarray, scores: np.ndarray, index: int) -> float:
    """Sub-step offset (ms) of a peak by fitting a parabola through it and its neighbours."""
    if index == 0 or index == len(scores) - 1:
        return float(lags_ms[index])
    left, centre, right = scores[index - 1], scores[index], scores[index + 1]
    curvature = left - 2 * centre + right
    if curvature >= 0:
        return float(lags_ms[index])
    shift = 0.5 * (left - right) / curvature
    return float(lags_ms[index] + np.clip(shift, -1, 1) * (lags_ms[1] - lags_ms[0]))


def smooth_scores(lags_ms: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The score curve smoothed by a Gaussian of ``SMOOTH_MS`` (ms)."""
    return gaussian_smooth(scores, SMOOTH_MS / (lags_ms[1] - lags_ms[0]))


def candidate_lags_ms(search_ms: float = SEARCH_MS, step_ms: float = LAG_STEP_MS) -> np.ndarray:
    count = int(round(search_ms / step_ms))
    return np.arange(-count, count + 1) * step_ms


def mouth_matrix(mouth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardised mouth features, and the mask of frames that had a face.

    No deltas on either side: with a signal and its derivative, a linear combination
    approximates the signal shifted in time (x(t + tau) ~ x + tau x'), so each lag's canonical
    correlation could buy back the misalignment and the score curve went flat around the peak
    (on the synthetic babble of tests/qa, errors of 40 ms with deltas, under 10 ms without)."""
    filled, valid = fill_gaps(mouth)
    return standardise(filled), valid


def analysable_frames(times_s: np.ndarray, audio: AudioFeatures, margin_s: float) -> np.ndarray:
    """Frames at least ``margin_s`` from the picture's first and last frame, and within the sound.

    Near a clip's ends some candidate lags would compare the picture with padded silence and an
    abrupt edge, which pulled the estimate by up to 70 ms on the corpus; the margin (the search
    range) keeps every lag judged on real sound for the usual render whose sound spans its
    picture. The margin is set from the picture, not the sound, so the frames analysed do not
    depend on where the sound sits (a re-muxed -120 ms gave other frames, and other answers on
    low-confidence clips). When the margin leaves too few frames, it shrinks."""
    inside_sound = (times_s >= audio.start_s) & (times_s <= audio.end_s)
    for margin in (margin_s, margin_s / 2, 0.0):
        mask = inside_sound & (times_s >= times_s[0] + margin) & (times_s <= times_s[-1] - margin)
        if mask.sum() >= max(MIN_FRAMES, 0.5 * len(times_s)) or margin == 0.0:
            return mask
    return mask


def estimate_offset(mouth_t: np.ndarray, mouth: np.ndarray, audio: AudioFeatures,
                    rows: np.ndarray | None = None) -> SyncEstimate:
    """Whole-clip (or one shot's) offset: the lag whose first canonical correlation is highest.

    ``mouth_t`` frame times (s), ``mouth`` per-frame mouth features (frames x 5, NaN without a
    face), ``rows`` an optional mask of the frames to use (a shot).
    """
    lags_ms = candidate_lags_ms()
    x_all, valid = mouth_matrix(mouth)
    use = valid & analysable_frames(mouth_t, audio, SEARCH_MS / 1000.0)
    if rows is not None:
        use &= rows
    if use.sum() < MIN_FRAMES:
        return unmeasured(lags_ms)
    x = standardise(x_all[use])
    times = mouth_t[use]
    ridge = RIDGE * max(1.0, RIDGE_REFERENCE_FRAMES / len(x))
    raw = np.empty(len(lags_ms))
    for k, lag in enumerate(lags_ms):
        raw[k] = first_canonical_correlation(x, standardise(audio.at(times - lag / 1000.0)), ridge)[0]
    scores = smooth_scores(lags_ms, raw)
    best = highest_interior_peak(scores)
    if best is None:
        return unmeasured(lags_ms)
    _, wx, wy = first_canonical_correlation(x, standardise(audio.at(times - lags_ms[best] / 1000.0)), ridge)
    return SyncEstimate(
        offset_ms=refine_peak(lags_ms, scores, best),
        confidence=peak_to_sidelobe(lags_ms, scores, best),
        peak_correlation=float(scores[best]),
        lags_ms=lags_ms,
        scores=scores,
        mouth_weights=wx,
        audio_weights=wy,
        frames_used=int(use.sum()),
    )


def local_offsets(mouth_t: np.ndarray, mouth: np.ndarray, audio: AudioFeatures, clip: SyncEstimate,
                  shot: np.ndarray, speaking: np.ndarray, fps: float) -> dict[str, np.ndarray]:
    """Offsets in sliding windows, with the clip's canonical projections held fixed.

    The whole clip fixes which mix of mouth features matches which mix of audio features (its
    canonical weights); each ``LOCAL_WINDOW_S`` window, kept inside one shot, then only
    cross-correlates the two projected signals over the candidate lags: one curve per window,
    no refit, so a short window cannot over-fit. Windows with speech in less than
    ``LOCAL_MIN_SPEECH`` of their frames, and lags further than ``LOCAL_SEARCH_MS`` from the
    clip's offset, are not considered (a pause has no sync to measure); as for the whole clip,
    a window's offset is its highest interior peak (a curve still rising at the edge of the
    search has no peak in it: on the concatenated corpus clip of bench/qa_sync.py such edge
    readings were 2 of the 17 confident windows more than 120 ms off). Returns series ``t`` (window centres, s),
    ``offset_ms`` (NaN where unmeasured) and ``confidence`` (PSR).
    """
    empty = {"t": np.zeros(0), "offset_ms": np.zeros(0), "confidence": np.zeros(0)}
    if clip.offset_ms is None or len(mouth_t) == 0:
        return empty
    lags_ms = clip.offset_ms + candidate_lags_ms(LOCAL_SEARCH_MS)
    x_all, valid = mouth_matrix(mouth)
    valid = valid & analysable_frames(mouth_t, audio, float(np.abs(lags_ms).max()) / 1000.0)
    mouth_signal = x_all @ clip.mouth_weights
    # audio projection on the frames' clock for every lag, standardised with the clip's statistics
    projected = np.empty((len(lags_ms), len(mouth_t)))
    reference = audio.at(mouth_t)
    mean, spread = reference.mean(axis=0), np.where(reference.std(axis=0) > 1e-9, reference.std(axis=0), 1.0)
    for k, lag in enumerate(lags_ms):
        projected[k] = ((audio.at(mouth_t - lag / 1000.0) - mean) / spread) @ clip.audio_weights
    half = int(round(LOCAL_WINDOW_S * fps / 2))
    step = max(1, int(round(LOCAL_HOP_S * fps)))
    centres, offsets, confidences = [], [], []
    for centre in range(0, len(mouth_t), step):
        lo, hi = max(0, centre - half), min(len(mouth_t), centre + half + 1)
        window = np.arange(lo, hi)
        window = window[(shot[window] == shot[centre]) & valid[window]]
        centres.append(mouth_t[centre])
        if len(window) < max(8, LOCAL_MIN_COVERAGE * (2 * half + 1)) or speaking[window].mean() < LOCAL_MIN_SPEECH:
            offsets.append(np.nan)
            confidences.append(0.0)
            continue
        u = mouth_signal[window] - mouth_signal[window].mean()
        v = projected[:, window] - projected[:, window].mean(axis=1, keepdims=True)
        norms = np.linalg.norm(v, axis=1) * max(np.linalg.norm(u), 1e-9)
        scores = smooth_scores(lags_ms, (v @ u) / np.maximum(norms, 1e-9))
        best = highest_interior_peak(scores)
        if best is None:
            offsets.append(np.nan)
            confidences.append(0.0)
            continue
        offsets.append(refine_peak(lags_ms, scores, best))
        confidences.append(peak_to_sidelobe(lags_ms, scores, best))
    return {"t": np.array(centres), "offset_ms": running_median3(np.array(offsets)),
            "confidence": np.array(confidences)}


def running_median3(values: np.ndarray) -> np.ndarray:
    """Median of each value and its two neighbours (NaN-aware; NaN stays NaN): one window's
    chance peak is outvoted, a slip lasting three windows (0.6 s of hops) is kept."""
    result = values.copy()
    for i in np.flatnonzero(np.isfinite(values)):
        result[i] = np.nanmedian(values[max(0, i - 1):i + 2])
    return result


TRACK_LAG_STEP_MS = 10.0
"""Spacing (ms) of the lags a tracked path can take (+-``LOCAL_SEARCH_MS`` around the clip's offset)."""
TRACK_NORM_S = 0.6
"""Each projected signal is standardised over a moving window of this length (s) before the
per-frame products are taken: two or three syllables, so loud stretches do not outweigh quiet ones."""
TRACK_DRIFT_MS = 20.0
"""A change of lag of at most this much (ms) from one frame to the next is a drift, paid for in
proportion (``TRACK_DRIFT_COST`` per ms); a larger change is a jump (``TRACK_JUMP_COST``)."""
TRACK_DRIFT_COST = 0.05
"""Cost of drifting the lag by one ms (in units of the per-frame evidence, a product of two
standardised signals): moving 200 ms by drifts costs 10, more than one jump."""
TRACK_JUMP_COST = 8.0
"""Cost of a jump of lag: a slip (two jumps) must be worth about 16 frames of perfectly matching
evidence. Corpus sweep (the edited clips of bench/qa_sync.py): 5 and 6 let chance stretches of
1 - 2 s at +-250 - 360 ms through on the untouched concatenated clip (gains up to 21, past
``min_slip_gain``); 8 and 10 left none past tolerance on any untouched clip and found the same slips."""


def lag_evidence(mouth_t: np.ndarray, mouth: np.ndarray, audio: AudioFeatures, clip: SyncEstimate,
                 speaking: np.ndarray, shot: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """(lags_ms, evidence frames x lags): per frame, the product of the clip's mouth projection and
    its audio projection at each lag, each standardised over ``TRACK_NORM_S`` within its shot.
    Summed over a stretch it is (close to) the stretch's correlation times its length in frames.
    Frames without a face, without speech, or whose lags would reach past the sound carry 0."""
    lags_ms = clip.offset_ms + candidate_lags_ms(LOCAL_SEARCH_MS, TRACK_LAG_STEP_MS)
    x_all, valid = mouth_matrix(mouth)
    use = valid & speaking & analysable_frames(mouth_t, audio, float(np.abs(lags_ms).max()) / 1000.0)
    reference = audio.at(mouth_t)
    mean, spread = reference.mean(axis=0), np.where(reference.std(axis=0) > 1e-9, reference.std(axis=0), 1.0)
    sound = np.stack([((audio.at(mouth_t - lag / 1000.0) - mean) / spread) @ clip.audio_weights for lag in lags_ms])
    picture = x_all @ clip.mouth_weights
    width = max(2, int(round(TRACK_NORM_S * fps)))
    evidence = np.zeros((len(mouth_t), len(lags_ms)))
    for label in np.unique(shot):
        rows = shot == label
        evidence[rows] = (_locally_standardised(sound[:, rows], width) * _locally_standardised(picture[rows], width)).T
    evidence[~use] = 0.0
    return lags_ms, evidence


def _locally_standardised(signal: np.ndarray, width: int) -> np.ndarray:
    """``signal`` (last axis time) minus its moving mean, divided by its moving RMS (``width`` samples)."""
    centred = signal - running_mean(signal, width)
    return centred / np.sqrt(np.maximum(running_mean(centred ** 2, width), 1e-9))


def track_lags(evidence: np.ndarray, lags_ms: np.ndarray, shot: np.ndarray, home: int) -> np.ndarray:
    """Index of the lag at each frame on the path that maximises the summed ``evidence`` (frames x
    lags) minus the cost of its changes of lag (``TRACK_DRIFT_COST`` per ms up to
    ``TRACK_DRIFT_MS``, ``TRACK_JUMP_COST`` beyond): a Viterbi pass. Each shot's path starts and
    ends at lag index ``home`` (the clip's offset), paying the change like any other, so that a
    stretch away from it costs two changes wherever it lies (free ends let chance peaks through at
    the corpus clips' ends and after shot cuts); a cut is no change of sync, so it costs nothing."""
    distance = np.abs(lags_ms[:, None] - lags_ms[None, :])
    change = np.where(distance <= TRACK_DRIFT_MS, TRACK_DRIFT_COST * distance, TRACK_JUMP_COST)
    states = np.arange(len(lags_ms))
    back = np.zeros(evidence.shape, int)
    score = evidence[0] - change[home]
    for i in range(1, len(evidence)):
        if shot[i] != shot[i - 1]:
            ended = score - change[:, home]
            back[i] = int(np.argmax(ended))
            score = ended[back[i, 0]] - change[home] + evidence[i]
            continue
        candidates = score[None, :] - change  # [to, from]
        back[i] = np.argmax(candidates, axis=1)
        score = candidates[states, back[i]] + evidence[i]
    path = np.empty(len(evidence), int)
    path[-1] = int(np.argmax(score - change[:, home]))
    for i in range(len(evidence) - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path
