"""Shot changes, syllable nuclei and the report model, each against a constructed truth."""

from __future__ import annotations

import numpy as np
import pytest

from lipgate.measurements import Measurements
from lipgate.qa.report import QaReport, QaSegment, SyncResult
from lipgate.qa.shots import ShotChangeTracker, cut_frames, shot_ids
from lipgate.qa.syllables import syllable_nuclei


def test_cut_is_found_and_head_motion_is_not():
    rng = np.random.default_rng(0)
    first = rng.integers(0, 120, (120, 160, 3), dtype=np.uint8)
    second = rng.integers(120, 255, (120, 160, 3), dtype=np.uint8)
    tracker = ShotChangeTracker()
    for i in range(50):
        frame = first if i < 30 else second
        tracker.process(np.roll(frame, i % 5, axis=1))  # a little motion within each shot
    assert cut_frames(np.array(tracker.distances), fps=25.0) == [30]
    assert list(np.unique(shot_ids(50, [30]))) == [0, 1]


def tone_syllables(stressed_index: int, count: int = 7, sr: int = 16_000) -> tuple[np.ndarray, list[float]]:
    """Harmonic vowels 0.18 s long every 0.35 s; one is louder (+8 dB), longer and 4 semitones higher."""
    pieces, centres, position = [], [], 0.2
    silence = lambda s: np.zeros(int(s * sr), np.float32)  # noqa: E731
    pieces.append(silence(position))
    for i in range(count):
        stressed = i == stressed_index
        length, f0, gain = (0.28, 126.0, 0.4) if stressed else (0.16, 100.0, 0.16)
        t = np.arange(int(length * sr)) / sr
        vowel = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 10)) * np.hanning(t.size) * gain
        pieces.append(vowel.astype(np.float32))
        centres.append(position + length / 2)
        position += length + 0.17
        pieces.append(silence(0.17))
    return np.concatenate(pieces), centres


def test_stressed_syllable_is_the_prominent_one():
    samples, centres = tone_syllables(stressed_index=3)
    nuclei = syllable_nuclei(samples, 16_000)
    assert len(nuclei["t"]) == len(centres)
    assert np.allclose(nuclei["t"], centres, atol=0.05)
    stressed = np.flatnonzero(nuclei["stress_score"] >= 1.0)
    assert list(stressed) == [3]


def test_silence_has_no_syllables():
    assert len(syllable_nuclei(np.zeros(16_000, np.float32), 16_000)["t"]) == 0


def test_report_verdicts_and_order():
    sync = SyncResult(10.0, 5.0, 25.0, "pass", "in sync")
    fine = QaSegment(1.0, 1.3, 12.0, 4.0, True, True, False, "in sync here")
    slip = QaSegment(2.0, 2.3, 150.0, 4.0, True, True, True, "late", severity=105.0)
    frozen = QaSegment(3.0, 3.3, None, 0.0, True, True, True, "frozen", severity=1000.0)
    assert QaReport("a.mp4", sync, [fine]).exit_code == 0
    report = QaReport("a.mp4", sync, [fine, slip, frozen])
    assert report.verdict == "fail" and report.exit_code == 1
    assert [s.reason for s in report.rerenders] == ["frozen", "late"]
    assert QaReport("a.mp4", SyncResult(None, 0.0, 25.0, "skip", "no face"), []).exit_code == 2
    assert report.to_dict()["segments"][2]["offset_ms"] is None


@pytest.mark.parametrize("offset, uncertain, status", [
    (40.0, False, "pass"), (50.0, False, "fail"), (-120.0, False, "pass"), (-130.0, False, "fail"),
    (300.0, True, "unsure"), (300.0, False, "fail"),
])
def test_clip_tolerance_is_asymmetric(offset, uncertain, status):
    from lipgate.qa.judge import _sync_result
    from lipgate.qa.settings import qa_limits

    measured = Measurements(values={"fps": 25.0, "offset_ms": offset, "confidence": 3.0, "uncertain": uncertain,
                                    "interval_low_ms": offset - 60.0, "interval_high_ms": offset + 40.0})
    result = _sync_result(measured, qa_limits())
    assert result.status == status
    assert result.to_dict()["uncertain"] is uncertain
    assert result.to_dict()["interval_ms"] == [offset - 60.0, offset + 40.0]


@pytest.mark.parametrize("f0_hz", [82.0, 120.0, 210.0, 390.0])
def test_yin_finds_the_pitch_of_a_harmonic_tone(f0_hz):
    """A vowel-like tone (10 harmonics, falling 1/k) gives its own pitch, not an octave off, and is voiced."""
    from lipgate.qa.syllables import VOICING_THRESHOLD, voice_contour

    sr = 16_000
    t = np.arange(sr) / sr
    tone = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 11)).astype(np.float32) * 0.1
    contour = voice_contour(tone, sr)
    inside = slice(10, -10)  # frames that lie wholly inside the tone
    assert np.allclose(contour.f0_hz[inside], f0_hz, rtol=0.005)
    assert (contour.aperiodicity[inside] < 1 - VOICING_THRESHOLD).all()


def test_noise_is_not_voiced():
    from lipgate.qa.syllables import VOICING_THRESHOLD, voice_contour

    noise = np.random.default_rng(2).standard_normal(16_000).astype(np.float32) * 0.1
    contour = voice_contour(noise, 16_000)
    assert (contour.aperiodicity[10:-10] > 1 - VOICING_THRESHOLD).mean() > 0.9


def test_streamed_contour_equals_the_whole_signal():
    from lipgate.qa.syllables import VoiceContourStream, voice_contour

    samples, _ = tone_syllables(stressed_index=2)
    stream = VoiceContourStream(16_000)
    for start in range(0, samples.size, 1234):
        stream.push(samples[start:start + 1234])
    streamed, whole = stream.finish(), voice_contour(samples, 16_000)
    for name in ("intensity_db", "f0_hz", "aperiodicity"):
        assert np.allclose(getattr(streamed, name), getattr(whole, name), rtol=1e-6, atol=1e-6), name


def test_fixture_speech_nuclei_are_voiced_and_in_the_voice_range(generated):
    """On the fixture speech every nucleus has a pitch inside 70-400 Hz and one in four or more is stressed."""
    import soundfile
    from scipy.signal import resample_poly

    samples, sr = soundfile.read(str(generated["speech"]), dtype="float32")
    found = syllable_nuclei(resample_poly(samples, 16_000, sr).astype(np.float32), 16_000)
    assert len(found["t"]) >= 20
    assert ((found["pitch_st"] >= 12 * np.log2(0.7)) & (found["pitch_st"] <= 12 * np.log2(4.0))).all()
    assert (found["stress_score"] >= 1.0).mean() >= 0.2
