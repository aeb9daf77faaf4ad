"""`lipgate check` end to end: the JSON contract, exit codes, and every bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import numpy as np
import pytest

from tests.preflight import media_truth

CONTRACT_IDS = ("face_yaw", "lighting_flicker", "audio_bitrate", "audio_noise", "audio_reverb", "image_resolution",
                "duration_mismatch", "face_presence")
CHECK_FIELDS = {"id", "status", "value", "threshold", "unit", "message", "details", "segments"}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_json_report_follows_the_contract(cli, generated):
    before = digest(generated["talking"])
    result = cli("check", str(generated["talking"]), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "lipgate/check/v1"
    assert report["tool"] == {"name": "lipgate", "version": "0.1.0"}
    assert report["inputs"] == {"video": str(generated["talking"]), "image": None, "audio": str(generated["talking"])}
    assert report["verdict"] in ("pass", "warn")
    ids = [check["id"] for check in report["checks"]]
    missing = [check_id for check_id in CONTRACT_IDS if check_id not in ids]
    assert not missing or set(missing) <= {"audio_bitrate", "audio_noise", "audio_reverb"}  # audio checks: issue 3
    for check in report["checks"]:
        assert CHECK_FIELDS <= set(check)
        assert check["status"] in ("pass", "warn", "fail", "skip")
        if check["status"] == "skip":
            assert check["value"] is None and check["message"]
    assert digest(generated["talking"]) == before, "inputs are never modified"
    assert result.stderr == ""


@pytest.mark.slow
def test_text_report_and_output_file(cli, generated, tmp_path):
    out = tmp_path / "report.txt"
    result = cli("check", str(generated["portrait"]), "-o", str(out))
    assert result.returncode == 0 and result.stdout == ""
    text = out.read_text()
    assert "image_resolution" in text and "verdict:" in text.splitlines()[-1]
    assert not list(tmp_path.glob(".*.part")), "no temporary file left behind"


@pytest.mark.slow
def test_still_without_face_exits_1(cli, tmp_path):
    blank = media_truth.write_png(tmp_path / "wall.png", np.full((600, 600, 3), 90, np.uint8))
    result = cli("check", str(blank), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["verdict"] == "fail"


def one_line_error(result, name: str, words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file(cli, tmp_path):
    one_line_error(cli("check", str(tmp_path / "nope.mp4")), "nope.mp4", "not found")


def test_empty_file(cli, tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    one_line_error(cli("check", str(tmp_path / "empty.mp4")), "empty.mp4", "empty")


def test_text_file_named_mp4(cli, tmp_path):
    (tmp_path / "notes.mp4").write_text("this is not a video\n" * 50)
    one_line_error(cli("check", str(tmp_path / "notes.mp4")), "notes.mp4", "not a readable media file")


def test_unsupported_extension(cli, tmp_path):
    (tmp_path / "clip.flv").write_bytes(b"FLV\x01" + bytes(100))
    one_line_error(cli("check", str(tmp_path / "clip.flv")), "clip.flv", "unsupported file type")


def test_image_named_as_video(cli, generated, tmp_path):
    shutil.copy(generated["portrait"], tmp_path / "still.mp4")
    one_line_error(cli("check", str(tmp_path / "still.mp4")), "still.mp4", "holds a still image")


@pytest.mark.slow
def test_truncated_video(cli, generated, tmp_path):
    data = generated["talking"].read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    result = cli("check", str(tmp_path / "cut.mp4"))
    assert result.returncode == 2 and "cut.mp4" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_truncated_faststart_video(cli, generated, tmp_path):
    faststart = tmp_path / "fast.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(generated["talking"]), "-c", "copy", "-movflags", "+faststart",
                    str(faststart)], check=True)
    data = faststart.read_bytes()
    (tmp_path / "fastcut.mp4").write_bytes(data[: len(data) // 2])
    one_line_error(cli("check", str(tmp_path / "fastcut.mp4")), "fastcut.mp4", "truncated")


def test_video_without_audio_and_no_audio_option(cli, tmp_path):
    silent = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=gray:s=64x64:d=1", "-pix_fmt", "yuv420p",
                    str(silent)], check=True)
    one_line_error(cli("check", str(silent)), "silent.mp4", "no audio track")


def test_audio_option_without_sound(cli, generated, tmp_path):
    one_line_error(cli("check", str(generated["portrait"]), "--audio", str(generated["portrait"])), "portrait.png",
                   "not accepted")


def test_huge_image(cli, tmp_path):
    huge = tmp_path / "huge.png"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=gray:s=12000x9000", "-frames:v", "1",
                    str(huge)], check=True)
    one_line_error(cli("check", str(huge)), "huge.png", "image too large")


def test_missing_ffmpeg_is_named(cli, generated, tmp_path):
    result = cli("check", str(generated["portrait"]), env={"PATH": str(tmp_path)})
    one_line_error(result, "ffprobe", "not found on PATH")


def test_unknown_format_is_a_usage_error(cli, generated):
    assert cli("check", str(generated["portrait"]), "--format", "yaml").returncode == 2
