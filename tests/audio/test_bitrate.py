"""Bitrate calls on MP3/AAC encodes at known bitrates and on a low-bitrate MP3 decoded to WAV."""

from __future__ import annotations

import pytest
import soundfile

from fixtures.audio_truth import encode, wideband_speech
from lipgate.media import probe
from lipgate.preflight.analyzers.audio import measure_audio
from lipgate.preflight.checks import CHECKS


@pytest.fixture(scope="module")
def wideband_wav(clean_speech, audio_workdir):
    """Full-band 44.1 kHz speech (espeak plus a microphone's hiss 40 dB under it) as 16-bit WAV."""
    speech, sr = clean_speech
    path = audio_workdir / "wideband.wav"
    soundfile.write(str(path), wideband_speech(speech, sr), 44100, subtype="PCM_16")
    return path


def bitrate_result(path):
    check = CHECKS["audio_bitrate"]
    return check.judge(measure_audio(probe(path, expect={"audio"})), check.limits())


@pytest.mark.parametrize("name, kbps, expected", [
    ("lame48.mp3", 48, "fail"),
    ("lame128.mp3", 128, "pass"),
    ("aac48.m4a", 48, "fail"),
    ("aac128.m4a", 128, "pass"),
])
def test_lossy_encodes(name, kbps, expected, wideband_wav, audio_workdir):
    result = bitrate_result(encode(wideband_wav, audio_workdir / name, kbps))
    assert result.status == expected, result.message
    assert result.value == pytest.approx(kbps, rel=0.15)


def test_pcm_passes_with_its_pcm_bitrate(wideband_wav):
    result = bitrate_result(wideband_wav)
    assert result.status == "pass", result.message
    assert result.value == pytest.approx(44100 * 16 / 1000)
    assert result.details["lowpassed"] is False


def test_low_bitrate_mp3_decoded_to_wav_still_fails(wideband_wav, audio_workdir):
    mp3 = encode(wideband_wav, audio_workdir / "once48.mp3", 48)
    transcoded = encode(mp3, audio_workdir / "once48.wav")
    result = bitrate_result(transcoded)
    assert result.value == pytest.approx(705.6)  # the container claims full quality
    assert result.status == "fail", result.message
    assert result.details["cutoff_hz"] < 12000
