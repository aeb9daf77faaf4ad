"""Audio truth for the tests: the generated espeak speech, decoded once per session."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile


@pytest.fixture(scope="session")
def clean_speech(generated) -> tuple[np.ndarray, int]:
    """The standard espeak speech fixture (22.05 kHz mono, about 10 s) as float64 samples."""
    samples, sr = soundfile.read(str(generated["speech"]), dtype="float64")
    return samples, sr


@pytest.fixture(scope="session")
def audio_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("audio_truth")
