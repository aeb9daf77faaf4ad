"""Peak memory and time of ``measure_audio`` alone on long audio files, one fresh process each.

    python -m bench.audio_memory FILE [FILE ...]

For each file a child process probes it, imports the analysers, then runs ``measure_audio`` and
reports the wall time, the peak of Python/numpy allocations during the measurement (tracemalloc)
and the process's peak resident memory (``getrusage``: imports included) and its growth over
the resident memory before measuring. Make long files by looping a corpus clip, e.g.
``ffmpeg -stream_loop -1 -i CORPUS/speech1.wav -t 600 -c:a pcm_s16le /tmp/speech_10min.wav``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time, tracemalloc
from lipgate.media import probe
from lipgate.preflight.analyzers.audio import measure_audio
info = probe(sys.argv[1], expect={"audio", "video"})
before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.perf_counter()
values = measure_audio(info).values
wall = time.perf_counter() - start
traced_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": info.audio.duration_s, "wall_s": wall, "traced_mb": traced_peak / 2**20,
                  "rss_mb": peak_kb / 1024, "rss_growth_mb": (peak_kb - before_kb) / 1024,
                  "loudness": values["audio_loudness_lufs"], "snr": values["audio_snr_db"]}))
"""


def measure(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    print("| file | audio | time | peak traced (tracemalloc) | peak RSS | RSS growth while measuring |")
    print("|---|---|---|---|---|---|")
    for path in args.files:
        row = measure(path.resolve())
        print(f"| {path.name} | {row['seconds']:.0f} s | {row['wall_s']:.1f} s | {row['traced_mb']:.0f} MB | "
              f"{row['rss_mb']:.0f} MB | {row['rss_growth_mb']:.0f} MB |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
