"""`lipgate qa` judges every shot: frozen mouths and 200 ms slips in every framing.

    python -m bench.qa_every_shot /work/shared/corpus/real [--work /tmp/qa-every-shot] [--jobs 2]

For every clip of the corpus folder (``manifest.json``), in its original framing and in
framing variants built from the clips, it builds, through one and the same re-encode (H.264
``veryfast`` CRF 20, the sound copied):
- ``untouched``: the clip as it is;
- ``frozen``: the mouth region held still for ``STRETCH_S`` mid-speech (the region of the
  stretch's first frame pasted over the next frames, as a generated mouth that stops);
- ``slip``: for ``STRETCH_S`` mid-speech, the picture ``PICTURE_LATE_S`` late (the frames of
  ``PICTURE_LATE_S`` earlier; the picture jumps back at the start and forward at the end);
- ``soft-frozen``, ``soft-slip``: the same with the mouth region softened over the whole clip
  (a box blur on the mouth box to the detail of a face rendered 96 px tall, ``soft_radius``, as a
  generated mouth pasted back);
then runs ``lipgate.qa`` (measure and judge, default thresholds) on each and counts, per framing:
a frozen or slip edit is caught when a ``rerender`` segment overlaps its stretch; an untouched
copy is clean when it has no ``rerender`` segment.

Framing variants (``--variants``, or ``--variants-only``; with the untouched, frozen and slip
edits): ``canvas`` (every fourth close-up speaker's first clip scaled to 360 px tall and placed at
the left third of a 1920x1080 grey canvas: a wide shot), ``vertical`` (a 608x1080 9:16 window cut
around the face of the first five 1920x1080 clips of distinct speakers) and ``4k`` (the first of
those scaled to 3840x2160).

Mid-speech: the stretch starts where the untouched copy's measured speech covers most of
the ``STRETCH_S`` (at least ``PICTURE_LATE_S`` from the start). The mouth region: the lower
40% of the measured face box, widened by a fifth, median over the stretch.

``--simulate SERIES_DIR``: the edits are not encoded; each untouched copy (already built in
``--work``) is decoded once as ``measure_qa`` decodes it (cached in ``SERIES_DIR``), and the slip
and the frozen mouth are simulated on its per-frame series (``simulated_edit``) and analysed in
memory: a change of the analysis is measured in minutes, the file edits then confirm it.

Speakers are split in two halves by a hash of their id (``split``): thresholds are read off
one half and checked on the other (``--derive``): the table says which half each row is.
Measurements are cached in ``--work`` (pickles), so a re-run only re-judges.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STRETCH_S = 1.6
PICTURE_LATE_S = 0.2
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "copy"]
EDITS = ("untouched", "frozen", "slip", "soft-frozen", "soft-slip")
VARIANT_EDITS = ("untouched", "frozen", "slip")
"""The framing variants get the plain edits only (the softened ones are measured on the original framings)."""
TWO_FACES = {"facebookresearch__VisualVoice__interview", "Sindhu-Hegde__gestsync__asd_sample_2", "dfdc__cedpyannqf"}


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True)


@dataclass
class Case:
    clip: str
    framing: str
    speaker: str
    edit: str
    path: Path
    stretch: tuple[float, float] | None


def split(speaker: str) -> str:
    """'A' or 'B': a stable half of the speakers (the first hex digit of the id's SHA-1)."""
    return "A" if int(hashlib.sha1(speaker.encode()).hexdigest()[0], 16) < 8 else "B"


def measure(path: Path, cache: Path):
    """``lipgate.qa.measure.measure_qa`` of ``path``: its decoded series (``decoded_series``, cached
    in ``cache``) analysed afresh, so a change of the analysis re-judges without decoding again; an
    error message when it cannot be measured."""
    from lipgate.qa.measure import analyse

    decoded = decoded_series(path, cache)
    if isinstance(decoded, str):
        return decoded
    try:
        return analyse(*decoded)
    except Exception as error:  # an unjudgeable file counts as not caught / not clean
        return f"{type(error).__name__}: {error}"


def stretch_start(measured, duration_s: float) -> float:
    """Start (s from the first frame) of the ``STRETCH_S`` stretch mid-speech: of the stretches
    whose measured speech share is within 0.1 of the best, the one nearest the clip's middle."""
    t, speaking = measured.series["frame_t"] - measured.series["frame_t"][0], measured.series["speaking"]
    starts = np.arange(PICTURE_LATE_S + 0.3, max(PICTURE_LATE_S + 0.31, duration_s - STRETCH_S - 0.3), 0.1)
    shares = np.array([speaking[(t >= start) & (t < start + STRETCH_S)].mean() if len(t) else 0.0 for start in starts])
    good = starts[shares >= shares.max() - 0.1]
    return float(good[np.argmin(np.abs(good + STRETCH_S / 2 - duration_s / 2))])


def mouth_box(measured, start: float, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the mouth region over the stretch: lower 40% of the median face box, widened by a fifth."""
    t = measured.series["frame_t"] - measured.series["frame_t"][0]
    boxes = measured.series["face_box"][(t >= start) & (t < start + STRETCH_S)]
    boxes = boxes[np.all(np.isfinite(boxes), axis=1)]
    if len(boxes) == 0:
        boxes = measured.series["face_box"][np.all(np.isfinite(measured.series["face_box"]), axis=1)]
    x0, y0, x1, y1 = np.median(boxes, axis=0)
    face_w, face_h = x1 - x0, y1 - y0
    left, right = x0 - 0.1 * face_w, x1 + 0.1 * face_w
    top, bottom = y0 + 0.6 * face_h, y1 + 0.08 * face_h
    left, top = max(0, int(left)) // 2 * 2, max(0, int(top)) // 2 * 2
    right, bottom = min(width, int(right)), min(height, int(bottom))
    return left, top, max(2, (right - left) // 2 * 2), max(2, (bottom - top) // 2 * 2)


def soft_radius(box: tuple[int, int, int, int]) -> int:
    """Box-blur radius (px) that softens the mouth region to the detail of a face rendered 96 px
    tall (Wav2Lip's face size) and pasted back: the face is about 2.5 mouth-box heights tall."""
    return max(1, int(round(2.5 * box[3] / 96)))


def build_edit(base: Path, edit: str, start: float, box: tuple[int, int, int, int], out: Path, fps: float) -> None:
    """The ``edit`` of ``base`` over [start, start + STRETCH_S) (see the module's docstring)."""
    x, y, w, h = box
    end = start + STRETCH_S
    source = base
    if edit.startswith("soft-"):
        soft = out.with_name(out.stem + "-softbase.mp4")
        ffmpeg("-i", str(base), "-filter_complex",
               f"[0:v]split[a][b];[b]crop={w}:{h}:{x}:{y},boxblur={soft_radius(box)}[m];[a][m]overlay={x}:{y}",
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-c:a", "copy", str(soft))
        source, edit = soft, edit[len("soft-"):]
    if edit == "untouched":
        ffmpeg("-i", str(source), *ENCODE, str(out))
    elif edit == "frozen":
        patch = out.with_suffix(".png")
        ffmpeg("-ss", f"{start:.3f}", "-i", str(source), "-frames:v", "1", "-vf", f"crop={w}:{h}:{x}:{y}", str(patch))
        ffmpeg("-i", str(source), "-loop", "1", "-i", str(patch), "-filter_complex",
               f"[0:v][1:v]overlay={x}:{y}:enable='between(t,{start:.3f},{end - 0.5 / fps:.3f})':shortest=1",
               *ENCODE, str(out))
        patch.unlink()
    elif edit == "slip":
        late = PICTURE_LATE_S
        ffmpeg("-i", str(source), "-filter_complex",
               f"[0:v]split=3[a][b][c];[a]trim=end={start:.3f},setpts=PTS-STARTPTS[a1];"
               f"[b]trim=start={start - late:.3f}:end={end - late:.3f},setpts=PTS-STARTPTS[b1];"
               f"[c]trim=start={end:.3f},setpts=PTS-STARTPTS[c1];[a1][b1][c1]concat=n=3:v=1:a=0[v]",
               "-map", "[v]", "-map", "0:a", *ENCODE, str(out))
    if source != base:
        source.unlink()


def build_variant(clip: Path, variant: str, box: np.ndarray | None, out: Path) -> None:
    """A framing variant of ``clip`` (see the module's docstring), nearly lossless (CRF 12)."""
    if variant == "canvas":
        picture = "scale=-2:360,pad=1920:1080:(1920/3-iw/2):(ih*1.2):color=0x808080"
    elif variant == "vertical":
        centre = float((box[0] + box[2]) / 2)
        left = int(np.clip(centre - 304, 0, 1920 - 608)) // 2 * 2
        picture = f"crop=608:1080:{left}:0"
    else:
        picture = "scale=3840:2160:flags=bicubic"
    ffmpeg("-i", str(clip), "-vf", picture, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-c:a", "copy", str(out))


def run_clip(job: tuple[str, str, str, str, Path, str]) -> list[dict]:
    """Build the edits of one clip (in one framing) and judge each; one row per edit."""
    name, framing, speaker, variant, original, work, chosen_edits = job
    from lipgate.media import probe
    from lipgate.qa.judge import judge_qa

    folder = Path(work) / f"{name}@{variant}"
    folder.mkdir(parents=True, exist_ok=True)
    base = original
    if variant != "original":
        base = folder / "base.mp4"
        if not base.exists():
            source_measured = measure(original, Path(work) / f"{name}@original" / "source.series.pickle") if variant == "vertical" else None
            box = None
            if source_measured is not None and not isinstance(source_measured, str):
                boxes = source_measured.series["face_box"]
                box = np.nanmedian(boxes, axis=0)
            build_variant(original, variant, box, base)
    info = probe(base)
    rows = []
    untouched_path = folder / "untouched.mp4"
    if not untouched_path.exists():
        build_edit(base, "untouched", 0.0, (0, 0, 2, 2), untouched_path, info.video.fps)
    untouched = measure(untouched_path, folder / "untouched.series.pickle")
    start = box = None
    if not isinstance(untouched, str) and np.isfinite(untouched.series["face_box"]).any():
        start = stretch_start(untouched, info.duration_s or info.video.duration_s)
        box = mouth_box(untouched, start, info.video.width, info.video.height)
    for edit in edits_of(variant, chosen_edits):
        path = folder / f"{edit}.mp4"
        if edit != "untouched" and start is None:
            rows.append(dict(clip=name, framing=framing, speaker=speaker, variant=variant, edit=edit, stretch=None,
                             error="no face in the untouched copy to edit"))
            continue
        if edit != "untouched" and not path.exists() and not (folder / f"{edit}.series.pickle").exists():
            build_edit(base, edit, start, box, path, info.video.fps)
        measured = untouched if edit == "untouched" else measure(path, folder / f"{edit}.series.pickle")
        row = dict(clip=name, framing=framing, speaker=speaker, variant=variant, edit=edit,
                   stretch=None if edit == "untouched" else (start, start + STRETCH_S))
        if isinstance(measured, str):
            row["error"] = measured
        else:
            report = judge_qa(measured, path)
            t0 = float(measured.series["frame_t"][0])
            row["segments"] = [(s.start - t0, s.end - t0, s.kind, s.rerender) for s in report.segments]
            row["verdict"] = report.verdict
            row["faces_tracked"] = measured.get("faces_tracked")
            row["measured"] = measured
        rows.append(row)
        if path.exists() and edit != "untouched":
            path.unlink()  # the decoded series hold what is needed; 4K edits are large
    return rows


def edits_of(variant: str, chosen: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The edits built for ``variant`` (all of ``EDITS`` for the original framing, ``VARIANT_EDITS``
    for the framing variants), restricted to ``chosen`` when given."""
    edits = EDITS if variant == "original" else VARIANT_EDITS
    return tuple(edit for edit in edits if chosen is None or edit in chosen)


def caught(row: dict) -> bool:
    """A rerender segment overlaps the edited stretch (edits), or none at all (untouched: 'clean')."""
    flagged = [(a, b) for a, b, _, rerender in row.get("segments", []) if rerender]
    if row["edit"] == "untouched":
        return "segments" in row and not flagged
    if row.get("stretch") is None or "segments" not in row:
        return False
    start, end = row["stretch"]
    return any(a < end and b > start for a, b in flagged)


def table(rows: list[dict]) -> str:
    """Per framing (and speaker half): frozen / slip caught, untouched clean, with counts."""
    lines = ["| framing | half | clips | frozen caught | slip caught | soft frozen caught | soft slip caught | untouched clean |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    def cell(group: list[dict], edit: str) -> str:
        chosen = [row for row in group if row["edit"] == edit]
        if not chosen:
            return "-"
        hits = sum(caught(row) for row in chosen)
        return f"{hits}/{len(chosen)} ({100 * hits / len(chosen):.0f}%)"
    framings = sorted({row["framing"] for row in rows})
    for framing in framings + ["all"]:
        for half in ("A", "B", "both"):
            group = [row for row in rows if (framing == "all" or row["framing"] == framing)
                     and (half == "both" or split(row["speaker"]) == half)]
            if not group:
                continue
            clips = len({(row["clip"], row["variant"]) for row in group})
            lines.append(f"| {framing} | {half} | {clips} | " + " | ".join(cell(group, edit) for edit in EDITS[1:]) +
                         f" | {cell(group, 'untouched')} |")
    return "\n".join(lines)


def rejudged(rows: list[dict], work: Path, overrides: dict) -> list[dict]:
    """``rows`` judged again from their cached measurements under ``overrides`` of the QA thresholds."""
    from lipgate.config import Config
    from lipgate.qa.judge import judge_qa

    config, fresh = Config(qa=overrides), []
    for row in rows:
        cache = work / f"{row['clip']}@{row['variant']}" / f"{row['edit']}.series.pickle"
        measured = row.get("measured") or (measure(cache, cache) if cache.exists() else "no measurement")
        row = {key: value for key, value in row.items() if key not in ("segments", "error")}
        if isinstance(measured, str):
            row["error"] = measured
        else:
            t0 = float(measured.series["frame_t"][0])
            row["segments"] = [(s.start - t0, s.end - t0, s.kind, s.rerender)
                               for s in judge_qa(measured, "clip.mp4", config).segments]
        fresh.append(row)
    return fresh


def rates(rows: list[dict]) -> tuple[float, float, float]:
    """(share of frozen edits caught, of slip edits caught, of untouched copies clean), soft ones included."""
    share = lambda edits: np.mean([caught(r) for r in rows if r["edit"] in edits]) if rows else 0.0
    return share(("frozen", "soft-frozen")), share(("slip", "soft-slip")), share(("untouched",))


def stillest_share(measured, stretch: tuple[float, float] | None, width_s: float = 0.3) -> float:
    """The stillest ``width_s`` (``MIN_FROZEN_S``) of speech, as the mouth's pixel change over its own
    typical change while speaking (``lipgate.qa.judge.typical_speaking_change``): the largest
    ``frozen_relative_change`` that would still not call it frozen; within ``stretch`` when given."""
    from lipgate.qa.judge import typical_speaking_change

    series = measured.series
    t = series["frame_t"] - series["frame_t"][0]
    change = series["mouth_pixel_change"]
    relative = np.where(series["speaking"] & np.isfinite(change), change / max(typical_speaking_change(series), 1e-6), np.inf)
    if stretch is not None:
        relative = np.where((t >= stretch[0]) & (t < stretch[1]), relative, np.inf)
    width = max(1, int(round(width_s * measured.values["fps"])))
    if relative.size < width:
        return float("inf")
    return float(np.lib.stride_tricks.sliding_window_view(relative, width).max(axis=1).min())


def print_stillness(rows: list[dict], work: Path) -> None:
    """Per speaker half: the stillest 0.3 s of speech on the untouched copies (lowest, with its clip)
    against the frozen stretches (highest, with its clip), as shares of each mouth's typical change."""
    for half in ("A", "B"):
        untouched, frozen = [], []
        for row in rows:
            if split(row["speaker"]) != half or row["edit"] not in ("untouched", "frozen", "soft-frozen"):
                continue
            measured = row.get("measured")
            if measured is None or isinstance(measured, str):
                continue
            label = f"{row['clip']}@{row['variant']} {row['edit']}"
            if row["edit"] == "untouched":
                untouched.append((stillest_share(measured, None), label))
            elif row.get("stretch"):
                frozen.append((stillest_share(measured, tuple(row["stretch"])), label))
        if untouched and frozen:
            print(f"half {half}: stillest 0.3 s of speech on untouched copies: lowest {min(untouched)[0]:.3f} "
                  f"({min(untouched)[1]}), 5th percentile {np.percentile([u for u, _ in untouched], 5):.3f}; "
                  f"frozen stretches: highest {max(frozen)[0]:.3f} ({max(frozen)[1]}), "
                  f"95th percentile {np.percentile([f for f, _ in frozen], 95):.3f} ({len(untouched)} untouched, "
                  f"{len(frozen)} frozen)")


FROZEN_GRID = (0.05, 0.075, 0.1, 0.125, 0.15, 0.2)
SLIP_GAIN_GRID = tuple(np.arange(20.0, 80.1, 5.0))
SLIP_CONTRAST_GRID = tuple(np.arange(0.0, 80.1, 5.0))


def derive(rows: list[dict], work: Path, frozen_too: bool = True) -> dict:
    """Thresholds read off speaker half A: first ``frozen_relative_change``, the smallest share of
    the grid that catches most frozen edits of half A while at least 95% of its untouched copies
    have no ``frozen`` segment; then ``model_min_slip_gain`` with ``model_min_slip_contrast`` (the
    learned model's slip thresholds, lipgate.qa.judge.relative_slips), the pair that
    catches most frozen and slipped edits while at least 95% of its untouched copies have no
    ``rerender`` segment at all (on ties the more clean copies, then the larger gain and contrast); the table is then judged
    with them, half B never used. ``frozen_too`` False (a simulated freeze, whose pixels stop dead,
    says nothing of the threshold): ``frozen_relative_change`` as set."""
    half_a = [row for row in rows if split(row["speaker"]) == "A"]
    best = None
    for frozen in FROZEN_GRID if frozen_too else ():
        judged = rejudged(half_a, work, {"frozen_relative_change": frozen})
        got = rates(judged)
        untouched = [row for row in judged if row["edit"] == "untouched"]
        no_frozen = np.mean([not any(kind == "frozen" and rerender for _, _, kind, rerender in row.get("segments", []))
                             for row in untouched]) if untouched else 0.0
        print(f"half A: frozen_relative_change {frozen:g}: frozen {got[0]:.0%}, untouched without a frozen segment "
              f"{no_frozen:.0%}", file=sys.stderr)
        key = (no_frozen >= 0.95, got[0], -frozen)
        if best is None or key > best[0]:
            best = (key, frozen)
    chosen, best = ({"frozen_relative_change": best[1]} if frozen_too else {}), None
    for gain in SLIP_GAIN_GRID:
        for contrast in SLIP_CONTRAST_GRID:
            overrides = {**chosen, "model_min_slip_gain": float(gain), "model_min_slip_contrast": float(contrast)}
            got = rates(rejudged(half_a, work, overrides))
            print(f"half A: model_min_slip_gain {gain:g}, model_min_slip_contrast {contrast:g}: frozen {got[0]:.0%}, "
                  f"slip {got[1]:.0%}, untouched clean {got[2]:.0%}", file=sys.stderr)
            key = (got[2] >= 0.95, got[1] + got[0], got[2], gain, contrast)
            if best is None or key > best[0]:
                best = (key, overrides)
    return best[1]


def decoded_series(path: Path, cache: Path):
    """(pictures, sound) of ``path`` decoded as ``measure_qa`` decodes it (face-aware window, one
    ffmpeg), kept in ``cache`` (a pickle; an error message when it cannot be decoded)."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from concurrent.futures import ThreadPoolExecutor

    from lipgate.framing import face_layout
    from lipgate.media import VideoDecoder, probe
    from lipgate.qa.features import AUDIO_SR
    from lipgate.qa.measure import ANALYSIS_MAX_SIDE, decode_pictures, decode_sound

    try:
        info = probe(path, expect={"video"})
        layout = face_layout(info, ANALYSIS_MAX_SIDE)
        pictures_decoder = VideoDecoder(info, max_side=layout.max_side, crop=layout.crop)
        sound_decoder = pictures_decoder.with_sound(sr=AUDIO_SR)
        with ThreadPoolExecutor(max_workers=1) as pool:
            sound = pool.submit(decode_sound, info, 1.0 / info.video.fps, sound_decoder)
            series = (decode_pictures(info, None, pictures_decoder, layout.faces, layout.centres(pictures_decoder)),
                      sound.result())
    except Exception as error:
        series = f"{type(error).__name__}: {error}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(series))
    return series


def simulated_edit(pictures, start: float, edit: str):
    """``pictures`` with the ``edit`` ('slip' or 'frozen') simulated over [start, start + STRETCH_S):
    every per-frame series of every face taken from the frame ``PICTURE_LATE_S`` earlier (slip) or
    from the stretch's first frame with no pixel change after it (frozen)."""
    from dataclasses import replace

    t = pictures.frame_t - pictures.frame_t[0]
    rows = np.flatnonzero((t >= start - 1e-6) & (t < start + STRETCH_S - 1e-6))
    source = rows - int(round(PICTURE_LATE_S * pictures.fps)) if edit == "slip" else np.full(len(rows), rows[0])

    def edited(face):
        fields = {}
        for name in ("mouth", "face_height_ratio", "mouth_pixel_change", "face_box", "mouth_appearance"):
            values = getattr(face, name)
            if values is not None:
                values = values.copy()
                values[rows] = values[source]
                if name == "mouth_pixel_change" and edit == "frozen":
                    values[rows[1:]] = 0.0
                fields[name] = values
        return replace(face, **fields)

    return replace(edited(pictures), others=[edited(face) for face in pictures.others])


def simulate_clip(job: tuple) -> list[dict]:
    """The untouched copy of one clip (built by ``run_clip``) decoded once (cached under ``series``),
    analysed as is and with a slip and a frozen mouth simulated on its series; one row per edit."""
    name, framing, speaker, variant, _, work, _, series_dir = job
    from lipgate.qa.judge import judge_qa
    from lipgate.qa.measure import analyse

    path = Path(work) / f"{name}@{variant}" / "untouched.mp4"
    rows = []
    cache = Path(work) / f"{name}@{variant}" / "untouched.series.pickle"  # decoded by run_clip
    if not cache.exists():
        cache = Path(series_dir) / f"{name}@{variant}.pickle"
    decoded = decoded_series(path, cache) if path.exists() or cache.exists() else "no untouched copy"
    if isinstance(decoded, str):
        return [dict(clip=name, framing=framing, speaker=speaker, variant=variant, edit=edit, stretch=None, error=decoded)
                for edit in VARIANT_EDITS]
    pictures, sound = decoded
    untouched = analyse(pictures, sound)
    start = None
    if np.isfinite(untouched.series["face_box"]).any():
        start = stretch_start(untouched, float(pictures.frame_t[-1] - pictures.frame_t[0]))
    for edit in VARIANT_EDITS:
        row = dict(clip=name, framing=framing, speaker=speaker, variant=variant, edit=edit,
                   stretch=None if edit == "untouched" or start is None else (start, start + STRETCH_S))
        if edit != "untouched" and start is None:
            row["error"] = "no face in the untouched copy to edit"
        else:
            measured = untouched if edit == "untouched" else analyse(simulated_edit(pictures, start, edit), sound)
            t0 = float(measured.series["frame_t"][0])
            row["segments"] = [(s.start - t0, s.end - t0, s.kind, s.rerender) for s in judge_qa(measured, path).segments]
            row["measured"] = measured
        rows.append(row)
    return rows


def jobs(corpus: Path, work: Path, variants: bool, only: int | None, variants_only: bool = False,
         edits: tuple[str, ...] | None = None) -> list[tuple]:
    manifest = json.loads((corpus / "manifest.json").read_text())
    clips = manifest["clips"] if isinstance(manifest, dict) else manifest
    if only:
        clips = clips[:only]
    found = []
    for clip in clips:
        name = Path(clip["file"]).stem
        framing = "two-face" if name in TWO_FACES else clip["framing"]
        found.append((name, framing, clip["speaker"], "original", corpus / clip["file"], str(work), edits))
    if variants_only:
        found = []
    if variants or variants_only:
        closeups = [c for c in clips if c["framing"] == "closeup" and Path(c["file"]).stem not in TWO_FACES]
        seen, picked = set(), []
        for clip in closeups:  # one clip per speaker
            if clip["speaker"] not in seen:
                seen.add(clip["speaker"])
                picked.append(clip)
        for clip in picked[::4]:
            found.append((Path(clip["file"]).stem, "wide (canvas)", clip["speaker"], "canvas", corpus / clip["file"], str(work), edits))
        landscape, seen = [], set()
        for clip in clips:  # one 1920x1080 clip per speaker
            if clip["width"] == 1920 and clip["height"] == 1080 and Path(clip["file"]).stem not in TWO_FACES \
                    and clip["speaker"] not in seen:
                seen.add(clip["speaker"])
                landscape.append(clip)
        for clip in landscape[:5]:
            found.append((Path(clip["file"]).stem, "vertical (9:16 crop)", clip["speaker"], "vertical", corpus / clip["file"], str(work), edits))
        for clip in landscape[:1]:
            found.append((Path(clip["file"]).stem, "4k (upscale)", clip["speaker"], "4k", corpus / clip["file"], str(work), edits))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-every-shot"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--variants", action="store_true", help="also the canvas, 9:16 and 4K variants")
    parser.add_argument("--only", type=int, help="only the first N clips of the manifest")
    parser.add_argument("--variants-only", action="store_true", help="only the framing variants")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--edits", help="only these edits, comma-separated (e.g. 'untouched' to build the copies "
                                        "--simulate needs)")
    parser.add_argument("--simulate", type=Path, metavar="SERIES_DIR",
                        help="instead of edited files: decode each untouched copy of --work once (cached in SERIES_DIR) "
                             "and simulate the slip and the frozen mouth on its series in memory")
    parser.add_argument("--derive", action="store_true",
                        help="read the frozen and slip thresholds off speaker half A and judge every row with them")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    todo = jobs(args.corpus, args.work, args.variants, args.only, args.variants_only,
                tuple(args.edits.split(",")) if args.edits else None)
    rows = []
    if args.simulate:
        todo = [(*job, str(args.simulate)) for job in todo]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for clip_rows in pool.map(simulate_clip if args.simulate else run_clip, todo):
            rows += clip_rows
            print(f"{clip_rows[0]['clip']}@{clip_rows[0]['variant']}: " + ", ".join(
                f"{row['edit']} {'ok' if caught(row) else 'MISS'}" for row in clip_rows), file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in row.items() if k != "measured"} for row in rows],
                                        indent=1, default=float))
    if args.derive:
        if not args.simulate:
            print_stillness(rows, args.work)
        chosen = derive(rows, args.work, frozen_too=not args.simulate)
        print(f"derived on speaker half A: {chosen}; the table below is judged with them (half B never used)")
        rows = rejudged(rows, args.work, chosen)
    print(table(rows))
    misses = [f"{row['clip']}@{row['variant']} {row['edit']}" for row in rows if not caught(row)]
    print(f"\nmissed or flagged ({len(misses)}): " + "; ".join(misses))


if __name__ == "__main__":
    main()
