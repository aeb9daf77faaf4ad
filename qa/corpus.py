"""The real in-sync corpus as the sync model learns from it: every clip decoded once through
lipgate's own decode path (``lipgate.qa.measure.decode_pictures``, the face mesh, the mouth
patches of ``lipgate.qa.evidence``) and its sound at 16 kHz, cached as one npz per clip.

The corpus folder (``../shared/corpus`` in the project's layout) holds ``real/manifest.json``
and its clips, and five more in-sync clips ``talk1.mp4`` .. ``talk5.mp4`` at its root. Clips
showing two faces (the manifest's ``why`` and the corpus README name them) are kept apart:
a one-face tracker may follow the one who does not speak.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lipgate.media import AudioDecoder, MediaInfo, probe
from lipgate.qa.evidence import PATCH_HEIGHT, PATCH_WIDTH, recording_patches
from lipgate.qa.features import AUDIO_SR

TWO_FACES = ("facebookresearch__VisualVoice__interview.mp4", "Sindhu-Hegde__gestsync__asd_sample_2.mp4",
             "dfdc__cedpyannqf.mp4")
"""Clips with two people in the picture (corpus README, 'Two faces')."""


@dataclass
class CorpusClip:
    name: str
    speaker: str
    path: Path
    framing: str
    two_faces: bool


def corpus_clips(corpus: Path) -> list[CorpusClip]:
    """Every in-sync clip of the corpus folder, with its speaker id (talkN for the root clips)."""
    manifest = json.loads((corpus / "real" / "manifest.json").read_text())
    clips = [CorpusClip(entry["file"], entry["speaker"], corpus / "real" / entry["file"], entry.get("framing", ""),
                        entry["file"] in TWO_FACES) for entry in manifest]
    for path in sorted(corpus.glob("talk*.mp4")):
        clips.append(CorpusClip(path.name, path.stem, path, "closeup", False))
    return clips


def analysis_decoder(info: MediaInfo):
    """(face layout, frame decoder) as ``lipgate.qa.measure.measure_qa`` decodes a render: the
    face-aware window of ``lipgate.framing.face_layout`` (wide shots get their faces)."""
    from lipgate.framing import face_layout
    from lipgate.media import VideoDecoder
    from lipgate.qa.measure import ANALYSIS_MAX_SIDE

    layout = face_layout(info, ANALYSIS_MAX_SIDE)
    return layout, VideoDecoder(info, max_side=layout.max_side, crop=layout.crop)


def extract_clip(clip: CorpusClip, out: Path) -> Path:
    """Decode one clip (frames through lipgate's picture path and its face-aware window, sound at
    ``AUDIO_SR``) into ``out``."""
    from lipgate.qa.measure import decode_pictures

    info = probe(clip.path, expect={"video"})
    layout, decoder = analysis_decoder(info)
    with recording_patches() as recorded:
        pictures = decode_pictures(info, decoder=decoder, faces=layout.faces, centres=layout.centres(decoder))
    first_face = recorded.patches[::layout.faces]  # one patch per tracked face and frame; the first face's fill ``mouth``
    patches = np.full((len(first_face), PATCH_HEIGHT, PATCH_WIDTH), np.nan, np.float16)
    for k, patch in enumerate(first_face):
        if patch is not None:
            patches[k] = patch
    samples = np.concatenate([block.samples for block in AudioDecoder(info, sr=AUDIO_SR)])
    temporary = out.with_suffix(".partial.npz")
    np.savez(temporary, name=clip.name, speaker=clip.speaker, framing=clip.framing, two_faces=clip.two_faces,
             fps=pictures.fps, frame_t=pictures.frame_t, mouth=pictures.mouth, patches=patches,
             pixel_change=pictures.mouth_pixel_change, shot=pictures.shot, samples=samples.astype(np.float32),
             audio_start_s=info.audio.start_s)
    temporary.rename(out)
    return out


SOFT_MOUTH_WIDTH_PX = 12
"""A soft mouth is the mouth region shrunk until the mouth is this many pixels wide and scaled
back: the detail a 96 px generated lower face (Wav2Lip's) has once pasted into a larger frame."""


def soften_mouth(rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """``rgb`` with its mouth region (the outer lip box widened by 60% of its size each way)
    shrunk to ``SOFT_MOUTH_WIDTH_PX`` across the mouth and scaled back, blended in with a
    feathered edge: a generated-looking soft mouth that still opens and closes."""
    import cv2

    from lipgate.face import OUTER_LIP_RING

    lips = landmarks[list(OUTER_LIP_RING), :2]
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    pad_x, pad_y = 0.6 * (x1 - x0), 0.6 * max(y1 - y0, 0.3 * (x1 - x0))
    height, width = rgb.shape[:2]
    left, right = int(max(0, x0 - pad_x)), int(min(width, x1 + pad_x + 1))
    top, bottom = int(max(0, y0 - pad_y)), int(min(height, y1 + pad_y + 1))
    if right - left < 4 or bottom - top < 4:
        return rgb
    box = rgb[top:bottom, left:right]
    factor = max(1.0, (x1 - x0) / SOFT_MOUTH_WIDTH_PX)
    small = cv2.resize(box, (max(2, int(box.shape[1] / factor)), max(2, int(box.shape[0] / factor))),
                       interpolation=cv2.INTER_AREA)
    soft = cv2.resize(small, (box.shape[1], box.shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    ramp_y = np.minimum(np.arange(box.shape[0]) + 1, np.arange(box.shape[0])[::-1] + 1) / (0.2 * box.shape[0])
    ramp_x = np.minimum(np.arange(box.shape[1]) + 1, np.arange(box.shape[1])[::-1] + 1) / (0.2 * box.shape[1])
    alpha = np.clip(np.minimum(ramp_y[:, None], ramp_x[None, :]), 0, 1)[..., None]
    out = rgb.copy()
    out[top:bottom, left:right] = (alpha * soft + (1 - alpha) * box).astype(np.uint8)
    return out


def extract_soft_clip(clip: CorpusClip, out: Path) -> Path:
    """As ``extract_clip`` (one face, in the same window), with every frame's mouth softened
    (``soften_mouth``, placed with the landmarks of the untouched frame) before a second face
    mesh measures it, as it would a render's frame."""
    from lipgate.face import FaceTracker
    from lipgate.qa.evidence import mouth_patch
    from lipgate.qa.features import mouth_row

    info = probe(clip.path, expect={"video"})
    _, decoder = analysis_decoder(info)
    frame_t, mouth, patches = [], [], []
    with FaceTracker() as finder, FaceTracker() as tracker:
        for frame in decoder:
            found = finder.landmarks(frame.rgb)
            rgb = soften_mouth(frame.rgb, found) if found is not None else frame.rgb
            observation = tracker.observation(tracker.landmarks(rgb))
            frame_t.append(frame.t)
            mouth.append(mouth_row(observation))
            patch = mouth_patch(rgb, observation.landmarks)
            patches.append(np.full((PATCH_HEIGHT, PATCH_WIDTH), np.nan) if patch is None else patch)
    samples = np.concatenate([block.samples for block in AudioDecoder(info, sr=AUDIO_SR)])
    temporary = out.with_suffix(".partial.npz")
    np.savez(temporary, name=clip.name, speaker=clip.speaker, framing=clip.framing, two_faces=clip.two_faces,
             fps=decoder.fps, frame_t=np.array(frame_t), mouth=np.array(mouth),
             patches=np.array(patches, np.float16), samples=samples.astype(np.float32),
             audio_start_s=info.audio.start_s)
    temporary.rename(out)
    return out


def extract_corpus(corpus: Path, cache: Path, log=print, soft: bool = False) -> list[Path]:
    """Every clip's npz in ``cache`` (decoded only when not there yet); ``soft``: with softened
    mouths (``extract_soft_clip``), one-face clips only."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for clip in corpus_clips(corpus):
        if soft and clip.two_faces:
            continue
        out = cache / f"{Path(clip.name).stem}{'.soft' if soft else ''}.npz"
        if not out.exists():
            log(f"decoding {clip.name}{' (soft mouth)' if soft else ''}")
            (extract_soft_clip if soft else extract_clip)(clip, out)
        paths.append(out)
    return paths


if __name__ == "__main__":
    import sys

    extract_corpus(Path(sys.argv[1]), Path(sys.argv[2]), soft="--soft" in sys.argv)
