from __future__ import annotations

import pytest

from tests.preflight import media_truth


@pytest.fixture(scope="session")
def truth_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("visual_truth")


@pytest.fixture(scope="session")
def steady_clip(generated):
    return generated["talking"]


@pytest.fixture(scope="session")
def flicker_clips(generated, truth_dir):
    """{(depth, frequency_hz): path} of light-modulated talking portraits."""
    cases = [(0.02, 8.0), (0.05, 8.0), (0.10, 3.5), (0.10, 8.0), (0.10, 12.0), (0.10, 20.0)]
    return {case: media_truth.modulated(generated["speech"], truth_dir / f"flicker_{case[0]}_{case[1]}.mp4", *case)
            for case in cases}
