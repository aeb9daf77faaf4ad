"""Local sync from the learned model (lipgate.qa.syncmodel): per frame and candidate offset, how
well the mouth the model predicts from the sound matches the observed mouth; local offsets over
short windows and the tracked lag path read from it, around the model's whole-clip reading.

The whole-clip canonical correlation of lipgate.qa.sync finds the lag at which a clip's own
mouth and sound correlate best, which is not in sync (the lips lead the sound by an amount that
varies with speaker and feature): centred on it, the local readings of an untouched clip read
its own bias as a slip. The model's zero is in-sync speech, so its local readings are absolute
offsets in the contract's sense (``offset_ms`` > 0 when the sound comes before the picture; a
candidate offset ``d`` pairs the picture at time ``t`` with the sound at ``t - d``).
"""

from __future__ import annotations

import numpy as np

from lipgate.dsp import running_mean
from lipgate.qa import syncmodel
from lipgate.qa.features import AudioFeatures
from lipgate.qa.sync import (LOCAL_HOP_S, LOCAL_MIN_COVERAGE, LOCAL_MIN_SPEECH, LOCAL_SEARCH_MS, LOCAL_WINDOW_S,
                             TRACK_LAG_STEP_MS, TRACK_NORM_S, candidate_lags_ms, highest_interior_peak,
                             peak_to_sidelobe, refine_peak, running_median3, smooth_scores)


def predicted_at(rows: np.ndarray, log_mel: AudioFeatures, times_s: np.ndarray) -> np.ndarray:
    """The model's predicted mouth ``rows`` (lipgate.qa.syncmodel.predicted_mouth, on the sound's
    clock) at ``times_s`` (outputs x times), linearly interpolated; 0 outside the sound."""
    clock = log_mel.t0_s + np.arange(len(rows)) * log_mel.hop_s
    return np.stack([np.interp(times_s, clock, column, left=0.0, right=0.0) for column in rows.T])


def _locally_standardised(signal: np.ndarray, width: int) -> np.ndarray:
    """``signal`` (last axis time) minus its moving mean, divided by its moving RMS (``width`` samples)."""
    centred = signal - running_mean(signal, width)
    return centred / np.sqrt(np.maximum(running_mean(centred ** 2, width), 1e-9))


def model_lag_evidence(model: syncmodel.SyncModel, frame_t: np.ndarray, mouth: np.ndarray,
                       appearance: np.ndarray | None, log_mel: AudioFeatures, fps: float, centre_ms: float,
                       speaking: np.ndarray, shot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets_ms, evidence frames x offsets, usable frames mask).

    Offsets: ``centre_ms`` (the model's whole-clip reading) +-``LOCAL_SEARCH_MS`` every
    ``TRACK_LAG_STEP_MS``, absolute (the model's ``zero_ms`` already taken off). Evidence at a
    frame and offset: each mouth output (lipgate.qa.syncmodel.mouth_targets) and the model's
    prediction of it from the sound at ``t - offset``, each standardised over ``TRACK_NORM_S``
    within its shot, multiplied, and summed with the model's ``output_weights``, divided by the
    root of their summed squares (so a frame's evidence spreads about as one product of two
    standardised signals does, the unit of lipgate.qa.sync.lag_evidence and of its path costs).
    Summed over a stretch it is about the stretch's length in frames times its correlation, in
    units of that spread. Usable frames: a face, and every offset's sound inside the sound track;
    frames without speech, or not usable, carry 0."""
    offsets_ms = centre_ms + candidate_lags_ms(LOCAL_SEARCH_MS, TRACK_LAG_STEP_MS)
    observed, valid = syncmodel.mouth_targets(mouth, appearance, model.n_components, fps)
    raw_ms = offsets_ms + model.zero_ms
    reach_s = float(np.abs(raw_ms).max()) / 1000.0
    usable = valid & (frame_t - reach_s >= log_mel.start_s) & (frame_t + reach_s <= log_mel.end_s)
    weights = np.asarray(model.output_weights, np.float64)
    weights = weights / max(float(np.sqrt((weights ** 2).sum())), 1e-9)
    width = max(2, int(round(TRACK_NORM_S * fps)))
    evidence = np.zeros((len(frame_t), len(offsets_ms)))
    predicted_rows = syncmodel.predicted_mouth(model, syncmodel.sound_matrix(log_mel))
    shots = [(shot == label, None) for label in np.unique(shot)]
    shots = [(rows, _locally_standardised(observed[rows].T, width)) for rows, _ in shots]  # outputs x frames
    for k, lag in enumerate(raw_ms):
        guess = predicted_at(predicted_rows, log_mel, frame_t - lag / 1000.0)
        for rows, seen in shots:
            evidence[rows, k] = weights @ (seen * _locally_standardised(guess[:, rows], width))
    evidence[~(usable & speaking)] = 0.0
    return offsets_ms, evidence, usable


def model_local_offsets(offsets_ms: np.ndarray, evidence: np.ndarray, usable: np.ndarray, frame_t: np.ndarray,
                        shot: np.ndarray, speaking: np.ndarray, fps: float) -> dict[str, np.ndarray]:
    """Offsets in sliding ``LOCAL_WINDOW_S`` windows (every ``LOCAL_HOP_S``, inside one shot) from
    the model's evidence (``model_lag_evidence``): per window the evidence summed over its frames
    at each offset is its score curve; its highest interior peak (refined) is the window's offset
    and its peak-to-sidelobe ratio the confidence. As in lipgate.qa.sync.local_offsets, windows with
    usable frames under ``LOCAL_MIN_COVERAGE`` or speech under ``LOCAL_MIN_SPEECH`` are not
    measured, and the offsets are the running median of three windows. Returns series ``t``
    (window centres, s), ``offset_ms`` (absolute, NaN where unmeasured), ``confidence`` (PSR)."""
    half = int(round(LOCAL_WINDOW_S * fps / 2))
    step = max(1, int(round(LOCAL_HOP_S * fps)))
    centres, offsets, confidences = [], [], []
    for centre in range(0, len(frame_t), step):
        window = np.arange(max(0, centre - half), min(len(frame_t), centre + half + 1))
        window = window[(shot[window] == shot[centre]) & usable[window]]
        centres.append(frame_t[centre])
        offset, confidence = np.nan, 0.0
        if len(window) >= max(8, LOCAL_MIN_COVERAGE * (2 * half + 1)) and speaking[window].mean() >= LOCAL_MIN_SPEECH:
            scores = smooth_scores(offsets_ms, evidence[window].sum(axis=0) / len(window))
            best = highest_interior_peak(scores)
            if best is not None:
                offset, confidence = refine_peak(offsets_ms, scores, best), peak_to_sidelobe(offsets_ms, scores, best)
        offsets.append(offset)
        confidences.append(confidence)
    return {"t": np.array(centres), "offset_ms": running_median3(np.array(offsets, float)),
            "confidence": np.array(confidences, float)}
