"""Talking-portrait fixtures with known sync truth, built once per session into a temp folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from fixtures import synth

FPS = 25.0
STRETCH = (4.0, 5.6)
"""The 1.6 s stretch (s) edited in the local-desync fixtures."""
PICTURE_LATE_FRAMES = 5
"""200 ms at 25 fps."""


def portrait_with_openings(out: Path, speech: Path, edit) -> Path:
    """A talking portrait whose per-frame jaw openings pass through ``edit(openings) -> openings``."""
    samples, sr = soundfile.read(str(speech), dtype="float32", always_2d=True)
    samples = samples.mean(axis=1)
    n_frames = int(round(samples.size / sr * FPS))
    openings = edit(synth.loudness_envelope(samples, sr, FPS, n_frames))
    base, landmarks = synth.portrait(512), synth.portrait_landmarks(512)
    frames = (synth.render_mouth(base, landmarks, float(o)) for o in openings)
    return synth.encode_video(frames, out, FPS, (512, 512), audio_path=speech)


def picture_late(openings: np.ndarray) -> np.ndarray:
    edited = openings.copy()
    first, last = int(STRETCH[0] * FPS), int(STRETCH[1] * FPS)
    edited[first:last] = openings[first - PICTURE_LATE_FRAMES:last - PICTURE_LATE_FRAMES]
    return edited


def mouth_frozen(openings: np.ndarray) -> np.ndarray:
    edited = openings.copy()
    first, last = int(STRETCH[0] * FPS), int(STRETCH[1] * FPS)
    edited[first:last] = openings[first]
    return edited


@pytest.fixture(scope="session")
def qa_clips(generated, tmp_path_factory) -> dict[str, Path]:
    """in_sync, sound_late_200 (audio delayed 200 ms), sound_early_120, picture_late (stretch),
    frozen (stretch), silent_picture (no audio track)."""
    folder = tmp_path_factory.mktemp("qa_clips")
    speech = generated["speech"]
    clips = {"in_sync": generated["talking"]}
    clips["sound_late_200"] = synth.talking_portrait(folder / "late200.mp4", speech, fps=FPS, audio_offset_s=0.2)
    clips["sound_early_120"] = synth.talking_portrait(folder / "early120.mp4", speech, fps=FPS, audio_offset_s=-0.12)
    clips["picture_late"] = portrait_with_openings(folder / "picture_late.mp4", speech, picture_late)
    clips["frozen"] = portrait_with_openings(folder / "frozen.mp4", speech, mouth_frozen)
    return clips
