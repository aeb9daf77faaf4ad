"""Bitrate (kbps) and effective bandwidth (Hz) of the audio under test.

Lossy encoders low-pass the sound before coding it, harder at lower bitrates (LAME's bandwidth
table: 7.5 kHz at 48 kbps, 11 kHz at 64 kbps, 15.1 kHz at 96 kbps, 17 kHz at 128 kbps), and the
cut survives any later decode to WAV. ``cutoff_hz`` is where the long-term spectrum of the speech
frames falls off a cliff: the highest frequency with at least ``CLIFF_DB`` less energy in the
``CLIFF_WIDTH_HZ`` above it than in the ``CLIFF_WIDTH_HZ`` below it. Natural speech and
microphones roll off gently (about 6-12 dB per octave), never by 25 dB within a few hundred Hz.
"""

from __future__ import annotations

import numpy as np

from lipgate.media import AudioStream
from lipgate.speech import frame_blocks, frame_signal, power_db

CLIFF_DB = 25.0
CLIFF_WIDTH_HZ = 500.0
FULL_BAND_FRACTION = 0.9
"""Cliffs above 90% of the Nyquist frequency are resamplers' anti-alias filters, not codecs'
low-passes, and are not looked for."""
SPECTRUM_N_FFT_S = 0.046
"""About 46 ms analysis frames (2048 samples at 44.1 kHz): 22 Hz resolution."""

MAX_SPECTRUM_FRAMES = 2000
"""At most 2000 speech frames (an even subsample) make the long-term spectrum: 40 s of speech
at 20 ms steps is more than enough to average the spectrum's fine structure out."""

LOSSY_CODECS = frozenset({"mp3", "mp2", "aac", "vorbis", "opus", "wmav1", "wmav2", "ac3", "eac3", "amr_nb",
                          "amr_wb", "gsm", "gsm_ms", "adpcm_ima_wav", "adpcm_ms", "g723_1", "g729"})


def bitrate_kbps(stream: AudioStream) -> float | None:
    """The stream's bitrate in kbps: rate x depth x channels for PCM, else as declared."""
    if stream.codec.startswith("pcm_") and stream.bits_per_sample:
        return stream.sample_rate * stream.bits_per_sample * stream.channels / 1000.0
    return stream.bit_rate / 1000.0 if stream.bit_rate else None


def long_term_spectrum_db(samples: np.ndarray, sr: int, frame_mask: np.ndarray, hop_length: int,
                          frame_length: int) -> tuple[np.ndarray, np.ndarray]:
    """(freqs_hz, level_db): mean power spectrum of the frames where ``frame_mask`` is True
    (all frames when none is), Hann window of ``n_fft`` ~ 46 ms centred like the mask's frames."""
    n_fft = int(2 ** np.round(np.log2(SPECTRUM_N_FFT_S * sr)))
    offset = (frame_length - n_fft) // 2
    padded = np.concatenate([np.zeros(max(0, -offset), np.float32), np.asarray(samples, np.float32)[max(0, offset):]])
    frames = frame_signal(padded, n_fft, hop_length)[: frame_mask.size]
    chosen = np.flatnonzero(frame_mask[: frames.shape[0]]) if frame_mask.any() else np.arange(frames.shape[0])
    chosen = chosen[:: max(1, int(np.ceil(chosen.size / MAX_SPECTRUM_FRAMES)))]
    window = np.hanning(n_fft)
    total = np.zeros(n_fft // 2 + 1)
    for part in frame_blocks(chosen.size):
        total += (np.abs(np.fft.rfft(frames[chosen[part]].astype(np.float64) * window, axis=1)) ** 2).sum(axis=0)
    return np.fft.rfftfreq(n_fft, 1.0 / sr), power_db(total / max(1, chosen.size), floor_db=-200.0)


def cutoff_hz(freqs_hz: np.ndarray, level_db: np.ndarray, sr: int) -> tuple[float, bool]:
    """(cutoff_hz, lowpassed): the highest cliff in the spectrum under 90% of the Nyquist
    frequency (above it is the resampler's anti-alias filter), or the Nyquist frequency with
    ``lowpassed`` False when there is none."""
    nyquist = sr / 2.0
    step = freqs_hz[1] - freqs_hz[0]
    width = max(1, int(round(CLIFF_WIDTH_HZ / step)))
    cumulative = np.concatenate([[0.0], np.cumsum(level_db)])
    highest = min(level_db.size - width - 1, int(FULL_BAND_FRACTION * nyquist / step))
    for index in range(highest, width, -1):
        below = (cumulative[index] - cumulative[index - width]) / width
        above = (cumulative[index + width] - cumulative[index]) / width
        if below - above >= CLIFF_DB:
            return float(freqs_hz[index]), True
    return nyquist, False
