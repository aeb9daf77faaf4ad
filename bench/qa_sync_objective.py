"""The sync map trained to place its score's peak at zero, against the shipped ridge map.

    python -m bench.qa_sync_objective CORPUS_DIR [--cache DIR] [--folds 6] [--window-s 2] [--maps FORM:LAM:STEPS,...]

The shipped map (lipgate.qa.train) is a ridge regression from the sound's log-mel context to the
mouth: it predicts the mouth well, and the offset is where that prediction matches the picture
best. This bench trains for the offset itself instead, as SyncNet-style models do: over
``--window-s`` windows of the in-sync clips (half overlapping), the score of every candidate
offset (-600..+600 ms every 20 ms) is the unnormalised correlation of the observed mouth with
the map's prediction, a softmax over the offsets is fitted to a target centred on 0 (a Gaussian
of 20 ms: a recording may be a frame off) by L-BFGS, with an L2 pull towards the ridge map
(``lam``, relative to its squared norm). Two forms: ``full`` refits every weight (1320 x 13);
``reweight`` keeps the ridge map and learns one factor per tap and mouth output (33 x 13).

Speakers are split into ``--folds`` groups by a hash of their id; each group is read by maps
fitted on the others (the ridge map too, so the rows compare alike), then zeroed and calibrated
as bench/qa_absolute.py does (the other speakers' readings alone). Rows: median |offset| of the
untouched clips, how many within 40 ms, inside the BT.1359 band or uncertain, uncertain, 200 ms
shifts caught, relative tracking within a frame, and the worst clips.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from bench.qa_absolute import BAND, calibrate_held_out, in_band
from lipgate.qa import syncmodel, train
from lipgate.qa.syncmodel import TAPS_MS, SyncModel

STEP_MS = 20
LAGS_MS = np.arange(-920, 921, STEP_MS)
"""Sound-to-mouth lags that tap - offset can take (taps +-320, offsets +-600)."""
OFFSETS_MS = np.arange(-600, 601, STEP_MS)
LAG_INDEX = ((TAPS_MS[:, None] - OFFSETS_MS[None, :]) - LAGS_MS[0]) // STEP_MS
"""taps x offsets: the index in ``LAGS_MS`` of each tap at each candidate offset."""
TARGET_SIGMA_MS = 20.0
TARGET = np.exp(-0.5 * (OFFSETS_MS / TARGET_SIGMA_MS) ** 2)
TARGET /= TARGET.sum()


def lag_correlations(clip: train.Clip, window_s: float) -> np.ndarray:
    """(windows, lags, bands x outputs): per window, the mean product of each standardised mouth
    output with each sound band at every lag of ``LAGS_MS`` (the sufficient statistics of the
    score of every candidate offset)."""
    observed, valid = syncmodel.mouth_targets(clip.mouth, clip.appearance, train.N_COMPONENTS, clip.fps)
    sound_clock = clip.log_mel
    use = valid & (clip.frame_t >= sound_clock.start_s) & (clip.frame_t <= sound_clock.end_s)
    sound = syncmodel.sound_matrix(sound_clock)
    sampled = np.stack([syncmodel._sample(sound, sound_clock.hop_s, sound_clock.t0_s, clip.frame_t + lag / 1000.0)
                        for lag in LAGS_MS])
    length = int(round(window_s * clip.fps))
    hop = max(1, length // 2)
    windows = []
    for start in range(0, max(1, len(clip.frame_t) - length + 1), hop):
        rows = np.zeros(len(clip.frame_t), bool)
        rows[start:start + length] = True
        rows &= use
        if rows.sum() < syncmodel.MIN_FRAMES:
            continue
        z = syncmodel._standardise(observed[rows])
        windows.append((np.einsum("lnb,nk->lbk", sampled[:, rows], z) / rows.sum()).reshape(len(LAGS_MS), -1))
    return np.array(windows).reshape(-1, len(LAGS_MS), sound.shape[1] * observed.shape[1])


def offset_scores(per_tap: np.ndarray) -> np.ndarray:
    """(windows, offsets) from (windows, taps, lags) products of the map's taps with the lags."""
    return per_tap[:, np.arange(len(TAPS_MS))[:, None], LAG_INDEX].sum(axis=1)


def softmax_loss(scores: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean cross-entropy against ``TARGET``, its gradient on the scores)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(log_p * TARGET).sum(axis=1).mean()), (np.exp(log_p) - TARGET) / len(scores)


def fit_full(ridge_map: np.ndarray, windows: np.ndarray, lam: float, iterations: int) -> np.ndarray:
    taps = len(TAPS_MS)
    start = ridge_map.reshape(taps, -1) / ridge_map.size ** 0.5
    start *= 3.0 / np.median(offset_scores(np.einsum("tf,nlf->ntl", start, windows)).std(axis=1))
    norm = float((start ** 2).sum())

    def objective(theta):
        weights = theta.reshape(start.shape)
        loss, grad_scores = softmax_loss(offset_scores(np.einsum("tf,nlf->ntl", weights, windows)))
        grad_products = np.zeros((len(windows), taps, len(LAGS_MS)))
        for j in range(len(OFFSETS_MS)):
            grad_products[:, np.arange(taps), LAG_INDEX[:, j]] += grad_scores[:, j:j + 1]
        diff = weights - start
        grad = np.einsum("ntl,nlf->tf", grad_products, windows) + 2 * lam * diff / norm
        return loss + lam * float((diff ** 2).sum()) / norm, grad.ravel()

    result = minimize(objective, start.ravel(), jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    return result.x.reshape(-1, ridge_map.shape[1])


def fit_reweight(ridge_map: np.ndarray, windows: np.ndarray, lam: float, iterations: int) -> np.ndarray:
    taps, outputs = len(TAPS_MS), ridge_map.shape[1]
    per_tap = ridge_map.reshape(taps, syncmodel.MODEL_BANDS, outputs)
    products = windows.reshape(len(windows), len(LAGS_MS), syncmodel.MODEL_BANDS, outputs)
    parts = np.stack([np.einsum("bk,ndbk->nkd", per_tap[i], products[:, LAG_INDEX[i]]) for i in range(taps)], axis=1)
    parts *= 3.0 / np.median(parts.sum(axis=(1, 2)).std(axis=1))

    def objective(theta):
        factors = theta.reshape(taps, outputs)
        loss, grad_scores = softmax_loss(np.einsum("ik,nikd->nd", factors, parts))
        diff = factors - 1.0
        grad = np.einsum("nd,nikd->ik", grad_scores, parts) + 2 * lam * diff / diff.size
        return loss + lam * float((diff ** 2).mean()), grad.ravel()

    result = minimize(objective, np.ones(taps * outputs), jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    return (per_tap * result.x.reshape(taps, outputs)[:, None, :]).reshape(-1, outputs)


def fold_of(speaker: str, folds: int) -> int:
    return int(hashlib.sha256(speaker.encode()).hexdigest(), 16) % folds


def held_out_readings(clips, equations, windows, folds: int, form: str, lam: float, iterations: int) -> list[dict]:
    fitted = train.fitted_clips(clips)
    learned = {c.name for c in fitted}
    readings = []
    for fold in range(folds):
        training = [c for c in fitted if fold_of(c.speaker, folds) != fold]
        sums = equations[training[0].name]
        for clip in training[1:]:
            sums = train.add(sums, equations[clip.name])
        model = train.fit(sums, train.RIDGE, train.N_COMPONENTS)
        if form != "ridge":
            fit = fit_full if form == "full" else fit_reweight
            weights = fit(model.weights, np.concatenate([windows[c.name] for c in training]), lam, iterations)
            spread = np.mean([syncmodel.predicted_mouth(SyncModel(weights, model.output_weights, 0),
                                                        syncmodel.sound_matrix(c.log_mel)).std(axis=0)
                              for c in training], axis=0)
            model = SyncModel(weights, spread / spread.sum(), train.N_COMPONENTS)  # scores as the training weighed them
        for clip in (c for c in clips if fold_of(c.speaker, folds) == fold):
            sounds = [(shift, train.shifted(clip.log_mel, shift)) for shift in train.SHIFTS_MS]
            for truth, sound in sounds + [(None, train.foreign_sound(clip, clips))]:
                reading = syncmodel.read_offset(model, clip.frame_t, clip.mouth, clip.appearance, sound, clip.fps)
                readings.append({"clip": clip.name, "speaker": clip.speaker, "truth_ms": truth,
                                 "offset_ms": reading.offset_ms, "confidence": reading.confidence,
                                 "learned": clip.name in learned})
    readings = train.with_zero(readings)
    calibrate_held_out(readings)
    return readings


def summary(readings: list[dict], fps: dict) -> str:
    by_clip: dict[str, dict] = {}
    for r in readings:
        by_clip.setdefault(r["clip"], {})["foreign" if r["truth_ms"] is None else r["truth_ms"]] = r
    learned = [name for name, found in by_clip.items() if found[0.0]["learned"]]
    untouched = [by_clip[name][0.0] for name in learned]
    offsets = np.array([abs(r["offset_ms"]) if r["offset_ms"] is not None else np.inf for r in untouched])
    failed = sorted((r["offset_ms"], r["clip"]) for r in untouched if not (in_band(r["offset_ms"]) or r["uncertain"]))
    caught = sum(bool(r["offset_ms"] is not None and not r["uncertain"]
                      and (r["offset_ms"] > BAND[1] if shift > 0 else r["offset_ms"] < BAND[0]))
                 for name in learned for shift, r in ((s, by_clip[name][s]) for s in (200.0, -200.0)))
    relative = [by_clip[n][0.0]["offset_ms"] is not None and by_clip[n][s]["offset_ms"] is not None
                and abs(by_clip[n][s]["offset_ms"] - by_clip[n][0.0]["offset_ms"] - s) <= 1000.0 / fps[n]
                for n in learned for s in train.SHIFTS_MS[1:]]
    worst = ", ".join(f"{name.split('__')[-1]} {offset:+.0f}" for offset, name in failed[:2] + failed[-2:])
    return (f"| {np.median(offsets):.0f} | {np.sum(offsets <= 40)} | {len(untouched) - len(failed)} of {len(untouched)} | "
            f"{sum(r['uncertain'] for r in untouched)} | {caught} of {2 * len(learned)} | {np.mean(relative):.0%} | {worst} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipgate-sync-corpus"))
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--window-s", type=float, default=2.0)
    parser.add_argument("--maps", default="ridge:0:0,full:1:30,reweight:1:200,reweight:0.1:200,reweight:0.01:200",
                        help="FORM:LAM:STEPS,... (FORM ridge, full or reweight)")
    args = parser.parse_args()
    clips, _, _, equations = train.prepare(args.corpus, args.cache)
    fps = {c.name: c.fps for c in clips}
    windows = {c.name: lag_correlations(c, args.window_s) for c in clips}
    print(f"{sum(len(w) for w in windows.values())} windows of {args.window_s:g} s, {args.folds} speaker folds\n")
    print("| map | median abs offset ms | within 40 ms | in the band or uncertain | uncertain | 200 ms shifts caught "
          "| relative within a frame | worst false failures |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for form, lam, iterations in (spec.split(":") for spec in args.maps.split(",")):
        lam, iterations = float(lam), int(iterations)
        started = time.perf_counter()
        readings = held_out_readings(clips, equations, windows, args.folds, form, lam, iterations)
        label = "ridge (shipped recipe)" if form == "ridge" else f"{form}, lam {lam:g}, {iterations} L-BFGS steps"
        print(f"| {label} " + summary(readings, fps) + f" <!-- {time.perf_counter() - started:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
