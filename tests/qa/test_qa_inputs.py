"""Bad inputs: exit 2, one stderr line naming the file, inputs untouched."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("name, content", [
    ("missing.mp4", None),
    ("empty.mp4", b""),
    ("notes.mp4", b"this is a text file, not a video\n" * 20),
    ("clip.xyz", b"\x00" * 100),
])
def test_bad_input_exit_2(cli, tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = cli("qa", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr


@pytest.mark.slow
def test_truncated_video_exit_2(cli, generated, tmp_path):
    data = generated["talking"].read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 3])
    result = cli("qa", str(truncated))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "truncated.mp4" in result.stderr
    assert generated["talking"].read_bytes() == data


def test_render_without_a_face_could_not_be_judged(cli, generated, tmp_path):
    """No face, no lips to sync: exit 2 and one line, as the contract's "could not judge"
    (its qa verdict is pass or fail, and neither would be true); in a batch, an error entry."""
    import json

    import numpy as np

    from fixtures import synth

    faceless = synth.talking_portrait(tmp_path / "faceless.mp4", generated["speech"], duration_s=3.0,
                                      frame_filter=lambda i, t, rgb: np.full_like(rgb, 110))
    result = cli("qa", str(faceless), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "faceless.mp4" in lines[0] and "no face" in lines[0]

    batch = cli("qa", str(faceless), str(generated["talking"]), "--format", "json", "--jobs", "1")
    assert batch.returncode == 2
    reports = json.loads(batch.stdout)["reports"]
    assert reports[0]["input"] == str(faceless) and "no face" in reports[0]["error"]
    assert reports[1]["verdict"] == "pass"
