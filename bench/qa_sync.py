"""Benchmark of `lipgate qa`: shift recovery and local-desync detection.

    python bench/qa_sync.py [--corpus /work/shared/corpus] [--no-fixture] [--no-end-to-end]

For each clip (the generated talking portrait, then every talk*.mp4 of the corpus):
1. Shift recovery: the pictures are measured once; the decoded sound is moved in memory on the
   container timeline by -200..+200 ms in half-frame steps (its start time changes, as
   ``ffmpeg -itsoffset`` does; steps that are not multiples of the 5 ms feature clock exercise
   the interpolation). A case passes when
   the change of the measured offset equals the shift within one frame period.
2. End to end: a few shifts re-muxed with ``ffmpeg -itsoffset`` (stream copy) and measured
   through ``measure_qa`` like any file.
3. Local desync: a 1.6 s stretch in the middle of the clip with the picture 200 ms late, or
   with the mouth frozen (one frame repeated), re-encoded with the clip's own sound; hit = a
   ``rerender`` segment overlapping the stretch. The untouched clip, re-encoded the same way,
   must get none (false segments are counted).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.synth import encode_video  # noqa: E402
from lipgate.media import VideoDecoder, probe, read_audio  # noqa: E402
from qa import sync  # noqa: E402
from qa.features import AUDIO_SR, AudioFeatures  # noqa: E402
from qa.runner import decode_pictures, judge_qa, measure_qa  # noqa: E402

STRETCH_S = 1.6
PICTURE_LATE_S = 0.2


def shift_sweep(path: Path) -> dict:
    info = probe(path, expect={"video"})
    pictures = decode_pictures(info)
    samples, sr = read_audio(info, sr=AUDIO_SR)
    period_ms = 1000.0 / pictures.fps
    shifts = np.round(np.arange(-200.0, 200.0 + 1e-6, period_ms / 2), 2)

    def offset(shift_ms: float) -> tuple[float | None, float]:
        audio = AudioFeatures(samples, sr, info.audio.start_s - shift_ms / 1000.0, window_s=1.0 / pictures.fps)
        estimate = sync.estimate_offset(pictures.frame_t, pictures.mouth, audio)
        return estimate.offset_ms, estimate.confidence

    base, base_confidence = offset(0.0)
    errors, confidences = [], []
    for shift in shifts:
        measured, confidence = offset(float(shift))
        errors.append(np.inf if measured is None or base is None else (measured - base) - shift)
        confidences.append(confidence)
    errors = np.array(errors)
    within = np.abs(errors) <= period_ms
    return {"clip": path.name, "fps": pictures.fps, "base_ms": base, "base_confidence": base_confidence,
            "within": int(within.sum()), "cases": len(shifts), "mae_ms": float(np.mean(np.abs(errors[np.isfinite(errors)]))),
            "min_confidence": float(np.min(confidences)), "misses": [float(s) for s in shifts[~within]]}


def end_to_end(path: Path, folder: Path, shifts_ms=(-200.0, -120.0, -40.0, 40.0, 120.0, 200.0)) -> list[tuple[float, float | None]]:
    """(shift, change of measured offset) for files re-muxed with the sound moved by ``shift``
    (``-itsoffset``, picture copied, sound re-encoded to AAC so its samples change too)."""
    base = measure_qa(path).get("offset_ms")
    rows = []
    for shift in shifts_ms:
        out = folder / f"{path.stem}_itsoffset_{shift:+.0f}.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(path), "-itsoffset", f"{-shift / 1000.0:.3f}",
                        "-i", str(path), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", str(out)],
                       check=True)
        measured = measure_qa(out).get("offset_ms")
        rows.append((shift, None if measured is None or base is None else measured - base))
    return rows


def edited_clip(path: Path, out: Path, edit: str, start_s: float) -> Path:
    """Re-encode ``path`` with its own sound; inside [start_s, start_s + STRETCH_S) the picture
    is ``late`` by PICTURE_LATE_S or ``frozen`` on its first frame; ``none`` leaves it as is."""
    info = probe(path, expect={"video"})
    fps = info.video.fps
    decoder = VideoDecoder(info, max_side=max(info.video.width, info.video.height))
    first, last = int(round(start_s * fps)), int(round((start_s + STRETCH_S) * fps))
    lag = int(round(PICTURE_LATE_S * fps))
    history: list[np.ndarray] = []

    def frames():
        frozen = None
        for frame in decoder:
            history.append(frame.rgb)
            del history[:-lag - 1]
            if first <= frame.index < last:
                if edit == "late":
                    yield history[0]
                    continue
                if edit == "frozen":
                    frozen = frame.rgb if frozen is None else frozen
                    yield frozen
                    continue
            yield frame.rgb

    return encode_video(frames(), out, fps, (decoder.width, decoder.height), audio_path=path)


def desync_detection(path: Path, folder: Path) -> dict:
    info = probe(path, expect={"video"})
    duration = info.video.duration_s or 5.0
    start = max(0.0, duration / 2 - STRETCH_S / 2)
    row = {"clip": path.name, "stretch": (round(start, 2), round(start + STRETCH_S, 2))}
    for edit in ("none", "late", "frozen"):
        out = edited_clip(path, folder / f"{path.stem}_{edit}.mp4", edit, start)
        report = judge_qa(measure_qa(out), out)
        flagged = [s for s in report.segments if s.rerender]
        if edit == "none":
            row["false_segments"] = len(flagged)
            row["untouched_offset_ms"] = report.sync.offset_ms
        else:
            row[edit] = any(s.start < start + STRETCH_S and s.end > start for s in flagged)
            row[f"{edit}_reasons"] = sorted({s.reason for s in flagged})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="folder with talk*.mp4 (e.g. /work/shared/corpus)")
    parser.add_argument("--no-fixture", action="store_true")
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args()
    clips = []
    if not args.no_fixture:
        from fixtures.build import build
        clips.append(build()["talking"])
    if args.corpus:
        clips += sorted(args.corpus.glob("talk*.mp4"))
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="lipgate-bench-") as temporary:
        folder = Path(temporary)
        print("## Shift recovery (sound moved in memory on the timeline, -200..+200 ms in half-frame steps)\n")
        print("| clip | fps | own offset (ms) | confidence | within one frame | mean abs error (ms) | misses (ms) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        total = within = 0
        for clip in clips:
            row = shift_sweep(clip)
            total, within = total + row["cases"], within + row["within"]
            base = "-" if row["base_ms"] is None else f"{row['base_ms']:+.0f}"
            print(f"| {row['clip']} | {row['fps']:g} | {base} | {row['base_confidence']:.1f} | {row['within']}/{row['cases']} | "
                  f"{row['mae_ms']:.1f} | {', '.join(f'{m:+.0f}' for m in row['misses']) or '-'} |", flush=True)
        print(f"| all | | | | {within}/{total} ({100 * within / max(total, 1):.1f}%) | | |\n")
        if not args.no_end_to_end:
            print("## End to end (ffmpeg -itsoffset, picture copied, sound re-encoded)\n")
            print("| clip | shift (ms) | change of measured offset (ms) | within one frame |")
            print("| --- | --- | --- | --- |")
            hits = cases = 0
            for clip in clips:
                period_ms = 1000.0 / probe(clip).video.fps
                for shift, change in end_to_end(clip, folder):
                    within = change is not None and abs(change - shift) <= period_ms
                    hits, cases = hits + within, cases + 1
                    print(f"| {clip.name} | {shift:+.0f} | {'-' if change is None else f'{change:+.1f}'} | "
                          f"{'yes' if within else 'NO'} |", flush=True)
            print(f"| all | | | {hits}/{cases} |\n")
        print(f"## Local desync ({STRETCH_S} s stretch mid-clip: picture {PICTURE_LATE_S * 1000:.0f} ms late, or mouth frozen)\n")
        print("| clip | stretch (s) | picture late: flagged | frozen: flagged | false segments on untouched | untouched offset (ms) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for clip in clips:
            row = desync_detection(clip, folder)
            offset = "-" if row["untouched_offset_ms"] is None else f"{row['untouched_offset_ms']:+.0f}"
            print(f"| {row['clip']} | {row['stretch'][0]}-{row['stretch'][1]} | {'hit' if row['late'] else 'MISS'} | "
                  f"{'hit' if row['frozen'] else 'MISS'} | {row['false_segments']} | {offset} |", flush=True)
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
