"""Margins behind the thresholds of `lipgate qa --source`, on renders built from real clips.

For each corpus clip (the five ``talk*.mp4`` and ``--real N`` clips of ``real/``, spread over
framings), the clip scaled to at most ``MAX_SIDE`` px is the source. Its "render" is what a
lip-sync service should return: the same frames, the lower face (its padded face-mesh box,
feathered) replaced by the lower face of the frame ``MOUTH_SHIFT`` frames away (another mouth
shape, as a re-synced mouth would have), and a target speech (``speech1.wav``, cut to the length
the source allows) as its sound. The spoiled renders are those of ``fixtures.spoils`` (same
parameters; the three dropped frames a third of the way in, the repeated one half way, as the
clips are short) built the same way, with two milder ones (``EXTRA_SPOILS``). Each is measured (``lipgate.qa.compare``) and judged
(``lipgate.qa.checks``); the report gives, per check, the values of the unspoiled renders, of
the renders spoiled for it, the margin between the worst of each, and whether any render failed
a check other than its own.

    python -m bench.qa_source_margins CORPUS [--real 6] [--work /tmp/qa_source_margins]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from fixtures import spoils
from lipgate.face import FaceTracker
from lipgate.qa.checks import SOURCE_CHECKS, judge_source
from lipgate.qa.compare import measure_against_source

MAX_SIDE = 640
MOUTH_SHIFT = 8
"""Frames between a render frame and the frame its lower face comes from (0.27-0.32 s)."""
RESERVE_S = 1.8
"""The source runs this much past the target speech: room for the late start and the drops."""
EXTRA_SPOILS = {"lower_face_blurred_1px": ("mouth_sharpness", 1.0), "picture_brighter_10": ("picture_kept", 10)}
"""Milder spoils, to see how close to the threshold a smaller fault comes."""


KEEP_S = 8.0
"""Only the first 8 s of a clip are used (the 5 s target speech and ``RESERVE_S``)."""


def decode(path: Path, side: int) -> tuple[list[np.ndarray], float, tuple[int, int]]:
    from lipgate.media import VideoDecoder, probe

    info = probe(path, expect={"video"})
    decoder = VideoDecoder(info, max_side=side)
    frames = []
    for frame in decoder:
        frames.append(frame.rgb.copy())
        if len(frames) >= KEEP_S * decoder.fps:
            break
    return frames, decoder.fps, (decoder.width, decoder.height)


def boxes_of(frames: list[np.ndarray]) -> list[tuple[int, int, int, int] | None]:
    boxes, last = [], None
    with FaceTracker() as tracker:
        for rgb in frames:
            landmarks = tracker.landmarks(rgb)
            if landmarks is not None:
                height, width = rgb.shape[:2]
                last = spoils.lower_face_box_px(landmarks, width, height)
            boxes.append(last)
    return boxes


def encode(frames, out: Path, fps: float, size: tuple[int, int], sound: Path, offset_s: float = 0.0) -> Path:
    from fixtures import synth

    return synth.encode_video(frames, out, fps, size, audio_path=sound, audio_offset_s=offset_s)


def build(clip: Path, speech: Path, folder: Path) -> dict[str, Path] | None:
    import soundfile

    folder.mkdir(parents=True, exist_ok=True)
    frames, fps, size = decode(clip, MAX_SIDE)
    boxes = boxes_of(frames)
    if sum(box is not None for box in boxes) < 0.8 * len(frames):
        return None
    boxes = [box or next(b for b in boxes if b) for box in boxes]
    source = encode(frames, folder / "source.mp4", fps, size, clip)  # the clip's own sound, cut with the picture
    samples, sr = soundfile.read(str(speech), dtype="float32", always_2d=True)
    speech_s = min(samples.shape[0] / sr, len(frames) / fps - RESERVE_S)
    if speech_s < 3.0:
        return None
    target = folder / "target.wav"
    soundfile.write(str(target), samples[: int(speech_s * sr)].mean(axis=1), sr)
    n = int(round(speech_s * fps))
    shape = frames[0].shape[:2]
    weight_of = lambda j: spoils.feathered_box(shape, boxes[j])  # noqa: E731

    def rendered(j: int, i: int | None = None) -> np.ndarray:
        """Source frame j with the lower face of frame j +- MOUTH_SHIFT (the render's mouth)."""
        donor = j - MOUTH_SHIFT if j >= MOUTH_SHIFT else j + MOUTH_SHIFT
        weight = weight_of(j)
        mixed = frames[j] * (1 - weight) + frames[min(donor, len(frames) - 1)] * weight
        return mixed.clip(0, 255).astype(np.uint8)

    straight = list(range(n))
    renders = {"ok": encode((rendered(j) for j in straight), folder / "ok.mp4", fps, size, target)}
    # the faults of fixtures.spoils, placed a third and a half of the way in (the clips are short)
    drop_at, at = n // 3, n // 2
    dropped = [j for j in range(n + 3) if not drop_at <= j < drop_at + 3]
    renders["frames_dropped"] = encode((rendered(j) for j in dropped), folder / "frames_dropped.mp4", fps, size, target)
    repeated = (list(range(at + 1)) + [at] * spoils.REPEATS + list(range(at + 1, n)))[:n]
    renders["frames_repeated"] = encode((rendered(j) for j in repeated), folder / "frames_repeated.mp4", fps, size, target)
    renders["starts_late"] = encode((rendered(j + spoils.LATE_START_FRAMES) for j in straight), folder / "starts_late.mp4",
                                    fps, size, target)
    renders["sound_moved"] = encode((rendered(j) for j in straight), folder / "sound_moved.mp4", fps, size, target,
                                    offset_s=spoils.SOUND_DELAY_S)
    cut = spoils._silence_tail(target, folder / "target_cut.wav", spoils.SOUND_CUT_S)
    renders["sound_cut"] = encode((rendered(j) for j in straight), folder / "sound_cut.mp4", fps, size, cut)

    def brighter(j: int, levels: float) -> np.ndarray:
        return (rendered(j) + levels * (1 - weight_of(j))).clip(0, 255).astype(np.uint8)

    def blurred(j: int, sigma: float) -> np.ndarray:
        picture = rendered(j).astype(np.float32)
        soft = cv2.GaussianBlur(picture, (0, 0), sigma)
        return (picture * (1 - weight_of(j)) + soft * weight_of(j)).clip(0, 255).astype(np.uint8)

    renders["picture_altered"] = encode((brighter(j, spoils.BRIGHTER) for j in straight), folder / "picture_altered.mp4",
                                        fps, size, target)
    renders["picture_brighter_10"] = encode((brighter(j, 10) for j in straight), folder / "picture_brighter_10.mp4",
                                            fps, size, target)
    renders["lower_face_blurred"] = encode((blurred(j, spoils.BLUR_SIGMA_PX) for j in straight),
                                           folder / "lower_face_blurred.mp4", fps, size, target)
    renders["lower_face_blurred_1px"] = encode((blurred(j, 1.0) for j in straight), folder / "lower_face_blurred_1px.mp4",
                                               fps, size, target)
    renders["not_resynced"] = encode((frames[j] for j in straight), folder / "not_resynced.mp4", fps, size, target)
    renders["too_short"] = encode((rendered(j) for j in straight[: n - spoils.TOO_SHORT_FRAMES]), folder / "too_short.mp4",
                                  fps, size, target)
    other_fps = 30.0 if abs(fps - 25.0) < 0.5 else 25.0
    renders["fps_changed"] = spoils.change_fps(renders["ok"], folder / "fps_changed.mp4", other_fps)
    return {"source": source, "target": target, **renders}


def clips(corpus: Path, real: int) -> list[Path]:
    chosen = sorted(corpus.glob("talk*.mp4"))
    manifest = json.loads((corpus / "real" / "manifest.json").read_text())
    by_framing: dict[str, list[dict]] = {}
    for entry in manifest:
        if entry["framing"] in ("closeup", "medium") and entry["duration_s"] >= 6.5:
            by_framing.setdefault(entry["framing"], []).append(entry)
    picked = []
    for index in range(real):  # alternate framings, spread over each list
        group = by_framing[("closeup", "medium")[index % 2]]
        picked.append(group[(index // 2 * 7) % len(group)])
    return chosen + [corpus / "real" / entry["file"] for entry in picked]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--real", type=int, default=6, help="clips of real/ besides talk1-5")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa_source_margins"))
    args = parser.parse_args(argv)
    speech = args.corpus / "speech1.wav"
    rows = []
    for clip in clips(args.corpus, args.real):
        built = build(clip, speech, args.work / clip.stem)
        if built is None:
            print(f"{clip.name}: skipped (no face in most frames, or too short)", file=sys.stderr, flush=True)
            continue
        for name, render in built.items():
            if name in ("source", "target"):
                continue
            results = {r.id: r for r in judge_source(measure_against_source(render, built["source"], built["target"]))}
            row = {"clip": clip.name, "render": name,
                   "values": {check_id: results[check_id].value for check_id in SOURCE_CHECKS},
                   "status": {check_id: results[check_id].status for check_id in SOURCE_CHECKS},
                   "similarity": results["sound_kept"].details.get("similarity")}
            rows.append(row)
            print(json.dumps(row), flush=True)
    (args.work / "rows.json").write_text(json.dumps(rows, indent=1))
    print(summary(rows))
    return 0


def summary(rows: list[dict]) -> str:
    own = {**spoils.SPOILS, **{name: check for name, (check, _) in EXTRA_SPOILS.items()}}
    lines = ["| check | threshold | unspoiled renders (min - max) | spoiled for it (min - max) | spoiled renders failed | "
             "unspoiled passed |", "| --- | --- | --- | --- | --- | --- |"]
    for check_id, check in SOURCE_CHECKS.items():
        ok = [row for row in rows if row["render"] == "ok"]
        bad = [row for row in rows if own.get(row["render"]) == check_id and row["render"] in spoils.SPOILS]
        fmt = lambda values: f"{min(values):.3g} - {max(values):.3g}" if values else "-"  # noqa: E731
        ok_values = [row["values"][check_id] for row in ok if row["values"][check_id] is not None]
        bad_values = [row["values"][check_id] for row in bad if row["values"][check_id] is not None]
        threshold = ", ".join(f"{name} {t.value:g}" for name, t in check.thresholds.items())
        lines.append(f"| `{check_id}` | {threshold} | {fmt(ok_values)} | {fmt(bad_values)} | "
                     f"{sum(row['status'][check_id] == 'fail' for row in bad)} / {len(bad)} | "
                     f"{sum(row['status'][check_id] == 'pass' for row in ok)} / {len(ok)} |")
    lines += ["", "| spoiled render | its check | values | failed its check | failed another check |", "| --- | --- | --- | --- | --- |"]
    for name, check_id in own.items():
        mine = [row for row in rows if row["render"] == name]
        if not mine:
            continue
        values = [row["values"][check_id] for row in mine if row["values"][check_id] is not None]
        others = sorted({f"{row['clip']}: {other}" for row in mine for other, status in row["status"].items()
                         if status == "fail" and other != check_id})
        lines.append(f"| {name} | `{check_id}` | {min(values):.3g} - {max(values):.3g} | "
                     f"{sum(row['status'][check_id] == 'fail' for row in mine)} / {len(mine)} | {'; '.join(others) or 'none'} |")
    ok_other = sorted({f"{row['clip']}: {check}" for row in rows if row["render"] == "ok"
                       for check, status in row["status"].items() if status != "pass"})
    lines += ["", f"unspoiled renders not passing a check: {'; '.join(ok_other) or 'none'}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
