"""`lipgate check` as a library call: probe, measure in one pass, judge every check."""

from __future__ import annotations

from pathlib import Path

from lipgate.cache import code_fingerprint
from lipgate.config import Config
from lipgate.errors import InputError
from lipgate.media import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, MediaInfo, probe
from lipgate.measurements import Measurements
from lipgate.results import CheckReport
from lipgate.preflight.checks import CHECKS

SERIES_FOR_REPORTS = ("face_t", "yaw_deg", "face_found", "count_t", "face_count", "light_t", "light_face", "light_perioral",
                      "level_t", "level_db", "noise_floor_db")


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
    """Everything the checks need, measured from the media in one decode of each file.

    The audio is decoded and analysed in a second thread while the picture streams through the
    face tracker (ffmpeg, numpy and MediaPipe release the GIL), so a check takes about the longer
    of the two instead of their sum."""
    from concurrent.futures import ThreadPoolExecutor

    from lipgate.media import FastScalerMissing
    from lipgate.preflight.measure import measure_visual, picture_decoder  # imported only when measuring (not on a cache hit)

    pictures = sound = None
    if source.kind == "video" and audio is source:  # one ffmpeg decodes both (VideoDecoder.with_sound)
        pictures = picture_decoder(source)
        sound = pictures.with_sound(mono=False)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-audio") as pool:
            audio_measured = pool.submit(_measure_audio, audio, sound)
            measured = measure_visual(source, progress=progress, decoder=pictures)
            measured.update(audio_measured.result())
    except FastScalerMissing:  # this ffmpeg has no zimg: every later decode uses swscale
        return measure(source, audio, progress)
    measured.values["source_file_bytes"] = source.size_bytes
    return measured


def _measure_audio(audio: MediaInfo | None, decoder=None) -> Measurements:
    """The audio measurements (from ``decoder`` when the picture's ffmpeg decodes the sound),
    imported in the audio thread so that their imports overlap the picture decode."""
    from lipgate.preflight.analyzers.audio import measure_audio

    return measure_audio(audio, decoder=decoder)


def judge(measured: Measurements, inputs: dict, config: Config | None = None) -> CheckReport:
    """Judge measurements with every registered check under the configuration's thresholds."""
    config = config or Config()
    source_path = inputs.get("video") or inputs.get("image")
    results = []
    for check_id, check in CHECKS.items():
        level = config.level(check_id)
        ignored_by = config.ignored(check_id, source_path)
        if level == "off":
            results.append(check.skip(f"turned off ({config.level_source(check_id)})"))
            continue
        if ignored_by is not None:
            results.append(check.skip(f"ignored for this input (pattern '{ignored_by}' in {config.source})"))
            continue
        result = check.judge(measured, check.limits(config.thresholds(check_id), config.sources(check_id)))
        if level == "warning" and result.status == "fail":
            result.status = "warn"
        results.append(result)
    series = {name: measured.series[name] for name in SERIES_FOR_REPORTS if name in measured.series}
    return CheckReport(inputs=inputs, checks=results, series=series)


def run_check(input_path: str | Path, audio_path: str | Path | None = None, config: Config | None = None,
              progress=None) -> CheckReport:
    options = {"audio": str(audio_path) if audio_path is not None else None}
    return judge_input(str(input_path), options, measure_input(str(input_path), options, progress), config)


# The batch interface (lipgate.batch): measure one input (cacheable), then judge it.
COMMAND = "check"
INPUT_EXTENSIONS = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS
"""The files a folder contributes to a batch (by extension)."""
MEASURING_MODULES = ("lipgate.preflight.measure", "lipgate.preflight.analyzers", "lipgate.face", "lipgate.framing", "lipgate.media", "lipgate.ffprobe", "lipgate.speech",
                     "lipgate.dsp", "lipgate.timeline", __name__)
MEASUREMENT_SETTINGS = f"check-measure/1 code={code_fingerprint(*MEASURING_MODULES)}"
"""Everything besides the files' content that changes what ``measure_input`` returns (the cache
key): the measuring code itself, analysis sizes and rates included (they are constants in it)."""


def input_files(input_path: str, options: dict) -> list[str]:
    """The files whose content the measurements depend on."""
    return [input_path] + ([options["audio"]] if options.get("audio") else [])


def measure_input(input_path: str, options: dict, progress=None) -> Measurements:
    source, audio = resolve_inputs(input_path, options.get("audio"))
    measured = measure(source, audio, progress=progress)
    measured.values["audio_from_source"] = audio is source
    return measured


def judge_input(input_path: str, options: dict, measured: Measurements, config: Config | None = None) -> CheckReport:
    kind = measured.get("kind")
    audio = options.get("audio") or (input_path if measured.get("audio_from_source") else None)
    inputs = {
        "video": str(input_path) if kind == "video" else None,
        "image": str(input_path) if kind == "image" else None,
        "audio": str(audio) if audio is not None else None,
    }
    return judge(measured, inputs, config)
