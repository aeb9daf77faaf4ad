"""`lipgate qa`, measuring: one streaming decode of the render (frames through the face mesh,
the sound through the sync features and the voice contour) and the analysis of what it gives:
the whole-clip offset, local offsets, the tracked lag path, mouth motion, speech, syllables,
shots. The numbers go into cacheable ``Measurements``; ``lipgate.qa.judge`` judges them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from lipgate.errors import InputError
from lipgate.face import MOUTH_FEATURE_NAMES, OUTER_LIP_RING, FaceTracker
from lipgate.framing import face_layout
from lipgate.measurements import Measurements
from lipgate.media import AudioDecoder, FastScalerMissing, MediaInfo, VideoDecoder, probe
from lipgate.qa import local, sync, syncmodel
from lipgate.qa.evidence import STILL_MOUTH_PIXEL_MOTION, appearance_motion, mouth_appearance
from lipgate.qa.features import AUDIO_SR, AudioFeatures, AudioFeatureStream, mouth_row
from lipgate.qa.shots import ShotChangeTracker, cut_frames, shot_ids
from lipgate.qa.syllables import HOP_S, VoiceContour, VoiceContourStream, nuclei, silence_threshold_db

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
STATIC_FACE_STD = 0.01
"""Below this spread (inter-ocular units) of the lip opening the face may not talk at all: it does
not when its mouth's pixels do not move either (``_pixels_move``). A talker with little jaw motion
reads 0.0075 and moves its lip box by 5-7 grey levels a frame (the corpus' PC-AVS 00098)."""
MOVING_PIXEL_CHANGE = 1.0
"""A mouth box whose median frame-to-frame change while the voice speaks reaches this many grey
levels moves: a repeated frame changes 0.0 after H.264, and the untouched corpus copies' mouths
change by a median of 4.5 - 9.4 while the voice speaks (bench/qa_every_shot.py)."""


def _pixels_move(change: np.ndarray, rows: np.ndarray) -> bool:
    """Whether the mouth's raw pixel change over ``rows`` (frames with speech and a face) says it moves."""
    values = change[rows & np.isfinite(change)]
    return bool(values.size) and float(np.median(values)) >= MOVING_PIXEL_CHANGE


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
    """Per-frame True where the speech is above the silence threshold of lipgate.qa.syllables
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
    """The syllable nuclei (``lipgate.qa.syllables.nuclei``)."""
    model_features: AudioFeatures | None = None
    """The sound as the sync model reads it (lipgate.qa.syncmodel.model_sound_stream)."""


def decode_sound(info: MediaInfo, window_s: float, decoder: AudioDecoder | None = None) -> SoundSeries:
    """Stream the sound (16 kHz mono, one-second blocks; from ``decoder`` when given) through the
    sync features (analysis window ``window_s``, one picture frame period), the voice contour and
    its syllable nuclei; no whole-signal buffer."""
    decoder = decoder or AudioDecoder(info, sr=AUDIO_SR)
    features, contour = AudioFeatureStream(AUDIO_SR, window_s), VoiceContourStream(AUDIO_SR)
    model_features = syncmodel.model_sound_stream(AUDIO_SR)
    for block in decoder:
        features.push(block.samples)
        contour.push(block.samples)
        model_features.push(block.samples)
    start_s, voice = info.audio.start_s, contour.finish()
    return SoundSeries(features.finish(start_s), voice, start_s, decoder.samples_read / AUDIO_SR, nuclei(voice, start_s),
                       model_features.finish(start_s))


@dataclass
class FaceSeries:
    """One tracked face's per-frame series (NaN where it was not found)."""

    mouth: np.ndarray
    face_height_ratio: np.ndarray
    mouth_pixel_change: np.ndarray
    face_box: np.ndarray
    """(n, 4) x0, y0, x1, y1 of the face mesh, in pixels of the source frame."""
    mouth_appearance: np.ndarray | None = None
    """(n, k) the mouth patch projected on the learned components (lipgate.qa.evidence; NaN without a face)."""


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
    face_box: np.ndarray | None = None
    """(n, 4) x0, y0, x1, y1 of the face measured, in pixels of the source frame (NaN without a face)."""
    others: list[FaceSeries] = field(default_factory=list)
    """The other faces tracked in a shot with several (``lipgate.framing.FaceLayout.faces``);
    ``speaking_face`` picks, per stretch of speech, the one whose mouth follows the voice."""
    mouth_appearance: np.ndarray | None = None
    """Per frame, the mouth patch projected on the learned components (lipgate.qa.evidence; NaN without a face)."""


def _nearest_slots(found: list[np.ndarray], centres: np.ndarray) -> list[np.ndarray | None]:
    """The landmarks of ``found`` (faces of one frame) given to the slots whose last centres
    (decoder pixels) are nearest, each face to one slot; the centres follow the faces."""
    slots: list[np.ndarray | None] = [None] * len(centres)
    if not found:
        return slots
    face_centres = np.array([face[:, :2].mean(axis=0) for face in found])
    distance = np.linalg.norm(face_centres[:, None, :] - centres[None, :, :], axis=2)
    for _ in range(min(len(found), len(centres))):
        face, slot = np.unravel_index(np.argmin(distance), distance.shape)
        slots[slot] = found[face]
        centres[slot] = face_centres[face]
        distance[face, :], distance[:, slot] = np.inf, np.inf
    return slots


def decode_pictures(info: MediaInfo, progress=None, decoder: VideoDecoder | None = None,
                    faces: int = 1, centres: np.ndarray | None = None) -> PictureSeries:
    """Stream every frame through the face mesh; only a few numbers per frame are kept.

    ``faces``: how many faces to track (``lipgate.framing.FaceLayout``); with several, each frame's
    faces go to the slot whose face was nearest (``centres``: where they were first found, in the
    decoder's pixels), and the first slot's series fill the single-face fields.

    The mesh of each frame runs in a second thread (MediaPipe's graph releases the GIL) while
    this one fits the pose and measures the frame before: the mesh is most of a frame's time,
    and the rest of the work then no longer waits for it."""
    from concurrent.futures import ThreadPoolExecutor

    decoder = (decoder or VideoDecoder(info, max_side=ANALYSIS_MAX_SIDE)).start()  # decodes while MediaPipe loads
    source_height = float(info.video.height)
    slot_centres = np.array(centres, dtype=float) if centres is not None and len(centres) else np.zeros((0, 2))
    slot_centres = np.vstack([slot_centres, np.full((max(0, faces - len(slot_centres)), 2), np.nan)])[:faces]
    slot_centres = np.where(np.isfinite(slot_centres), slot_centres, (decoder.width / 2, decoder.height / 2))
    frame_t = []
    per_face = [{"mouth": [], "height": [], "change": [], "box": [], "appearance": []} for _ in range(faces)]
    shots = ShotChangeTracker()
    previous_rgb = None

    def measure(frame, found: list[np.ndarray]) -> None:
        nonlocal previous_rgb
        frame_t.append(frame.t)
        shots.process(frame.rgb)
        landmarks = _nearest_slots(found, slot_centres) if faces > 1 else [found[0] if found else None]
        for slot, (series, face) in enumerate(zip(per_face, landmarks)):
            observation = tracker.observation(face, slot)
            box = decoder.to_source(np.reshape(observation.box, (2, 2))).ravel() if observation.found else np.full(4, np.nan)
            series["mouth"].append(mouth_row(observation))
            series["height"].append((box[3] - box[1]) / source_height)
            series["box"].append(box)
            series["change"].append(mouth_pixel_change(frame.rgb, previous_rgb, observation))
            series["appearance"].append(mouth_appearance(frame.rgb, observation.landmarks if observation.found else None))
        previous_rgb = frame.rgb  # each frame has its own buffer: keeping it copies nothing
        if progress is not None:
            progress(frame.index + 1, decoder.expected_frames)

    with FaceTracker(max_faces=faces) as tracker, ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-mesh") as mesh:
        waiting = None  # (frame, its landmarks to come)
        for frame in decoder:
            landmarks = mesh.submit(tracker.all_landmarks, frame.rgb)
            if waiting is not None:
                measure(waiting[0], waiting[1].result())
            waiting = (frame, landmarks)
        if waiting is not None:
            measure(waiting[0], waiting[1].result())
    if not frame_t:
        raise InputError(info.path, "no video frame could be decoded")
    tracked = [FaceSeries(np.array(series["mouth"]).reshape(-1, len(MOUTH_FEATURE_NAMES)), np.array(series["height"]),
                          np.array(series["change"]), np.array(series["box"]).reshape(-1, 4),
                          np.array(series["appearance"], np.float32).reshape(len(frame_t), -1)) for series in per_face]
    first = tracked[0]
    return PictureSeries(
        fps=decoder.fps, frame_t=np.array(frame_t), mouth=first.mouth, face_height_ratio=first.face_height_ratio,
        mouth_pixel_change=first.mouth_pixel_change,
        shot=shot_ids(len(frame_t), cut_frames(np.array(shots.distances), decoder.fps)),
        face_box=first.face_box, others=tracked[1:], mouth_appearance=first.mouth_appearance,
    )


def speaking_face(pictures: PictureSeries, speaking: np.ndarray) -> tuple[PictureSeries, np.ndarray]:
    """With several faces tracked, the series of the face that speaks: per stretch of speech
    (runs of ``speaking`` within a shot, and the silence before each joined to it), the face whose lip
    opening varies most over the stretch (a listening face keeps its mouth still); also
    which face (index into [the first face, *others]) each frame follows. One face: unchanged."""
    chosen = np.zeros(len(pictures.frame_t), int)
    if not pictures.others:
        return pictures, chosen
    faces = [FaceSeries(pictures.mouth, pictures.face_height_ratio, pictures.mouth_pixel_change,
                        pictures.face_box if pictures.face_box is not None else np.full((len(chosen), 4), np.nan),
                        pictures.mouth_appearance), *pictures.others]
    opening = MOUTH_FEATURE_NAMES.index("lip_opening")
    stretch_start = 0
    for first, last in _speech_stretches(speaking, pictures.shot):
        rows = slice(first, last + 1)
        spread = [np.nanstd(face.mouth[rows, opening]) if np.isfinite(face.mouth[rows, opening]).sum() >= 3 else -1.0
                  for face in faces]
        chosen[stretch_start:last + 1] = int(np.argmax(spread))
        stretch_start = last + 1
    if stretch_start and stretch_start < len(chosen):
        chosen[stretch_start:] = chosen[stretch_start - 1]
    pick = lambda name: np.stack([getattr(face, name) for face in faces])[chosen, np.arange(len(chosen))]
    appearance = pick("mouth_appearance") if all(face.mouth_appearance is not None for face in faces) else None
    return replace(pictures, mouth=pick("mouth"), face_height_ratio=pick("face_height_ratio"),
                   mouth_pixel_change=pick("mouth_pixel_change"), face_box=pick("face_box"),
                   mouth_appearance=appearance), chosen


def _speech_stretches(speaking: np.ndarray, shot: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) frame of each run of speech, split at shot changes."""
    from lipgate.timeline import runs

    return [(first, last) for s in np.unique(shot) for first, last in runs(speaking & (shot == s))]


def measure_qa(path: str | Path, progress=None) -> Measurements:
    """Decode once (frames streamed through the face mesh), measure sync, syllables, motion, shots."""
    info = probe(path, expect={"video"})
    if info.audio is None:
        raise InputError(path, "has no audio track: lip sync needs the rendered sound")
    from concurrent.futures import ThreadPoolExecutor

    # the sound is decoded and analysed in a second thread while the frames stream through the
    # face mesh (ffmpeg, numpy and MediaPipe release the GIL): qa takes about the longer of the two
    # one ffmpeg decodes both (VideoDecoder.with_sound)
    layout = face_layout(info, ANALYSIS_MAX_SIDE)  # the window around the faces: the mesh sees them large enough
    pictures_decoder = VideoDecoder(info, max_side=layout.max_side, crop=layout.crop)
    sound_decoder = pictures_decoder.with_sound(sr=AUDIO_SR)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipgate-sound") as pool:
            sound = pool.submit(decode_sound, info, 1.0 / info.video.fps, sound_decoder)
            pictures = decode_pictures(info, progress, pictures_decoder, layout.faces, layout.centres(pictures_decoder))
            return analyse(pictures, sound.result())
    except FastScalerMissing:  # this ffmpeg has no zimg: every later decode uses swscale
        return measure_qa(path, progress)


def mouth_movement(mouth: np.ndarray, appearance: np.ndarray | None, fps: float, box_changes: bool = False) -> dict:
    """Whether the mouth moves at all, from its geometry and from its pixels: ``lip_opening_spread``
    (standard deviation of the lip opening, inter-ocular units; moving from ``STATIC_FACE_STD``)
    and ``mouth_pixel_motion`` (lipgate.qa.evidence.appearance_motion; moving from
    ``STILL_MOUTH_PIXEL_MOTION``). MediaPipe's landmarks barely follow a soft generated mouth
    whose pixels open and close, so either is enough: ``mouth_moves``; so is ``box_changes``, the
    lip box's raw grey-level change under speech (``_pixels_move``)."""
    opening = mouth[:, MOUTH_FEATURE_NAMES.index("lip_opening")]
    spread = float(np.nanstd(opening)) if np.isfinite(opening).any() else 0.0
    pixel_motion = appearance_motion(appearance, fps)
    moves = spread >= STATIC_FACE_STD or (pixel_motion is not None and pixel_motion >= STILL_MOUTH_PIXEL_MOTION) or box_changes
    return {"mouth_moves": bool(moves), "lip_opening_spread": spread, "mouth_pixel_motion": pixel_motion,
            "mouth_box_changes": bool(box_changes)}


def whole_clip_reading(pictures: PictureSeries, sound: SoundSeries, rows: np.ndarray):
    """The learned model's reading of the whole clip (lipgate.qa.syncmodel), None without the model."""
    model = syncmodel.load_model()
    if model is None or sound.model_features is None:
        return None
    return syncmodel.read_offset(model, pictures.frame_t, pictures.mouth, pictures.mouth_appearance,
                                 sound.model_features, pictures.fps, rows=rows)


def analyse(pictures: PictureSeries, sound: SoundSeries) -> Measurements:
    """Sync, local offsets, syllables and mouth motion from the picture and sound series."""
    fps, frame_t = pictures.fps, pictures.frame_t
    audio = sound.features
    speaking = speech_activity(sound.contour, sound.start_s, frame_t)
    pictures, face_index = speaking_face(pictures, speaking)
    mouth = pictures.mouth
    face_found = np.all(np.isfinite(mouth), axis=1)
    values = {"fps": fps, "frames": len(frame_t), "video_start_s": float(frame_t[0]),
              "audio_start_s": sound.start_s, "audio_duration_s": sound.duration_s,
              "face_share": float(face_found.mean()), "speech_share": float(speaking.mean()),
              "faces_tracked": 1 + len(pictures.others)}
    problem = None
    if face_found.sum() < sync.MIN_FRAMES:
        problem = "no face found in enough frames to see the lips"
    elif not speaking.any():
        problem = "no speech in the sound track"
    movement = mouth_movement(mouth, pictures.mouth_appearance, fps,
                              _pixels_move(pictures.mouth_pixel_change, speaking & face_found))
    values.update(movement)
    if problem is None and not movement["mouth_moves"]:
        problem = "the mouth never moves (a still face)"
    mouth_change = smoothed_pixel_change(pictures.mouth_pixel_change, fps)
    # a mouth frozen while the voice speaks carries no lip information: keep it out of the clip's offset
    moving = ~(speaking & (mouth_change < FROZEN_FOR_ESTIMATE))
    clip = sync.unmeasured(sync.candidate_lags_ms()) if problem else sync.estimate_offset(frame_t, mouth, audio, rows=moving)
    reading = None if problem else whole_clip_reading(pictures, sound, moving)
    if problem is None and (clip.offset_ms is None or (reading is not None and reading.offset_ms is None)):
        problem = "too few frames with a face inside the sound's time range"
    model_read = reading is not None and reading.offset_ms is not None and problem is None
    track_lags_ms, track_offset_ms, evidence = np.zeros(0), np.full(len(frame_t), np.nan), np.zeros((len(frame_t), 0))
    model_lags_ms, model_evidence = np.zeros(0), np.zeros((len(frame_t), 0))
    if model_read:
        # the model's evidence around its whole-clip reading, certain or not: slips are judged on it
        # relative to the rest of the clip (lipgate.qa.judge.relative_slips), where the model's own
        # bias on this clip cancels
        model_lags_ms, model_evidence, usable = local.model_lag_evidence(
            syncmodel.load_model(), frame_t, mouth, pictures.mouth_appearance, sound.model_features, fps,
            reading.offset_ms, speaking, pictures.shot)
    if model_read and not reading.uncertain:
        # local offsets and the tracked path from the learned model, around its whole-clip reading;
        # a mouth the model does not recognise (an uncertain reading: on the generated fixtures its
        # windows read chance peaks) keeps the clip's own canonical correlation
        track_lags_ms, evidence = model_lags_ms, model_evidence
        local_series = local.model_local_offsets(track_lags_ms, evidence, usable, frame_t, pictures.shot, speaking, fps)
        values["local_evidence"] = "model"
    else:
        values["local_evidence"] = "canonical"
        local_series = sync.local_offsets(frame_t, mouth, audio, clip, pictures.shot, speaking, fps)
        if clip.offset_ms is not None:
            track_lags_ms, evidence = sync.lag_evidence(frame_t, mouth, audio, clip, speaking, pictures.shot, fps)
    if len(track_lags_ms):
        track_offset_ms = track_lags_ms[sync.track_lags(evidence, track_lags_ms, pictures.shot, len(track_lags_ms) // 2)]
    values.update({"offset_ms": clip.offset_ms, "confidence": clip.confidence,
                   "peak_correlation": clip.peak_correlation, "frames_used": clip.frames_used,
                   "unmeasured_reason": problem, "uncertain": clip.offset_ms is None,
                   "interval_low_ms": None, "interval_high_ms": None, "cca_offset_ms": clip.offset_ms,
                   "cca_confidence": clip.confidence})
    sync_lags_ms, sync_scores = clip.lags_ms, clip.scores
    if model_read:
        # the whole-clip offset is the learned model's (its zero is in-sync speech), and so are the
        # local offsets and the tracked path; the canonical correlation is their fallback without the model
        values.update({"offset_ms": reading.offset_ms, "confidence": reading.confidence,
                       "peak_correlation": reading.peak_score, "frames_used": reading.frames_used,
                       "uncertain": bool(reading.uncertain), "interval_low_ms": reading.interval_ms[0],
                       "interval_high_ms": reading.interval_ms[1]})
        sync_lags_ms, sync_scores = reading.lags_ms, reading.scores
    shared = evidence is model_evidence
    model_evidence = model_evidence.astype(np.float32)
    evidence = model_evidence if shared else evidence.astype(np.float32)  # one copy when the track's is the model's
    series = {
        "frame_t": frame_t, "mouth": mouth, "face_height_ratio": pictures.face_height_ratio, "shot": pictures.shot,
        "speaking": speaking, "mouth_pixel_change": mouth_change, "face_index": face_index,
        "face_box": pictures.face_box if pictures.face_box is not None else np.full((len(frame_t), 4), np.nan),
        "sync_lags_ms": sync_lags_ms, "sync_scores": sync_scores,
        "local_t": local_series["t"], "local_offset_ms": local_series["offset_ms"],
        "local_confidence": local_series["confidence"],
        "track_lags_ms": track_lags_ms, "track_offset_ms": track_offset_ms, "track_evidence": evidence,
        "model_lags_ms": model_lags_ms, "model_evidence": model_evidence,
    }
    for name, column in sound.syllables.items():
        series[f"syllable_{name}"] = column
    return Measurements(values=values, series=series)
