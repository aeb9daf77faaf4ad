"""`lipgate qa`, judging: the whole-clip sync verdict and the segments to re-render, from the
measurements of ``lipgate.qa.measure`` under the configured thresholds (``lipgate.qa.settings``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lipgate.config import Config
from lipgate.measurements import Measurements
from lipgate.qa.report import QaReport, QaSegment, SyncResult
from lipgate.qa.settings import qa_limits
from lipgate.timeline import median_period_s, runs, segments_where

MIN_FROZEN_S = 0.3
"""A mouth still for this long while the voice speaks is flagged even without a stressed
syllable in it: longer than a held consonant (the stillest 0.4 s of a corpus clip kept moving)."""
MIN_SLIP_S = 1.0
"""Local windows past tolerance are judged only in runs spanning at least this long (five
consecutive 0.2 s hops), and the tracked lag path only in stretches this long: chance peaks on
the untouched corpus clips lasted up to four windows (0.8 s, talk2; three on the concatenated
clip) (bench/qa_sync.py, 'longest
chance run'); a 1.6 s slip gives five or more."""
SLIP_WINDOW_S = 1.6
"""Length (s) of the stretches compared with the rest of their clip (``relative_slips``). Each
length with its thresholds read off speaker half A (python -m bench.qa_every_shot CORPUS
--variants --derive, 2026-12-06, the file edits; 66 untouched copies, 66 slips): 1.2 s 52 slips
caught, 62 copies clean; 1.4 s 53, 64 (half B 27/29 clean); 1.6 s 53, 64 (36/37 and 28/29);
2.0 s 48, 62. A shorter slip is caught when its gain over the window still reaches the threshold."""
SLIP_MIN_SHIFT_MS = 100.0
"""A stretch is a slip only when its offset departs from the rest of its clip's by at least this
much (ms): a stretch a few 10 ms steps off the rest sits on the flank of the same peak of the
score curve, the reading's jitter rather than a slip; a 200 ms slip departs twice as far."""
SLIP_CORE_SHARE = 0.95
"""A slip's span: the stretches that gain at least this share of its best one. A stretch that
overlaps the slip only in part gains in proportion (half over it, about half), so the span ends
within about 5% of a stretch's length of the slip's ends, noise aside (0.8 reported the 1.6 s
slip of tests/qa/test_local_model.py 0.32 s too long)."""
SLIP_BLOCK_ROWS = 2048
"""Stretches judged at a time (``relative_slips``): its working arrays are this many x the offsets."""
SLIP_MIN_SPEECH = 0.5
"""Share of a stretch's frames that must carry evidence (a face and speech) for it to be judged
(as ``lipgate.qa.sync.LOCAL_MIN_SPEECH`` for the local windows)."""
NUCLEUS_HALF_SPAN_S = 0.1
"""A syllable counts as spoken by a frozen mouth when most frames within 0.1 s of its nucleus are."""
def _sync_result(measured: Measurements, limits: dict) -> SyncResult:
    """The whole-clip verdict: skip when unmeasured, unsure when the reading is uncertain (the
    model's calibrated rule, ``sync.uncertain``, or a confidence under the user's
    ``min_confidence``; reported, never failed), else pass or fail against the tolerance."""
    fps = float(measured.get("fps"))
    offset, confidence = measured.get("offset_ms"), float(measured.get("confidence") or 0.0)
    early, late = limits["tolerance_early_ms"], limits["tolerance_late_ms"]
    tolerance = (early, late)
    low, high = measured.get("interval_low_ms"), measured.get("interval_high_ms")
    interval = (float(low), float(high)) if low is not None and high is not None else None
    if measured.get("unmeasured_reason") or offset is None:
        return SyncResult(None, 0.0, fps, "skip", f"lip sync could not be measured: {measured.get('unmeasured_reason')}",
                          tolerance, True, None)
    if measured.get("uncertain") or confidence < limits["min_confidence"]:
        return SyncResult(offset, confidence, fps, "unsure",
                          f"the offset could not be judged with confidence (confidence {confidence:.2f}): "
                          "no clear match between lips and sound", tolerance, True, interval)
    if offset > early:
        return SyncResult(offset, confidence, fps, "fail", f"the sound comes {offset:.0f} ms before the lips (tolerance +{early:g} ms): shift the audio later by {offset:.0f} ms", tolerance, False, interval)
    if offset < late:
        return SyncResult(offset, confidence, fps, "fail", f"the sound comes {-offset:.0f} ms after the lips (tolerance {late:g} ms): shift the audio earlier by {-offset:.0f} ms", tolerance, False, interval)
    return SyncResult(offset, confidence, fps, "pass", f"in sync ({offset:+.0f} ms)", tolerance, False, interval)


def local_limits(measured: Measurements, limits: dict) -> dict:
    """``limits`` with the local windows' threshold of the evidence they were read from:
    ``model_min_local_confidence`` for the learned model's (lipgate.qa.local; its evidence sums
    several outputs, on another scale), the plain ``min_local_confidence`` for the clip's canonical
    correlation. (Slips on the model's evidence have their own thresholds, ``relative_slips``.)"""
    if measured.get("local_evidence") != "model":
        return limits
    return {**limits, "min_local_confidence": limits["model_min_local_confidence"]}


def _segments(measured: Measurements, limits: dict, clip: SyncResult) -> list[QaSegment]:
    limits = local_limits(measured, limits)
    series = measured.series
    frame_t = series["frame_t"]
    if len(frame_t) == 0:
        return []
    fps = clip.fps
    closeup = np.nan_to_num(series["face_height_ratio"], nan=0.0) >= limits["closeup_face_height"]
    frozen = series["speaking"] & (series["mouth_pixel_change"] < frozen_below(series, limits))
    if clip.status == "skip":
        # no offset to judge, but a face whose mouth stays still under the voice is still a failure
        return _frozen_stretches(series, frame_t, frozen, closeup, fps, [])
    stressed = series["syllable_stress_score"] >= limits["stress_score"]
    early, late = limits["tolerance_early_ms"], limits["tolerance_late_ms"]
    sustained = _sustained_exceedances(series, limits)
    segments = []
    for t, start, end, is_stressed in zip(series["syllable_t"], series["syllable_start"], series["syllable_end"], stressed):
        frame = int(np.clip(np.searchsorted(frame_t, t), 0, len(frame_t) - 1))
        if not (is_stressed and closeup[frame]):
            continue
        span = np.abs(frame_t - t) <= NUCLEUS_HALF_SPAN_S + 0.5 / fps
        offset, confidence = _local_at(series, t)
        error = offset  # the local sync error is the local offset itself (contract: tolerance +45 / -125 ms)
        past = offset is not None and (offset > early or offset < late)
        if span.any() and frozen[span].mean() >= 0.5:
            rerender, severity = True, 1000.0
            reason = "the mouth stays still while the voice speaks (frozen or smeared mouth)"
        elif offset is None or confidence < limits["min_local_confidence"]:
            rerender, severity = False, 0.0
            reason = "sync unsure here: the lips and the sound do not match clearly"
        elif past and any(run.start <= t < run.end and (offset > 0) == (run.offset_ms > 0) for run in sustained):
            rerender, severity = True, (error - early if error > early else late - error)
            side = f"{error:.0f} ms before" if error > early else f"{-error:.0f} ms after"
            reason = f"the sound comes {side} the lips here (tolerance {'+' if error > early else ''}{early if error > early else late:g} ms)"
        elif past:
            rerender, severity = False, 0.0
            reason = (f"sync unsure here: {error:+.0f} ms, but not past the tolerance by more than the local "
                      f"measurement's {limits['local_margin_ms']:g} ms for {MIN_SLIP_S:g} s")
        else:
            rerender, severity = False, 0.0
            reason = f"in sync here ({error:+.0f} ms)"
        segments.append(QaSegment(float(start), float(end), offset, confidence, True, True, rerender, reason, severity,
                                  "syllable", _face_box(series, float(start), float(end))))
    segments += _frozen_stretches(series, frame_t, frozen, closeup, fps, segments)
    if slips_from_model(measured, limits):
        # the learned model read the clip: slips are its stretches that depart from the rest of the clip
        segments += _slipped_stretches(relative_slips(series, limits), series, closeup, clip, limits, relative=True)
    else:
        tracked = [stretch for stretch, gain in path_stretches(series, limits) if gain >= limits["min_slip_gain"]]
        segments += _slipped_stretches(tracked + sustained, series, closeup, clip, limits)
    return sorted(segments, key=lambda segment: segment.start)


def slips_from_model(measured: Measurements, limits: dict) -> bool:
    """Whether slips are judged on the learned model's evidence (``relative_slips``): whenever the
    model read an offset, certain or not, except when its reading is uncertain and the clip's own
    canonical correlation is confident (``canonical_slip_confidence``: a mouth the model does not
    recognise that still follows the sound, as the project's generated faces), where the canonical
    correlation's tracked path and local windows judge them, as without the model."""
    if not len(measured.series.get("model_lags_ms", ())):
        return False
    canonical = measured.get("cca_confidence")
    return not (measured.get("uncertain") and canonical is not None
                and float(canonical) >= limits["canonical_slip_confidence"])


def typical_speaking_change(series: dict) -> float:
    """The median of the mouth's smoothed pixel change (grey levels) over the frames where the
    voice speaks and the face is found: how much this mouth moves when it talks (0 without any)."""
    change = series["mouth_pixel_change"]
    found = np.all(np.isfinite(series["mouth"]), axis=1) if "mouth" in series else np.isfinite(change)
    rows = series["speaking"] & found & np.isfinite(change)
    return float(np.median(change[rows])) if rows.any() else 0.0


def frozen_below(series: dict, limits: dict) -> float:
    """The pixel change (grey levels) under which the mouth counts as still: the larger of the
    absolute floor ``frozen_pixel_change`` (a repeated frame) and ``frozen_relative_change`` times
    this mouth's typical change while it speaks (a mouth pasted still over a moving head keeps
    some change at its edges; a mouth that talks small, or is softened, changes little)."""
    return max(limits["frozen_pixel_change"], limits["frozen_relative_change"] * typical_speaking_change(series))


def _frozen_stretches(series: dict, frame_t: np.ndarray, frozen: np.ndarray, closeup: np.ndarray, fps: float,
                      found: list[QaSegment]) -> list[QaSegment]:
    """A frozen mouth while the voice speaks for at least ``MIN_FROZEN_S``, in any framing, is a
    render failure whether or not a stressed syllable falls in it: one segment per stretch not
    already flagged (``kind`` 'frozen', ``stressed`` false, ``closeup`` when most of its frames are)."""
    extra = []
    for stretch in segments_where(frame_t, frozen, 1.0 / fps, min_duration_s=MIN_FROZEN_S, merge_gap_s=0.2):
        if any(s.rerender and s.start < stretch.end and s.end > stretch.start for s in found):
            continue
        offset, confidence = _local_at(series, (stretch.start + stretch.end) / 2)
        span = (frame_t >= stretch.start) & (frame_t < stretch.end)
        extra.append(QaSegment(stretch.start, stretch.end, offset, confidence, bool(closeup[span].mean() >= 0.5), False,
                               True, "the mouth stays still while the voice speaks (frozen or smeared mouth)",
                               1000.0 + stretch.end - stretch.start, "frozen", _face_box(series, stretch.start, stretch.end)))
    return extra


def _face_box(series: dict, start: float, end: float) -> tuple[float, float, float, float] | None:
    """The median box (render pixels) of the judged face over [start, end), or None without one."""
    boxes = series.get("face_box")
    if boxes is None or len(boxes) == 0:
        return None
    frame_t = series["frame_t"]
    span = (frame_t >= start) & (frame_t < end)
    inside = boxes[span] if span.any() else boxes[[int(np.clip(np.searchsorted(frame_t, start), 0, len(frame_t) - 1))]]
    inside = inside[np.all(np.isfinite(inside), axis=1)]
    return tuple(float(v) for v in np.median(inside, axis=0)) if len(inside) else None


@dataclass
class Exceedance:
    """A run of local windows past tolerance (times in s, from the first to the last window
    centre widened by half a hop; median offset in ms and median confidence of the run), a
    stretch of the tracked lag path past tolerance (``path_stretches``), or a slip relative to the
    rest of its clip (``relative_slips``; confidence: its gain over its contrast)."""

    start: float
    end: float
    offset_ms: float
    confidence: float


def _sustained_exceedances(series: dict, limits: dict) -> list[Exceedance]:
    """Runs of confident local windows (``min_local_confidence``) past the tolerance by more than
    ``local_margin_ms`` on the same side, spanning at least ``MIN_SLIP_S``. A single window's
    reading is not enough: overlapping 1.2 s windows share most frames, so one chance peak
    lasts up to three windows (on the untouched concatenated corpus clip of bench/qa_sync.py, chance
    readings of -290 to -354 ms at PSR 2.5 - 3.6 fell on stressed syllables)."""
    local_t, offsets = series["local_t"], series["local_offset_ms"]
    if len(local_t) < 2:
        return []
    confident = np.isfinite(offsets) & (series["local_confidence"] >= limits["min_local_confidence"])
    early, late, margin = limits["tolerance_early_ms"], limits["tolerance_late_ms"], limits["local_margin_ms"]
    hop = median_period_s(local_t)
    runs = []
    for past in (confident & (offsets > early + margin), confident & (offsets < late - margin)):
        for run in segments_where(local_t, past, hop, min_duration_s=MIN_SLIP_S):
            inside = (local_t >= run.start) & (local_t < run.end) & past
            runs.append(Exceedance(run.start - hop / 2, run.end - hop / 2, float(np.median(offsets[inside])),
                                   float(np.median(series["local_confidence"][inside]))))
    return runs


def path_stretches(series: dict, limits: dict) -> list[tuple[Exceedance, float]]:
    """Stretches of at least ``MIN_SLIP_S`` where the tracked lag path (lipgate.qa.sync.track_lags) sits
    past the tolerance by more than ``local_margin_ms`` on one side, each with its gain: the
    path's summed evidence over the stretch minus that of the best single lag within tolerance
    over the same frames (about frames x correlation; how much better the stretch is explained
    past tolerance than by any acceptable sync). Offset: the path's median over the stretch (ms);
    confidence: the median peak-to-sidelobe ratio of the local windows centred in it (0 when
    none was measured)."""
    frame_t, offsets, lags = series["frame_t"], series["track_offset_ms"], series["track_lags_ms"]
    if len(lags) == 0 or len(frame_t) < 2:
        return []
    early, late, margin = limits["tolerance_early_ms"], limits["tolerance_late_ms"], limits["local_margin_ms"]
    within = (lags >= late) & (lags <= early)
    path = np.searchsorted(lags, offsets)
    evidence = series["track_evidence"]
    period = median_period_s(frame_t)
    stretches = []
    for past in (offsets > early + margin, offsets < late - margin):
        for first, last in runs(past):
            start, end = float(frame_t[first]), float(frame_t[last] + period)
            if end - start < MIN_SLIP_S:
                continue
            rows = np.arange(first, last + 1)
            best_within = evidence[rows][:, within].sum(axis=0).max() if within.any() else 0.0
            windows = (series["local_t"] >= start) & (series["local_t"] < end) & np.isfinite(series["local_offset_ms"])
            confidence = float(np.median(series["local_confidence"][windows])) if windows.any() else 0.0
            stretches.append((Exceedance(start, end, float(np.median(offsets[rows])), confidence),
                              float(evidence[rows, path[rows]].sum() - best_within)))
    return stretches


def relative_slips(series: dict, limits: dict) -> list[Exceedance]:
    """Stretches whose sync departs from the rest of their own clip, past tolerance, from the
    learned model's evidence (``model_evidence``, frames x ``model_lags_ms``; lipgate.qa.local).

    Every ``SLIP_WINDOW_S`` stretch (one per frame) is compared with the rest of the clip: the
    rest's offset ``b`` is the highest interior peak of its summed evidence; the stretch's gain at an offset
    ``k`` is its own summed evidence at ``k`` minus at ``b`` (about frames x correlation), taken at
    the interior peaks of its score curve that depart from ``b`` by ``SLIP_MIN_SHIFT_MS`` or more.
    The model's bias on a clip (a speaker or a face it reads off zero) is the same in the stretch
    and in the rest, so it cancels. A stretch is a slip when its gain reaches
    ``model_min_slip_gain`` and the rest of the clip could show such a shift at all: its own
    evidence at ``b`` exceeds that at ``k`` by ``model_min_slip_contrast`` or more over a stretch's
    length (a clip whose evidence barely prefers its own offset, a face or mouth the model does not
    follow, has chance stretches as strong as any slip and is not judged for slips). Last, the
    stretch's absolute offset must be past the tolerance by more than ``local_margin_ms``.
    Overlapping slipped stretches on the same side merge into one slip, spanning those that gain at
    least ``SLIP_CORE_SHARE`` of the best (offset: their median; confidence: the largest gain over
    its contrast, about how many times the shift the clip itself would show the stretch shows)."""
    offsets, evidence, frame_t = series.get("model_lags_ms"), series.get("model_evidence"), series["frame_t"]
    if offsets is None or evidence is None or len(offsets) < 3 or len(frame_t) < 2:
        return []
    offsets, evidence = np.asarray(offsets, np.float64), np.asarray(evidence)
    period = median_period_s(frame_t)
    width = int(round(SLIP_WINDOW_S / period))
    if width < 2 or len(frame_t) <= width:
        return []
    early, late, margin = limits["tolerance_early_ms"], limits["tolerance_late_ms"], limits["local_margin_ms"]
    past = (offsets > early + margin) | (offsets < late - margin)
    active = np.concatenate([[0.0], np.cumsum(np.any(evidence != 0.0, axis=1))])
    cumulative = np.vstack([np.zeros((1, len(offsets))), np.cumsum(evidence, axis=0, dtype=np.float64)])
    groups: list[list[tuple[int, float, float, float, bool]]] = []  # per slip: row, gain, offset, ratio, side
    for first_row in range(0, len(frame_t) - width + 1, SLIP_BLOCK_ROWS):  # in blocks: the working arrays stay small
        rows = np.arange(first_row, min(first_row + SLIP_BLOCK_ROWS, len(frame_t) - width + 1))
        inside = cumulative[rows + width] - cumulative[rows]  # stretches x offsets
        frames_in = active[rows + width] - active[rows]
        rest = cumulative[-1][None, :] - inside
        rest_frames = np.maximum(active[-1] - frames_in, 1.0)
        interior = np.full(rest.shape, -np.inf)
        interior[:, 1:-1] = np.where((rest[:, 1:-1] >= rest[:, :-2]) & (rest[:, 1:-1] > rest[:, 2:]), rest[:, 1:-1], -np.inf)
        home = np.argmax(interior, axis=1)  # the rest's highest interior peak (a curve rising to the edge has none)
        judged = np.isfinite(interior.max(axis=1)) & (frames_in >= SLIP_MIN_SPEECH * width)
        at_home = np.arange(len(rows))
        gain = inside - inside[at_home, home][:, None]
        contrast = (rest[at_home, home][:, None] - rest) / rest_frames[:, None] * width
        shift = offsets[None, :] - offsets[home][:, None]
        peak = np.zeros(inside.shape, bool)
        peak[:, 1:-1] = (inside[:, 1:-1] >= inside[:, :-2]) & (inside[:, 1:-1] > inside[:, 2:])
        slipped = (peak & (np.abs(shift) >= SLIP_MIN_SHIFT_MS) & past[None, :] & judged[:, None]
                   & (gain >= limits["model_min_slip_gain"]) & (contrast >= limits["model_min_slip_contrast"]))
        for i in np.flatnonzero(slipped.any(axis=1)):
            k = int(np.argmax(np.where(slipped[i], gain[i], -np.inf)))
            row = int(rows[i])
            entry = (row, float(gain[i, k]), float(offsets[k]), float(gain[i, k] / max(contrast[i, k], 1e-9)),
                     bool(shift[i, k] > 0))
            if groups and groups[-1][-1][4] == entry[4] and row <= groups[-1][-1][0] + width:
                groups[-1].append(entry)
            else:
                groups.append([entry])
    slips = []
    for group in groups:
        # stretches overlapping a slip only in part gain less: its span is that of the stretches gaining
        # at least SLIP_CORE_SHARE of the best
        best = max(entry[1] for entry in group)
        core = [entry for entry in group if entry[1] >= SLIP_CORE_SHARE * best]
        first, last = core[0][0], core[-1][0]
        slips.append(Exceedance(float(frame_t[first]), float(frame_t[min(last + width - 1, len(frame_t) - 1)] + period),
                                float(np.median([entry[2] for entry in core])), max(entry[3] for entry in group)))
    return slips


def _slipped_stretches(sustained: list[Exceedance], series: dict, closeup: np.ndarray, clip: SyncResult,
                       limits: dict, relative: bool = False) -> list[QaSegment]:
    """A sustained exceedance, in any framing, whose offset also departs from the whole clip's
    by more than ``local_margin_ms`` is a slip of the picture against the sound: a render
    failure whether or not a stressed syllable falls in it (one segment, ``kind`` 'slip',
    ``stressed`` false, ``closeup`` when most of its frames are).
    One that reads the clip's own offset is the clip's offset, judged (and fixed by re-muxing)
    as a whole. ``sustained`` lists the tracked path's slips first, then the runs of local
    windows; a run overlapping a slip already taken is the same slip, read less precisely."""
    early, late = limits["tolerance_early_ms"], limits["tolerance_late_ms"]
    frame_t, extra = series["frame_t"], []
    for run in sustained:
        span = (frame_t >= run.start) & (frame_t < run.end)
        if not span.any():
            continue
        if not relative and clip.offset_ms is not None and abs(run.offset_ms - clip.offset_ms) <= limits["local_margin_ms"]:
            continue  # (a relative slip departs from the rest of its clip by construction)
        if any(taken.start < run.end and taken.end > run.start for taken in extra):
            continue
        where = f"from {run.start:.1f} s to {run.end:.1f} s"
        if run.offset_ms > early:
            reason = f"the sound comes {run.offset_ms:.0f} ms before the lips {where} (tolerance +{early:g} ms)"
            severity = run.offset_ms - early
        else:
            reason = f"the sound comes {-run.offset_ms:.0f} ms after the lips {where} (tolerance {late:g} ms)"
            severity = late - run.offset_ms
        extra.append(QaSegment(run.start, run.end, run.offset_ms, run.confidence, bool(closeup[span].mean() >= 0.5), False,
                               True, reason, severity, "slip", _face_box(series, run.start, run.end)))
    return extra


def _local_at(series: dict, t: float) -> tuple[float | None, float]:
    """Local offset and confidence of the window centred nearest ``t``."""
    local_t = series["local_t"]
    if len(local_t) == 0:
        return None, 0.0
    k = int(np.argmin(np.abs(local_t - t)))
    offset = float(series["local_offset_ms"][k])
    return (offset if np.isfinite(offset) else None), float(series["local_confidence"][k])


PLOT_SERIES = ("frame_t", "mouth_pixel_change", "speaking", "face_height_ratio", "local_t", "local_offset_ms",
               "local_confidence", "sync_lags_ms", "sync_scores", "syllable_t", "syllable_stress_score")


def judge_qa(measured: Measurements, input_path: str | Path, config: Config | None = None) -> QaReport:
    """Judge QA measurements under the configuration's thresholds."""
    limits = qa_limits((config or Config()).qa)
    clip = _sync_result(measured, limits)
    series = {name: measured.series[name] for name in PLOT_SERIES if name in measured.series}
    return QaReport(str(input_path), clip, _segments(measured, limits, clip), series, face_box=_speaking_face_box(measured))


def _speaking_face_box(measured: Measurements) -> tuple[float, float, float, float] | None:
    """With several faces tracked, the box (render pixels) of the face judged over most of the
    speech (``lipgate.qa.measure.speaking_face``); None with one face."""
    series = measured.series
    if (measured.get("faces_tracked") or 1) < 2 or "face_index" not in series or "face_box" not in series:
        return None
    speaking = series["speaking"] & np.all(np.isfinite(series["face_box"]), axis=1)
    if not speaking.any():
        return None
    main = int(np.bincount(series["face_index"][speaking]).argmax())
    rows = speaking & (series["face_index"] == main)
    return tuple(float(v) for v in np.median(series["face_box"][rows], axis=0))
