"""Speed of `lipgate qa` against ffmpeg's own decode of the same 1080p file.

    python bench/qa_speed.py CORPUS/talk1.mp4 [--repeat 2]

Upscales the clip to 1920x1080 (H.264, its own AAC sound), then times, in one run,
``ffmpeg -i FILE -f null -`` and ``lipgate qa --no-cache FILE`` (a fresh process each, as a user runs them;
the best of ``--repeat`` runs each). Target: qa no slower than 3x the decode.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_time_s(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lipgate-speed-") as folder:
        big = Path(folder) / f"{args.clip.stem}_1080p.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(args.clip), "-vf",
                        "scale=-2:1080:flags=bicubic,pad=1920:1080:(ow-iw)/2:0", "-c:v", "libx264", "-preset", "veryfast",
                        "-crf", "18", "-c:a", "copy", str(big)], check=True)
        decode = best_time_s(["ffmpeg", "-nostdin", "-v", "error", "-i", str(big), "-f", "null", "-"], args.repeat)
        qa = best_time_s([sys.executable, "-m", "lipgate.cli", "qa", str(big), "--no-cache", "--format", "json"], args.repeat)
    print("| clip | ffmpeg decode (s) | lipgate qa (s) | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| {args.clip.name} at 1920x1080 | {decode:.2f} | {qa:.2f} | {qa / decode:.1f}x | <= 3x |")


if __name__ == "__main__":
    main()
