"""Batch speed: 50 short generated talking portraits checked with --jobs 1 and --jobs 2 (cache
off), then a warm-cache re-run after a threshold change.

    python -m bench.batch_speed WORK_FOLDER [--clips 50] [--jobs 2]

Targets (issue 6): --jobs 2 at least 1.5x faster than --jobs 1 on 2 cores; the warm re-run
under 10% of the first (cold) run. Run it on an otherwise idle machine: the figures are wall
times of the whole `lipgate check` command, start-up included.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from fixtures import synth

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things.",
    "We will meet at noon near the old stone bridge.",
    "Every morning she opens the window and sings.",
    "Papa picked a big bag of peppers by the mill.",
)
SIZES_PX = (256, 320, 384, 448, 512)
AUDIO_OFFSETS_S = (0.0, 0.08)


def build_clips(folder: Path, count: int) -> list[Path]:
    """``count`` 2 s talking portraits: 5 sentences x 5 sizes x 2 audio offsets, cycled."""
    folder.mkdir(parents=True, exist_ok=True)
    speeches = []
    for index, sentence in enumerate(SENTENCES):
        path = folder / f"speech_{index}.wav"
        if not path.exists():
            synth.speech(path, sentence)
        speeches.append(path)
    clips = []
    for index in range(count):
        speech = speeches[index % len(SENTENCES)]
        size = SIZES_PX[(index // len(SENTENCES)) % len(SIZES_PX)]
        offset = AUDIO_OFFSETS_S[(index // (len(SENTENCES) * len(SIZES_PX))) % len(AUDIO_OFFSETS_S)]
        path = folder / "clips" / f"clip_{index:02d}_{size}px.mp4"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            synth.talking_portrait(path, speech, size=size, duration_s=2.0, audio_offset_s=offset)
        clips.append(path)
    return clips


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_check(*args: str, cache_home: Path) -> tuple[float, float, int]:
    """Wall time (s), CPU time of the command and its workers and decoders (s), exit code.
    The report goes to a file beside the cache (a real file, as a pipeline would write it)."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cache_home))
    cpu_before, started = children_cpu_s(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lipgate.cli", "check", *args, "--format", "json", "-o", str(cache_home.parent / "report.json")],
                          cwd=ROOT, env=environment, capture_output=True, text=True)
    return time.perf_counter() - started, children_cpu_s() - cpu_before, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="folder for the generated clips and the bench's cache")
    parser.add_argument("--clips", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    clips_folder = options.work / "clips"
    build_clips(options.work, options.clips)
    cache_home = options.work / "cache"
    strict = options.work / "strict.toml"
    strict.write_text("[checks.face_yaw]\nfail_above = 0.5\n")

    load_before = os.getloadavg()[0]
    serial_s, serial_cpu_s, _ = timed_check(str(clips_folder), "--jobs", "1", "--no-cache", cache_home=cache_home)
    parallel_s, parallel_cpu_s, _ = timed_check(str(clips_folder), "--jobs", str(options.jobs), "--no-cache", cache_home=cache_home)
    shutil.rmtree(cache_home, ignore_errors=True)
    first_s, first_cpu_s, _ = timed_check(str(clips_folder), "--jobs", str(options.jobs), cache_home=cache_home)
    warm_s, warm_cpu_s, code = timed_check(str(clips_folder), "--jobs", str(options.jobs), "--config", str(strict), cache_home=cache_home)

    print(f"clips: {options.clips} x 2 s talking portraits (256-512 px, 25 fps); cores: {os.cpu_count()}; "
          f"load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}")
    print("| run | wall (s) | CPU (s) | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| --jobs 1, no cache | {serial_s:.1f} | {serial_cpu_s:.1f} | 1.00 |")
    print(f"| --jobs {options.jobs}, no cache | {parallel_s:.1f} | {parallel_cpu_s:.1f} | speed-up {serial_s / parallel_s:.2f}x |")
    print(f"| --jobs {options.jobs}, cold cache (first run) | {first_s:.1f} | {first_cpu_s:.1f} | 1.00 |")
    print(f"| --jobs {options.jobs}, warm cache, changed threshold | {warm_s:.1f} | {warm_cpu_s:.1f} | "
          f"{100 * warm_s / first_s:.1f}% of the first run (exit {code}) |")


if __name__ == "__main__":
    main()
