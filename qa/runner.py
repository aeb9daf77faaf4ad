"""`lipgate qa` as a library call: ``measure_qa`` (one streaming decode, cacheable
Measurements) and ``judge_qa`` (thresholds only), composed by ``run_qa``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lipgate.cache import code_fingerprint
from lipgate.config import Config
from lipgate.errors import InputError, UnjudgeableInput
from lipgate.face import MOUTH_FEATURE_NAMES, OUTER_LIP_RING, FaceTracker
from lipgate.measurements import Measurements
from lipgate.timeline import median_period_s, runs, segments_where
from lipgate.media import AudioDecoder, FastScalerMissing, MediaInfo, VideoDecoder, probe
from qa import sync
from qa.features import AUDIO_SR, AudioFeatures, AudioFeatureStream, mouth_row
from qa.report import QaReport, QaSegment, SyncResult
from qa.settings import qa_limits
from qa.shots import ShotChangeTracker, cut_frames, shot_ids
from qa.syllables import HOP_S, VoiceContour, VoiceContourStream, nuclei, silence_threshold_db

ANALYSIS_MAX_SIDE = 480
"""Frames go to the face mesh at most 480 px on their longer side: MediaPipe crops the face to
192 px, so larger frames only cost decoding and scaling."""
MOTION_WINDOW_S = 0.4
"""Mouth motion is averaged over this window: longer than a held consonant, shorter than the
1.6 s freeze to catch."""
FROZEN_FOR_ESTIMATE = 0.1
"""Frames whose mouth changes less than this (grey levels, over ``MOTION_WINDOW_S``) while the
voice speaks are left out of the offset estimate (the default ``frozen_pixel_change``; a
measurement choice, so user overrides, which only change judgement, do not move it)."""
MIN_FROZEN_S = 0.3
"""A mouth still for this long while the voice speaks is flagged even without a stressed
syllable in it: longer than a held consonant (the stillest 0.4 s of a corpus clip kept moving)."""
MIN_SLIP_S = 1.0
"""Local windows past tolerance are judged only in runs spanning at least this long (five
consecutive 0.2 s hops), and the tracked lag path only in stretches this long: chance peaks on
the untouched corpus clips lasted up to four windows (0.8 s, talk2 after the decoder's colour
and scaling change of session 3; three on the concatenated clip) (bench/qa_sync.py, 'longest
chance run'); a 1.6 s slip gives five or more."""
NUCLEUS_HALF_SPAN_S = 0.1
"""A syllable counts as spoken by a frozen mouth when most frames within 0.1 s of its nucleus are."""
STATIC_FACE_STD = 0.01
"""Below this spread (inter-ocular units) of the lip opening the face does not talk at all."""


def _moving_mean(values: np.ndarray, width: int) -> np.ndarray:
    width = max(1, width)
    return np.convolve(values, np.ones(width) / width, mode="same")


def mouth_pixel_change(rgb: np.ndarray, previous_rgb: np.ndarray | None, observation) -> float:
    """Mean absolute grey-level change (0-255, grey = mean of R, G, B) inside the outer-lip box,
    widened by half its size, from the previous frame; NaN without a face or a previous frame.
    Only the box is converted to grey (a whole 480 px frame cost more than the face mesh)."""
    if previous_rgb is None or not observation.found:
        return float("nan")
    lips = observation.landmarks[list(OUTER_LIP_RING), :2]
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    pad_x, pad_y = 0.25 * (x1 - x0), 0.25 * (y1 - y0)
    height, width = rgb.shape[:2]
    left, right = int(max(0, x0 - pad_x)), int(min(width, x1 + pad_x + 1))
    top, bottom = int(max(0, y0 - pad_y)), int(min(height, y1 + pad_y + 1))
    if right <= left or bottom <= top:
        return float("nan")
    box = (slice(top, bottom), slice(left, right))
    grey, previous_grey = (picture[box].mean(axis=2, dtype=np.float32) for picture in (rgb, previous_rgb))
    return float(np.abs(grey - previous_grey).mean())


def smoothed_pixel_change(change: np.ndarray, fps: float) -> np.ndarray:
    """The mouth's pixel change averaged over ``MOTION_WINDOW_S`` (frames without a face count as moving)."""
    filled = np.where(np.isfinite(change), change, 255.0)
    return _moving_mean(filled, int(round(MOTION_WINDOW_S * fps)))


def speech_activity(contour: VoiceContour, start_s: float, frame_t: np.ndarray) -> np.ndarray:
    """Per-frame True where the speech is above the silence threshold of qa.syllables
    (``SILENCE_DB`` under the 99th percentile of its intensity contour): the contour's mean power
    over the ``MOTION_WINDOW_S`` around each frame (``start_s``: the sound's first sample)."""
    if contour.power.size == 0:
        return np.zeros(len(frame_t), bool)
    centres_s = start_s + np.arange(contour.power.size) * HOP_S
    first = np.searchsorted(centres_s, frame_t - MOTION_WINDOW_S / 2, side="left")
    last = np.searchsorted(centres_s, frame_t + MOTION_WINDOW_S / 2, side="left")
    total = np.concatenate([[0.0], np.cumsum(contour.power)])
    count = last - first
    mean_power = (total[last] - total[first]) / np.maximum(count, 1)
    level = np.where(count > 0, 10 * np.log10(mean_power + 1e-12), -120.0)
    return level > silence_threshold_db(contour.intensity_db)


@dataclass
class SoundSeries:
    """What one pass over the sound gives: the sync features and the voice contour."""

    features: AudioFeatures
    contour: VoiceContour
    start_s: float
    """The first sample's time on the container timeline (s)."""
    duration_s: float
    syllables: dict[str, np.ndarray]
    """The syllable nuclei (``qa.syllables.nuclei``)."""


def decode_sound(info: MediaInfo, window_s: float, decoder: AudioDecoder | None = None) -> SoundSeries:
    """Stream the sound (16 kHz mono, one-second blocks; from ``decoder`` when given) through the
    sync features (analysis window ``window_s``, one picture frame period), the voice contour and
    its syllable nuclei; no whole-signal buffer."""
    decoder = decoder or AudioDecoder(info, sr=AUDIO_SR)
    features, contour = AudioFeatureStream(AUDIO_SR, window_s), VoiceContourStream(AUDIO_SR)
    for block in decoder:
        features.push(block.samples)
        contour.push(block.samples)
    start_s, voice = info.audio.start_s, contour.finish()
    return SoundSeries(features.finish(start_s), voice, start_s, decoder.samples_read / AUDIO_SR, nuclei(voice, start_s))


@dataclass
class PictureSeries:
    """What one pass over the frames gives: per-frame times, mouth features, face size, shots."""

    fps: float
    frame_t: np.ndarray
    mouth: np.ndarray
    face_height_ratio: np.ndarray
    mouth_pixel_change: np.ndarray
    """Mean absolute grey-level change of the mouth box from the previous frame (NaN without a face)."""
    shot: np.ndarray


def decode_pictures(info: MediaInfo, progress=None, decoder: VideoDecoder | None = None) -> PictureSeries:
    """Stream every frame through the face mesh; only a few numbers per frame are kept.

    The mesh of each frame runs in a second thread (MediaPipe's graph releases the GIL) while
    this one fits the pose and measures the frame before: the mesh is most of a frame's time,
    and the rest of the work then no longer waits for it."""
    from concurrent.futures import ThreadPoolExecutor

    decoder = (decoder or VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE)).start()  # decodes while MediaPipe loads
    frame_t, mouth, face_height, pixel_change = [], [], [], []
    shots = ShotChangeTracker()
    previous_rgb = None

    def measure(frame, landmarks) -> None:
        nonlocal previous_rgb
        observation = tracker.observation(landmarks)
        frame_t.append(frame.t)
        mouth.append(mouth_row(observation))
        face_height.append((observation.box[3] - observation.box[1]) / decoder.height if observation.found else np.nan)
        shots.process(frame.rgb)
        pixel_change.append(mouth_pixel_change(frame.rgb, previous_rgb, observation))
        previous_rgb = frame.rgb  # each frame has its own buffer: keeping it copies nothing
        if progress is not None:
            progress(frame.index + 1, decoder.expected_frames)

    # one face: qa measures the speaker's lips
    with FaceTracker() as tracker, ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-mesh") as mesh:
        waiting = None  # (frame, its landmarks to come)
        for frame in decoder:
            landmarks = mesh.submit(tracker.landmarks, frame.rgb)
            if waiting is not None:
                measure(waiting[0], waiting[1].result())
            waiting = (frame, landmarks)
        if waiting is not None:
            measure(waiting[0], waiting[1].result())
    if not frame_t:
        raise InputError(info.path, "no video frame could be decoded")
    return PictureSeries(
        fps=decoder.fps, frame_t=np.array(frame_t), mouth=np.array(mouth).reshape(-1, len(MOUTH_FEATURE_NAMES)),
        face_height_ratio=np.array(face_height), mouth_pixel_change=np.array(pixel_change),
        shot=shot_ids(len(frame_t), cut_frames(np.array(shots.distances), decoder.fps)),
    )


def measure_qa(path: str | Path, progress=None) -> Measurements:
    """Decode once (frames streamed through the face mesh), measure sync, syllables, motion, shots."""
    info = probe(path, expect={"video"})
    if info.audio is None:
        raise InputError(path, "has no audio track: lip sync needs the rendered sound")
    from concurrent.futures import ThreadPoolExecutor

    # the sound is decoded and analysed in a second thread while the frames stream through the
    # face mesh (ffmpeg, numpy and MediaPipe release the GIL): qa takes about the longer of the two
    # one ffmpeg decodes both (VideoDecoder.with_sound)
    pictures_decoder = VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE)
    sound_decoder = pictures_decoder.with_sound(sr=AUDIO_SR)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-sound") as pool:
            sound = pool.submit(decode_sound, info, 1.0 / info.video.fps, sound_decoder)
            pictures = decode_pictures(info, progress, pictures_decoder)
            return analyse(pictures, sound.result())
    except FastScalerMissing:  # this ffmpeg has no zimg: every later decode uses swscale
        return measure_qa(path, progress)


def analyse(pictures: PictureSeries, sound: SoundSeries) -> Measurements:
    """Sync, local offsets, syllables and mouth motion from the picture and sound series."""
    fps, frame_t, mouth = pictures.fps, pictures.frame_t, pictures.mouth
    audio = sound.features
    face_found = np.all(np.isfinite(mouth), axis=1)
    speaking = speech_activity(sound.contour, sound.start_s, frame_t)
    values = {"fps": fps, "frames": len(frame_t), "video_start_s": float(frame_t[0]),
              "audio_start_s": sound.start_s, "audio_duration_s": sound.duration_s,
              "face_share": float(face_found.mean()), "speech_share": float(speaking.mean())}
    problem = None
    if face_found.sum() < sync.MIN_FRAMES:
        problem = "no face found in enough frames to see the lips"
    elif not speaking.any():
        problem = "no speech in the sound track"
    elif np.nanstd(mouth[:, MOUTH_FEATURE_NAMES.index("lip_opening")]) < STATIC_FACE_STD:
        problem = "the mouth never moves (a still face)"
    mouth_change = smoothed_pixel_change(pictures.mouth_pixel_change, fps)
    # a mouth frozen while the voice speaks carries no lip information: keep it out of the clip's offset
    moving = ~(speaking & (mouth_change < FROZEN_FOR_ESTIMATE))
    clip = sync.unmeasured(sync.candidate_lags_ms()) if problem else sync.estimate_offset(frame_t, mouth, audio, rows=moving)
    if problem is None and clip.offset_ms is None:
        problem = "too few frames with a face inside the sound's time range"
    local = sync.local_offsets(frame_t, mouth, audio, clip, pictures.shot, speaking, fps)
    track_lags_ms, track_offset_ms, evidence = np.zeros(0), np.full(len(frame_t), np.nan), np.zeros((len(frame_t), 0))
    if clip.offset_ms is not None:
        track_lags_ms, evidence = sync.lag_evidence(frame_t, mouth, audio, clip, speaking, pictures.shot, fps)
        track_offset_ms = track_lags_ms[sync.track_lags(evidence, track_lags_ms, pictures.shot, len(track_lags_ms) // 2)]
    values.update({"offset_ms": clip.offset_ms, "confidence": clip.confidence,
                   "peak_correlation": clip.peak_correlation, "frames_used": clip.frames_used,
                   "unmeasured_reason": problem})
    series = {
        "frame_t": frame_t, "mouth": mouth, "face_height_ratio": pictures.face_height_ratio, "shot": pictures.shot,
        "speaking": speaking, "mouth_pixel_change": mouth_change,
        "sync_lags_ms": clip.lags_ms, "sync_scores": clip.scores,
        "local_t": local["t"], "local_offset_ms": local["offset_ms"], "local_confidence": local["confidence"],
        "track_lags_ms": track_lags_ms, "track_offset_ms": track_offset_ms, "track_evidence": evidence.astype(np.float32),
    }
    for name, column in sound.syllables.items():
        series[f"syllable_{name}"] = column
    return Measurements(values=values, series=series)


def _sync_result(measured: Measurements, limits: dict) -> SyncResult:
    fps = float(measured.get("fps"))
    offset, confidence = measured.get("offset_ms"), float(measured.get("confidence") or 0.0)
    early, late = limits["tolerance_early_ms"], limits["tolerance_late_ms"]
    tolerance = (early, late)
    if measured.get("unmeasured_reason") or offset is None:
        return SyncResult(None, 0.0, fps, "skip", f"lip sync could not be measured: {measured.get('unmeasured_reason')}", tolerance)
    if confidence < limits["min_confidence"]:
        return SyncResult(offset, confidence, fps, "unsure",
                          f"unsure: no clear match between lips and sound (confidence {confidence:.1f} < {limits['min_confidence']:g})",
                          tolerance)
    if offset > early:
        return SyncResult(offset, confidence, fps, "fail", f"the sound comes {offset:.0f} ms before the lips (tolerance +{early:g} ms): shift the audio later by {offset:.0f} ms", tolerance)
    if offset < late:
        return SyncResult(offset, confidence, fps, "fail", f"the sound comes {-offset:.0f} ms after the lips (tolerance {late:g} ms): shift the audio earlier by {-offset:.0f} ms", tolerance)
    return SyncResult(offset, confidence, fps, "pass", f"in sync ({offset:+.0f} ms)", tolerance)


def _segments(measured: Measurements, limits: dict, clip: SyncResult) -> list[QaSegment]:
    series = measured.series
    frame_t = series["frame_t"]
    if len(frame_t) == 0 or clip.status == "skip":
        return []
    fps = clip.fps
    stressed = series["syllable_stress_score"] >= limits["stress_score"]
    closeup = np.nan_to_num(series["face_height_ratio"], nan=0.0) >= limits["closeup_face_height"]
    frozen = series["speaking"] & (series["mouth_pixel_change"] < limits["frozen_pixel_change"])
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
        segments.append(QaSegment(float(start), float(end), offset, confidence, True, True, rerender, reason, severity))
    segments += _frozen_stretches(series, frame_t, frozen & closeup, fps, segments)
    tracked = [stretch for stretch, gain in path_stretches(series, limits) if gain >= limits["min_slip_gain"]]
    segments += _slipped_stretches(tracked + sustained, frame_t, closeup, clip, limits)
    return sorted(segments, key=lambda segment: segment.start)


def _frozen_stretches(series: dict, frame_t: np.ndarray, frozen: np.ndarray, fps: float,
                      found: list[QaSegment]) -> list[QaSegment]:
    """A frozen mouth while the voice speaks, in a close-up, for at least ``MIN_FROZEN_S``, is a
    render failure whether or not a stressed syllable falls in it: one segment per stretch not
    already flagged (``stressed`` false)."""
    extra = []
    for stretch in segments_where(frame_t, frozen, 1.0 / fps, min_duration_s=MIN_FROZEN_S, merge_gap_s=0.2):
        if any(s.rerender and s.start < stretch.end and s.end > stretch.start for s in found):
            continue
        offset, confidence = _local_at(series, (stretch.start + stretch.end) / 2)
        extra.append(QaSegment(stretch.start, stretch.end, offset, confidence, True, False, True,
                               "the mouth stays still while the voice speaks (frozen or smeared mouth)",
                               1000.0 + stretch.end - stretch.start))
    return extra


@dataclass
class Exceedance:
    """A run of local windows past tolerance (times in s, from the first to the last window
    centre widened by half a hop; median offset in ms and median confidence of the run), or a
    stretch of the tracked lag path past tolerance (``path_stretches``)."""

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
    """Stretches of at least ``MIN_SLIP_S`` where the tracked lag path (qa.sync.track_lags) sits
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


def _slipped_stretches(sustained: list[Exceedance], frame_t: np.ndarray, closeup: np.ndarray, clip: SyncResult,
                       limits: dict) -> list[QaSegment]:
    """A sustained exceedance mostly in close-up whose offset also departs from the whole clip's
    by more than ``local_margin_ms`` is a slip of the picture against the sound: a render
    failure whether or not a stressed syllable falls in it (one segment, ``stressed`` false).
    One that reads the clip's own offset is the clip's offset, judged (and fixed by re-muxing)
    as a whole. ``sustained`` lists the tracked path's slips first, then the runs of local
    windows; a run overlapping a slip already taken is the same slip, read less precisely."""
    early, late = limits["tolerance_early_ms"], limits["tolerance_late_ms"]
    extra = []
    for run in sustained:
        span = (frame_t >= run.start) & (frame_t < run.end)
        if not span.any() or closeup[span].mean() < 0.5:
            continue
        if clip.offset_ms is not None and abs(run.offset_ms - clip.offset_ms) <= limits["local_margin_ms"]:
            continue
        if any(taken.start < run.end and taken.end > run.start for taken in extra):
            continue
        where = f"from {run.start:.1f} s to {run.end:.1f} s"
        if run.offset_ms > early:
            reason = f"the sound comes {run.offset_ms:.0f} ms before the lips {where} (tolerance +{early:g} ms)"
            severity = run.offset_ms - early
        else:
            reason = f"the sound comes {-run.offset_ms:.0f} ms after the lips {where} (tolerance {late:g} ms)"
            severity = late - run.offset_ms
        extra.append(QaSegment(run.start, run.end, run.offset_ms, run.confidence, True, False, True, reason, severity))
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
    return QaReport(str(input_path), clip, _segments(measured, limits, clip), series)


def run_qa(path: str | Path, config: Config | None = None, progress=None) -> QaReport:
    return judge_qa(measure_qa(path, progress=progress), path, config)


# The batch interface (lipgate.batch): measure one input (cacheable), then judge it.
COMMAND = "qa"
MEASURING_MODULES = ("qa", "lipgate.face", "lipgate.media", "lipgate.ffprobe", "lipgate.speech", "lipgate.dsp", "lipgate.timeline")
MEASUREMENT_SETTINGS = f"qa-measure/1 code={code_fingerprint(*MEASURING_MODULES)}"
"""Everything besides the file's content that changes what ``measure_input`` returns (the cache key)."""


def input_files(input_path: str, options: dict) -> list[str]:
    """The files whose content the measurements depend on: the render alone."""
    return [input_path]


def measure_input(input_path: str, options: dict, progress=None) -> Measurements:
    return measure_qa(input_path, progress=progress)


def judge_input(input_path: str, options: dict, measured: Measurements, config: Config | None = None) -> QaReport:
    """The judged report; ``UnjudgeableInput`` (exit 2, a batch's error entry) when sync could
    not be measured at all: the contract's verdict is pass or fail, and neither would be true."""
    report = judge_qa(measured, input_path, config)
    if report.unjudged_reason:
        raise UnjudgeableInput(input_path, report.unjudged_reason)
    return report
