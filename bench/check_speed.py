"""Speed of `lipgate check` as a ratio to ffmpeg's own decode of the same file, and its peak memory.

Builds 1080p H.264 clips from a source clip (a corpus clip, or the generated talking portrait),
looped to ``--seconds`` and to twice that, then in one run times
``ffmpeg -i FILE -f null -`` (the floor no decoder-bound tool can beat) and ``lipgate check
--no-cache FILE`` (`--repeat` times each, interleaved, median; without ``--no-cache`` every run
after the first would be a results-cache hit), and reads each command's peak resident memory (GNU time).
Targets: check <= 2x the decode time; peak memory independent of clip length.

    python -m bench.check_speed [--source CORPUS/talk1.mp4] [--seconds 20] [--command check|qa]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_1080p(source: Path, out: Path, seconds: float) -> Path:
    subprocess.run([
        "ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(source), "-t", f"{seconds}",
        "-vf", "scale=-2:1080,pad=1920:1080:(ow-iw)/2:0",
        # each loop's sound is 26 ms shorter than its picture (talk1): fill the gap with silence, or
        # the sound drifts ahead a little more with every loop and a long clip is no longer in sync
        "-af", "aresample=async=1:first_pts=0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", str(out),
    ], check=True)
    return out


def timed(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak resident memory in MB) of one run."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {proc.stderr.strip().splitlines()[-1:]}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    return wall, peak_kb // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a talking-head clip to upscale (default: the generated talking portrait)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--command", default="check", choices=("check", "qa"))
    args = parser.parse_args()
    source = args.source
    if source is None:
        from fixtures.build import build
        source = build()["talking"]
    lipgate = [sys.executable, "-m", "lipgate.cli", args.command, "--no-cache"]  # every run measures; a cache hit is not a speed
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for seconds in (args.seconds, 2 * args.seconds):
            clip = make_1080p(source, Path(folder) / f"clip_{seconds:.0f}s.mp4", seconds)
            decode, ours = [], []
            for _ in range(args.repeat):  # interleaved, so a change of machine load hits both alike
                decode.append(timed(["ffmpeg", "-nostdin", "-v", "error", "-i", str(clip), "-f", "null", "-"]))
                ours.append(timed([*lipgate, str(clip), "--no-cache", "--format", "json", "-o", str(Path(folder) / "r.json")]))
            decode_s = statistics.median(w for w, _ in decode)
            ours_s = statistics.median(w for w, _ in ours)
            rows.append((seconds, decode_s, ours_s, ours_s / decode_s, max(m for _, m in ours)))
    print(f"source: {source.name}, 1920x1080 H.264, {args.repeat} runs each (median)")
    print(f"| clip | ffmpeg decode | lipgate {args.command} | ratio | peak memory |")
    print("|---|---|---|---|---|")
    for seconds, decode_s, ours_s, ratio, peak in rows:
        print(f"| {seconds:.0f} s | {decode_s:.2f} s | {ours_s:.2f} s | {ratio:.2f}x | {peak} MB |")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
