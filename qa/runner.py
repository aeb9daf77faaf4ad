"""`lipgate qa` as a library call and a batch command: ``measure_qa`` (``lipgate.qa.measure``,
cacheable ``Measurements``) and ``judge_qa`` (``lipgate.qa.judge``, thresholds only), composed by
``run_qa``."""

from __future__ import annotations

from pathlib import Path

from lipgate.cache import code_fingerprint
from lipgate.config import Config
from lipgate.errors import UnjudgeableInput
from lipgate.measurements import Measurements
from lipgate.media import VIDEO_EXTENSIONS
from lipgate.qa.judge import judge_qa
from lipgate.qa.measure import measure_qa
from lipgate.qa.report import QaReport


def run_qa(path: str | Path, config: Config | None = None, progress=None) -> QaReport:
    return judge_qa(measure_qa(path, progress=progress), path, config)


# The batch interface (lipgate.batch): measure one input (cacheable), then judge it.
COMMAND = "qa"
INPUT_EXTENSIONS = VIDEO_EXTENSIONS
"""The files a folder contributes to a batch (by extension)."""
MEASURING_MODULES = ("lipgate.qa.measure", "lipgate.qa.features", "lipgate.qa.sync", "lipgate.qa.shots",
                     "lipgate.qa.syllables", "lipgate.face", "lipgate.framing", "lipgate.media", "lipgate.ffprobe", "lipgate.speech", "lipgate.dsp", "lipgate.timeline")
MEASUREMENT_SETTINGS = f"qa-measure/1 code={code_fingerprint(*MEASURING_MODULES)}"
"""Everything besides the file's content that changes what ``measure_input`` returns (the cache key)."""


def input_files(input_path: str, options: dict) -> list[str]:
    """The files whose content the measurements depend on: the render alone."""
    return [input_path]


def measure_input(input_path: str, options: dict, progress=None) -> Measurements:
    return measure_qa(input_path, progress=progress)


def judge_input(input_path: str, options: dict, measured: Measurements, config: Config | None = None) -> QaReport:
    """The judged report; ``UnjudgeableInput`` (exit 2, a batch's error entry) when sync could
    not be measured at all: the contract's verdict is pass or fail, and neither would be true."""
    report = judge_qa(measured, input_path, config)
    if report.unjudged_reason:
        raise UnjudgeableInput(input_path, report.unjudged_reason)
    return report
