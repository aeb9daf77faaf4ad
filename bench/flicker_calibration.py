"""Flicker calls on real footage: each corpus clip as it is (steady light) and with its luminance
modulated by a known depth at known frequencies (linear light, 1 + m sin 2 pi f t).

Prints the flicker index and WCAG flashes per second that lighting_flicker measures, and its
verdict, per clip and case; and the mouth_shadow ratio of the untouched clips. Without
``--corpus`` it runs on the generated talking portrait (``fixtures.build``).

    python -m bench.flicker_calibration [--corpus CORPUS] [--depths 0.03 0.05 0.1] [--frequencies 4 9 14]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from fixtures import synth
from lipgate.media import VideoDecoder, probe
from lipgate.preflight.runner import run_check


def modulate(clip: Path, out: Path, depth: float, frequency_hz: float) -> Path:
    """Re-encode ``clip`` with its light modulated, keeping its sound."""
    info = probe(clip)
    decoder = VideoDecoder(info, max_side=640)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
               f"{decoder.width}x{decoder.height}", "-r", f"{decoder.fps}", "-i", "pipe:0", "-i", str(clip),
               "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt",
               "yuv420p", "-c:a", "copy", "-shortest", str(out)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE)
    for frame in decoder:
        proc.stdin.write(synth.scale_light(frame.rgb, 1 + depth * np.sin(2 * np.pi * frequency_hz * frame.t)).tobytes())
    proc.stdin.close()
    proc.wait()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="folder of real talking-head clips (default: the generated talking portrait)")
    parser.add_argument("--depths", type=float, nargs="+", default=[0.03, 0.05, 0.10])
    parser.add_argument("--frequencies", type=float, nargs="+", default=[4.0, 9.0])
    args = parser.parse_args()
    print("| clip | light modulation | flicker index | flashes/s | lighting_flicker | mouth_shadow ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        if args.corpus is None:
            from fixtures.build import build
            clips = [build()["talking"]]
        else:
            clips = sorted(args.corpus.glob("*.mp4"))
        for clip in clips:
            report = run_check(clip)
            flicker, shadow = report.check("lighting_flicker"), report.check("mouth_shadow")
            print(f"| {clip.stem} | none | {flicker.value:.4f} | {flicker.details['flashes_per_s']:.1f} | {flicker.status} | {shadow.value:.2f} |")
            for depth in args.depths:
                for frequency in args.frequencies:
                    edited = modulate(clip, Path(folder) / f"{clip.stem}_{depth}_{frequency}.mp4", depth, frequency)
                    check = run_check(edited).check("lighting_flicker")
                    print(f"| {clip.stem} | {depth:.0%} at {frequency:g} Hz | {check.value:.4f} | "
                          f"{check.details['flashes_per_s']:.1f} | {check.status} | |")


if __name__ == "__main__":
    main()
