"""Audio measurements of the audio under test, streamed: decoded block by block, one pass.

``measure_audio(info)`` returns the ``Measurements`` the audio checks judge: stream facts,
bitrate and effective bandwidth, speech activity and pauses, blind SNR and RT60, loudness,
peaks and clipping. Nothing here judges.
"""

from __future__ import annotations

import numpy as np

from lipgate.media import AudioDecoder, MediaInfo
from lipgate.measurements import Measurements
from lipgate.speech import (FrameStream, default_frame_length, default_hop_length, frame_blocks, frame_count,
                            frame_times_s, frame_voicing, mean_square, noise_floor_db, power_db, speech_mask)
from lipgate.timeline import runs
from lipgate.preflight.analyzers.audio.bandwidth import LOSSY_CODECS, LongTermSpectrum, bitrate_kbps, cutoff_hz
from lipgate.preflight.analyzers.audio.level import ClipCounter, LoudnessMeter, PeakMeter
from lipgate.preflight.analyzers.audio.noise import speech_to_noise_db
from lipgate.preflight.analyzers.audio.reverb import band_energies, band_selections, rt60_s


def stream_values(info: MediaInfo | None) -> dict:
    """Stream facts from the probe (no decoding)."""
    if info is None or info.audio is None:
        return {"audio_duration_s": None}
    stream = info.audio
    return {
        "audio_duration_s": stream.duration_s,
        "audio_codec": stream.codec,
        "audio_sample_rate": stream.sample_rate,
        "audio_channels": stream.channels,
        "audio_bit_rate": stream.bit_rate,
        "audio_bits_per_sample": stream.bits_per_sample,
        "audio_bitrate_kbps": bitrate_kbps(stream),
        "audio_lossy": stream.codec in LOSSY_CODECS,
    }


def pauses_inside_speech(mask: np.ndarray, times_s: np.ndarray, hop_s: float) -> list[list[float]]:
    """[start_s, end_s] of each gap between two speech runs."""
    spans = runs(mask)
    return [[float(times_s[end] + hop_s / 2), float(times_s[start] - hop_s / 2)]
            for (_, end), (start, _) in zip(spans, spans[1:])]


class AudioAnalysis:
    """Every audio measurement of a signal fed as (channels, n) float blocks at ``sr`` Hz, in one
    pass: the blocks feed meters of a few numbers (loudness, peaks, clipping), a per-level
    long-term spectrum, and per-hop series (frame power, voicing, band energies: 5 values every
    10 ms); the whole-clip decisions (speech mask, SNR, RT60, cutoff) run on those at the end.
    Memory does not depend on the signal's length beyond the per-hop series (4 kB per second)."""

    def __init__(self, sr: int, n_channels: int):
        self.sr = sr
        self.hop_length, self.frame_length = default_hop_length(sr), default_frame_length(sr)
        self.loudness = LoudnessMeter(sr, n_channels)
        self.peaks = PeakMeter(n_channels)
        self.clipping = ClipCounter(n_channels)
        self.spectrum = LongTermSpectrum(sr)
        # each frame cut holds the detector's frame and the spectrum's frame, centred on the same instant
        spectrum_offset = (self.frame_length - self.spectrum.n_fft) // 2
        lead = max(0, -spectrum_offset)
        self.detector_frame = slice(lead, lead + self.frame_length)
        self.spectrum_frame = slice(lead + spectrum_offset, lead + spectrum_offset + self.spectrum.n_fft)
        self.frames = FrameStream(max(self.detector_frame.stop, self.spectrum_frame.stop), self.hop_length, -lead)
        self.window = np.hanning(self.frame_length)
        self.bands = band_selections(np.fft.rfftfreq(self.frame_length, 1.0 / sr), sr)
        self.n_samples = 0
        self.power: list[np.ndarray] = []
        self.voicing: list[np.ndarray] = []
        self.band_energy: list[np.ndarray] = []

    def add(self, channels: np.ndarray) -> None:
        channels = np.atleast_2d(channels)
        self.loudness.add(channels)
        self.peaks.add(channels)
        self.clipping.add(channels)
        self.n_samples += channels.shape[-1]
        self._add_frames(self.frames.push(channels.mean(axis=0)))

    def _add_frames(self, frames: np.ndarray) -> None:
        for part in frame_blocks(frames.shape[0]):
            detector = frames[part, self.detector_frame]
            power = mean_square(detector)
            spectrum = np.abs(np.fft.rfft(detector.astype(np.float64) * self.window, axis=1)) ** 2
            if self.spectrum_frame == self.detector_frame:
                self.spectrum.add_power(spectrum, power_db(power))
            else:
                self.spectrum.add(frames[part, self.spectrum_frame], power_db(power))
            self.power.append(power)
            self.voicing.append(frame_voicing(detector, self.sr))
            self.band_energy.append(band_energies(spectrum, self.bands))

    def finish(self) -> Measurements:
        """The measurements of everything fed so far (call once, after the last block)."""
        sr, hop_s = self.sr, self.hop_length / self.sr
        self._add_frames(self.frames.finish(frame_count(self.n_samples, self.frame_length, self.hop_length)))
        power = np.concatenate(self.power)
        level = power_db(power)
        mask = speech_mask(level, np.concatenate(self.voicing), hop_s)
        times = frame_times_s(mask.size, sr, self.hop_length, self.frame_length)
        snr_db, snr_method = speech_to_noise_db(power, mask, hop_s)
        rt60, decays = rt60_s(np.concatenate(self.band_energy), hop_s) if mask.any() else (None, 0)
        cutoff, lowpassed = cutoff_hz(*self.spectrum.mean_db(level[mask]), sr) if mask.any() else (None, False)
        speech_runs = runs(mask)
        pauses = pauses_inside_speech(mask, times, hop_s)
        values = {
            "audio_decoded_s": self.n_samples / sr,
            "audio_cutoff_hz": cutoff,
            "audio_lowpassed": bool(lowpassed),
            "speech_s": float(mask.sum() * hop_s),
            "speech_start_s": float(times[speech_runs[0][0]] - hop_s / 2) if speech_runs else None,
            "speech_end_s": float(times[speech_runs[-1][1]] + hop_s / 2) if speech_runs else None,
            "speech_pauses": pauses,
            "longest_pause_s": max((end - start for start, end in pauses), default=0.0) if speech_runs else None,
            "audio_snr_db": snr_db,
            "audio_snr_method": snr_method,
            "audio_rt60_s": rt60,
            "audio_rt60_decays": decays,
            "audio_loudness_lufs": self.loudness.integrated_lufs(),
            "audio_sample_peak_dbfs": self.peaks.sample_peak_dbfs(),
            "audio_true_peak_dbfs": self.peaks.true_peak_dbfs(),
            "audio_clipped_ratio": self.clipping.ratio(),
        }
        series = {
            "speech_t": times.astype(np.float32),
            "speech_active": mask,
            "level_t": times.astype(np.float32),
            "level_db": level.astype(np.float32),  # frame power, dB full scale
            "noise_floor_db": noise_floor_db(level, hop_s).astype(np.float32),  # minimum statistics
        }
        return Measurements(values=values, series=series)


def analyse_samples(channels: np.ndarray, sr: int, block_s: float = 1.0) -> Measurements:
    """Every audio measurement of decoded (channels, n) float samples at ``sr`` Hz, fed to
    ``AudioAnalysis`` in blocks of ``block_s`` seconds as the decoder would."""
    channels = np.atleast_2d(channels)
    analysis = AudioAnalysis(sr, channels.shape[0])
    block = max(1, int(round(block_s * sr)))
    for start in range(0, channels.shape[-1], block):
        analysis.add(channels[:, start:start + block])
    return analysis.finish()


def measure_audio(info: MediaInfo | None, block_s: float = 1.0, decoder: AudioDecoder | None = None) -> Measurements:
    """Measurements of the audio under test (stream facts only when there is none), decoded and
    analysed ``block_s`` seconds at a time (by ``decoder`` when given: all channels, native rate)."""
    measured = Measurements(values=stream_values(info))
    if info is None or info.audio is None:
        return measured
    decoder = decoder or AudioDecoder(info, mono=False, block_s=block_s)
    analysis = AudioAnalysis(decoder.sr, decoder.channels)
    for block in decoder:
        analysis.add(block.samples)
    measured.update(analysis.finish())
    return measured
