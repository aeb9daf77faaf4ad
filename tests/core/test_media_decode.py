"""The video decoder: scaler choice (zimg, or swscale as the fallback), colour, frame count."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from lipgate import media
from lipgate.media import VideoDecoder, probe


def make_clip(path, pixel_format: str = "yuv420p", source: str = "testsrc2=s=320x240:r=10:d=1") -> str:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-pix_fmt", pixel_format,
                    "-c:v", "libx264", "-qp", "0", str(path)], check=True)
    return str(path)


def decode(path, max_side: int = 160) -> tuple[VideoDecoder, np.ndarray]:
    decoder = VideoDecoder(probe(path), max_side=max_side)
    frames = np.stack([frame.rgb for frame in decoder])
    return decoder, frames


@pytest.fixture()
def fresh_scaler_state(monkeypatch):
    monkeypatch.setattr(media, "_fast_scaler_works", True)


def test_yuv420p_video_is_scaled_by_zimg_like_swscale(tmp_path, fresh_scaler_state, monkeypatch):
    clip = make_clip(tmp_path / "clip.mp4")
    decoder, fast = decode(clip)
    assert decoder.scaler == media.FAST_SCALER and fast.shape == (10, 120, 160, 3)
    monkeypatch.setattr(media, "_fast_scaler_works", False)  # the swscale path, for comparison
    decoder, plain = decode(clip)
    assert decoder.scaler == "scale"
    assert np.abs(fast.astype(int) - plain.astype(int)).mean() < 2.0


def test_an_ffmpeg_without_zimg_falls_back_to_swscale(tmp_path, fresh_scaler_state, monkeypatch):
    clip = make_clip(tmp_path / "clip.mp4")
    monkeypatch.setattr(media, "FAST_SCALER", "no_such_scaler")
    decoder, frames = decode(clip)
    assert decoder.scaler == "scale" and len(frames) == 10
    assert media._fast_scaler_works is False
    assert VideoDecoder(probe(clip), max_side=160).scaler == "scale"  # later decodes do not try again


def test_other_pixel_formats_use_swscale(tmp_path, fresh_scaler_state):
    clip = make_clip(tmp_path / "clip444.mp4", pixel_format="yuv444p")
    decoder, frames = decode(clip)
    assert decoder.scaler == "scale" and len(frames) == 10


def test_a_solid_colour_comes_back_as_itself(tmp_path, fresh_scaler_state):
    clip = make_clip(tmp_path / "orange.mp4", source="color=c=0xC86432:s=320x240:r=10:d=1")
    _, frames = decode(clip)
    assert np.abs(frames[:, 10:-10, 10:-10].reshape(-1, 3).mean(axis=0) - (200, 100, 50)).max() < 3.0


def make_clip_with_sound(path, seconds: float = 2.0) -> str:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=320x240:r=10:d={seconds}",
                    "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-c:a", "pcm_s16le", "-shortest", str(path)], check=True)
    return str(path)


def in_thread(function):
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function)
    pool.shutdown(wait=False)
    return future


def test_one_ffmpeg_decodes_pictures_and_sound_as_two_would(tmp_path):
    clip = probe(make_clip_with_sound(tmp_path / "clip.mov"))
    alone_frames = np.stack([frame.rgb for frame in VideoDecoder(clip, max_side=160)])
    alone_sound = np.concatenate([block.samples for block in media.AudioDecoder(clip, sr=16000)])
    pictures = VideoDecoder(clip, max_side=160)
    sound = pictures.with_sound(sr=16000)
    shared_sound = in_thread(lambda: np.concatenate([block.samples for block in sound]))
    shared_frames = np.stack([frame.rgb for frame in pictures])
    assert np.array_equal(shared_frames, alone_frames)
    assert np.array_equal(shared_sound.result(timeout=30), alone_sound)


def test_a_sound_reader_that_stops_early_does_not_hang_the_pictures(tmp_path):
    clip = probe(make_clip_with_sound(tmp_path / "clip.mov", seconds=20.0))
    pictures = VideoDecoder(clip, max_side=160)
    sound = pictures.with_sound(block_s=0.1)
    blocks = iter(sound)
    next(blocks)
    blocks.close()  # the reader goes away with most of the sound unread
    decoded = in_thread(lambda: sum(1 for _ in pictures))
    with pytest.raises(media.InputError, match="clip.mov"):  # ffmpeg stopped on the closed pipe: reported, not stuck
        decoded.result(timeout=60)


def test_a_picture_reader_that_stops_early_ends_the_sound(tmp_path):
    clip = probe(make_clip_with_sound(tmp_path / "clip.mov", seconds=20.0))
    pictures = VideoDecoder(clip, max_side=160)
    sound = pictures.with_sound(block_s=0.1)
    counted = in_thread(lambda: sum(1 for _ in sound))
    frames = iter(pictures)
    next(frames)
    frames.close()  # kills ffmpeg
    with pytest.raises(media.InputError, match="truncated"):
        counted.result(timeout=60)


def test_without_zimg_a_shared_decode_starts_over_with_swscale(tmp_path, fresh_scaler_state, monkeypatch):
    from lipgate.preflight.runner import measure

    clip = probe(make_clip_with_sound(tmp_path / "clip.mov"))
    monkeypatch.setattr(media, "FAST_SCALER", "no_such_scaler")
    measured = measure(clip, clip)
    assert media._fast_scaler_works is False
    assert measured.values["frames_decoded"] == 20 and measured.values["audio_decoded_s"] == pytest.approx(2.0, abs=0.01)
