"""Configuration (unknown keys name the key, levels, ignore patterns, provenance) and profiles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lipgate.api import load_config
from lipgate.errors import UsageError
from lipgate.measurements import Measurements
from lipgate.preflight.checks import CHECKS
from lipgate.preflight.runner import judge
from tests.conftest import run_cli


def write(tmp_path, text: str, name: str = "lipgate.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, key", [
    ("colour = 1\n", "'colour'"),
    ("[checks.face_yaww]\nfail_above = 1\n", "'checks.face_yaww'"),
    ("[checks.face_yaw]\nfail_abov = 1\n", "'checks.face_yaw.fail_abov'"),
])
def test_unknown_keys_are_errors_that_name_the_key(tmp_path, text, key):
    with pytest.raises(UsageError, match=key):
        load_config(write(tmp_path, text))


def test_cli_reports_a_bad_configuration_in_one_line(tmp_path):
    done = run_cli("config", "--config", str(write(tmp_path, "[checks.face_yaw]\nlevel = 'loud'\n")))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "checks.face_yaw.level must be one of error, warning, off" in done.stderr


def test_pyproject_table_is_found_upward(tmp_path):
    write(tmp_path, "[tool.lipgate.checks.face_yaw]\nfail_above = 30\n", "pyproject.toml")
    (tmp_path / "sub").mkdir()
    config = load_config(start=tmp_path / "sub")
    assert config.thresholds("face_yaw") == {"fail_above": 30.0}


def yaw_measurements(yaw_deg: float) -> Measurements:
    return Measurements(values={"kind": "image", "image_width": 600, "image_height": 600, "source_file_bytes": 30_000_000},
                        series={"face_t": np.array([0.0]), "yaw_deg": np.array([yaw_deg])})


def test_levels_warning_and_off_and_ignore(tmp_path):
    measured = yaw_measurements(50.0)
    inputs = {"video": None, "image": "shots/intro_1.png", "audio": None}
    assert judge(measured, inputs).check("face_yaw").status == "fail"
    warning = load_config(write(tmp_path, "[checks.face_yaw]\nlevel = 'warning'\n"))
    assert judge(measured, inputs, warning).check("face_yaw").status == "warn"
    off = load_config(write(tmp_path, "[checks.face_yaw]\nlevel = 'off'\n"))
    result = judge(measured, inputs, off).check("face_yaw")
    assert result.status == "skip" and result.value is None and "turned off" in result.message
    ignored = load_config(write(tmp_path, "[checks.face_yaw]\nignore = ['intro_*']\n"))
    assert judge(measured, inputs, ignored).check("face_yaw").status == "skip"
    assert judge(measured, {**inputs, "image": "shots/main.png"}, ignored).check("face_yaw").status == "fail"


def test_profile_checks_skip_without_a_profile_and_judge_with_one(tmp_path):
    measured = yaw_measurements(10.0)
    inputs = {"video": None, "image": "a.png", "audio": None}
    plain = judge(measured, inputs)
    for check_id in ("upload_size", "clip_duration", "video_resolution", "frame_rate"):
        assert plain.check(check_id).status == "skip" and plain.check(check_id).value is None
    syncso = judge(measured, inputs, load_config(write(tmp_path, ""), profile="syncso"))
    size = syncso.check("upload_size")
    assert (size.status, size.value, size.threshold) == ("fail", 30.0, 20.0)
    assert "sync.so" in size.source
    assert syncso.check("video_resolution").status == "pass"


def test_file_overrides_profile_and_says_so(tmp_path):
    config = load_config(write(tmp_path, "profile = 'syncso'\n[checks.upload_size]\nfail_above = 50\n"))
    result = judge(yaw_measurements(10.0), {"video": None, "image": "a.png", "audio": None}, config).check("upload_size")
    assert (result.status, result.threshold) == ("pass", 50.0)
    assert result.source.startswith("configuration ")


def test_unknown_profile_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown profile 'heygen'"):
        load_config(write(tmp_path, "profile = 'heygen'\n"))


def test_lipgate_config_prints_every_value_with_its_origin(tmp_path):
    path = write(tmp_path, "profile = 'nemo'\n[checks.face_yaw]\nfail_above = 40\nlevel = 'warning'\n")
    done = run_cli("config", "--config", str(path), "--format", "json", "--profile", "wav2lip")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    rows = {(row["check"], row["key"]): row for row in data["settings"]}
    assert data["profile"] == "wav2lip"
    assert rows[("face_yaw", "fail_above")]["value"] == 40 and rows[("face_yaw", "fail_above")]["origin"] == f"configuration {path}"
    assert rows[("face_yaw", "level")]["origin"] == f"configuration {path}"
    assert rows[("frame_rate", "expected_fps")]["origin"].startswith("profile wav2lip: https://github.com/Rudrabha/Wav2Lip")
    assert rows[("frame_rate", "level")] == {"check": "frame_rate", "key": "level", "value": "warning", "origin": "profile wav2lip"}
    warn_above = rows[("face_yaw", "warn_above")]
    assert warn_above["value"] == CHECKS["face_yaw"].thresholds["warn_above"].value
    assert warn_above["origin"] == "default: " + CHECKS["face_yaw"].thresholds["warn_above"].source
    text = run_cli("config", "--config", str(path)).stdout
    assert f"face_yaw.fail_above = 40 deg   # configuration {path}" in text
