"""Per-frame features for the sync estimator: mouth geometry from the face layer, and audio
features on a fine clock that can be sampled at any lag. (Why no deltas: see qa.sync.mouth_matrix.)

Mouth: the face layer's pose-free ``MOUTH_FEATURE_NAMES`` (inner-lip opening, width, inner-lip
area, jaw drop, outer-lip height, in units of the inter-ocular distance). Audio: log energies of
``N_MEL_BANDS`` mel bands, total log energy and spectral flux (the rectified rise of the log-mel
bands, an onset strength), computed every ``AUDIO_HOP_S`` and low-passed to the picture's bandwidth by a
window about one frame period long.
"""

from __future__ import annotations

import numpy as np

from lipgate.face import MOUTH_FEATURE_NAMES, FaceObservation, mouth_features

AUDIO_SR = 16_000
"""Sample rate (Hz) the speech is analysed at: speech energy that moves lips lies below 8 kHz."""

AUDIO_HOP_S = 0.005
"""Spacing of the audio feature clock (s): fine enough for sub-frame lags (a 25 fps frame is 8 hops)."""

N_MEL_BANDS = 8
"""Mel bands between ``MEL_FMIN_HZ`` and ``MEL_FMAX_HZ``: enough to tell vowels (low) from
fricatives and stops (high), few enough not to overfit a few seconds of speech."""

MEL_FMIN_HZ, MEL_FMAX_HZ = 80.0, 7600.0

AUDIO_FEATURE_NAMES = tuple(f"mel_{i}" for i in range(N_MEL_BANDS)) + ("log_energy", "spectral_flux")


def mouth_row(observation: FaceObservation) -> np.ndarray:
    """The mouth features of one frame (NaN without a face), ordered as ``MOUTH_FEATURE_NAMES``."""
    if not observation.found:
        return np.full(len(MOUTH_FEATURE_NAMES), np.nan)
    return mouth_features(observation.landmarks, observation.pose)


def fill_gaps(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate NaN rows (frames without a face) linearly; returns (filled, valid mask)."""
    valid = np.all(np.isfinite(features), axis=1)
    filled = np.array(features, dtype=np.float64)
    if valid.sum() < 2:
        return np.zeros_like(filled), valid
    index = np.arange(len(features))
    for column in range(filled.shape[1]):
        filled[:, column] = np.interp(index, index[valid], features[valid, column])
    return filled, valid


class AudioFeatures:
    """Audio features on a fine clock (every ``AUDIO_HOP_S``), sampled at arbitrary times.

    ``samples`` are mono at ``sr`` Hz and start at ``start_s`` on the container timeline. The
    signal is padded with silence ``pad_s`` on both sides so that any lag of interest has values.
    ``window_s`` (about one picture frame period) sets the analysis window, so that the audio
    features carry no faster detail than a picture at that rate can show.
    """

    def __init__(self, samples: np.ndarray, sr: int, start_s: float, window_s: float, pad_s: float = 1.5):
        import librosa

        hop_length = int(round(AUDIO_HOP_S * sr))
        win_length = int(round(window_s * sr))
        n_fft = int(2 ** np.ceil(np.log2(max(win_length, 64))))
        pad = int(round(pad_s * sr))
        padded = np.concatenate([np.zeros(pad, np.float32), np.asarray(samples, np.float32), np.zeros(pad, np.float32)])
        power = np.abs(librosa.stft(padded, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                                    center=True)) ** 2
        mel = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=N_MEL_BANDS, fmin=MEL_FMIN_HZ,
                                             fmax=min(MEL_FMAX_HZ, sr / 2 - 1))
        floor = 1e-10 + 1e-6 * float(mel.mean()) if mel.size else 1e-10
        log_mel = np.log10(mel + floor)
        log_energy = np.log10(mel.sum(axis=0) + floor)
        flux = np.maximum(np.diff(log_mel, axis=1, prepend=log_mel[:, :1]), 0).sum(axis=0)
        self.values = np.vstack([log_mel, log_energy, flux]).T
        """Rows on the fine clock, columns ordered as ``AUDIO_FEATURE_NAMES``."""
        self.start_s = start_s
        self.end_s = start_s + len(samples) / sr
        """Where the real sound starts and ends on the container timeline (s)."""
        self.t0_s = start_s - pad / sr
        self.hop_s = hop_length / sr

    def at(self, times_s: np.ndarray) -> np.ndarray:
        """Features at ``times_s`` (linear interpolation on the fine clock; silence beyond it)."""
        position = (np.asarray(times_s) - self.t0_s) / self.hop_s
        position = np.clip(position, 0, len(self.values) - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, len(self.values) - 1)
        weight = (position - low)[:, None]
        return self.values[low] * (1 - weight) + self.values[high] * weight
