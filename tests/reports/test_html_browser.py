"""The HTML check report in a real headless browser (Debian's chromium): it renders, it shows the
verdict and every check, its timeline (yaw, light, level) shades the failing ranges with a
thumbnail each, a range's button seeks the video, and it loads nothing from the network."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.reports.chromium import Browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")]
SCREENSHOT = Path(tempfile.gettempdir()) / "lipgate-html-report.png"
"""Kept after the run so a person can look at it."""


def headless(*args: str, profile_dir: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile_dir}", "--window-size=1100,1800", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def html_report(generated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    config = folder / "lipgate.toml"
    config.write_text("[checks.face_yaw]\nfail_above = 0.5\n")  # the fixture's ~1 deg of yaw fails: flagged moments
    out = folder / "report.html"
    done = run_cli("check", str(generated["talking"]), "--config", str(config), "--format", "html", "-o", str(out),
                   env={"XDG_CACHE_HOME": str(folder / "cache")})
    assert done.returncode == 1, done.stderr
    return out


def test_html_is_self_contained(html_report):
    page = html_report.read_text()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page
    timeline = re.search(r'<svg id="check-timeline".*?</svg>', page, re.S).group(0)
    assert re.findall(r'<text class="label"[^>]*>([^<]+)<', timeline) == [
        "head yaw (deg)", "light on the face (relative luminance)", "audio level (dB)"]
    ranges = re.findall(r'<rect class="span flagged" data-moment="(\d+)"', timeline)
    assert ranges, "the failing yaw ranges are shaded"
    thumbnails = re.findall(r'<figure><img alt="face at [^"]+" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)">', page)
    assert len(thumbnails) == min(len(ranges), 8)  # one per range (at most 8)
    for data in thumbnails:
        assert len(base64.b64decode(data)) > 500


def test_html_renders_in_chromium_with_verdict_and_every_check(html_report, tmp_path):
    from lipgate.preflight.checks import CHECKS

    dom = headless("--dump-dom", html_report.as_uri(), profile_dir=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert re.search(r'id="verdict"[^>]*>verdict: FAIL<', dom.stdout)
    shown = re.findall(r'<tr class="check" data-id="([^"]+)"', dom.stdout)
    assert shown == list(CHECKS)
    SCREENSHOT.unlink(missing_ok=True)
    shot = headless(f"--screenshot={SCREENSHOT}", html_report.as_uri(), profile_dir=tmp_path / "profile-shot")
    assert shot.returncode == 0, shot.stderr[-500:]
    assert SCREENSHOT.stat().st_size > 20_000  # a rendered page with plots, not a blank one


def test_a_failing_range_seeks_the_video(html_report, tmp_path):
    with Browser(tmp_path / "profile-seek") as browser:
        browser.open(html_report.as_uri())
        seen = browser.evaluate("""(async () => {
          const video = document.getElementById("video");
          if (video.readyState < 1) { await new Promise((done) => video.addEventListener("loadedmetadata", done)); }
          const button = document.querySelector(".ranges button.moment");
          button.click();
          return [video.currentTime, +button.dataset.start, video.paused];
        })()""")
        assert abs(seen[0] - seen[1]) <= 0.5 and not seen[2]
        assert browser.errors == []
