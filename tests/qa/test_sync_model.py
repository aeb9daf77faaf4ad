"""The learned sync model (lipgate.qa.syncmodel) and the mouth appearance evidence
(lipgate.qa.evidence) held to known answers on generated clips: the talking portrait with its
sound moved by known amounts, with a softened mouth, with another text's speech, and a still."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from fixtures import synth
from lipgate.qa import evidence, syncmodel
from lipgate.qa.corpus import soften_mouth
from lipgate.qa.measure import measure_qa

FPS = 25.0
FRAME_MS = 1000.0 / FPS
OTHER_TEXT = ("Rain fell on the old harbour all night, and by morning the boats had drifted "
              "against the northern wall, their ropes loose and their decks full of water.")


def test_the_shipped_model_loads_with_its_calibration():
    model = syncmodel.load_model()
    assert model is not None
    assert model.weights.shape == (len(syncmodel.TAPS_MS) * syncmodel.MODEL_BANDS, 5 + model.n_components)
    assert abs(model.output_weights.sum() - 1.0) < 1e-6
    cal = model.calibration
    assert len(cal["edges"]) == len(cal["low"]) == len(cal["high"])
    assert len(cal["table_edges"]) == len(cal["within_frame"]) == len(cal["count"])
    assert np.all(cal["low"] < 0) and np.all(cal["high"] > 0)
    assert cal["min_confidence"] > 0
    mean, components = evidence.appearance_basis()
    assert components.shape == (16, evidence.PATCH_HEIGHT * evidence.PATCH_WIDTH) and mean.shape == (512,)
    with np.load(syncmodel.MODEL_PATH) as data:
        assert len(data["clips_used"]) >= 40  # training records which clips it learned from


def test_the_patch_does_not_depend_on_resolution():
    """The same face at two sizes gives (nearly) the same normalised patch."""
    base, landmarks = synth.portrait(512), synth.portrait_landmarks(512)
    small = base[::2, ::2].copy()
    large, reduced = evidence.mouth_patch(base, landmarks), evidence.mouth_patch(small, landmarks / 2)
    assert large.shape == (evidence.PATCH_HEIGHT, evidence.PATCH_WIDTH)
    assert abs(large.mean()) < 1e-4 and abs(large.std() - 1) < 1e-3
    assert np.corrcoef(large.ravel(), reduced.ravel())[0, 1] > 0.97
    assert evidence.mouth_patch(base, None) is None


def _other_speech(folder: Path) -> Path:
    return synth.speech(folder / "other.wav", text=OTHER_TEXT)


def _portrait_from_openings(out: Path, openings: np.ndarray, sound: Path) -> Path:
    base, landmarks = synth.portrait(512), synth.portrait_landmarks(512)
    frames = (synth.render_mouth(base, landmarks, float(o)) for o in openings)
    return synth.encode_video(frames, out, FPS, (512, 512), audio_path=sound)


def _envelope(speech: Path) -> np.ndarray:
    samples, sr = soundfile.read(str(speech), dtype="float32", always_2d=True)
    samples = samples.mean(axis=1)
    return synth.loudness_envelope(samples, sr, FPS, int(round(samples.size / sr * FPS)))


@pytest.fixture(scope="module")
def model_clips(generated, qa_clips, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sync_model")
    speech = generated["speech"]
    landmarks = synth.portrait_landmarks(512)
    openings = _envelope(speech)
    clips = dict(qa_clips)
    clips["soft"] = synth.talking_portrait(folder / "soft.mp4", speech, fps=FPS,
                                           frame_filter=lambda i, t, rgb: soften_mouth(rgb, landmarks))
    clips["still"] = _portrait_from_openings(folder / "still.mp4", np.zeros_like(openings), speech)
    return clips


@pytest.fixture(scope="module")
def readings(model_clips) -> dict[str, dict]:
    names = ("in_sync", "sound_late_200", "sound_early_120", "soft", "still")
    return {name: measure_qa(model_clips[name]).values for name in names}


def test_known_shifts_move_the_offset_by_as_much(readings):
    """The generated portrait with its sound 200 ms late and 120 ms early: the offset moves by the
    shift within one frame, and the 90% interval is reported around the reading. (The portrait's
    jaw follows loudness alone, unlike a real mouth: the model is not sure of it, and says so.)"""
    base = readings["in_sync"]["offset_ms"]
    assert base is not None
    assert abs(readings["sound_late_200"]["offset_ms"] - base - (-200.0)) <= FRAME_MS
    assert abs(readings["sound_early_120"]["offset_ms"] - base - 120.0) <= FRAME_MS
    for name in ("in_sync", "sound_late_200", "sound_early_120"):
        values = readings[name]
        assert values["interval_low_ms"] < values["offset_ms"] < values["interval_high_ms"]


def test_a_soft_mouth_keeps_its_offset_and_is_seen_moving(readings):
    soft, sharp = readings["soft"], readings["in_sync"]
    assert soft["mouth_moves"] and soft["unmeasured_reason"] is None
    assert soft["mouth_pixel_motion"] >= evidence.STILL_MOUTH_PIXEL_MOTION
    assert abs(soft["offset_ms"] - sharp["offset_ms"]) <= FRAME_MS


def test_a_still_mouth_is_measured_as_not_moving(readings):
    still = readings["still"]
    assert not still["mouth_moves"]
    assert still["mouth_pixel_motion"] < evidence.STILL_MOUTH_PIXEL_MOTION
    assert still["unmeasured_reason"] == "the mouth never moves (a still face)"


def _log_mel(speech: Path, start_s: float = 0.0):
    samples, sr = soundfile.read(str(speech), dtype="float32", always_2d=True)
    from lipgate.qa.features import AUDIO_SR

    samples = samples.mean(axis=1)
    resampled = np.interp(np.arange(int(samples.size * AUDIO_SR / sr)) * sr / AUDIO_SR, np.arange(samples.size), samples)
    stream = syncmodel.model_sound_stream(AUDIO_SR)
    stream.push(resampled.astype(np.float32))
    return stream.finish(start_s)


def _mouth_the_model_expects(speech: Path, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame times, lip features, appearance) a speaker of ``speech`` would show in sync by the
    model's own map, with Gaussian noise of ``noise`` times its spread (fixed seed)."""
    model = syncmodel.load_model()
    log_mel = _log_mel(speech)
    predicted = syncmodel.predicted_mouth(model, syncmodel.sound_matrix(log_mel))
    frame_t = np.arange(int(log_mel.end_s * FPS)) / FPS
    mouth = syncmodel._sample(predicted, log_mel.hop_s, log_mel.t0_s, frame_t)
    mouth = mouth + noise * mouth.std(axis=0) * np.random.default_rng(18).standard_normal(mouth.shape)
    return frame_t, mouth[:, :5], mouth[:, 5:]


@pytest.mark.parametrize("shift_ms", [0.0, 200.0, -200.0, 80.0])
def test_the_model_reads_a_mouth_it_predicts_at_the_known_offset(generated, shift_ms):
    """A mouth that moves as the map predicts for the generated speech, with the sound moved
    ``shift_ms`` early: read at that shift (less the model's learned zero) within one frame, and sure."""
    model = syncmodel.load_model()
    frame_t, mouth, appearance = _mouth_the_model_expects(generated["speech"], noise=1.0)
    reading = syncmodel.read_offset(model, frame_t, mouth, appearance, _log_mel(generated["speech"], -shift_ms / 1000.0), FPS)
    assert abs(reading.offset_ms + model.zero_ms - shift_ms) <= FRAME_MS
    assert not reading.uncertain
    assert reading.interval_ms[0] < reading.offset_ms < reading.interval_ms[1]


def test_a_sound_that_is_not_the_faces_speech_is_uncertain(generated, tmp_path):
    model = syncmodel.load_model()
    frame_t, mouth, appearance = _mouth_the_model_expects(generated["speech"], noise=1.0)
    own = syncmodel.read_offset(model, frame_t, mouth, appearance, _log_mel(generated["speech"]), FPS)
    other = syncmodel.read_offset(model, frame_t, mouth, appearance, _log_mel(_other_speech(tmp_path)), FPS)
    assert not own.uncertain and other.uncertain
    assert other.confidence < model.calibration["min_confidence"] < own.confidence


@pytest.mark.slow
def test_corpus_extraction_decodes_the_face_aware_window(generated, tmp_path):
    """The corpus the model learns from is decoded as qa decodes a render: a wide shot whose face
    is 45 px tall once the whole 1280 x 720 frame is shrunk to 480 px gets the window around the
    face, so the mesh finds it (decoded whole, it found none on three DFDC wide shots)."""
    from lipgate.qa.corpus import CorpusClip, extract_clip
    from tests.qa.test_every_shot import wide_shot

    clip_path = wide_shot(tmp_path / "wide.mp4", generated["speech"])
    out = extract_clip(CorpusClip("wide.mp4", "synthetic", clip_path, "wide", False), tmp_path / "wide.npz")
    with np.load(out) as data:
        found = np.isfinite(data["mouth"][:, 0]).mean()
        patches = np.all(np.isfinite(data["patches"].reshape(len(data["frame_t"]), -1)), axis=1).mean()
    assert found > 0.9
    assert patches > 0.9


def _calibration_readings(untouched_confidences, null_confidences):
    readings = [{"learned": True, "truth_ms": 0.0, "offset_ms": 0.0, "confidence": c, "speaker": f"s{k}"}
                for k, c in enumerate(untouched_confidences)]
    readings += [{"learned": True, "truth_ms": 200.0, "offset_ms": 200.0, "confidence": c, "speaker": f"s{k}"}
                 for k, c in enumerate(untouched_confidences)]
    readings += [{"learned": True, "truth_ms": None, "offset_ms": 0.0, "confidence": c, "speaker": f"s{k}"}
                 for k, c in enumerate(null_confidences)]
    return readings


def test_the_calibration_keeps_the_uncertain_share_of_in_sync_clips():
    """Another speaker's sound reading as high as most in-sync clips does not make them uncertain:
    at most ``UNCERTAIN_SHARE`` of the in-sync clips fall under ``min_confidence``."""
    from lipgate.qa import train

    untouched = np.linspace(0.5, 2.5, 50)
    cal = train.calibration(_calibration_readings(untouched, np.full(50, 2.0)))
    assert np.mean(untouched < cal["min_confidence"]) <= train.UNCERTAIN_SHARE
    assert np.sum(untouched < cal["min_confidence"]) == int(np.floor(train.UNCERTAIN_SHARE * 50))
    # a low null leaves the threshold at its 95th percentile
    low_null = np.linspace(0.0, 0.4, 50)
    cal = train.calibration(_calibration_readings(untouched, low_null))
    assert cal["min_confidence"] == pytest.approx(np.quantile(low_null, train.NULL_QUANTILE))
