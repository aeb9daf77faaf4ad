"""The streamed audio analysis against the whole-signal computations: same frames, same
series, same values whatever the block size, a speech spectrum within a fraction of a dB, and
memory that does not grow with the length."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import soundfile

from fixtures.audio_truth import impulse_response, make_noise, mix_at_snr, pad_silence, reverberate, wideband_speech
from lipgate.media import probe
from lipgate.speech import FrameStream, frame_power, frame_signal, power_db, speech_activity
from lipgate.preflight.analyzers.audio import AudioAnalysis, analyse_samples, measure_audio
from lipgate.preflight.analyzers.audio.bandwidth import cutoff_hz
from tests.audio import whole_signal


@pytest.mark.parametrize("width, hop, lead", [(512, 160, 0), (1024, 160, 256), (2048, 441, 0), (4, 3, 1)])
@pytest.mark.parametrize("block", [1, 7, 441, 10000])
def test_frame_stream_cuts_the_frames_of_the_whole_signal(width, hop, lead, block):
    samples = np.random.default_rng(block).standard_normal(9999).astype(np.float32)
    stream = FrameStream(width, hop, -lead)
    pieces = [stream.push(samples[start:start + block]) for start in range(0, samples.size, block)]
    expected = frame_signal(np.concatenate([np.zeros(lead, np.float32), samples]), width, hop)
    pieces.append(stream.finish(expected.shape[0]))
    np.testing.assert_array_equal(np.concatenate(pieces), expected)


@pytest.fixture(scope="module")
def noisy_reverberant(clean_speech, audio_workdir):
    """Espeak speech with pauses, in a 0.6 s room, under pink noise at 20 dB SNR: every
    measurement has something to find."""
    speech, sr = clean_speech
    wet = reverberate(pad_silence(speech, sr, 0.5, 0.5, room_tone_dbfs=-120.0), impulse_response(0.6, sr))
    return mix_at_snr(wet, make_noise("pink", wet.size, sr), sr, 20.0).astype(np.float32), sr


def test_values_do_not_depend_on_the_block_size(noisy_reverberant):
    samples, sr = noisy_reverberant
    whole = analyse_samples(samples[np.newaxis], sr, block_s=samples.size / sr)
    assert whole.values["audio_rt60_s"] is not None and whole.values["audio_snr_db"] is not None
    for block_s in (0.013, 0.25, 1.0):
        streamed = analyse_samples(samples[np.newaxis], sr, block_s=block_s)
        for key, value in whole.values.items():
            if key == "speech_pauses":
                np.testing.assert_allclose(streamed.values[key], value, atol=1e-9)
            else:
                assert streamed.values[key] == pytest.approx(value, abs=1e-6), key
        for key, series in whole.series.items():
            np.testing.assert_allclose(streamed.series[key], series, atol=1e-6, err_msg=key)


def test_series_are_those_of_the_whole_signal_detector(noisy_reverberant):
    samples, sr = noisy_reverberant
    measured = analyse_samples(samples[np.newaxis], sr)
    np.testing.assert_array_equal(measured.series["speech_active"], speech_activity(samples, sr))
    hop, frame = round(0.01 * sr), 1024
    np.testing.assert_allclose(measured.series["level_db"], power_db(frame_power(samples, frame, hop)), atol=1e-4)


def test_speech_spectrum_by_level_matches_the_speech_frames_mean(clean_speech):
    # full-band speech cut at 11 kHz (a brick wall, as a codec's low-pass), with 10 s of room tone
    # around it so that many non-speech frames share the spectrum's level bins
    speech, sr = clean_speech
    wide = pad_silence(wideband_speech(speech, sr), 44100, 5.0, 5.0, room_tone_dbfs=-50.0)
    spectrum = np.fft.rfft(wide)
    spectrum[np.fft.rfftfreq(wide.size, 1 / 44100) > 11000] = 0
    cut = np.fft.irfft(spectrum, wide.size).astype(np.float32)
    analysis = AudioAnalysis(44100, 1)
    analysis.add(cut[np.newaxis])
    measured = analysis.finish()
    mask = measured.series["speech_active"]
    freqs, exact_db = whole_signal.speech_spectrum_db(cut, 44100, mask, analysis.frame_length, analysis.hop_length)
    _, streamed_db = analysis.spectrum.mean_db(measured.series["level_db"][mask].astype(np.float64))
    speech_band = (freqs > 100) & (freqs < 10000)
    assert np.max(np.abs(streamed_db - exact_db)[speech_band]) < 0.5
    assert measured.values["audio_cutoff_hz"] == pytest.approx(cutoff_hz(freqs, exact_db, 44100)[0], abs=50)
    assert measured.values["audio_lowpassed"] and 11000 <= measured.values["audio_cutoff_hz"] < 12000


def test_measure_audio_streams_a_stereo_file_to_the_same_values(noisy_reverberant, audio_workdir):
    samples, sr = noisy_reverberant
    stereo = np.stack([samples, 0.5 * np.roll(samples, 100)])
    path = audio_workdir / "stereo.wav"
    soundfile.write(str(path), stereo.T, sr, subtype="FLOAT")
    streamed = measure_audio(probe(path, expect={"audio"}), block_s=0.3).values
    whole = analyse_samples(stereo, sr, block_s=stereo.shape[1] / sr).values
    for key in ("audio_loudness_lufs", "audio_true_peak_dbfs", "audio_snr_db", "audio_rt60_s", "audio_cutoff_hz", "speech_s"):
        assert streamed[key] == pytest.approx(whole[key], abs=1e-6), key
    assert streamed["audio_loudness_lufs"] == pytest.approx(whole_signal.loudness_lufs(stereo, sr), abs=0.1)


def traced_peak_mb(seconds: float, sr: int = 8000) -> float:
    """Peak traced memory (MB) of analysing ``seconds`` of noise fed in 1 s blocks."""
    rng = np.random.default_rng(0)
    tracemalloc.start()
    analysis = AudioAnalysis(sr, 2)
    for _ in range(int(seconds)):
        analysis.add((0.1 * rng.standard_normal((2, sr))).astype(np.float32))
    analysis.finish()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2 ** 20


def test_memory_does_not_grow_with_the_length():
    # the per-hop series (5 float64 every 10 ms, 4 kB per second) are all that grows
    short, long = traced_peak_mb(20), traced_peak_mb(200)
    assert long - short < 2.0, (short, long)
