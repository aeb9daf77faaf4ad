"""`lipgate trim`: boundaries against padded silence of known length, and sync kept through the cut."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import soundfile

from fixtures.audio_truth import pad_silence
from fixtures.synth import encode_video, loudness_envelope
from lipgate.media import VideoDecoder, probe, read_audio
from lipgate.speech import speech_span

FPS = 25.0
LEAD_S, TAIL_S = 1.0, 0.8


@pytest.fixture(scope="module")
def flash_clip(clean_speech, tmp_path_factory):
    """A 64 px video whose brightness follows the loudness of its own sound track (speech padded
    with LEAD_S of room tone before and TAIL_S after): in sync by construction."""
    speech, sr = clean_speech
    folder = tmp_path_factory.mktemp("trim")
    padded = pad_silence(speech, sr, LEAD_S, TAIL_S, room_tone_dbfs=-60.0)
    wav = folder / "padded.wav"
    soundfile.write(str(wav), padded, sr, subtype="PCM_16")
    n_frames = int(padded.size / sr * FPS)
    brightness = loudness_envelope(padded, sr, FPS, n_frames)
    frames = (np.full((64, 64, 3), 40 + 200 * b, dtype=np.uint8) for b in brightness)
    video = encode_video(frames, folder / "flash.mp4", FPS, (64, 64), audio_path=wav)
    truth_start = LEAD_S + speech_span(speech, sr)[0]
    truth_end = LEAD_S + speech_span(speech, sr)[1]
    return {"video": video, "wav": wav, "start": truth_start, "end": truth_end, "folder": folder}


def av_lag_frames(path) -> int:
    """Lag (frames) of the picture's brightness behind the sound's loudness, by cross-correlation."""
    info = probe(path)
    light = np.array([frame.rgb.mean() for frame in VideoDecoder(info, max_side=64)])
    samples, sr = read_audio(info)
    sound = loudness_envelope(samples, sr, info.video.fps, light.size)
    light, sound = light - light.mean(), sound - sound.mean()
    lags = range(-5, 6)
    scores = [np.dot(light[max(0, k):light.size + min(0, k)], sound[max(0, -k):sound.size - max(0, k)]) for k in lags]
    return list(lags)[int(np.argmax(scores))]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_trim_keeps_sync_and_finds_the_speech(flash_clip, cli):
    video, folder = flash_clip["video"], flash_clip["folder"]
    before = digest(video)
    out = folder / "trimmed.mp4"
    proc = cli("trim", str(video), "-o", str(out), "--margin", "0.2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "lipgate/trim/v1"
    assert report["outputs"] == {"video": str(out), "image": None, "audio": None}
    frame = 1 / FPS
    assert abs(report["start"] - (flash_clip["start"] - 0.2)) <= 0.05 + frame
    assert abs(report["end"] - (flash_clip["end"] + 0.2)) <= 0.05 + frame
    assert digest(video) == before
    assert not list(folder.glob(".*part*"))
    trimmed = probe(out)
    assert trimmed.video.duration_s == pytest.approx(report["end"] - report["start"], abs=frame)
    assert av_lag_frames(out) == av_lag_frames(video) == 0


@pytest.mark.slow
def test_still_with_audio_trims_the_audio_only(flash_clip, generated, cli, tmp_path):
    out = tmp_path / "still.png"
    proc = cli("trim", str(generated["portrait"]), "--audio", str(flash_clip["wav"]), "-o", str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    audio_out = tmp_path / "still.audio.wav"
    assert report["outputs"] == {"video": None, "image": str(out), "audio": str(audio_out)}
    assert digest(out) == digest(generated["portrait"])
    assert probe(audio_out).audio.duration_s == pytest.approx(report["end"] - report["start"], abs=0.002)


def test_trim_of_a_bad_input_says_which_file(cli, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    proc = cli("trim", str(broken), "-o", str(tmp_path / "out.mp4"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "broken.mp4" in proc.stderr
    assert not (tmp_path / "out.mp4").exists()


def test_trim_of_audio_without_speech_exits_2(cli, tmp_path):
    hiss = tmp_path / "hiss.wav"
    soundfile.write(str(hiss), 0.01 * np.random.default_rng(0).standard_normal(32000), 16000, subtype="PCM_16")
    proc = cli("trim", str(hiss), "-o", str(tmp_path / "out.wav"))
    assert proc.returncode == 2 and "no speech" in proc.stderr
    assert not (tmp_path / "out.wav").exists()
