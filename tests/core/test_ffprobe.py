"""A probe started early (lipgate.ffprobe) is what ``probe`` uses, and only for the same file."""

from __future__ import annotations

import shutil

from lipgate import ffprobe
from lipgate.media import probe


def test_probe_collects_the_run_started_early(generated, tmp_path):
    clip = shutil.copy(generated["talking"], tmp_path / "clip.mp4")
    expected = probe(clip)
    ffprobe.start(clip)
    assert len(ffprobe._started) == 1
    assert probe(clip) == expected
    assert not ffprobe._started


def test_a_file_changed_after_the_early_start_is_probed_again(generated, tmp_path):
    clip = shutil.copy(generated["talking"], tmp_path / "clip.wav")
    ffprobe.start(clip)
    shutil.copy(generated["speech"], clip)  # another file under the same name
    info = probe(clip)
    assert info.video is None and info.audio is not None
    ffprobe._stop_unused()
    assert not ffprobe._started


def test_nothing_starts_for_a_folder_or_a_missing_file(tmp_path):
    ffprobe.start(tmp_path)
    ffprobe.start(tmp_path / "missing.mp4")
    assert not ffprobe._started
