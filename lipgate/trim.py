"""`lipgate trim` as a library call: find the speech, keep a margin, cut every file at the same instants."""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from lipgate.edit import OutputSet, cut
from lipgate.errors import InputError
from lipgate.media import AudioDecoder, probe
from lipgate.speech import speech_span_of_blocks

DEFAULT_MARGIN_S = 0.2


@dataclass
class TrimResult:
    start: float
    end: float
    outputs: dict[str, str | None]

    def to_dict(self) -> dict:
        return {"schema": "lipgate/trim/v1", "start": round(self.start, 3), "end": round(self.end, 3),
                "outputs": dict(self.outputs)}


def default_audio_out(out_path: Path, audio_path: Path) -> Path:
    """OUT's name with ``.audio`` and AUDIO's extension: out.mp4 + a.wav -> out.audio.wav."""
    return out_path.with_name(f"{out_path.stem}.audio{audio_path.suffix}")


def cut_points(speech: tuple[float, float], margin_s: float, duration_s: float, fps: float | None) -> tuple[float, float]:
    """The speech span widened by ``margin_s`` and clamped to the file; with a picture, moved out
    to its frame grid so that the cut falls between two frames (picture and sound cut at once)."""
    start, end = max(0.0, speech[0] - margin_s), min(duration_s, speech[1] + margin_s)
    if fps:
        start = math.floor(start * fps + 1e-6) / fps
        end = min(duration_s, math.ceil(end * fps - 1e-6) / fps)
    return start, end


def trim(input_path: str | Path, out_path: str | Path, audio_path: str | Path | None = None,
         audio_out: str | Path | None = None, margin_s: float = DEFAULT_MARGIN_S) -> TrimResult:
    input_path, out_path = Path(input_path), Path(out_path)
    source = probe(input_path, expect={"video", "image", "audio"})
    audio = probe(audio_path, expect={"audio", "video"}) if audio_path is not None else None
    if audio is not None and audio.audio is None:
        raise InputError(audio_path, "has no audio stream")
    speech_source = audio or (source if source.audio is not None else None)
    if speech_source is None:
        raise InputError(input_path, "has no sound to find the speech in (give the speech with --audio)")
    if source.kind == "image" and audio is None:
        raise InputError(input_path, "a still has no sound: give the speech with --audio")
    decoder = AudioDecoder(speech_source)  # streamed: memory does not grow with the speech's length
    span, n_samples = speech_span_of_blocks((block.samples for block in decoder), decoder.sr)
    if span is None:
        raise InputError(speech_source.path, "no speech found: nothing to trim to")
    fps = source.video.fps if source.kind == "video" else None
    duration = n_samples / decoder.sr
    start, end = cut_points(span, margin_s, duration, fps)

    outputs = {"video": None, "image": None, "audio": None}
    with OutputSet(inputs=[p for p in (input_path, audio_path) if p is not None]) as files:
        if source.kind == "video":
            cut(source, files.add(out_path), start, end, with_video=True)
            outputs["video"] = str(out_path)
        elif source.kind == "image":
            shutil.copyfile(source.path, files.add(out_path))
            outputs["image"] = str(out_path)
        else:
            cut(source, files.add(out_path), start, end, with_video=False)
            outputs["audio"] = str(out_path)
        if audio is not None:
            target = Path(audio_out) if audio_out else default_audio_out(out_path, Path(audio_path))
            cut(audio, files.add(target), start, end, with_video=False)
            outputs["audio"] = str(target)
    return TrimResult(start, end, outputs)
