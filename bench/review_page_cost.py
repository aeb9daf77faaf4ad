"""Time and size of the review page's pictures (filmstrips and poster) on real clips.

    python -m bench.review_page_cost [--repeat N] CLIP [CLIP ...]

For each clip a QA report with ``--moments`` flagged 0.4 s moments spread evenly over the clip
is written as an HTML page (``lipgate.formats.html.write``): the time covers the frame decodes
(ffmpeg), the mouth crops (face mesh) and the JPEGs; no sync measurement runs. Each run is
timed against ffmpeg decoding the whole clip at the same 640 px in the same series (the
machine's speed drifts). ``--gap-s -1`` gives every frame its own seek, for comparison. Prints one line per clip and run: size, length, seconds for the page,
seconds for the reference decode, page size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def page_cost(path: str, moments: int, out: Path) -> tuple[str, float, float]:
    from lipgate.formats.html import write
    from lipgate.media import probe
    from lipgate.qa.report import QaReport, QaSegment, SyncResult

    info = probe(path, expect={"video"})
    length_s = info.video.duration_s or info.duration_s
    starts = np.linspace(0.2, length_s - 0.8, moments)
    segments = [QaSegment(float(s), float(s) + 0.4, 200.0, 5.0, True, True, True, "benchmark moment", 155.0) for s in starts]
    report = QaReport(path, SyncResult(0.0, 5.0, info.video.fps, "pass", "benchmark"), segments, {})
    start = time.perf_counter()
    write(report, out)
    return f"{info.video.width}x{info.video.height}", length_s, time.perf_counter() - start


def reference_decode_s(path: str) -> float:
    """ffmpeg decoding the whole clip, scaled to at most 640 px, to nowhere."""
    import subprocess

    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-vf",
                    "scale=w=640:h=640:force_original_aspect_ratio=decrease", "-f", "null", "-"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="+")
    parser.add_argument("--moments", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--gap-s", type=float, default=None,
                        help="frames less than this apart share a seek and a decode (default: "
                             "lipgate.formats.filmstrip.ONE_PASS_MAX_GAP_S; -1: a seek per frame)")
    args = parser.parse_args()
    if args.gap_s is not None:
        from lipgate.formats import filmstrip

        filmstrip.ONE_PASS_MAX_GAP_S = args.gap_s
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "page.html"
        for clip in args.clips:
            for _ in range(args.repeat):
                size, length_s, seconds = page_cost(clip, args.moments, out)
                print(f"{Path(clip).name}: {size} {length_s:.1f} s, {args.moments} filmstrips + poster: {seconds:.1f} s, "
                      f"reference decode {reference_decode_s(clip):.1f} s, page {out.stat().st_size / 1e3:.0f} kB", flush=True)


if __name__ == "__main__":
    main()
