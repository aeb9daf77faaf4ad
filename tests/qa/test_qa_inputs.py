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
