"""``lipgate.qa`` is both the subpackage and the library's qa function (the contract's names)."""

from __future__ import annotations

import importlib

import pytest

import lipgate
from lipgate.errors import InputError


def test_qa_stays_callable_once_its_modules_are_loaded(tmp_path):
    importlib.import_module("lipgate.qa.runner")
    assert lipgate.qa is importlib.import_module("lipgate.qa")
    for _ in range(2):
        with pytest.raises(InputError, match="missing.mp4"):
            lipgate.qa(tmp_path / "missing.mp4")


def test_check_and_qa_from_the_package(tmp_path):
    with pytest.raises(InputError, match="missing.mp4"):
        lipgate.check(tmp_path / "missing.mp4")
    with pytest.raises(InputError, match="missing.mp4"):
        lipgate.qa(tmp_path / "missing.mp4")
