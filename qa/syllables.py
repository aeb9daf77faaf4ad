"""Syllable nuclei and their prominence, after De Jong & Wempe (2009, Behavior Research Methods
41(2): "Praat script to detect syllable nuclei").

Nuclei: peaks of the intensity contour (dB, ``FRAME_LENGTH_S`` windows every ``HOP_S``) that are
above the silence threshold (``SILENCE_DB`` under the 99th percentile of intensity) and above the
median intensity, dip at least ``MIN_DIP_DB`` before the neighbouring peaks, and are voiced
(librosa.pyin finds a pitch there). Prominence of each nucleus against its ``NEIGHBOURS`` on
each side, in just-noticeable units: loudness (dB / 3), pitch excursion (semitones / 2) and
length (log2 of the duration ratio / log2 1.4), each capped at +-2 units. Their sum is the stress score; a syllable is
stressed when it reaches ``stress_score`` (qa.settings).
"""

from __future__ import annotations

import numpy as np

FRAME_LENGTH_S = 0.064
HOP_S = 0.01
SILENCE_DB = 25.0
MIN_DIP_DB = 2.0
MIN_GAP_S = 0.1
"""Nuclei closer than this are one syllable (10 syllables per second is beyond fast speech)."""
MAX_HALF_LENGTH_S = 0.2
"""A nucleus extends at most this far each side of its peak (the half-prominence width can run
across a whole phrase when the dips are shallow); a stressed vowel rarely lasts over 0.4 s."""
NEIGHBOURS = 2
PITCH_FMIN_HZ, PITCH_FMAX_HZ = 70.0, 400.0
LOUDNESS_JND_DB = 3.0
PITCH_JND_ST = 2.0
LENGTH_JND_RATIO = 1.4
CUE_LIMIT = 2.0
"""Each cue counts at most this many units, so a pitch-tracker octave error cannot decide alone."""


def intensity_db(samples: np.ndarray, sr: int) -> np.ndarray:
    """Intensity contour (dB re full scale) every ``HOP_S`` seconds, frames centred on their time."""
    import librosa

    rms = librosa.feature.rms(y=samples, frame_length=int(FRAME_LENGTH_S * sr), hop_length=int(HOP_S * sr), center=True)[0]
    return 20 * np.log10(rms + 1e-6)


def syllable_nuclei(samples: np.ndarray, sr: int, start_s: float = 0.0) -> dict[str, np.ndarray]:
    """Series of the syllable nuclei: ``t``, ``start``, ``end`` (s, container timeline),
    ``intensity_db``, ``pitch_st`` (semitones re 100 Hz), ``duration_s``, ``stress_score``."""
    import librosa
    from scipy.signal import find_peaks

    names = ("t", "start", "end", "intensity_db", "pitch_st", "duration_s", "stress_score")
    empty = {name: np.zeros(0) for name in names}
    if samples.size < sr * FRAME_LENGTH_S * 2:
        return empty
    level = intensity_db(samples, sr)
    floor = max(np.percentile(level, 99) - SILENCE_DB, np.median(level))
    peaks, props = find_peaks(level, height=floor, prominence=MIN_DIP_DB, distance=max(1, int(MIN_GAP_S / HOP_S)),
                              width=1, rel_height=0.5)
    if peaks.size == 0:
        return empty
    hop_length = int(HOP_S * sr)
    f0, voiced, _ = librosa.pyin(samples, fmin=PITCH_FMIN_HZ, fmax=PITCH_FMAX_HZ, sr=sr,
                                 frame_length=2048 if sr > 22050 else 1024, hop_length=hop_length, center=True)
    f0_at = f0[np.minimum(peaks, len(f0) - 1)]
    keep = voiced[np.minimum(peaks, len(voiced) - 1)] & np.isfinite(f0_at)
    peaks, f0_at = peaks[keep], f0_at[keep]
    if peaks.size == 0:
        return empty
    centre = peaks * HOP_S
    left = np.maximum(props["left_ips"][keep] * HOP_S, centre - MAX_HALF_LENGTH_S)
    right = np.minimum(props["right_ips"][keep] * HOP_S, centre + MAX_HALF_LENGTH_S)
    intensity = level[peaks]
    pitch_st = 12 * np.log2(f0_at / 100.0)
    duration = np.maximum(right - left, HOP_S)
    score = np.zeros(peaks.size)
    for i in range(peaks.size):
        around = [j for j in range(i - NEIGHBOURS, i + NEIGHBOURS + 1) if 0 <= j < peaks.size and j != i]
        if not around:
            continue
        cues = np.array([
            (intensity[i] - np.mean(intensity[around])) / LOUDNESS_JND_DB,
            (pitch_st[i] - np.median(pitch_st[around])) / PITCH_JND_ST,
            np.log2(duration[i] / np.mean(duration[around])) / np.log2(LENGTH_JND_RATIO),
        ])
        score[i] = np.clip(cues, -CUE_LIMIT, CUE_LIMIT).sum()
    return {
        "t": start_s + peaks * HOP_S, "start": start_s + left, "end": start_s + right,
        "intensity_db": intensity, "pitch_st": pitch_st, "duration_s": duration, "stress_score": score,
    }
