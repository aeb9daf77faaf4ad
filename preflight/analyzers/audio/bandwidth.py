"""Bitrate (kbps) and effective bandwidth (Hz) of the audio under test.

Lossy encoders low-pass the sound before coding it, harder at lower bitrates (LAME's bandwidth
table: 7.5 kHz at 48 kbps, 11 kHz at 64 kbps, 15.1 kHz at 96 kbps, 17 kHz at 128 kbps), and the
cut survives any later decode to WAV. ``cutoff_hz`` is where the long-term spectrum of the speech
frames (``LongTermSpectrum``) falls off a cliff: the highest frequency with at least ``CLIFF_DB``
less energy in the ``CLIFF_WIDTH_HZ`` above it than in the ``CLIFF_WIDTH_HZ`` below it. Natural speech and
microphones roll off gently (about 6-12 dB per octave), never by 25 dB within a few hundred Hz.
"""

from __future__ import annotations

import numpy as np

from lipgate.media import AudioStream
from lipgate.speech import power_db

CLIFF_DB = 25.0
CLIFF_WIDTH_HZ = 500.0
FULL_BAND_FRACTION = 0.9
"""Cliffs above 90% of the Nyquist frequency are resamplers' anti-alias filters, not codecs'
low-passes, and are not looked for."""
SPECTRUM_N_FFT_S = 0.046
"""About 46 ms analysis frames (2048 samples at 44.1 kHz): 22 Hz resolution."""

LEVEL_BIN_DB = 1.0
LEVEL_FLOOR_DB = -120.0
LEVEL_TOP_DB = 0.0
"""Frame levels are binned by 1 dB from -120 dBFS (``power_db``'s floor) to 0 dBFS (full scale;
anything louder joins the top bin)."""

LOSSY_CODECS = frozenset({"mp3", "mp2", "aac", "vorbis", "opus", "wmav1", "wmav2", "ac3", "eac3", "amr_nb",
                          "amr_wb", "gsm", "gsm_ms", "adpcm_ima_wav", "adpcm_ms", "g723_1", "g729"})


def bitrate_kbps(stream: AudioStream) -> float | None:
    """The stream's bitrate in kbps: rate x depth x channels for PCM, else as declared."""
    if stream.codec.startswith("pcm_") and stream.bits_per_sample:
        return stream.sample_rate * stream.bits_per_sample * stream.channels / 1000.0
    return stream.bit_rate / 1000.0 if stream.bit_rate else None


def spectrum_n_fft(sr: int) -> int:
    """Samples in a long-term-spectrum frame: the power of two nearest ``SPECTRUM_N_FFT_S``."""
    return int(2 ** np.round(np.log2(SPECTRUM_N_FFT_S * sr)))


class LongTermSpectrum:
    """Mean power spectrum of the speech frames, from frames fed as they are decoded.

    Which frames are speech is known only at the end (the detector needs the whole clip), so the
    power spectra are summed per frame level, in ``LEVEL_BIN_DB`` bins; at the end each bin
    counts with the share of its frames that the detector called speech. Within 1 dB, speech
    and non-speech frames hold about the same sound, and the mean is led by the loud bins, which
    are all speech. Memory: one spectrum per bin (121 x 1025 values at 44.1 kHz, 1 MB)."""

    def __init__(self, sr: int):
        self.n_fft = spectrum_n_fft(sr)
        self.freqs_hz = np.fft.rfftfreq(self.n_fft, 1.0 / sr)
        self.window = np.hanning(self.n_fft)
        n_bins = int(round((LEVEL_TOP_DB - LEVEL_FLOOR_DB) / LEVEL_BIN_DB)) + 1
        self.power_sums = np.zeros((n_bins, self.freqs_hz.size))
        self.frame_counts = np.zeros(n_bins, dtype=np.int64)

    def level_bins(self, level_db: np.ndarray) -> np.ndarray:
        """The bin of each frame level (dB full scale)."""
        return np.clip(np.floor((level_db - LEVEL_FLOOR_DB) / LEVEL_BIN_DB).astype(int), 0, self.frame_counts.size - 1)

    def add(self, frames: np.ndarray, level_db: np.ndarray) -> None:
        """Frames of ``n_fft`` samples (rows) and the level (dB) of the detector frame each is centred on."""
        power = np.abs(np.fft.rfft(frames.astype(np.float64) * self.window, axis=1)) ** 2
        self.add_power(power, level_db)

    def add_power(self, power: np.ndarray, level_db: np.ndarray) -> None:
        """Hann-windowed power spectra (rows) of ``n_fft``-sample frames, and their levels (dB)."""
        bins = self.level_bins(level_db)
        for level_bin in np.unique(bins):
            chosen = bins == level_bin
            self.power_sums[level_bin] += power[chosen].sum(axis=0)
            self.frame_counts[level_bin] += int(chosen.sum())

    def mean_db(self, speech_level_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(freqs_hz, level_db): the mean power spectrum weighted like the speech frames' levels."""
        speech_counts = np.bincount(self.level_bins(speech_level_db), minlength=self.frame_counts.size)
        share = speech_counts / np.maximum(self.frame_counts, 1)
        total = share @ self.power_sums
        return self.freqs_hz, power_db(total / max(1, speech_counts.sum()), floor_db=-200.0)


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
