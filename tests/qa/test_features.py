"""The numpy audio features against librosa's (the implementation they replace), and the block
streaming against the whole signal."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from lipgate.qa.features import AUDIO_SR, MEL_FMAX_HZ, MEL_FMIN_HZ, N_MEL_BANDS, AudioFeatures, AudioFeatureStream, mel_filterbank


def librosa_features(samples: np.ndarray, sr: int, window_s: float, pad_s: float = 1.5) -> np.ndarray:
    """The fine-clock features as lipgate.qa.features computed them with librosa (before numpy)."""
    import librosa

    hop_length, win_length = int(round(0.005 * sr)), int(round(window_s * sr))
    n_fft = int(2 ** np.ceil(np.log2(max(win_length, 64))))
    pad = np.zeros(int(round(pad_s * sr)), np.float32)
    padded = np.concatenate([pad, samples.astype(np.float32), pad])
    power = np.abs(librosa.stft(padded, n_fft=n_fft, hop_length=hop_length, win_length=win_length, center=True)) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=N_MEL_BANDS, fmin=MEL_FMIN_HZ, fmax=min(MEL_FMAX_HZ, sr / 2 - 1))
    floor = 1e-10 + 1e-6 * float(mel.mean())
    log_mel = np.log10(mel + floor)
    flux = np.maximum(np.diff(log_mel, axis=1, prepend=log_mel[:, :1]), 0).sum(axis=0)
    return np.vstack([log_mel, np.log10(mel.sum(axis=0) + floor), flux]).T


@pytest.fixture(scope="module")
def speech(generated) -> np.ndarray:
    """The fixture speech (22.05 kHz) resampled to the 16 kHz qa analyses at."""
    from scipy.signal import resample_poly

    samples, sr = soundfile.read(str(generated["speech"]), dtype="float32")
    return resample_poly(samples, AUDIO_SR, sr).astype(np.float32)


def test_mel_filterbank_is_librosas():
    import librosa

    for n_fft in (512, 1024):
        ours = mel_filterbank(AUDIO_SR, n_fft, N_MEL_BANDS, MEL_FMIN_HZ, MEL_FMAX_HZ)
        theirs = librosa.filters.mel(sr=AUDIO_SR, n_fft=n_fft, n_mels=N_MEL_BANDS, fmin=MEL_FMIN_HZ, fmax=MEL_FMAX_HZ)
        assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
def test_features_equal_librosas(speech, fps):
    """Log mel bands, log energy and flux within 1e-4 (float32 rounding) of librosa's, frame for frame."""
    ours = AudioFeatures(speech, AUDIO_SR, 0.0, window_s=1 / fps)
    theirs = librosa_features(speech, AUDIO_SR, 1 / fps)
    assert ours.values.shape == theirs.shape and ours.values.dtype == np.float32
    assert np.abs(ours.values - theirs).max() < 1e-4
    assert ours.t0_s == pytest.approx(-1.5) and ours.end_s == pytest.approx(speech.size / AUDIO_SR)


@pytest.mark.parametrize("block", [101, 997, 16_000])
def test_streamed_blocks_equal_the_whole_signal(speech, block):
    whole = AudioFeatures(speech, AUDIO_SR, 0.25, window_s=0.04)
    stream = AudioFeatureStream(AUDIO_SR, window_s=0.04)
    for start in range(0, speech.size, block):
        stream.push(speech[start:start + block])
    streamed = stream.finish(0.25)
    assert np.array_equal(streamed.values, whole.values)
    assert (streamed.t0_s, streamed.end_s, streamed.hop_s) == (whole.t0_s, whole.end_s, whole.hop_s)
