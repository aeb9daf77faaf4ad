"""Learn the sync model (lipgate.qa.syncmodel) from the real in-sync corpus and write its weights.

    python -m lipgate.qa.train CORPUS_DIR [--cache DIR] [--out lipgate/data/sync_model.npz]

Steps, all deterministic (no random draw anywhere): every clip decoded once through lipgate's
own path (lipgate.qa.corpus, cached as npz); the mouth patches' principal components; a ridge
map from the sound's log-mel context to the mouth, refitted once per speaker left out, each
held-out clip read untouched and with its sound moved 200 ms early and late; the confidence
calibration from those held-out readings; then the map fitted on every clip and written with
the calibration and the list of clips used (weights trained on research-only clips are a
research artefact: docs/qa-sync.md).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lipgate.qa import syncmodel
from lipgate.qa.corpus import extract_corpus
from lipgate.qa.features import AUDIO_SR, AudioFeatures
from lipgate.qa.syncmodel import SyncModel

N_COMPONENTS = 8
"""Appearance components fed to the map (the feasibility study's 8)."""
RIDGE = 1000.0
"""Ridge penalty (in summed squared standardised sound units): chosen on the held-out speakers
(docs/qa-sync.md): with the corpus decoded through qa's face-aware window, 300 to 1000 read a
median |offset| of 58 ms and 3000 63 ms, 10000 66 ms."""
SHIFTS_MS = (0.0, 200.0, -200.0, 120.0, -120.0, 80.0, -80.0, 40.0, -40.0)
"""Truths the held-out clips are read at: untouched, and the sound moved early (positive) and
late by up to 200 ms."""
CONFIDENCE_BANDS = 4
"""Bands of the calibration table (quantiles of the held-out confidences): how often a reading
is within one frame, per band."""
INTERVAL_BANDS = 2
"""Bands the 90% interval is set per: the confidence barely tells how large the error is (the
error is a steady per-speaker bias), so more bands only fit noise: nested over held-out
speakers, 1, 2 and 4 bands held the truth 92%, 90% and 87% of the time (tails 3%)."""
INTERVAL_TAIL = 0.03
"""Quantile of the held-out error cut off each side of the interval: 5% each side held the
truth only 87% of the time for speakers outside the calibration (nested), 3% 90%."""
NULL_QUANTILE = 0.95
"""A sound that is not the face's speech reads uncertain this often (the least ``min_confidence``)."""
UNCERTAIN_SHARE = 0.08
"""Most in-sync clips of the calibration that may read under ``min_confidence``, put before the
``NULL_QUANTILE`` of another speaker's sound: the issue allows at most 10% uncertain, and for
speakers outside the calibration (nested, bench/qa_absolute.py) a share of 0.10 let 11% read
uncertain, 0.08 9%."""
BAND_LOW_MS, BAND_HIGH_MS = -125.0, 45.0
"""ITU-R BT.1359 detectability band: an in-sync reading outside it is a false failure."""


@dataclass
class Clip:
    name: str
    speaker: str
    two_faces: bool
    fps: float
    frame_t: np.ndarray
    mouth: np.ndarray
    patches: np.ndarray
    log_mel: AudioFeatures
    appearance: np.ndarray | None = None


def load_clip(path: Path) -> Clip:
    data = np.load(path)
    stream = syncmodel.model_sound_stream(AUDIO_SR)
    stream.push(data["samples"])
    return Clip(str(data["name"]), str(data["speaker"]), bool(data["two_faces"]), float(data["fps"]),
                data["frame_t"], data["mouth"], data["patches"].reshape(len(data["frame_t"]), -1).astype(np.float32),
                stream.finish(float(data["audio_start_s"])))


def shifted(log_mel: AudioFeatures, shift_ms: float) -> AudioFeatures:
    """The same sound moved ``shift_ms`` earlier (positive: sound early, as a re-mux would)."""
    moved = copy.copy(log_mel)
    delta = shift_ms / 1000.0
    moved.start_s, moved.end_s, moved.t0_s = log_mel.start_s - delta, log_mel.end_s - delta, log_mel.t0_s - delta
    return moved


def appearance_basis(clips: list[Clip], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean patch, k principal components) of the patches, each clip's own mean patch removed
    first (the components describe how a mouth changes, not whose it is)."""
    rows = []
    for clip in clips:
        good = np.all(np.isfinite(clip.patches), axis=1)
        if good.sum() > 1:
            rows.append(clip.patches[good] - clip.patches[good].mean(axis=0))
    stacked = np.vstack(rows).astype(np.float64)
    mean = np.vstack([c.patches[np.all(np.isfinite(c.patches), axis=1)] for c in clips]).mean(axis=0)
    _, _, vt = np.linalg.svd(stacked - stacked.mean(axis=0), full_matrices=False)
    return mean.astype(np.float32), vt[:k].astype(np.float32)


def project(clip: Clip, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    return (clip.patches - mean) @ components.T


def normal_equations(clip: Clip, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(X'X, X'Y, Y'Y diagonal, rows) of one clip at its own sync: X the sound context, Y the
    mouth targets standardised over the clip's usable frames."""
    observed, valid = syncmodel.mouth_targets(clip.mouth, clip.appearance, n_components, clip.fps)
    reach = np.abs(syncmodel.TAPS_MS).max() / 1000.0
    use = valid & (clip.frame_t - reach >= clip.log_mel.start_s) & (clip.frame_t + reach <= clip.log_mel.end_s)
    if use.sum() < syncmodel.MIN_FRAMES:
        use = valid
    sound = syncmodel.sound_matrix(clip.log_mel)
    x = syncmodel.context_rows(sound, clip.log_mel.hop_s, clip.log_mel.t0_s, clip.frame_t[use])
    y = syncmodel._standardise(observed[use])
    return x.T @ x, x.T @ y, (y ** 2).sum(axis=0), int(use.sum())


def fit(sums: tuple, ridge: float, n_components: int) -> SyncModel:
    xtx, xty, yty, _ = sums
    weights = np.linalg.solve(xtx + ridge * np.eye(len(xtx)), xty)
    fitted = np.einsum("ij,ij->j", weights, xty)
    explained = np.einsum("ij,ik,kj->j", weights, xtx, weights)
    correlation = fitted / np.sqrt(np.maximum(explained * yty, 1e-12))
    share = np.maximum(correlation, 0.0)
    return SyncModel(weights, share / max(share.sum(), 1e-12), n_components)


def add(a: tuple, b: tuple, sign: float = 1.0) -> tuple:
    return tuple(x + sign * y for x, y in zip(a, b))


def fitted_clips(clips: list[Clip]) -> list[Clip]:
    """The clips the map learns from: one face, and a face in enough frames to read."""
    return [c for c in clips if not c.two_faces and np.isfinite(c.mouth[:, 0]).sum() >= syncmodel.MIN_FRAMES]


def leave_speakers_out(clips: list[Clip], equations: dict, ridge: float, n_components: int,
                       shifts_ms=SHIFTS_MS, variants: dict | None = None) -> list[dict]:
    """Each speaker's clips read by a map fitted without that speaker, at every shift, then
    with the zero (``zero_ms``) set from the other speakers' untouched readings alone."""
    fitted = fitted_clips(clips)
    learned = {c.name for c in fitted}
    total = None
    for clip in fitted:
        total = equations[clip.name] if total is None else add(total, equations[clip.name])
    readings = []
    for speaker in sorted({c.speaker for c in clips}):
        held = [c for c in clips if c.speaker == speaker]
        sums = total
        for clip in held:
            if clip.name in learned:
                sums = add(sums, equations[clip.name], -1.0)
        model = fit(sums, ridge, n_components)
        for clip in held:
            for shift in shifts_ms:
                reading = syncmodel.read_offset(model, clip.frame_t, clip.mouth, clip.appearance,
                                                shifted(clip.log_mel, shift), clip.fps)
                readings.append({"clip": clip.name, "speaker": speaker, "two_faces": clip.two_faces, "truth_ms": shift,
                                 "offset_ms": reading.offset_ms, "confidence": reading.confidence,
                                 "peak_score": reading.peak_score, "frames": reading.frames_used,
                                 "psr": reading.psr, "learned": clip.name in learned})
            for label, variant in (variants or {}).get(clip.name, {}).items():
                reading = syncmodel.read_offset(model, variant.frame_t, variant.mouth, variant.appearance,
                                                variant.log_mel, variant.fps)
                readings.append({"clip": clip.name, "speaker": speaker, "two_faces": clip.two_faces, "truth_ms": 0.0,
                                 "offset_ms": reading.offset_ms, "confidence": reading.confidence,
                                 "peak_score": reading.peak_score, "frames": reading.frames_used,
                                 "psr": reading.psr, "learned": False, "variant": label})
            other = foreign_sound(clip, clips)
            reading = syncmodel.read_offset(model, clip.frame_t, clip.mouth, clip.appearance, other, clip.fps)
            readings.append({"clip": clip.name, "speaker": speaker, "two_faces": clip.two_faces, "truth_ms": None,
                             "offset_ms": reading.offset_ms, "confidence": reading.confidence,
                             "peak_score": reading.peak_score, "frames": reading.frames_used,
                             "psr": reading.psr, "learned": clip.name in learned})
    return with_zero(readings)


def foreign_sound(clip: Clip, clips: list[Clip]) -> AudioFeatures:
    """Another speaker's sound (the next clip in name order by someone else), moved to start
    with ``clip``'s picture: a sound that is not the face's speech, to calibrate against."""
    ordered = sorted(clips, key=lambda c: c.name)
    start = ordered.index(clip)
    for step in range(1, len(ordered)):
        other = ordered[(start + step) % len(ordered)]
        if other.speaker != clip.speaker and not other.two_faces:
            return shifted(other.log_mel, 1000.0 * (other.log_mel.start_s - float(clip.frame_t[0])))
    raise ValueError("the corpus needs two speakers")


def untouched_readings(readings: list[dict], speaker: str | None = None) -> np.ndarray:
    """The raw untouched readings of the learned clips (of other speakers than ``speaker``)."""
    return np.array([r["raw_ms"] for r in readings if r["truth_ms"] == 0.0 and r["learned"]
                     and r["raw_ms"] is not None and r["speaker"] != speaker])


def with_zero(readings: list[dict]) -> list[dict]:
    """Readings less the median untouched reading of the *other* speakers (the zero a map that
    never saw this speaker would be shipped with)."""
    for r in readings:
        r["raw_ms"] = r["offset_ms"]
    for r in readings:
        if r["raw_ms"] is not None:
            r["offset_ms"] = r["raw_ms"] - float(np.median(untouched_readings(readings, r["speaker"])))
    return readings


def calibration(readings: list[dict]) -> dict:
    """Confidence bands (quantiles of the held-out confidences), per ``INTERVAL_BANDS`` band the
    ``INTERVAL_TAIL`` quantiles of the error (reading - truth, ms), per ``CONFIDENCE_BANDS`` band
    the share within one frame (40 ms), and the least confidence judged (``min_confidence``):
    the ``NULL_QUANTILE`` of the readings of another speaker's sound, raised past untouched clips
    that read outside the BT.1359 band while no more than 10% of the untouched clips fall under
    it (docs/qa-sync.md)."""
    usable = [r for r in readings if r["learned"] and r["truth_ms"] is not None]
    null = np.array([r["confidence"] if r["offset_ms"] is not None else 0.0 for r in readings
                     if r["learned"] and r["truth_ms"] is None])
    confidence = np.array([r["confidence"] if r["offset_ms"] is not None else 0.0 for r in usable])
    error = np.array([(r["offset_ms"] if r["offset_ms"] is not None else 1e3) - r["truth_ms"] for r in usable])
    edges, band = _bands(confidence, INTERVAL_BANDS)
    low = np.array([np.quantile(error[band == b], INTERVAL_TAIL) for b in range(INTERVAL_BANDS)])
    high = np.array([np.quantile(error[band == b], 1 - INTERVAL_TAIL) for b in range(INTERVAL_BANDS)])
    table_edges, table_band = _bands(confidence, CONFIDENCE_BANDS)
    within = np.array([np.mean(np.abs(error[table_band == b]) <= 40.0) for b in range(CONFIDENCE_BANDS)])
    untouched = np.array([r["truth_ms"] == 0.0 for r in usable])
    conf0, err0 = confidence[untouched], error[untouched]
    outside = (err0 < BAND_LOW_MS) | (err0 > BAND_HIGH_MS)
    allowed = int(np.floor(UNCERTAIN_SHARE * untouched.sum()))
    threshold = float(np.quantile(null, NULL_QUANTILE)) if null.size else 0.0
    if np.sum(conf0 < threshold) > allowed:  # the share of in-sync clips called uncertain comes first
        threshold = float(np.sort(conf0)[allowed])
    for candidate in np.sort(conf0[outside & (conf0 >= threshold)]):
        if np.sum(conf0 <= candidate) > allowed:
            break
        threshold = float(np.nextafter(candidate, np.inf))
    return {"edges": edges, "low": low, "high": high, "table_edges": table_edges, "within_frame": within,
            "count": np.bincount(table_band, minlength=CONFIDENCE_BANDS), "min_confidence": threshold}


def _bands(confidence: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(lower edges, band of each value): ``count`` bands holding equal shares of ``confidence``."""
    edges = np.quantile(confidence, np.linspace(0, 1, count + 1)[:-1])
    edges[0] = 0.0
    return edges, np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, count - 1)


def prepare(corpus: Path, cache: Path, n_components: int = N_COMPONENTS, log=print):
    """The corpus clips with their appearance projections, the basis and each clip's equations."""
    started = time.perf_counter()
    paths = extract_corpus(corpus, cache, log)
    clips = [load_clip(path) for path in paths]
    mean, components = appearance_basis([c for c in clips if not c.two_faces], 16)
    for clip in clips:
        clip.appearance = project(clip, mean, components)
    equations = {clip.name: normal_equations(clip, n_components) for clip in clips}
    log(f"prepared {len(clips)} clips in {time.perf_counter() - started:.0f} s")
    return clips, mean, components, equations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipgate-sync-corpus"))
    parser.add_argument("--out", type=Path, default=syncmodel.MODEL_PATH)
    parser.add_argument("--readings", type=Path, help="write the held-out readings here (JSON)")
    args = parser.parse_args()
    clips, mean, components, equations = prepare(args.corpus, args.cache)
    readings = leave_speakers_out(clips, equations, RIDGE, N_COMPONENTS)
    cal = calibration(readings)
    if args.readings:
        args.readings.write_text(json.dumps(readings, indent=1))
    total = None
    used = [c.name for c in fitted_clips(clips)]
    for name in used:
        total = equations[name] if total is None else add(total, equations[name])
    model = fit(total, RIDGE, N_COMPONENTS)
    zero_ms = float(np.median(untouched_readings(readings)))
    temporary = args.out.with_suffix(".partial.npz")
    np.savez_compressed(
        temporary, weights=model.weights.astype(np.float32), output_weights=model.output_weights,
        n_components=N_COMPONENTS, patch_mean=mean, patch_components=components,
        ridge=RIDGE, zero_ms=zero_ms, clips_used=np.array(used), **{f"cal_{key}": value for key, value in cal.items()})
    temporary.rename(args.out)
    print(f"wrote {args.out} ({len(used)} clips); min_confidence {cal['min_confidence']:.2f}")


if __name__ == "__main__":
    main()
