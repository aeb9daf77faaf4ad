"""Media layer: probe with ffprobe, decode once with ffmpeg, stream frames and audio.

Every decode is one ffmpeg process whose raw output is read in fixed-size chunks, so memory
does not grow with clip length. ffmpeg does the scaling to the analysis resolution and the
normalisation to a constant frame rate (frame ``i`` is at ``start_s + i / fps`` on the input's
timeline), so analyzers can assume uniform sampling.
"""

from __future__ import annotations

import json
import math
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from lipgate import ffprobe
from lipgate.errors import InputError, MissingProgramError

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".avi", ".webm", ".mkv"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
AUDIO_EXTENSIONS = frozenset({".mp3", ".wav", ".m4a", ".aac"})

# ffprobe format names that hold a single still picture.
_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "gif", "gif_pipe", "apng")

MAX_IMAGE_PIXELS = 100_000_000
"""Largest still we decode (100 MP): beyond any camera a lip-sync source comes from, and the
size where a decompression bomb would start to cost gigabytes."""


DECODER_THREADS: int | None = None
"""Threads each ffmpeg decode may use (None: ffmpeg's choice, every core). Batch workers that
already share the cores set 1 (``use_one_decoder_thread``), so that the decodes do not pay for
threads they cannot run."""


def use_one_decoder_thread() -> None:
    """Make every later decode in this process single-threaded (for parallel batch workers)."""
    global DECODER_THREADS
    DECODER_THREADS = 1


def _decoder_options() -> list[str]:
    """ffmpeg options (before ``-i``) that apply ``DECODER_THREADS``."""
    if DECODER_THREADS is None:
        return []
    return ["-threads", str(DECODER_THREADS), "-filter_threads", str(DECODER_THREADS)]


def require_program(name: str) -> str:
    """Return the path of an external program, or raise MissingProgramError."""
    found = shutil.which(name)
    if not found:
        raise MissingProgramError(name)
    return found


@dataclass(frozen=True)
class VideoStream:
    codec: str
    width: int
    height: int
    fps: float
    """Frame rate used for analysis (frames per second): the stream's nominal rate."""
    duration_s: float | None
    start_s: float
    frame_count: int | None
    bit_rate: int | None
    pixel_format: str | None = None
    """ffprobe's ``pix_fmt`` (e.g. 'yuv420p'), None when it does not say."""


@dataclass(frozen=True)
class AudioStream:
    codec: str
    sample_rate: int
    channels: int
    duration_s: float | None
    start_s: float
    bit_rate: int | None
    """Bits per second as the container or codec declares it (None when not declared)."""
    bits_per_sample: int | None
    """For PCM: bits per sample; None for compressed codecs."""


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    kind: str
    """'video', 'image' or 'audio': what the file really holds (checked against its name)."""
    format_name: str
    duration_s: float | None
    size_bytes: int
    video: VideoStream | None
    audio: AudioStream | None


def _as_float(value) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _tag_duration_s(tags: dict) -> float | None:
    """Duration from a Matroska-style ``DURATION`` tag ('HH:MM:SS.nnnnnnnnn'), in seconds."""
    for key, value in (tags or {}).items():
        if key.upper() == "DURATION" and isinstance(value, str) and value.count(":") == 2:
            hours, minutes, seconds = value.split(":")
            return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return None


def _stream_duration_s(stream: dict) -> float | None:
    return _as_float(stream.get("duration")) or _tag_duration_s(stream.get("tags", {}))


def _frame_rate(stream: dict) -> float:
    """The stream's nominal frame rate in fps: r_frame_rate unless it is implausible."""
    for key in ("r_frame_rate", "avg_frame_rate"):
        text = stream.get(key) or "0/0"
        try:
            rate = float(Fraction(text))
        except (ValueError, ZeroDivisionError):
            continue
        if 1.0 <= rate <= 240.0:
            return rate
    return 25.0


def _kind_from_extension(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in AUDIO_EXTENSIONS:
        return "audio"
    return None


def _run_ffprobe(path: Path) -> dict:
    returncode, stdout, stderr = ffprobe.run(require_program("ffprobe"), path, timeout_s=60)
    if returncode != 0:
        reason = (stderr.strip().splitlines() or ["unknown error"])[-1]
        reason = reason.replace(str(path), "").strip(": ")
        raise InputError(path, f"not a readable media file ({reason})")
    return json.loads(stdout or "{}")


def probe(path: str | Path, expect: set[str] | None = None) -> MediaInfo:
    """Probe a file with ffprobe and check that it holds what its name says.

    ``expect`` restricts the kinds accepted ('video', 'image', 'audio'). Raises InputError for a
    missing, empty, unreadable, mislabeled or unsupported file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a media file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "file is empty")
    declared = _kind_from_extension(path)
    if declared is None:
        supported = " ".join(sorted(e.lstrip(".") for e in VIDEO_EXTENSIONS | IMAGE_EXTENSIONS | AUDIO_EXTENSIONS))
        raise InputError(path, f"unsupported file type '{path.suffix or '(none)'}' (supported: {supported})")
    if expect is not None and declared not in expect:
        raise InputError(path, f"a {declared} file is not accepted here (expected {' or '.join(sorted(expect))})")

    data = _run_ffprobe(path)
    fmt = data.get("format", {})
    format_name = fmt.get("format_name", "")
    streams = data.get("streams", [])
    video_streams = [
        s for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    audio_streams = [s for s in streams if s.get("codec_type") == "audio"]
    is_still = any(name in format_name.split(",") for name in _IMAGE_FORMATS)

    video = None
    if video_streams:
        vs = video_streams[0]
        width, height = int(vs.get("width") or 0), int(vs.get("height") or 0)
        if width <= 0 or height <= 0:
            raise InputError(path, "video stream has no picture size (corrupt header)")
        nb_frames = vs.get("nb_frames")
        video = VideoStream(
            codec=vs.get("codec_name", "unknown"),
            width=width,
            height=height,
            fps=_frame_rate(vs),
            duration_s=None if is_still else (_stream_duration_s(vs) or _as_float(fmt.get("duration"))),
            start_s=_as_float(vs.get("start_time")) or 0.0,
            frame_count=int(nb_frames) if str(nb_frames or "").isdigit() else None,
            bit_rate=int(vs["bit_rate"]) if str(vs.get("bit_rate", "")).isdigit() else None,
            pixel_format=vs.get("pix_fmt"),
        )
    audio = None
    if audio_streams:
        aus = audio_streams[0]
        bits = int(aus.get("bits_per_sample") or 0) or int(aus.get("bits_per_raw_sample") or 0) or None
        bit_rate = aus.get("bit_rate") or (fmt.get("bit_rate") if declared == "audio" else None)
        audio = AudioStream(
            codec=aus.get("codec_name", "unknown"),
            sample_rate=int(aus.get("sample_rate") or 0),
            channels=int(aus.get("channels") or 0),
            duration_s=_stream_duration_s(aus) or (_as_float(fmt.get("duration")) if declared == "audio" else None),
            start_s=_as_float(aus.get("start_time")) or 0.0,
            bit_rate=int(bit_rate) if str(bit_rate or "").isdigit() else None,
            bits_per_sample=bits if aus.get("codec_name", "").startswith("pcm_") else None,
        )

    if is_still and video is not None:
        actual = "image"
    elif video is not None:
        actual = "video"
    elif audio is not None:
        actual = "audio"
    else:
        raise InputError(path, "holds no picture and no sound stream")

    # A video container may legitimately be read as audio (contract: --audio accepts a video).
    if declared != actual and not (declared == "video" and actual == "audio" and expect == {"audio", "video"}):
        raise InputError(path, f"named as {declared} but holds {'a still image' if actual == 'image' else actual} ({format_name})")
    if actual == "image" and video.width * video.height > MAX_IMAGE_PIXELS:
        raise InputError(
            path, f"image too large: {video.width}x{video.height} px (limit {MAX_IMAGE_PIXELS // 1_000_000} MP)"
        )
    return MediaInfo(
        path=path,
        kind=actual,
        format_name=format_name,
        duration_s=_as_float(fmt.get("duration")),
        size_bytes=size,
        video=video,
        audio=audio,
    )


def analysis_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Even-sized (width, height) that fits in ``max_side`` pixels, never upscaled."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


@dataclass
class Frame:
    index: int
    t: float
    """Presentation time in seconds on the input's timeline."""
    rgb: np.ndarray
    """Height x width x 3, uint8."""


class FastScalerMissing(Exception):
    """This ffmpeg lacks ``FAST_SCALER``; later decoders use swscale: decode again."""


FAST_SCALER = "zscale"
"""ffmpeg's zimg scaling filter, used when the build has it."""
_fast_scaler_works = True
"""False once this process's ffmpeg turned out to lack ``FAST_SCALER``."""


class VideoDecoder:
    """Iterate the frames of a video at a constant rate and an analysis size, one at a time.

    ffmpeg decodes, converts to ``fps`` and scales with a bilinear filter: when shrinking, it is
    widened to the scale factor, so every source pixel counts and a region's mean light is
    preserved (a 1-pixel checkerboard shrunk 3:1 comes out flat grey, 1.5 levels of spread
    against 14.5 with swscale's ``area`` and 72 with ``fast_bilinear``). 8-bit limited-range
    YUV 4:2:0 video, nearly all of it, is scaled by zimg (``zscale``, the same filter shape,
    sliced across the cores: 8% less CPU for a whole check of a 1080p clip than swscale's
    ``scale``); other pixel formats, and an ffmpeg built without zimg, use swscale. Video frames come through the pipe as YUV 4:2:0 (half the
    bytes of RGB) and are turned into RGB here by OpenCV (BT.601, within 0.06 levels of the exact
    conversion on average, where swscale's is 1.3-1.7 levels dark), 0.1 ms a frame at 640 x 360.

    A reader thread keeps up to ``READ_AHEAD_BYTES`` of RGB frames queued (bounded memory), so
    decoding runs ahead while the analyzers load their models and ``start()`` lets it begin
    before they are ready. After iteration, ``frames_read`` and ``expected_frames`` tell whether
    the file ended early.
    """

    READ_AHEAD_BYTES = 48 * 2**20
    """At most 48 MB of decoded frames wait in the queue: about 2.3 s of 30 fps video at
    640 x 360, enough for the decode to keep going through the analyzers' start-up."""

    def __init__(self, info: MediaInfo, max_side: int = 480, fps: float | None = None,
                 crop: tuple[int, int, int, int] | None = None, keyframes_only: bool = False):
        if info.video is None:
            raise InputError(info.path, "has no video stream")
        self.info = info
        self.fps = fps or info.video.fps
        self.crop = crop
        """(x, y, width, height) of the source window decoded, in source pixels (None: the whole frame).
        ffmpeg crops before it scales, so the cost follows the window, not the frame."""
        self.keyframes_only = keyframes_only
        """Decode only the key frames (``-skip_frame nokey``: a sparse, cheap look at a whole clip;
        frame times are then not on the constant-rate grid)."""
        window_w, window_h = (crop[2], crop[3]) if crop else (info.video.width, info.video.height)
        self.width, self.height = analysis_size(window_w, window_h, max_side)
        self.yuv = info.kind != "image"  # a still keeps its full colour resolution
        self.frame_bytes = self.width * self.height * 3 // (2 if self.yuv else 1)
        fast = self.yuv and info.video.pixel_format == "yuv420p" and _fast_scaler_works
        self.scaler = FAST_SCALER if fast else "scale"
        self.frames_read = 0
        duration = info.video.duration_s
        self.expected_frames = int(round(duration * self.fps)) if duration else None
        self._proc = None
        self._sound: AudioDecoder | None = None
        self._sound_stream = None
        self._starting = threading.Lock()

    def with_sound(self, sr: int | None = None, mono: bool = True, block_s: float = 1.0) -> "AudioDecoder":
        """An ``AudioDecoder`` of this file's sound, fed by this decoder's own ffmpeg (a second
        output, on a second pipe): one process and one demux instead of two. Each ffmpeg launch
        costs 0.1 s of CPU (Debian's build binds the symbols of 215 shared libraries at start);
        on a batch of 2 s clips this cut the CPU by a fifth. Iterate the two in two threads
        (ffmpeg writes them in step). Call before ``start()``; if the fast scaler turns out to be
        missing, iterating the pictures raises ``FastScalerMissing`` and the caller starts over."""
        if self._proc is not None:
            raise RuntimeError("with_sound() must come before start()")
        self._sound = AudioDecoder(self.info, sr=sr, mono=mono, block_s=block_s)
        self._sound._picture = self
        return self._sound

    def sound_stream(self):
        """The read end of the sound pipe (``with_sound``); starts ffmpeg if it was not (once:
        a short clip's pictures may all be read before the sound's reader asks)."""
        with self._starting:
            if self._sound_stream is None:
                self._launch()
        return self._sound_stream

    def _command(self) -> list[str]:
        if self.scaler == FAST_SCALER:
            scale = f"{FAST_SCALER}=w={self.width}:h={self.height}:filter=bilinear"
        else:
            scale = f"scale={self.width}:{self.height}:flags=bilinear"
        if self.crop:
            x, y, width, height = self.crop
            scale = f"crop={width}:{height}:{x}:{y},{scale}"
        if self.keyframes_only:
            picture = ["-vf", scale, "-fps_mode", "passthrough", "-pix_fmt", "yuv420p"]
        elif self.yuv:
            picture = ["-vf", f"fps={self.fps:.6f},{scale}", "-pix_fmt", "yuv420p"]
        else:
            picture = ["-vf", scale, "-frames:v", "1", "-pix_fmt", "rgb24"]
        sparse = ["-skip_frame", "nokey"] if self.keyframes_only else []
        return [require_program("ffmpeg"), "-nostdin", "-v", "error", *_decoder_options(), *sparse,
                "-i", str(self.info.path), "-map", "0:v:0", "-an", "-sn", "-dn", *picture, "-f", "rawvideo", "pipe:1"]

    @property
    def frame_height(self) -> float:
        """The source frame's whole height in this decoder's pixels (its own height unless it crops):
        what a face's height is a share of."""
        return self.height * self.info.video.height / self.crop[3] if self.crop else float(self.height)

    def to_source(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (x, y in the first two columns) of this decoder's frames, in pixels of
        the source frame (undoing the crop and the scaling)."""
        x0, y0, width, height = self.crop or (0, 0, self.info.video.width, self.info.video.height)
        mapped = np.array(points, dtype=np.float64, copy=True)
        mapped[..., 0] = x0 + mapped[..., 0] * (width / self.width)
        mapped[..., 1] = y0 + mapped[..., 1] * (height / self.height)
        return mapped

    def start(self) -> "VideoDecoder":
        """Start ffmpeg and the read-ahead thread now (idempotent; the picture and the sound
        threads may both ask)."""
        with self._starting:
            if self._proc is None:
                self._launch()
        return self

    def _launch(self) -> None:
        if self._sound is None:
            self._proc = subprocess.Popen(self._command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        else:
            read_fd, write_fd = os.pipe()
            try:
                self._proc = subprocess.Popen(self._command() + self._sound.output_options(f"pipe:{write_fd}"),
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_fd,))
            except BaseException:
                os.close(read_fd)
                raise
            finally:
                os.close(write_fd)
            self._sound_stream = os.fdopen(read_fd, "rb")
            _widen_pipe(self._sound_stream)
        _widen_pipe(self._proc.stdout)
        rgb_bytes = self.width * self.height * 3
        self._queue: queue.Queue = queue.Queue(maxsize=max(2, self.READ_AHEAD_BYTES // rgb_bytes))
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read_frames, name="lipgate-decode", daemon=True)
        self._reader.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read_frames(self) -> None:
        """Read raw frames into one buffer and queue each as RGB (OpenCV's conversion releases
        the GIL, so it runs beside the analysis instead of in its thread)."""
        raw = np.empty(self.frame_bytes, np.uint8)
        try:
            while _read_exactly(self._proc.stdout, raw) == self.frame_bytes and self._put(self._rgb(raw)):
                pass
        except (OSError, ValueError):  # the pipe was closed by an early stop
            pass
        self._put(None)

    def _rgb(self, raw: np.ndarray) -> np.ndarray:
        if not self.yuv:
            return raw.reshape(self.height, self.width, 3).copy()
        cv2 = _opencv()
        return cv2.cvtColor(raw.reshape(self.height * 3 // 2, self.width), cv2.COLOR_YUV2RGB_I420)

    def __iter__(self) -> Iterator[Frame]:
        global _fast_scaler_works
        returncode, stderr = yield from self._stream()
        if self.frames_read == 0 and self.scaler == FAST_SCALER and f"No such filter: '{FAST_SCALER}'" in stderr:
            _fast_scaler_works, self.scaler = False, "scale"  # an ffmpeg without zimg
            if self._sound is not None:  # the sound's reader saw its pipe end with nothing: start both over
                raise FastScalerMissing(self.info.path)
            returncode, stderr = yield from self._stream()
        declared_s = self.expected_frames / self.fps if self.expected_frames and not self.keyframes_only else None
        _check_decoded(self.info.path, "video", returncode, stderr, self.frames_read / self.fps, declared_s, 2 / self.fps)

    def _stream(self):
        """Yield the frames of one ffmpeg run (started now unless ``start()`` already did);
        return its (exit code, stderr)."""
        self.start()
        proc, start = self._proc, self.info.video.start_s
        finished = False
        try:
            while (rgb := self._queue.get()) is not None:
                yield Frame(self.frames_read, start + self.frames_read / self.fps, rgb)
                self.frames_read += 1
            finished = True
        finally:
            self._stop.set()
            if not finished:
                proc.kill()
            self._reader.join()
            proc.stdout.close()
            stderr = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            returncode = proc.wait()
            self._proc = None
        return returncode, stderr


@lru_cache(maxsize=1)
def _opencv():
    """OpenCV (it comes with mediapipe), on one thread: lipgate only gives it small images
    (0.1 ms each), and waking its thread pool for each cost 0.2 s of system time per 600 frames."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


PIPE_BYTES = 2**20
"""Linux lets a pipe hold up to 1 MB (``/proc/sys/fs/pipe-max-size``) instead of 64 kB: a frame
then crosses in one or two reads instead of a dozen context switches."""


def _widen_pipe(stream) -> None:
    """Ask the kernel for a ``PIPE_BYTES`` pipe buffer (Linux only; elsewhere nothing changes)."""
    import fcntl

    try:
        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:
        pass


def _read_exactly(stream, buffer: np.ndarray) -> int:
    """Fill ``buffer`` (uint8) from ``stream``; return how many bytes came before end of stream."""
    view, filled = memoryview(buffer), 0
    while filled < buffer.size:
        count = stream.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


def _check_decoded(path: Path, stream: str, returncode: int, stderr: str, decoded_s: float,
                   declared_s: float | None, slack_s: float) -> None:
    """Raise ``InputError`` when ffmpeg decoded nothing and failed, or when the ``stream``
    ('video' or 'audio') ended more than 10% (plus ``slack_s``) before its declared duration."""
    if returncode != 0 and decoded_s == 0:
        raise InputError(path, f"{stream} could not be decoded ({_last_line(stderr)})")
    if declared_s and decoded_s < 0.9 * declared_s - slack_s:
        of_what = "" if stream == "video" else f"of {stream} "
        raise InputError(path, f"truncated or corrupt: decoded {decoded_s:.2f} s {of_what}of the "
                               f"{declared_s:.2f} s its header declares")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message from ffmpeg"


def read_image(info: MediaInfo, max_side: int = 1024) -> np.ndarray:
    """Decode a still (first frame of a GIF) to RGB uint8, scaled to fit ``max_side`` pixels."""
    frames = iter(VideoDecoder(info, max_side=max_side))
    try:
        return next(frames).rgb.copy()
    except StopIteration:
        raise InputError(info.path, "image could not be decoded") from None
    finally:
        frames.close()


@dataclass
class AudioBlock:
    start: int
    """Index (in samples at the decoder's ``sr``) of the block's first sample."""
    samples: np.ndarray
    """float32 in [-1, 1]: shape (n,) when mono, else (channels, n)."""


class AudioDecoder:
    """Iterate the first audio stream in blocks of ``block_s`` seconds, float32 in [-1, 1].

    One ffmpeg process, read in fixed-size chunks, so memory does not grow with clip length.
    ``sr`` is the native sample rate unless one is asked for (ffmpeg's resampler); ``mono``
    averages the channels. Blocks are contiguous: sample ``k`` of the stream is at
    ``info.audio.start_s + k / sr`` on the container timeline. After iteration, a stream that
    ended well before its declared duration raises ``InputError`` (truncated or corrupt).
    """

    def __init__(self, info: MediaInfo, sr: int | None = None, mono: bool = True, block_s: float = 1.0):
        if info.audio is None:
            raise InputError(info.path, "has no audio stream")
        self.info = info
        self.sr = sr or info.audio.sample_rate
        self.channels = 1 if mono else max(1, info.audio.channels)
        self.mono = mono
        self.block_samples = max(1, int(round(block_s * self.sr)))
        self.samples_read = 0
        self._picture: VideoDecoder | None = None
        """The picture decoder whose ffmpeg also decodes this sound (``VideoDecoder.with_sound``)."""

    def output_options(self, pipe: str) -> list[str]:
        """ffmpeg's output options that write this sound as raw float32 to ``pipe``."""
        return ["-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", str(self.channels), "-ar", str(self.sr), "-f", "f32le",
                "-acodec", "pcm_f32le", pipe]

    def _command(self) -> list[str]:
        return [require_program("ffmpeg"), "-nostdin", "-v", "error", *_decoder_options(), "-i", str(self.info.path),
                *self.output_options("pipe:1")]

    def _blocks(self, stream) -> Iterator[AudioBlock]:
        frame_bytes = 4 * self.channels
        while True:
            buffer = stream.read(self.block_samples * frame_bytes)
            usable = len(buffer) - len(buffer) % frame_bytes
            if usable:
                samples = np.frombuffer(buffer[:usable], np.float32)
                samples = samples.copy() if self.mono else samples.reshape(-1, self.channels).T.copy()
                yield AudioBlock(self.samples_read, samples)
                self.samples_read += usable // frame_bytes
            if len(buffer) < self.block_samples * frame_bytes:
                return

    def __iter__(self) -> Iterator[AudioBlock]:
        if self._picture is not None:
            yield from self._shared_blocks()
            return
        proc = subprocess.Popen(self._command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # stderr is drained in a thread so a chatty ffmpeg can never block on a full pipe
        errors: list[bytes] = []
        drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
        drain.start()
        finished = False
        try:
            yield from self._blocks(proc.stdout)
            finished = True
        finally:
            if not finished:
                proc.kill()
            proc.stdout.close()
            returncode = proc.wait()
            drain.join()
            proc.stderr.close()
        stderr = b"".join(errors).decode("utf-8", "replace")
        _check_decoded(self.info.path, "audio", returncode, stderr, self.samples_read / self.sr,
                       self.info.audio.duration_s, 0.05)

    def _shared_blocks(self) -> Iterator[AudioBlock]:
        """The blocks of the sound output of the picture decoder's ffmpeg (``VideoDecoder.with_sound``).
        The pipe is closed however this ends, so that ffmpeg never waits on a reader that is
        gone (it stops, and the picture decoder reports it); ffmpeg's exit status and messages
        are the picture decoder's to judge."""
        stream = self._picture.sound_stream()
        try:
            yield from self._blocks(stream)
        finally:
            stream.close()
        _check_decoded(self.info.path, "audio", 0, "", self.samples_read / self.sr, self.info.audio.duration_s, 0.05)


def read_audio(info: MediaInfo, sr: int | None = None, mono: bool = True) -> tuple[np.ndarray, int]:
    """Decode the whole first audio stream to float32 in [-1, 1] (for short signals; long
    analyses iterate ``AudioDecoder`` instead).

    Returns ``(samples, sr)``: shape (n,) when ``mono`` (channels averaged), else (channels, n);
    ``sr`` is the native sample rate unless one is asked for (ffmpeg's resampler).
    """
    decoder = AudioDecoder(info, sr=sr, mono=mono, block_s=10.0)
    blocks = [block.samples for block in decoder]
    if not blocks:
        return np.zeros(0 if mono else (decoder.channels, 0), np.float32), decoder.sr
    return np.concatenate(blocks, axis=-1), decoder.sr
