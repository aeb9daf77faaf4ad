"""`lipgate fit`: make the target speech and the picture the same length, then measure the result.

Modes (what ``duration_mismatch`` suggests):
- ``stretch``: change the audio's tempo by N % without changing its pitch (ffmpeg ``atempo``,
  a WSOLA-style time stretch); only for |N| <= 10 %, where speech still sounds natural.
- ``trim``: cut the longer one to the shorter one's length.
- ``pad``: lengthen the shorter one: silence after the audio (``apad``) or the picture's last
  frame held (``tpad``).
OUT is an audio file (the fitted speech alone) or a video (the picture with the fitted speech as
its sound track); a fix that changes the picture needs a video OUT.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lipgate.edit import OutputSet, audio_codec_args, run_ffmpeg, video_codec_args
from lipgate.errors import UsageError
from lipgate.media import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS, probe

MAX_STRETCH_PERCENT = 10.0
"""Largest tempo change offered as the fix: speech stretched by up to about 10% keeps sounding
natural with a pitch-preserving time stretch (ffmpeg atempo)."""

MODES = ("stretch", "trim", "pad")
PASS_WITHIN_FRAMES = 2.0
"""The output passes when audio and picture agree within two frame periods (as duration_mismatch)."""


@dataclass
class FitResult:
    mode: str
    before_s: float
    after_s: float
    stretch_percent: float | None
    output: str
    fps: float

    @property
    def ok(self) -> bool:
        return abs(self.after_s) * self.fps <= PASS_WITHIN_FRAMES

    def to_dict(self) -> dict:
        return {"schema": "lipgate/fit/v1", "mode": self.mode, "before_s": round(self.before_s, 4),
                "after_s": round(self.after_s, 4),
                "stretch_percent": None if self.stretch_percent is None else round(self.stretch_percent, 3),
                "output": self.output, "pass": self.ok}


def _duration_s(info, stream: str) -> float:
    value = getattr(info, stream).duration_s if getattr(info, stream) is not None else None
    if value is None:
        raise UsageError(f"{info.path}: its {stream} stream declares no duration")
    return value


def fit(video_path: str | Path, audio_path: str | Path, mode: str, out_path: str | Path) -> FitResult:
    if mode not in MODES:
        raise UsageError(f"unknown mode '{mode}' (use {', '.join(MODES)})")
    video = probe(video_path, expect={"video"})
    audio = probe(audio_path, expect={"audio", "video"})
    if audio.audio is None:
        raise UsageError(f"{audio_path}: has no audio stream")
    out_path = Path(out_path)
    out_is_video = out_path.suffix.lower() in VIDEO_EXTENSIONS
    if not out_is_video and out_path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise UsageError(f"{out_path}: OUT must be an audio file or a video")
    video_s, audio_s = _duration_s(video, "video"), _duration_s(audio, "audio")
    before = audio_s - video_s

    audio_filter, picture_filter, stretch_percent = None, None, None
    if mode == "stretch":
        stretch_percent = (video_s / audio_s - 1.0) * 100.0
        if abs(stretch_percent) > MAX_STRETCH_PERCENT:
            raise UsageError(f"the audio would need a {stretch_percent:+.1f}% stretch, past the {MAX_STRETCH_PERCENT:.0f}% that "
                             "keeps speech natural: use --mode trim or --mode pad")
        audio_filter = f"atempo={audio_s / video_s:.6f}"
    elif (mode == "trim") == (before > 0):  # trim a longer audio, or pad a shorter one
        audio_filter = f"atrim=end={video_s:.6f}" if mode == "trim" else f"apad=whole_dur={video_s:.6f}"
    else:  # the picture changes: cut it to the audio, or hold its last frame
        if not out_is_video:
            raise UsageError(f"--mode {mode} here changes the picture: give a video OUT (e.g. out.mp4)")
        if mode == "pad":
            picture_filter = f"tpad=stop_mode=clone:stop_duration={before:.6f}"

    with OutputSet(inputs=[Path(video_path), Path(audio_path)]) as files:
        temporary = files.add(out_path)
        if out_is_video:
            arguments = ["-i", str(video.path), "-i", str(audio.path), "-map", "0:v:0", "-map", "1:a:0", "-sn", "-dn"]
            codecs = video_codec_args(out_path)
            if picture_filter is None:
                codecs = ["-c:v", "copy", *codecs[codecs.index("-c:a"):]]
                arguments += ["-t", f"{min(video_s, audio_s) if mode == 'trim' else video_s:.6f}"]
            else:
                arguments += ["-vf", picture_filter]
            if audio_filter:
                arguments += ["-af", audio_filter]
            run_ffmpeg([*arguments, *codecs, str(temporary)], Path(video_path))
        else:
            arguments = ["-i", str(audio.path), "-map", "0:a:0", "-vn", "-af", audio_filter]
            run_ffmpeg([*arguments, *audio_codec_args(out_path, audio), str(temporary)], Path(audio_path))
        fitted = probe(temporary, expect={"audio", "video"})
        after = _duration_s(fitted, "audio") - (_duration_s(fitted, "video") if out_is_video else video_s)
    return FitResult(mode, before, after, stretch_percent, str(out_path), video.video.fps)
