"""Research harness for the local-desync detection of `lipgate qa`: many simulated edits on clips
measured once.

    python -m bench.desync_sweep --corpus CORPUS [--step 0.4] [--series-cache DIR]
                                 [--check-files N]

Each corpus clip, and the ~28 s concatenation of them that bench/qa_sync.py builds
(``concatenated_clip``: four real shot cuts), is decoded once (``lipgate.qa.runner.decode_pictures`` and
``decode_sound``, as ``measure_qa`` composes them). The edits are then simulated in memory on
the per-frame picture series, and each case goes through ``lipgate.qa.runner.analyse`` and ``judge_qa``
like a file:

- **picture late**: over a ``STRETCH_S`` (1.6 s) stretch, every frame's mouth features, face
  height and mouth pixel change are those of the frame ``PICTURE_LATE_S`` (200 ms) earlier (what
  bench/qa_sync.py's ``edited_clip`` does to the pixels);
- **frozen**: over the stretch, the mouth features and face height of the stretch's first frame,
  and no pixel change (a repeated frame changes 0.0 after H.264);
- **untouched**: the clip as measured.

Stretch starts are swept every ``--step`` seconds wherever the stretch and the 200 ms before it
fit inside one clip (inside one part of the concatenated clip). A case is a **hit** when a
``rerender`` segment overlaps the stretch and is not one the untouched clip has there too
(``carried_over``); re-render segments not overlapping the stretch are counted as elsewhere.

**Judgeable.** A stretch can only be judged from frames whose lips and sound are compared: the
frames that carry lag evidence (a face, speech, and every lag of the local search on real sound;
``lipgate.qa.sync.lag_evidence``), counted on the untouched clip. A case is *judgeable*
when such frames make up at least ``lipgate.qa.sync.LOCAL_MIN_SPEECH`` (half) of the stretch, the rule a
local window already follows; the others are listed as not judgeable with their share and kept
out of the hit rate. The same rule holds for a frozen mouth, a failure only while the voice speaks.

**Chance and separation.** The slip statistic is the gain of a tracked-path stretch past
tolerance that departs from the clip's offset (``departing_gains``; a slip when it reaches
``min_slip_gain``). Its chance distribution comes from stretches where nothing was edited
(``chance_stretches``): the untouched clips, and the edited clips away from the edit. The
positives' gains are set against it per source clip, and thresholds derived from it by
``threshold_rule`` are tested on clips they were not derived on: derived on the concatenated
clip and tested on the single clips, and leave-one-source-clip-out (each corpus clip and its
part of the concatenated clip held out together).

``--check-files N`` re-encodes N picture-late cases per single clip (bench/qa_sync.py's
``edited_clip``, then ``measure_qa`` on the file, judged against the re-encoded untouched clip)
and reports whether the file gets the same decision as the simulation (encoding noise moves the
features a little). ``--series-cache DIR`` keeps the decoded series between runs (the
concatenated clip is rebuilt in a temporary folder each time and cached under its sources).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.qa_sync import PICTURE_LATE_S, STRETCH_S, concatenated_clip, edited_clip
from lipgate.config import Config
from lipgate.measurements import Measurements
from lipgate.media import VideoDecoder, probe
from lipgate.qa import sync
from lipgate.qa.features import AUDIO_SR
from lipgate.qa.judge import judge_qa, path_stretches
from lipgate.qa.measure import ANALYSIS_MAX_SIDE, PictureSeries, SoundSeries, analyse, decode_pictures, decode_sound, measure_qa
from lipgate.qa.settings import qa_limits


@dataclass
class Clip:
    """A measured clip, and the (name, start s, end s) of its parts (one part for a single clip)."""

    name: str
    path: Path
    pictures: PictureSeries
    sound: SoundSeries
    parts: list[tuple[str, float, float]]


def measured_series(path: Path) -> tuple[PictureSeries, SoundSeries]:
    """The picture and sound series of ``path``, decoded as ``measure_qa`` does (one ffmpeg for both)."""
    info = probe(path, expect={"video", "audio"})
    pictures_decoder = VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE)
    sound_decoder = pictures_decoder.with_sound(sr=AUDIO_SR)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        sound = pool.submit(decode_sound, info, 1.0 / info.video.fps, sound_decoder)
        pictures = decode_pictures(info, decoder=pictures_decoder)
        return pictures, sound.result()


def cached_series(path: Path, cache: Path | None) -> tuple[PictureSeries, SoundSeries]:
    """``measured_series``, kept in ``cache`` (a folder) under the file's name, size and mtime."""
    if cache is None:
        return measured_series(path)
    stat = path.stat()
    key = cache / f"{path.stem}-{stat.st_size}-{int(stat.st_mtime)}.pickle"
    if key.exists():
        return pickle.loads(key.read_bytes())
    series = measured_series(path)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(series))
    return series


def stretch_frames(pictures: PictureSeries, start_s: float) -> np.ndarray:
    """Indices of the frames inside [start_s, start_s + STRETCH_S)."""
    t = pictures.frame_t - pictures.frame_t[0]
    return np.flatnonzero((t >= start_s - 1e-6) & (t < start_s + STRETCH_S - 1e-6))


def picture_late(pictures: PictureSeries, start_s: float) -> PictureSeries:
    """Inside the stretch, each frame's picture series are those of the frame PICTURE_LATE_S earlier."""
    rows = stretch_frames(pictures, start_s)
    source = rows - int(round(PICTURE_LATE_S * pictures.fps))
    edited = {name: getattr(pictures, name).copy() for name in ("mouth", "face_height_ratio", "mouth_pixel_change")}
    for array in edited.values():
        array[rows] = array[source]
    return replace(pictures, **edited)


def mouth_frozen(pictures: PictureSeries, start_s: float) -> PictureSeries:
    """Inside the stretch, the stretch's first frame repeated: its mouth and face, no pixel change."""
    rows = stretch_frames(pictures, start_s)
    mouth, face = pictures.mouth.copy(), pictures.face_height_ratio.copy()
    change = pictures.mouth_pixel_change.copy()
    mouth[rows], face[rows] = mouth[rows[0]], face[rows[0]]
    change[rows[1:]] = 0.0
    return replace(pictures, mouth=mouth, face_height_ratio=face, mouth_pixel_change=change)


def stretch_starts(clip: Clip, step_s: float) -> list[tuple[str, float]]:
    """(part name, start s from the clip's first frame) of each swept stretch: every ``step_s``
    where the stretch and the PICTURE_LATE_S before it lie inside one part."""
    starts = []
    for name, first_s, last_s in clip.parts:
        start = first_s + PICTURE_LATE_S
        while start + STRETCH_S <= last_s - 1.0 / clip.pictures.fps + 1e-6:
            starts.append((name, round(start, 3)))
            start += step_s
    return starts


def evidence_share(measured: Measurements, rows: np.ndarray) -> float:
    """Share of ``rows`` (frames) that carry lag evidence (face, speech, real sound at every lag)."""
    evidence = measured.series["track_evidence"]
    return float(np.any(evidence[rows] != 0.0, axis=1).mean()) if evidence.shape[1] else 0.0


def departing_gains(measured: Measurements, limits: dict) -> list[tuple[float, float, float]]:
    """(start s, end s, gain) of the tracked path's stretches past tolerance whose offset departs
    from the clip's by more than ``local_margin_ms``: the stretches the detector would call a
    slip if their gain reached ``min_slip_gain`` (``lipgate.qa.runner.path_stretches``)."""
    clip_ms = measured.get("offset_ms")
    if clip_ms is None:
        return []
    return [(stretch.start, stretch.end, gain) for stretch, gain in path_stretches(measured.series, limits)
            if abs(stretch.offset_ms - clip_ms) > limits["local_margin_ms"]]


def rerender_segments(measured: Measurements, path: Path, min_slip_gain: float | None = None) -> list[tuple[float, float]]:
    """(start s, end s) of the re-render segments ``judge_qa`` gives, optionally under another ``min_slip_gain``."""
    config = Config(qa={} if min_slip_gain is None else {"min_slip_gain": min_slip_gain})
    return [(s.start, s.end) for s in judge_qa(measured, path, config).segments if s.rerender]


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and a[1] > b[0]


def carried_over(segment: tuple[float, float], untouched: tuple[float, float]) -> bool:
    """An edited clip's segment is the untouched clip's when they share most of the edited one."""
    shared = min(segment[1], untouched[1]) - max(segment[0], untouched[0])
    return shared >= 0.5 * (segment[1] - segment[0])


@dataclass
class Case:
    """One simulated edit of a clip: the stretch (s on the clip's timeline) and what was measured."""

    clip: Clip
    part: str
    edit: str
    stretch: tuple[float, float]
    share: float
    """Share of the stretch's frames carrying lag evidence on the untouched clip (see the module docstring)."""
    measured: Measurements

    @property
    def judgeable(self) -> bool:
        return self.share >= sync.LOCAL_MIN_SPEECH


@dataclass
class ClipSweep:
    clip: Clip
    untouched: Measurements
    cases: list[Case]


def sweep(clip: Clip, step_s: float) -> ClipSweep:
    """The untouched clip and every simulated edit of it (``stretch_starts``), through ``analyse``."""
    untouched = analyse(clip.pictures, clip.sound)
    t0 = float(clip.pictures.frame_t[0])
    cases = []
    for part, start in stretch_starts(clip, step_s):
        share = evidence_share(untouched, stretch_frames(clip.pictures, start))
        for edit, simulate in (("late", picture_late), ("frozen", mouth_frozen)):
            measured = analyse(simulate(clip.pictures, start), clip.sound)
            cases.append(Case(clip, part, edit, (t0 + start, t0 + start + STRETCH_S), share, measured))
    return ClipSweep(clip, untouched, cases)


def judged_case(case: Case, false_on_untouched: list[tuple[float, float]], min_slip_gain: float | None = None) -> dict:
    """Hit: a re-render segment overlapping the stretch that the untouched clip does not have
    there too (``carried_over``: a segment the untouched clip also gets is no detection of the edit); elsewhere:
    re-render segments not overlapping the stretch."""
    flagged = rerender_segments(case.measured, case.clip.path, min_slip_gain)
    inside = [s for s in flagged if overlaps(s, case.stretch)]
    return {"hit": any(not any(carried_over(s, f) for f in false_on_untouched) for s in inside),
            "elsewhere": [s for s in flagged if not overlaps(s, case.stretch)]}


def chance_stretches(result: ClipSweep, limits: dict) -> list[tuple[str, float, float, float]]:
    """(source clip, start s, end s, gain) of the distinct departing path stretches where nothing
    was edited: on the untouched clip, and on the edited ones away from the stretch when the edit
    left the clip's offset within ``local_margin_ms`` of the untouched one (when it dragged the
    offset, the unedited rest reads as a departure from the dragged offset: a consequence of the
    edit, not chance). The edited clips re-measure the same material with slightly different
    canonical weights, so one stretch recurs: overlapping readings are merged, keeping the
    largest gain."""
    home = result.untouched.get("offset_ms")
    found = departing_gains(result.untouched, limits)
    for case in result.cases:
        offset = case.measured.get("offset_ms")
        if home is None or offset is None or abs(offset - home) > limits["local_margin_ms"]:
            continue
        found += [stretch for stretch in departing_gains(case.measured, limits) if not overlaps(stretch[:2], case.stretch)]
    merged: list[list[float]] = []
    for start, end, gain in sorted(found):
        if merged and start < merged[-1][1]:
            merged[-1][1], merged[-1][2] = max(merged[-1][1], end), max(merged[-1][2], gain)
        else:
            merged.append([start, end, gain])
    return [(source_of(result.clip, (start + end) / 2), start, end, gain) for start, end, gain in merged]


def source_of(clip: Clip, t: float) -> str:
    """The source clip (part) at time ``t`` of ``clip``'s timeline."""
    t0 = float(clip.pictures.frame_t[0])
    for name, first, last in clip.parts:
        if first <= t - t0 < last:
            return name
    return clip.parts[-1][0]


def threshold_rule(chance: list[float]) -> float:
    """``MARGIN`` times the largest chance gain, and at least two jumps of the tracker (a path
    departing and coming back pays two ``TRACK_JUMP_COST``)."""
    return max(MARGIN * max(chance, default=0.0), 2 * sync.TRACK_JUMP_COST)


MARGIN = 1.25
"""Margin over the largest chance gain for a threshold derived by ``threshold_rule``: chance gains
move by tens of percent between decodes of the same clip (under 10 -> 14.2 on talk1 for a decoder
change of under 1.5 grey levels, 2026-11-25, bench/qa_sync.py; docs/benchmarks.md)."""


def sources(results: list[ClipSweep]) -> list[str]:
    return [name for result in results[:-1] for name, _, _ in result.clip.parts]


def print_decisions(results: list[ClipSweep]) -> None:
    print("## Decisions: re-render segments over simulated edits (1.6 s; picture 200 ms late, or mouth frozen)\n")
    print("| clip | stretches | judgeable | late: hit / judgeable | late: hit, not judgeable | frozen: hit / judgeable | "
          "re-render segments elsewhere (late / frozen) | untouched: re-render segments |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    totals = np.zeros(8, int)
    for result in results:
        false = rerender_segments(result.untouched, result.clip.path)
        late = [(c, judged_case(c, false)) for c in result.cases if c.edit == "late"]
        frozen = [(c, judged_case(c, false)) for c in result.cases if c.edit == "frozen"]
        counts = np.array([len(late), sum(c.judgeable for c, _ in late), sum(j["hit"] for c, j in late if c.judgeable),
                           sum(j["hit"] for c, j in late if not c.judgeable), sum(j["hit"] for c, j in frozen if c.judgeable),
                           sum(len(j["elsewhere"]) for _, j in late), sum(len(j["elsewhere"]) for _, j in frozen), len(false)])
        totals += counts
        print(f"| {result.clip.name} | {counts[0]} | {counts[1]} | {counts[2]}/{counts[1]} | {counts[3]}/{counts[0] - counts[1]} | "
              f"{counts[4]}/{counts[1]} | {counts[5]} / {counts[6]} | {counts[7]} {[(round(a, 1), round(b, 1)) for a, b in false] or ''} |")
    print(f"| all | {totals[0]} | {totals[1]} | {totals[2]}/{totals[1]} | {totals[3]}/{totals[0] - totals[1]} | "
          f"{totals[4]}/{totals[1]} | {totals[5]} / {totals[6]} | {totals[7]} |\n")


def print_cases(results: list[ClipSweep], limits: dict) -> None:
    print("## Every picture-late case\n")
    print("gain: the largest gain of a departing path stretch overlapping the stretch (0: none); "
          "clip offset: the edited clip's whole-clip offset against the untouched one's\n")
    print("| clip | part | stretch (s) | evidence share | late | gain | clip offset: edited / untouched (ms) | re-render elsewhere |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        false = rerender_segments(result.untouched, result.clip.path)
        home = result.untouched.get("offset_ms")
        for case in (c for c in result.cases if c.edit == "late"):
            judged = judged_case(case, false)
            verdict = ("hit" if judged["hit"] else "MISS") if case.judgeable else ("(hit)" if judged["hit"] else "(not judgeable)")
            gain = max((g for a, b, g in departing_gains(case.measured, limits) if overlaps((a, b), case.stretch)), default=0.0)
            offset = case.measured.get("offset_ms")
            print(f"| {result.clip.name} | {case.part} | {case.stretch[0]:.2f}-{case.stretch[1]:.2f} | {case.share:.2f} | {verdict} | "
                  f"{gain:.1f} | {_ms(offset)} / {_ms(home)} | "
                  f"{[(round(a, 1), round(b, 1)) for a, b in judged['elsewhere']] or ''} |")
    print()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:+.0f}"


def print_separation(results: list[ClipSweep], limits: dict) -> None:
    """The slip statistic (departing path gain) on the positives against chance, and the hit rates
    under thresholds derived by ``threshold_rule`` on other clips than the ones tested."""
    chance = [(source, gain) for result in results for source, _, _, gain in chance_stretches(result, limits)]
    positives = []
    for result in results:
        for case in (c for c in result.cases if c.edit == "late" and c.judgeable):
            gain = max((g for a, b, g in departing_gains(case.measured, limits) if overlaps((a, b), case.stretch)), default=0.0)
            positives.append((result, case, gain))
    print("## Separation of the slip statistic (departing path gain)\n")
    print("| source clip | distinct chance stretches' gains (untouched, and edited clips away from the stretch) | "
          "judgeable picture-late stretches: with a departing stretch / all | their gains (sorted) |")
    print("| --- | --- | --- | --- |")
    for name in sources(results):
        gains = sorted(g for source, g in chance if source == name)
        mine = sorted(g for result, case, g in positives if case.part == name)
        print(f"| {name} | {', '.join(f'{g:.1f}' for g in gains) or '-'} | {sum(g > 0 for g in mine)}/{len(mine)} | "
              f"{', '.join(f'{g:.0f}' for g in mine if g > 0) or '-'} |")
    print()
    print("## Held-out thresholds (rule: max(1.25 x the largest chance gain of the derivation set, two jumps))\n")
    print("| derived on | tested on | min_slip_gain | late: hit / judgeable | re-render segments on untouched | "
          "re-render segments away from the edit (late / frozen) |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows = [("concatenated clip", "single clips", [g for *_, g in chance_stretches(results[-1], limits)], results[:-1], None)]
    rows += [("all but " + name, name, [g for s, g in chance if s != name], results, name) for name in sources(results)]
    rows += [("every clip", "all", [g for _, g in chance], results, None), ("(current setting)", "all", None, results, None)]
    for derived_on, tested_on, chance_set, tested, only in rows:
        threshold = limits["min_slip_gain"] if chance_set is None else threshold_rule(chance_set)
        hits = judgeable = false = 0
        elsewhere = {"late": 0, "frozen": 0}
        for result in tested:
            untouched = rerender_segments(result.untouched, result.clip.path, threshold)
            false += sum(only is None or source_of(result.clip, (a + b) / 2) == only for a, b in untouched)
            for case in (c for c in result.cases if only is None or c.part == only):
                judged = judged_case(case, untouched, threshold)
                elsewhere[case.edit] += len(judged["elsewhere"])
                if case.edit == "late" and case.judgeable:
                    hits, judgeable = hits + judged["hit"], judgeable + 1
        print(f"| {derived_on} | {tested_on} | {threshold:.1f} | {hits}/{judgeable} | {false} | "
              f"{elsewhere['late']} / {elsewhere['frozen']} |")
    print()


def file_agreement(clip: Clip, starts: list[float], folder: Path) -> list[tuple[float, bool, bool]]:
    """(start, simulated hit, re-encoded file's hit) for picture-late stretches at ``starts``."""
    rows = []
    untouched_file = edited_clip(clip.path, folder / f"{clip.path.stem}_none.mp4", "none", 0.0)
    false_file = rerender_segments(measure_qa(untouched_file), untouched_file)
    false = rerender_segments(analyse(clip.pictures, clip.sound), clip.path)
    t0 = float(clip.pictures.frame_t[0])
    for start in starts:
        stretch = (t0 + start, t0 + start + STRETCH_S)
        case = Case(clip, clip.name, "late", stretch, 1.0, analyse(picture_late(clip.pictures, start), clip.sound))
        out = edited_clip(clip.path, folder / f"{clip.path.stem}_late_{start:.2f}.mp4", "late", start)
        from_file = Case(clip, clip.name, "late", stretch, 1.0, measure_qa(out))
        rows.append((start, judged_case(case, false)["hit"], judged_case(from_file, false_file)["hit"]))
    return rows


def load_clips(corpus: Path, folder: Path, cache: Path | None) -> list[Clip]:
    """Every talk*.mp4 of ``corpus``, then their concatenation (bench/qa_sync.py's)."""
    paths = sorted(corpus.glob("talk*.mp4"))
    clips = []
    for path in paths:
        pictures, sound = cached_series(path, cache)
        duration = float(pictures.frame_t[-1] - pictures.frame_t[0] + 1.0 / pictures.fps)
        clips.append(Clip(path.name, path, pictures, sound, [(path.name, 0.0, duration)]))
    long_path, parts = concatenated_clip(paths, folder / "concatenated.mp4")
    if cache is None:
        pictures, sound = measured_series(long_path)
    else:  # the file is rebuilt in a temporary folder each run: cached under its sources' names and sizes
        key = cache / ("concatenated-" + "-".join(f"{p.stem}{p.stat().st_size}" for p in paths) + ".pickle")
        if not key.exists():
            key.write_bytes(pickle.dumps(measured_series(long_path)))
        pictures, sound = pickle.loads(key.read_bytes())
    clips.append(Clip("concatenated", long_path, pictures, sound, parts))
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with talk*.mp4 (talk1.mp4 ... talk5.mp4)")
    parser.add_argument("--step", type=float, default=0.4, help="spacing of the stretch starts (s)")
    parser.add_argument("--series-cache", type=Path, default=None,
                        help="folder keeping each clip's decoded series between runs (default: decode every run)")
    parser.add_argument("--check-files", type=int, default=0,
                        help="re-encode this many picture-late cases per single clip and compare decisions")
    args = parser.parse_args()
    started = time.time()
    limits = qa_limits()
    with tempfile.TemporaryDirectory(prefix="lipgate-sweep-") as temporary:
        folder = Path(temporary)
        clips = load_clips(args.corpus, folder, args.series_cache)
        results = [sweep(clip, args.step) for clip in clips]
        print_decisions(results)
        print_separation(results, limits)
        print_cases(results, limits)
        if args.check_files:
            print("## Simulation against re-encoded files (picture late; hits judged as above)\n")
            print("| clip | start (s) | simulated | file |")
            print("| --- | --- | --- | --- |")
            agree = total = 0
            for result in results[:-1]:
                starts = sorted({c.stretch[0] - float(result.clip.pictures.frame_t[0]) for c in result.cases})
                picked = starts[:: max(1, len(starts) // args.check_files)][:args.check_files]
                for start, simulated, from_file in file_agreement(result.clip, picked, folder):
                    agree, total = agree + (simulated == from_file), total + 1
                    print(f"| {result.clip.name} | {start:.2f} | {'hit' if simulated else 'miss'} | {'hit' if from_file else 'miss'} |",
                          flush=True)
            print(f"| all | | | {agree}/{total} agree |\n")
    print(f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
