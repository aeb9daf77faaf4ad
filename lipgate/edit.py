"""Cutting and re-timing media with ffmpeg into new files that appear whole or not at all.

Every output is first written under a temporary name in its own folder (keeping its extension,
so ffmpeg picks the right muxer), and renamed into place only when all outputs of the command
are complete (``OutputSet``). Inputs are only ever read.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from lipgate.errors import InputError, UsageError
from lipgate.media import MediaInfo, require_program

VIDEO_CODECS = {
    ".mp4": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k"],
    ".mov": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k"],
    ".mkv": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k"],
    ".webm": ["-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-c:a", "libopus", "-b:a", "128k"],
    ".avi": ["-c:v", "mpeg4", "-q:v", "2", "-c:a", "libmp3lame", "-b:a", "192k"],
}
"""Re-encoding settings per output container: CRF 18 H.264 is visually lossless for a re-cut."""

MIN_LOSSY_KBPS = 128


def audio_codec_args(out_path: Path, source: MediaInfo | None) -> list[str]:
    """Codec arguments for an audio file: the source's PCM format for WAV, else the source's
    bitrate (at least 128 kbps) so a re-cut does not lose more than it must."""
    suffix = out_path.suffix.lower()
    stream = source.audio if source is not None else None
    kbps = max(MIN_LOSSY_KBPS, int((stream.bit_rate or 0) / 1000) if stream else 0)
    if suffix == ".wav":
        codec = stream.codec if stream is not None and stream.codec.startswith("pcm_") else "pcm_s16le"
        return ["-c:a", codec]
    if suffix == ".mp3":
        return ["-c:a", "libmp3lame", "-b:a", f"{min(kbps, 320)}k"]
    if suffix in (".m4a", ".aac"):
        return ["-c:a", "aac", "-b:a", f"{kbps}k"]
    raise UsageError(f"{out_path}: unsupported audio output type '{suffix}' (use wav, mp3, m4a or aac)")


def video_codec_args(out_path: Path) -> list[str]:
    suffix = out_path.suffix.lower()
    if suffix not in VIDEO_CODECS:
        raise UsageError(f"{out_path}: unsupported video output type '{suffix}' (use {', '.join(s[1:] for s in VIDEO_CODECS)})")
    return VIDEO_CODECS[suffix]


def run_ffmpeg(arguments: list[str], blame: Path) -> None:
    """Run ffmpeg; a failure becomes an InputError naming ``blame``."""
    proc = subprocess.run([require_program("ffmpeg"), "-nostdin", "-v", "error", "-y", *arguments],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise InputError(blame, f"ffmpeg could not write the output ({lines[-1] if lines else 'no message'})")


class OutputSet:
    """Temporary names for a command's outputs, renamed into place together on success.

    >>> with OutputSet() as outputs:
    ...     temporary = outputs.add(Path("out.mp4"))   # write to ``temporary``
    """

    def __init__(self, inputs: list[Path] = ()):
        self.inputs = {Path(p).resolve() for p in inputs}
        self.pending: list[tuple[Path, Path]] = []

    def add(self, final: str | Path) -> Path:
        final = Path(final)
        if final.resolve() in self.inputs:
            raise UsageError(f"{final}: the output would overwrite an input; choose another name")
        if final.exists() and final.is_dir():
            raise UsageError(f"{final}: is a folder")
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{final.stem}.part-{secrets.token_hex(4)}{final.suffix}")
        self.pending.append((temporary, final))
        return temporary

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, kind, error, trace) -> None:
        complete = kind is None and all(t.exists() and t.stat().st_size > 0 for t, _ in self.pending)
        if complete:
            for temporary, final in self.pending:
                os.replace(temporary, final)
            return
        for temporary, _ in self.pending:
            temporary.unlink(missing_ok=True)
        if kind is None:
            raise UsageError("an output came out empty; nothing was written")


def cut(source: MediaInfo, out_path: Path, start_s: float, end_s: float, with_video: bool) -> None:
    """Write ``source`` from ``start_s`` to ``end_s`` (seconds of its timeline) to ``out_path``.

    Input seeking with re-encoding is exact in ffmpeg (it decodes from the previous keyframe and
    drops what comes before ``start_s``), so picture and sound are cut at the same instant."""
    arguments = ["-ss", f"{start_s:.6f}", "-i", str(source.path), "-t", f"{end_s - start_s:.6f}"]
    if with_video:
        arguments += ["-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", *video_codec_args(out_path)]
    else:
        arguments += ["-map", "0:a:0", "-vn", "-sn", "-dn", *audio_codec_args(out_path, source)]
    run_ffmpeg([*arguments, str(out_path)], source.path)
