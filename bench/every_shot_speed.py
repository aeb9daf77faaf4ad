"""Speed of `lipgate qa` and `lipgate check` on clips as they are (any framing), as ratios to
ffmpeg's own decode of the same file, with peak memory.

    python -m bench.every_shot_speed FILE... [--repeat 3]

For each file, times ``ffmpeg -i FILE -f null -``, ``lipgate qa --no-cache FILE`` and
``lipgate check --no-cache FILE`` (fresh processes, interleaved, ``--repeat`` runs each, median)
and reads each command's peak resident memory (GNU time). Targets (issue 19): qa <= 3x and
check <= 2x the decode.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bench.check_speed import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| clip | size | ffmpeg decode (s) | qa (s) | qa ratio | check (s) | check ratio | qa / check peak MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    from lipgate.media import probe

    for path in args.files:
        info = probe(path)
        commands = {
            "decode": ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
            "qa": [sys.executable, "-m", "lipgate.cli", "qa", str(path), "--no-cache", "--format", "json"],
            "check": [sys.executable, "-m", "lipgate.cli", "check", str(path), "--no-cache", "--format", "json"],
        }
        runs = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                runs[name].append(timed(command))
        wall = {name: statistics.median(r[0] for r in found) for name, found in runs.items()}
        peak = {name: max(r[1] for r in found) for name, found in runs.items()}
        print(f"| {path.name} | {info.video.width}x{info.video.height} | {wall['decode']:.2f} | {wall['qa']:.2f} | "
              f"{wall['qa'] / wall['decode']:.2f}x | {wall['check']:.2f} | {wall['check'] / wall['decode']:.2f}x | "
              f"{peak['qa']} / {peak['check']} |", flush=True)


if __name__ == "__main__":
    main()
