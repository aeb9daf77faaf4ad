"""The wheel as a user gets it: built from this checkout, installed into a fresh virtual
environment with its declared dependencies, and run from a folder outside the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("wheel")
    # built from a copy of the tracked files: nothing left over in the checkout (build/, caches) gets in
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (work / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, work / "src" / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(work / "src")],
                   check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = (work / "dist").glob("lipgate-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=1200)
    return {"wheel": wheel, "bin": venv / "bin", "outside": tmp_path_factory.mktemp("elsewhere")}


def run_installed(installed: dict, *args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(installed["bin"] / args[0]), *args[1:]], capture_output=True, text=True,
                          cwd=installed["outside"], env=environment, timeout=600)


def test_the_wheel_holds_the_lipgate_package_alone_with_its_data(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"lipgate"}
    for layer in ("preflight", "qa", "qa/checks", "cli", "submit", "formats"):
        assert f"lipgate/{layer}/__init__.py" in names
    assert "lipgate/data/face_reference_468.npy" in names


def test_installed_lipgate_checks_and_qas_a_fixture_outside_the_source_tree(installed, generated):
    still = shutil.copy(generated["portrait"], installed["outside"] / "portrait.png")
    clip = shutil.copy(generated["talking"], installed["outside"] / "talking.mp4")
    checked = run_installed(installed, "lipgate", "check", str(still), "--format", "json", "--no-cache")
    assert checked.returncode in (0, 1), checked.stderr
    assert json.loads(checked.stdout)["schema"] == "lipgate/check/v1"
    judged = run_installed(installed, "lipgate", "qa", str(clip), "--format", "json", "--no-cache")
    assert judged.returncode in (0, 1), judged.stderr
    assert json.loads(judged.stdout)["schema"] == "lipgate/qa/v1"
    assert judged.stderr == "" and checked.stderr == ""  # lipgate's output alone, no library log lines


def test_installed_library_api_returns_the_report_objects(installed, generated):
    still = shutil.copy(generated["portrait"], installed["outside"] / "still.png")
    code = ("import lipgate, json; r = lipgate.check('still.png'); "
            "print(json.dumps({'verdict': r.verdict, 'schema': r.to_dict()['schema'], 'file': lipgate.__file__}))")
    done = run_installed(installed, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # MediaPipe's native log lines are silenced in library use too
    answer = json.loads(done.stdout)
    assert answer["schema"] == "lipgate/check/v1" and answer["verdict"] in ("pass", "warn", "fail")
    assert str(ROOT) not in answer["file"]  # the installed copy, not this checkout
    assert Path(still).exists()
