"""Speed of `lipgate qa RENDER --source SOURCE --audio TARGET` as a ratio to ffmpeg's own decode
of the render plus the source, and its peak memory (target: at most 4x; memory flat in length).

The source is a clip looped and upscaled to 1920x1080 H.264 (``bench.check_speed.make_1080p``);
the render is the source encoded once more (CRF 21, so its frames are not the source's bytes);
the target is the source's sound as WAV. Runs are interleaved, median of ``--repeat``.

    python -m bench.qa_source_speed [--source CORPUS/talk1.mp4] [--seconds 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.check_speed import make_1080p, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for seconds in (args.seconds, 2 * args.seconds):
            source = make_1080p(args.source, folder / f"source_{seconds:.0f}.mp4", seconds)
            render = folder / f"render_{seconds:.0f}.mp4"
            target = folder / f"target_{seconds:.0f}.wav"
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-c:v", "libx264", "-preset",
                            "veryfast", "-crf", "21", "-c:a", "copy", str(render)], check=True)
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-vn", str(target)], check=True)
            decode, ours = [], []
            for _ in range(args.repeat):
                render_s, _ = timed(["ffmpeg", "-nostdin", "-v", "error", "-i", str(render), "-f", "null", "-"])
                source_s, _ = timed(["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), "-f", "null", "-"])
                decode.append(render_s + source_s)
                ours.append(timed([sys.executable, "-m", "lipgate.cli", "qa", str(render), "--source", str(source), "--audio",
                                   str(target), "--no-cache", "--format", "json", "-o", str(folder / "r.json")]))
            decode_s, ours_s = statistics.median(decode), statistics.median(w for w, _ in ours)
            rows.append((seconds, decode_s, ours_s, ours_s / decode_s, max(m for _, m in ours)))
    print(f"source: {args.source.name}, 1920x1080 H.264, {args.repeat} runs each (median)")
    print("| clip | ffmpeg decode (render + source) | lipgate qa --source | ratio | peak memory |")
    print("|---|---|---|---|---|")
    for seconds, decode_s, ours_s, ratio, peak in rows:
        print(f"| {seconds:.0f} s | {decode_s:.2f} s | {ours_s:.2f} s | {ratio:.2f}x | {peak} MB |")


if __name__ == "__main__":
    main()
