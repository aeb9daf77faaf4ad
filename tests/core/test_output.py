"""Outputs appear whole or not at all, and devices stay devices."""

from __future__ import annotations

import os
import stat

import pytest

from lipgate.output import write_atomic


def test_writes_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "report.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_failed_write_leaves_previous_content(tmp_path, monkeypatch):
    target = tmp_path / "report.txt"
    target.write_text("old")

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_mode_is_applied(tmp_path):
    target = tmp_path / "token"
    write_atomic(target, "secret", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_device_is_written_in_place_not_replaced():
    write_atomic("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
