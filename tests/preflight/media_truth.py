"""Media with known visual truth for the preflight tests (built once per test session)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np

from fixtures import synth
from fixtures.rotate import render_rotated

FPS = 25.0


def write_png(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def still_at_yaw(folder: Path, yaw_deg: float) -> Path:
    rgb = render_rotated(synth.portrait(512), synth.portrait_landmarks(512), yaw_deg)
    return write_png(folder / f"yaw_{yaw_deg:+.0f}.png", rgb)


def modulated(speech: Path, out: Path, depth: float, frequency_hz: float, duration_s: float = 3.0) -> Path:
    """Talking portrait whose luminance is multiplied by 1 + depth * sin(2 pi f t)."""
    def flicker(i, t, rgb):
        return synth.scale_light(rgb, 1.0 + depth * np.sin(2 * np.pi * frequency_hz * t))

    return synth.talking_portrait(out, speech, fps=FPS, duration_s=duration_s, frame_filter=flicker)


def flashing(speech: Path, out: Path, every_s: float = 0.25, duration_s: float = 3.0) -> Path:
    """Talking portrait with a one-frame white flash every ``every_s`` seconds."""
    period = int(round(every_s * FPS))

    def flash(i, t, rgb):
        return np.full_like(rgb, 250) if i % period == period // 2 else rgb

    return synth.talking_portrait(out, speech, fps=FPS, duration_s=duration_s, frame_filter=flash)


def face_hidden(speech: Path, out: Path, start_s: float, end_s: float, duration_s: float = 3.5) -> Path:
    """Talking portrait with grey frames (no face) from ``start_s`` to ``end_s``."""
    def hide(i, t, rgb):
        return np.full_like(rgb, 110) if start_s <= t < end_s else rgb

    return synth.talking_portrait(out, speech, fps=FPS, duration_s=duration_s, frame_filter=hide)


def padded_audio(speech: Path, out: Path, pad_s: float) -> Path:
    """``speech`` with ``pad_s`` seconds of silence appended (WAV)."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(speech), "-af", f"apad=pad_dur={pad_s}",
                    str(out)], check=True)
    return out


def shadowed_mouth(speech: Path, out: Path, gain: float = 0.3, duration_s: float = 3.0) -> Path:
    """Talking portrait whose face below the nose gets ``gain`` of its light (a hat brim's shadow)."""
    landmarks = synth.portrait_landmarks(512)
    top = int(landmarks[2, 1])  # just under the nose

    def shadow(i, t, rgb):
        rgb = rgb.copy()
        rgb[top:] = synth.scale_light(rgb[top:], gain)
        return rgb

    return synth.talking_portrait(out, speech, fps=FPS, duration_s=duration_s, frame_filter=shadow)


def second_face(speech: Path, out: Path, start_s: float, end_s: float, duration_s: float = 3.5) -> Path:
    """Talking portrait that, from ``start_s`` to ``end_s``, shows two half-size copies of the
    speaker side by side (two faces in view)."""
    def pair(i, t, rgb):
        if not start_s <= t < end_s:
            return rgb
        half = cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)
        canvas = np.full_like(rgb, 110)
        top = rgb.shape[0] // 4
        canvas[top:top + half.shape[0], :half.shape[1]] = half
        canvas[top:top + half.shape[0], half.shape[1]:2 * half.shape[1]] = half[:, ::-1]
        return canvas

    return synth.talking_portrait(out, speech, fps=FPS, duration_s=duration_s, frame_filter=pair)
