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
from lipgate.qa.syncmodel import model_fingerprint


def run_qa(path: str | Path, config: Config | None = None, progress=None, source: str | Path | None = None,
           audio: str | Path | None = None) -> QaReport:
    """QA of a render; with ``source`` (and ``audio``, the target speech) also what the service did."""
    if source is None:
        if audio is not None:
            from lipgate.errors import UsageError

            raise UsageError("--audio (the target speech) needs --source (the uploaded source)")
        return judge_qa(measure_qa(path, progress=progress), path, config)
    options = {"pairs": {str(path): (str(source), None if audio is None else str(audio))}}
    return judge_input(str(path), options, measure_input(str(path), options, progress), config, unjudged_ok=True)


def source_pair(input_path: str, options: dict) -> tuple[str, str | None] | None:
    """The (source, target speech) a render is compared with (``options["pairs"]``: render -> pair), or None."""
    return (options.get("pairs") or {}).get(input_path)


# The batch interface (lipgate.batch): measure one input (cacheable), then judge it.
COMMAND = "qa"
INPUT_EXTENSIONS = VIDEO_EXTENSIONS
"""The files a folder contributes to a batch (by extension)."""
MEASURING_MODULES = ("lipgate.qa.measure", "lipgate.qa.compare", "lipgate.qa.features", "lipgate.qa.sync", "lipgate.qa.local", "lipgate.qa.shots",
                     "lipgate.qa.syllables", "lipgate.qa.evidence", "lipgate.qa.syncmodel", "lipgate.face", "lipgate.framing",
                     "lipgate.media", "lipgate.ffprobe", "lipgate.speech", "lipgate.dsp", "lipgate.timeline", "lipgate.spill")
MEASUREMENT_SETTINGS = f"qa-measure/1 code={code_fingerprint(*MEASURING_MODULES)} model={model_fingerprint()}"
"""Everything besides the file's content that changes what ``measure_input`` returns (the cache key)."""


def input_files(input_path: str, options: dict) -> list[str]:
    """The files whose content the measurements depend on: the render, and its source and
    target speech when it is compared with them."""
    pair = source_pair(input_path, options)
    return [input_path] if pair is None else [input_path, *(path for path in pair if path is not None)]


def measure_input(input_path: str, options: dict, progress=None) -> Measurements:
    pair = source_pair(input_path, options)
    if pair is not None:  # a missing or unreadable source or target fails before the render is decoded
        from lipgate.media import probe

        probe(pair[0], expect={"video", "image"})
        if pair[1] is not None:
            probe(pair[1], expect={"audio", "video"})
    measured = measure_qa(input_path, progress=progress)
    if pair is not None:
        from lipgate.qa.compare import measure_against_source

        measured.update(measure_against_source(input_path, *pair))
        measured.values["compared_with"] = list(pair)
    return measured


def judge_input(input_path: str, options: dict, measured: Measurements, config: Config | None = None,
                unjudged_ok: bool = False) -> QaReport:
    """The judged report; ``UnjudgeableInput`` (exit 2, a batch's error entry) when sync could
    not be measured at all and no check of ``--source`` failed: the contract's verdict is pass
    or fail, and neither would be true (``unjudged_ok``: return the report all the same)."""
    report = judge_qa(measured, input_path, config)
    pair = source_pair(input_path, options)
    if pair is not None:
        from lipgate.qa.checks import judge_source

        source_path, audio_path = pair
        kind = "image" if measured.get("source_kind") == "image" else "video"
        report.source = {kind: source_path, "audio": audio_path}
        report.checks = judge_source(measured, config)
        report.series["source_t"] = source_times(measured)
    if report.unjudged_reason and not unjudged_ok:
        raise UnjudgeableInput(input_path, report.unjudged_reason)
    return report


def source_times(measured: Measurements):
    """The source time (s) of each render frame, aligned with ``series["frame_t"]`` (NaN where none)."""
    import numpy as np

    source_t = np.asarray(measured.series.get("source_t", np.zeros(0)), float)
    count = len(measured.series.get("frame_t", source_t))
    return np.concatenate([source_t[:count], np.full(max(0, count - len(source_t)), np.nan)])
