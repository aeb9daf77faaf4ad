"""Blind SNR against mixes of real (espeak) speech with noise at known ratios: MAE <= 3 dB."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.audio_truth import NOISE_TYPES, make_noise, mix_at_snr, pad_silence
from lipgate.preflight.analyzers.audio import analyse_samples

TRUE_SNRS_DB = (5.0, 15.0, 30.0)


@pytest.mark.parametrize("kind", NOISE_TYPES)
def test_snr_error_per_noise_type(kind, clean_speech, audio_workdir):
    speech, sr = clean_speech
    speech = pad_silence(speech, sr, lead_s=0.5, tail_s=0.5, room_tone_dbfs=-120.0)
    errors = []
    for index, true_snr in enumerate(TRUE_SNRS_DB):
        noise = make_noise(kind, speech.size, sr, seed=index, folder=audio_workdir)
        mixed = mix_at_snr(speech, noise, sr, true_snr)
        measured = analyse_samples(mixed[np.newaxis, :].astype(np.float32), sr).values["audio_snr_db"]
        errors.append(measured - true_snr)
    assert np.mean(np.abs(errors)) <= 3.0, f"{kind}: errors {np.round(errors, 1)} dB"
