"""Blind RT60 against speech convolved with Polack impulse responses of known RT60."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from fixtures.audio_truth import impulse_response, reverberate
from lipgate.preflight.analyzers.audio import analyse_samples
from lipgate.preflight.checks import CHECKS

TRUE_RT60_S = (0.3, 0.6, 0.9, 1.2)


def measure_rt60(samples: np.ndarray, sr: int):
    return analyse_samples(samples[np.newaxis, :].astype(np.float32), sr)


def test_rt60_rank_and_error(clean_speech):
    speech, sr = clean_speech
    estimates = [measure_rt60(reverberate(speech, impulse_response(rt60, sr, seed=i)), sr).values["audio_rt60_s"]
                 for i, rt60 in enumerate(TRUE_RT60_S)]
    errors = np.abs(np.array(estimates) - np.array(TRUE_RT60_S))
    assert spearmanr(TRUE_RT60_S, estimates).correlation >= 0.9, estimates
    assert errors.mean() <= 0.2, estimates


def test_dry_speech_passes_and_a_hall_fails(clean_speech):
    speech, sr = clean_speech
    check = CHECKS["audio_reverb"]
    dry = measure_rt60(speech, sr)
    assert check.judge(dry, check.limits()).status == "pass"
    hall = measure_rt60(reverberate(speech, impulse_response(1.6, sr, seed=7)), sr)
    assert check.judge(hall, check.limits()).status == "fail"
