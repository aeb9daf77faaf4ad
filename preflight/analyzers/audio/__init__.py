"""Audio measurements of the audio under test: decoded once, then small numeric functions.

``measure_audio(info)`` returns the ``Measurements`` the audio checks judge: stream facts,
bitrate and effective bandwidth, speech activity and pauses, blind SNR and RT60, loudness,
peaks and clipping. Nothing here judges.
"""

from __future__ import annotations

import numpy as np

from lipgate.media import MediaInfo, read_audio
from lipgate.measurements import Measurements
from lipgate.speech import (default_frame_length, default_hop_length, frame_power, frame_times_s, noise_floor_db,
                            power_db, speech_activity)
from lipgate.timeline import runs
from preflight.analyzers.audio.bandwidth import LOSSY_CODECS, bitrate_kbps, cutoff_hz, long_term_spectrum_db
from preflight.analyzers.audio.level import clipped_ratio, integrated_loudness_lufs, sample_peak_dbfs, true_peak_dbfs
from preflight.analyzers.audio.noise import speech_to_noise_db
from preflight.analyzers.audio.reverb import rt60_s


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


def analyse_samples(channels: np.ndarray, sr: int) -> Measurements:
    """Every audio measurement of decoded (channels, n) float samples at ``sr`` Hz."""
    mono = channels.mean(axis=0)
    hop_length, frame_length = default_hop_length(sr), default_frame_length(sr)
    hop_s = hop_length / sr
    mask = speech_activity(mono, sr, hop_length, frame_length)
    times = frame_times_s(mask.size, sr, hop_length, frame_length)
    power = frame_power(mono, frame_length, hop_length)
    snr_db, snr_method = speech_to_noise_db(power, mask, hop_s)
    rt60, decays = rt60_s(mono, sr, hop_length, frame_length) if mask.any() else (None, 0)
    freqs, level = long_term_spectrum_db(mono, sr, mask, hop_length, frame_length) if mask.any() else (None, None)
    cutoff, lowpassed = cutoff_hz(freqs, level, sr) if mask.any() else (None, False)
    speech_runs = runs(mask)
    pauses = pauses_inside_speech(mask, times, hop_s)
    values = {
        "audio_decoded_s": mono.size / sr,
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
        "audio_loudness_lufs": integrated_loudness_lufs(channels, sr),
        "audio_sample_peak_dbfs": sample_peak_dbfs(channels),
        "audio_true_peak_dbfs": true_peak_dbfs(channels, sr),
        "audio_clipped_ratio": clipped_ratio(channels),
    }
    level = power_db(power)
    series = {
        "speech_t": times.astype(np.float32),
        "speech_active": mask,
        "level_t": times.astype(np.float32),
        "level_db": level.astype(np.float32),  # frame power, dB full scale
        "noise_floor_db": noise_floor_db(level, hop_s).astype(np.float32),  # minimum statistics
    }
    return Measurements(values=values, series=series)


def measure_audio(info: MediaInfo | None) -> Measurements:
    """Measurements of the audio under test (stream facts only when there is none)."""
    measured = Measurements(values=stream_values(info))
    if info is None or info.audio is None:
        return measured
    channels, sr = read_audio(info, mono=False)
    measured.update(analyse_samples(np.atleast_2d(channels), sr))
    return measured
