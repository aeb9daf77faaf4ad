"""`lipgate fit`: the fitted output's lengths agree within two frames, re-measured from the file."""

from __future__ import annotations

import json
import subprocess

import pytest

from lipgate.media import probe


@pytest.fixture(scope="module")
def faster_speech(generated, tmp_path_factory):
    """The talking portrait's speech played 5% faster: 5% shorter than the picture."""
    path = tmp_path_factory.mktemp("fit") / "faster.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(generated["speech"]), "-af", "atempo=1.05", str(path)],
                   check=True)
    return path


@pytest.mark.slow
def test_stretch_restores_the_length(generated, faster_speech, cli, tmp_path):
    out = tmp_path / "fitted.wav"
    proc = cli("fit", str(generated["talking"]), "--audio", str(faster_speech), "--mode", "stretch", "-o", str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["stretch_percent"] == pytest.approx(5.0, abs=0.3)
    video_s = probe(generated["talking"]).video.duration_s
    assert abs(probe(out).audio.duration_s - video_s) <= 2 / 25


@pytest.mark.slow
def test_pad_holds_the_picture_when_the_audio_is_longer(generated, cli, tmp_path):
    longer = tmp_path / "longer.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(generated["speech"]), "-af", "apad=pad_dur=1.5", str(longer)],
                   check=True)
    out = tmp_path / "padded.mp4"
    proc = cli("fit", str(generated["talking"]), "--audio", str(longer), "--mode", "pad", "-o", str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    fitted = probe(out)
    assert abs(fitted.audio.duration_s - fitted.video.duration_s) <= 2 / 25
    assert fitted.video.duration_s == pytest.approx(probe(longer).audio.duration_s, abs=2 / 25)


def test_stretch_past_ten_percent_is_refused(generated, cli, tmp_path):
    short = tmp_path / "short.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(generated["speech"]), "-t", "5", str(short)], check=True)
    out = tmp_path / "out.wav"
    proc = cli("fit", str(generated["talking"]), "--audio", str(short), "--mode", "stretch", "-o", str(out))
    assert proc.returncode == 2 and "--mode trim" in proc.stderr
    assert not out.exists()
