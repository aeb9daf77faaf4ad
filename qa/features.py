"""Per-frame features for the sync estimator: mouth geometry from the face layer, and audio
features on a fine clock that can be sampled at any lag. (Why no deltas: see lipgate.qa.sync.mouth_matrix.)

Mouth: the face layer's pose-free ``MOUTH_FEATURE_NAMES`` (inner-lip opening, width, inner-lip
area, jaw drop, outer-lip height, in units of the inter-ocular distance). Audio: log energies of
``N_MEL_BANDS`` mel bands, total log energy and spectral flux (the rectified rise of the log-mel
bands, an onset strength), computed every ``AUDIO_HOP_S`` and low-passed to the picture's bandwidth by a
window about one frame period long.
"""

from __future__ import annotations

import numpy as np

from lipgate.face import MOUTH_FEATURE_NAMES, FaceObservation, mouth_features
from lipgate.speech import FrameStream

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


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (Auditory Toolbox; librosa's default, ``htk=False``): linear 0-1 kHz at
    3/200 mel per Hz, logarithmic above (27 mel per factor 6.4)."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / log_step, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    """Inverse of ``hz_to_mel``."""
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * (200.0 / 3))


def mel_filterbank(sr: int, n_fft: int, n_bands: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """Triangular mel filters (bands x ``n_fft // 2 + 1``) on Slaney's scale with Slaney's area
    normalisation (each triangle scaled by 2 / its width in Hz): librosa.filters.mel's defaults."""
    fft_hz = np.linspace(0.0, sr / 2, n_fft // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_bands + 2))
    widths = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]


PAD_S = 1.5
"""Silence (s) added before and after the sound, so that any lag of interest has feature values."""


class AudioFeatureStream:
    """Builds ``AudioFeatures`` from a sound that arrives in blocks (``push``), keeping only one
    block of samples and the mel energies on the fine clock (8 float32 per 5 ms hop).

    The short-time spectrum is librosa.stft's with ``center=True``: a periodic Hann window of
    ``window_s`` centred in an FFT of the next power of two, frame ``k`` centred on padded sample
    ``k * hop``; then the power in the mel filters of ``mel_filterbank``. The result equals the
    whole-signal computation (tests/qa/test_features.py checks it against librosa).
    """

    def __init__(self, sr: int, window_s: float, pad_s: float = PAD_S, n_bands: int = N_MEL_BANDS,
                 hop_s: float = AUDIO_HOP_S, extras: bool = True):
        self.sr = sr
        self.extras = extras
        """With the total log energy and the spectral flux after the bands (``AUDIO_FEATURE_NAMES``)."""
        self.hop_length = int(round(hop_s * sr))
        win_length = int(round(window_s * sr))
        self.n_fft = int(2 ** np.ceil(np.log2(max(win_length, 64))))
        self.pad = int(round(pad_s * sr))
        self._window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
        self._filters = mel_filterbank(sr, self.n_fft, n_bands, MEL_FMIN_HZ, min(MEL_FMAX_HZ, sr / 2 - 1)).T
        # the window's first sample sits (n_fft - win_length) // 2 after the frame start, which is
        # n_fft // 2 before its centre; frame 0 is centred on the first sample of the padding
        first_start = (self.n_fft - win_length) // 2 - self.n_fft // 2 - self.pad
        self._framer = FrameStream(win_length, self.hop_length, first_start)
        self._mel: list[np.ndarray] = []

    def _analyse(self, frames: np.ndarray) -> None:
        if len(frames):
            spectrum = np.fft.rfft(frames * self._window, self.n_fft, axis=1)
            power = spectrum.real ** 2 + spectrum.imag ** 2
            self._mel.append((power @ self._filters).astype(np.float32))

    def push(self, samples: np.ndarray) -> None:
        self._analyse(self._framer.push(samples))

    def finish(self, start_s: float) -> "AudioFeatures":
        """The features of everything pushed; the sound's first sample is at ``start_s``."""
        features = AudioFeatures.__new__(AudioFeatures)
        features._assign(self._values(), start_s, self._framer.samples_in / self.sr,
                         start_s - self.pad / self.sr, self.hop_length / self.sr)
        return features

    def _values(self) -> np.ndarray:
        total = 1 + (self._framer.samples_in + 2 * self.pad) // self.hop_length
        self._analyse(self._framer.finish(total))
        mel = np.concatenate(self._mel).T if self._mel else np.zeros((self._filters.shape[1], 0), np.float32)
        self._mel = []
        floor = 1e-10 + 1e-6 * float(mel.mean(dtype=np.float64)) if mel.size else 1e-10
        log_mel = np.log10(mel + floor)
        if not self.extras:
            return log_mel.T.astype(np.float32)
        log_energy = np.log10(mel.sum(axis=0, dtype=np.float64) + floor)
        flux = np.maximum(np.diff(log_mel, axis=1, prepend=log_mel[:, :1]), 0).sum(axis=0)
        return np.vstack([log_mel, log_energy, flux]).T.astype(np.float32)


class AudioFeatures:
    """Audio features on a fine clock (every ``AUDIO_HOP_S``), sampled at arbitrary times.

    ``samples`` are mono at ``sr`` Hz and start at ``start_s`` on the container timeline. The
    signal is padded with silence ``pad_s`` on both sides so that any lag of interest has values.
    ``window_s`` (about one picture frame period) sets the analysis window, so that the audio
    features carry no faster detail than a picture at that rate can show. A sound read in blocks
    goes through ``AudioFeatureStream`` instead, with the same result.
    """

    values: np.ndarray
    """Rows on the fine clock (float32), columns ordered as ``AUDIO_FEATURE_NAMES``."""
    start_s: float
    end_s: float
    """Where the real sound starts and ends on the container timeline (s)."""
    t0_s: float
    """Time of the first row (s), ``pad_s`` before ``start_s``."""
    hop_s: float

    def __init__(self, samples: np.ndarray, sr: int, start_s: float, window_s: float, pad_s: float = PAD_S):
        stream = AudioFeatureStream(sr, window_s, pad_s)
        stream.push(samples)
        vars(self).update(vars(stream.finish(start_s)))

    def _assign(self, values: np.ndarray, start_s: float, duration_s: float, t0_s: float, hop_s: float) -> None:
        self.values, self.start_s, self.end_s = values, start_s, start_s + duration_s
        self.t0_s, self.hop_s = t0_s, hop_s

    def at(self, times_s: np.ndarray) -> np.ndarray:
        """Features at ``times_s`` (linear interpolation on the fine clock; silence beyond it)."""
        position = (np.asarray(times_s) - self.t0_s) / self.hop_s
        position = np.clip(position, 0, len(self.values) - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, len(self.values) - 1)
        weight = (position - low)[:, None]
        return self.values[low] * (1 - weight) + self.values[high] * weight
