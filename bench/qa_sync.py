"""Benchmark of `lipgate qa`: shift recovery and local-desync detection.

    python bench/qa_sync.py [--corpus CORPUS] [--no-fixture] [--no-end-to-end]

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
   must get none (false segments are counted). On the untouched clip the bench also reports
   the jitter of the confident local offsets around the clip's (95th percentile of the
   distance; the source of ``local_margin_ms``), the longest run of chance peaks (the source
   of ``MIN_SLIP_S``) and the gains of the tracked lag path's stretches past tolerance (the
   source of ``min_slip_gain``); on the picture-late clip, the gain of the path's stretch
   overlapping the edit.
4. The same on longer real material: the corpus clips concatenated into one ~28 s clip (each
   scaled to 512 px at 25 fps with its own sound, so there are four real shot cuts), with the
   stretch in the middle of each part in turn.
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
from lipgate.qa import sync  # noqa: E402
from lipgate.qa.features import AUDIO_SR, AudioFeatures  # noqa: E402
from lipgate.timeline import runs  # noqa: E402
from lipgate.qa.measure import decode_pictures, measure_qa  # noqa: E402
from lipgate.qa.judge import judge_qa  # noqa: E402
from lipgate.qa.judge import path_stretches  # noqa: E402
from lipgate.qa.settings import QA_THRESHOLDS, qa_limits  # noqa: E402

STRETCH_S = 1.6
PICTURE_LATE_S = 0.2
CHANCE_MS = 120.0
"""A confident local window further than this from its clip's offset on an untouched clip is a
chance peak (the sidelobe exclusion of lipgate.qa.sync), nearer it is the measurement's jitter."""
LONG_CLIP_SIDE = 512
"""Side (px) every corpus clip is scaled to in the concatenated long clip."""
LONG_CLIP_FPS = 25.0
"""Frame rate of the concatenated long clip (the 30 fps clips lose every sixth frame)."""


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


def concatenated_clip(paths: list[Path], out: Path) -> tuple[Path, list[tuple[str, float, float]]]:
    """One clip of ``paths`` played one after the other, each scaled to ``LONG_CLIP_SIDE`` px at
    ``LONG_CLIP_FPS`` with its own sound, so that each boundary is a real shot cut. Each sound is
    cut to its picture's time range (its offset against the picture is kept to the sample).
    Parts are cut to whole frames so that they start where the timeline says. Returns the file and (name, start s, end s) of each part on its timeline."""
    filters, parts, position = [], [], 0.0
    for k, path in enumerate(paths):
        info = probe(path, expect={"video", "audio"})
        duration = np.floor(info.video.duration_s * LONG_CLIP_FPS) / LONG_CLIP_FPS  # whole frames
        filters.append(f"[{k}:v]setpts=PTS-STARTPTS,scale={LONG_CLIP_SIDE}:{LONG_CLIP_SIDE},setsar=1,"
                       f"fps={LONG_CLIP_FPS:g},trim=duration={duration:.6f}[v{k}]")
        filters.append(f"[{k}:a]atrim=start={info.video.start_s - info.audio.start_s:.6f},asetpts=PTS-STARTPTS,"
                       f"aresample=44100,aformat=channel_layouts=stereo,apad,atrim=duration={duration:.6f}[a{k}]")
        parts.append((path.name, round(position, 3), round(position + duration, 3)))
        position += duration
    filters.append("".join(f"[v{k}][a{k}]" for k in range(len(paths))) + f"concat=n={len(paths)}:v=1:a=1[v][a]")
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for path in paths:
        command += ["-i", str(path)]
    command += ["-filter_complex", ";".join(filters), "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", str(out)]
    subprocess.run(command, check=True)
    return out, parts


def local_spread(measured) -> dict:
    """On an untouched clip: |local - clip offset| (ms) of the confident local windows within
    ``CHANCE_MS`` of the clip's offset (their jitter), and the longest run of confident windows
    further away (chance peaks), in windows."""
    local, confidence = measured.series["local_offset_ms"], measured.series["local_confidence"]
    confident = np.isfinite(local) & (confidence >= QA_THRESHOLDS["min_local_confidence"].value)
    clip = measured.get("offset_ms")
    deviation = np.abs(local - (clip if clip is not None else np.nan))
    chance = confident & (deviation > CHANCE_MS)
    return {"jitter_ms": deviation[confident & ~chance],
            "longest_chance_run": max((b - a + 1 for a, b in runs(chance)), default=0)}


def desync_detection(path: Path, folder: Path, parts: list[tuple[str, float, float]] | None = None) -> list[dict]:
    """One row per edited stretch: in the middle of the clip, or of each of its ``parts``."""
    info = probe(path, expect={"video"})
    duration = info.video.duration_s or 5.0
    middles = [(path.name, duration / 2)] if parts is None else [(name, (a + b) / 2) for name, a, b in parts]
    untouched_out = edited_clip(path, folder / f"{path.stem}_none.mp4", "none", 0.0)
    untouched = measure_qa(untouched_out)
    report = judge_qa(untouched, untouched_out)
    common = {"false_segments": [(round(s.start, 1), round(s.end, 1)) for s in report.segments if s.rerender],
              "untouched_offset_ms": report.sync.offset_ms, **local_spread(untouched),
              "untouched_gains": [gain for _, gain in path_stretches(untouched.series, qa_limits())]}
    rows = []
    for name, middle in middles:
        start = max(0.0, middle - STRETCH_S / 2)
        row = {"clip": path.name if parts is None else f"{path.name} ({name})",
               "stretch": (round(start, 2), round(start + STRETCH_S, 2)), **common}
        for edit in ("late", "frozen"):
            out = edited_clip(path, folder / f"{path.stem}_{edit}_{start:.2f}.mp4", edit, start)
            measured = measure_qa(out)
            flagged = [s for s in judge_qa(measured, out).segments if s.rerender]
            row[edit] = any(s.start < start + STRETCH_S and s.end > start for s in flagged)
            row[f"{edit}_gain"] = max((gain for stretch, gain in path_stretches(measured.series, qa_limits())
                                       if stretch.start < start + STRETCH_S and stretch.end > start), default=None)
            row[f"{edit}_elsewhere"] = sum(not (s.start < start + STRETCH_S and s.end > start) for s in flagged)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="folder with talk*.mp4 (talk1.mp4 ... talk5.mp4)")
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
        print("| clip | stretch (s) | picture late: flagged | frozen: flagged | other re-render segments (late / frozen) | "
              "false segments on untouched | untouched offset (ms) | local jitter p95 (ms) | longest chance run (windows) | "
              "path gain: late stretch / untouched stretches |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        corpus = sorted(args.corpus.glob("talk*.mp4")) if args.corpus else []
        long_clip = [concatenated_clip(corpus, folder / "concatenated.mp4")] if len(corpus) > 1 else []
        hits, jitter = {"late": [0, 0], "frozen": [0, 0]}, []
        for clip, parts in [(clip, None) for clip in clips] + long_clip:
            for row in desync_detection(clip, folder, parts):
                for edit in hits:
                    hits[edit] = [hits[edit][0] + row[edit], hits[edit][1] + 1]
                if clip in corpus:
                    jitter.extend(row["jitter_ms"])
                offset = "-" if row["untouched_offset_ms"] is None else f"{row['untouched_offset_ms']:+.0f}"
                spread = f"{np.percentile(row['jitter_ms'], 95):.0f}" if len(row["jitter_ms"]) else "-"
                late_gain = "-" if row["late_gain"] is None else f"{row['late_gain']:.1f}"
                print(f"| {row['clip']} | {row['stretch'][0]}-{row['stretch'][1]} | {'hit' if row['late'] else 'MISS'} | "
                      f"{'hit' if row['frozen'] else 'MISS'} | {row['late_elsewhere']} / {row['frozen_elsewhere']} | "
                      f"{len(row['false_segments'])} {row['false_segments'] or ''} | {offset} | {spread} | "
                      f"{row['longest_chance_run']} | {late_gain} / {', '.join(f'{g:.1f}' for g in row['untouched_gains']) or '-'} |",
                      flush=True)
        print(f"| all | | {hits['late'][0]}/{hits['late'][1]} | {hits['frozen'][0]}/{hits['frozen'][1]} | | | | "
              f"{np.percentile(jitter, 95) if jitter else float('nan'):.0f} (corpus clips) | | |")
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
