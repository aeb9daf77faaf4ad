"""The audio checks in a report: always present, skip with a reason without audio, fail without speech."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from lipgate.preflight.analyzers.audio import analyse_samples, stream_values
from lipgate.preflight.checks import CHECKS

AUDIO_CHECKS = ("speech_presence", "audio_bitrate", "audio_noise", "audio_reverb", "audio_loudness",
                "audio_clipping", "audio_sample_rate", "audio_silence")


@pytest.mark.slow
def test_still_without_audio_skips_every_audio_check(cli, generated):
    proc = cli("check", str(generated["portrait"]), "--format", "json")
    report = json.loads(proc.stdout)
    by_id = {check["id"]: check for check in report["checks"]}
    for check_id in AUDIO_CHECKS:
        assert by_id[check_id]["status"] == "skip"
        assert by_id[check_id]["value"] is None
        assert "--audio" in by_id[check_id]["message"]


def test_noise_without_speech_fails_speech_presence(tmp_path):
    from lipgate.media import probe
    from lipgate.measurements import Measurements
    from lipgate.results import CheckReport

    path = tmp_path / "hiss.wav"
    soundfile.write(str(path), 0.02 * np.random.default_rng(0).standard_normal(3 * 16000), 16000, subtype="PCM_16")
    info = probe(path, expect={"audio"})
    measured = Measurements(values={"kind": "video", **stream_values(info)})
    measured.update(analyse_samples(0.02 * np.random.default_rng(0).standard_normal((1, 3 * 16000)), 16000))
    results = {cid: CHECKS[cid].judge(measured, CHECKS[cid].limits()) for cid in AUDIO_CHECKS}
    assert results["speech_presence"].status == "fail"
    assert results["speech_presence"].fix
    assert results["audio_noise"].status == "skip" and results["audio_noise"].value is None
    assert results["audio_reverb"].status == "skip"
    assert CheckReport(inputs={}, checks=list(results.values())).exit_code == 1


@pytest.mark.slow
def test_video_with_speech_reports_measured_audio(cli, generated):
    proc = cli("check", str(generated["talking"]), "--audio", str(generated["speech"]), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    by_id = {check["id"]: check for check in json.loads(proc.stdout)["checks"]}
    assert by_id["speech_presence"]["status"] == "pass"
    assert by_id["audio_bitrate"]["value"] == 352.8  # 22.05 kHz x 16 bit x 1 channel
    assert by_id["audio_sample_rate"]["value"] == 22050
    for check_id in ("audio_noise", "audio_reverb", "audio_loudness", "audio_clipping"):
        assert by_id[check_id]["value"] is not None and by_id[check_id]["source"]
