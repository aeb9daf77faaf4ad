"""`lipgate check` as a library call: probe, measure in one pass, judge every check."""

from __future__ import annotations

from pathlib import Path

from lipgate.config import Config
from lipgate.errors import InputError
from lipgate.media import MediaInfo, probe
from lipgate.measurements import Measurements
from lipgate.results import CheckReport
from preflight.checks import CHECKS
from preflight.measure import measure_audio_streams, measure_visual

SERIES_FOR_REPORTS = ("face_t", "yaw_deg", "face_count", "light_t", "light_face", "light_perioral")


def resolve_inputs(input_path: str | Path, audio_path: str | Path | None) -> tuple[MediaInfo, MediaInfo | None]:
    """Probe the source and the audio under test (the --audio file, else the video's own track)."""
    source = probe(input_path, expect={"video", "image"})
    if audio_path is not None:
        audio = probe(audio_path, expect={"audio", "video"})
        if audio.audio is None:
            raise InputError(audio_path, "has no audio stream")
        return source, audio
    if source.kind == "video" and source.audio is None:
        raise InputError(input_path, "video has no audio track and no --audio was given: nothing to sync the lips to")
    return source, source if source.audio is not None else None


def measure(source: MediaInfo, audio: MediaInfo | None, progress=None) -> Measurements:
    """Everything the checks need, measured from the media in one decode of each file."""
    measured = measure_visual(source, progress=progress)
    measured.update(measure_audio_streams(audio))
    return measured


def judge(measured: Measurements, inputs: dict, config: Config | None = None) -> CheckReport:
    """Judge measurements with every registered check under the configuration's thresholds."""
    config = config or Config()
    results = []
    for check_id, check in CHECKS.items():
        if config.level(check_id) == "off":
            continue
        result = check.judge(measured, check.limits(config.thresholds(check_id)))
        if config.level(check_id) == "warning" and result.status == "fail":
            result.status = "warn"
        results.append(result)
    series = {name: measured.series[name] for name in SERIES_FOR_REPORTS if name in measured.series}
    return CheckReport(inputs=inputs, checks=results, series=series)


def run_check(input_path: str | Path, audio_path: str | Path | None = None, config: Config | None = None,
              progress=None) -> CheckReport:
    source, audio = resolve_inputs(input_path, audio_path)
    inputs = {
        "video": str(input_path) if source.kind == "video" else None,
        "image": str(input_path) if source.kind == "image" else None,
        "audio": str(audio.path) if audio is not None else None,
    }
    return judge(measure(source, audio, progress=progress), inputs, config)
