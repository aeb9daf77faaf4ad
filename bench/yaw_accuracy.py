"""Yaw accuracy against known rotations (target: face_yaw within 5 degrees up to 60 degrees).

Each source face (the bundled portrait, and the most frontal frame of every clip in ``--corpus``) is
re-rendered by ``fixtures.rotate.render_rotated`` at yaws from -60 to +60 degrees, and lipgate's
face layer measures each render the two ways ``check`` does:

- still: each render on its own (MediaPipe's static mode, the path of a still image);
- video: the head turns from 0 to -60 and from 0 to +60 degrees one degree a frame, and the
  tracker follows it (video mode, the path of every video), read at the same yaws.

Prints the absolute error by band of |yaw| (mean / max, degrees) per source and over all corpus
faces, the share within 5 degrees and the renders where the face was lost. The last column
separates the truth from the measurement: the reference mesh fitted to the render's exact
landmark positions (``rotated_landmarks``, no MediaPipe), whose largest error is how far this
face's own shape (its depth is MediaPipe's estimate from the source picture) puts "the yaw" of a
render from the symmetric reference's frame. A face of the reference's shape scores 0 there.

    python -m bench.yaw_accuracy [--corpus CORPUS] [--step 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from fixtures import synth
from fixtures.rotate import render_rotated, rotated_landmarks
from lipgate.face import FaceTracker, head_pose
from lipgate.media import VideoDecoder, probe

BANDS = ((0, 30), (30, 45), (45, 60.01))
TURN_STEP_DEG = 1.0
"""The video sweep turns the head one degree a frame (30 degrees a second at 30 fps: a brisk turn)."""


def most_frontal_frame(path: Path) -> np.ndarray | None:
    """The RGB frame (640 px) of a video whose tracked face has the smallest abs(yaw), or None."""
    best, best_yaw = None, np.inf
    with FaceTracker() as tracker:
        for frame in VideoDecoder(probe(path), max_side=640):
            observation = tracker.observe(frame.rgb)
            if observation.found and abs(observation.pose.yaw_deg) < best_yaw:
                best, best_yaw = frame.rgb, abs(observation.pose.yaw_deg)
    return best


def corpus_faces(folder: Path):
    """(name, rgb, landmarks) of each video in ``folder``: its most frontal frame, the closest to
    the frontal face the rotations should start from (re-rendering a turned face stretches the
    texture of its far side, and MediaPipe's depth of it is less sure)."""
    for path in sorted(folder.glob("*.mp4")):
        rgb = most_frontal_frame(path)
        if rgb is None:
            continue
        with FaceTracker(static=True) as tracker:
            observation = tracker.observe(rgb)
        if observation.found:
            yield path.stem, rgb, observation.landmarks


def _yaw(observation) -> float:
    return observation.pose.yaw_deg if observation.found else np.nan


def measure_stills(rgb: np.ndarray, landmarks: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Measured yaw in degrees (NaN where no face was found) of each render, each on its own."""
    with FaceTracker(static=True) as tracker:
        return np.array([_yaw(tracker.observe(render_rotated(rgb, landmarks, yaw))) for yaw in yaws])


def measure_turns(rgb: np.ndarray, landmarks: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Measured yaw in degrees at each of ``yaws`` while the tracker follows the head turning
    from 0 toward that side, ``TURN_STEP_DEG`` a frame."""
    measured = {}
    for side in (-1.0, 1.0):
        farthest = max(side * yaws.max(), side * yaws.min(), 0.0)
        with FaceTracker() as tracker:
            for yaw in side * np.arange(0.0, farthest + TURN_STEP_DEG / 2, TURN_STEP_DEG):
                measured[round(float(yaw), 6)] = _yaw(tracker.observe(render_rotated(rgb, landmarks, yaw)))
    return np.array([measured[round(float(yaw), 6)] for yaw in yaws])


def shape_errors(landmarks: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """The reference's yaw on each render's exact landmark positions, minus the yaw asked for."""
    return np.array([head_pose(rotated_landmarks(landmarks, yaw)).yaw_deg - yaw for yaw in yaws])


def band_cells(yaws: np.ndarray, measured: np.ndarray) -> str:
    cells = []
    for low, high in BANDS:
        inside = (np.abs(yaws) >= low) & (np.abs(yaws) < high)
        error = np.abs(measured[inside] - yaws[inside])
        cells.append(f"{np.nanmean(error):.1f} / {np.nanmax(error):.1f}")
    within = np.abs(measured - yaws) <= 5.0
    found = np.isfinite(measured)
    return " | ".join(cells) + f" | {within[found].mean():.0%} | {int((~found).sum())} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="folder of real talking-head clips")
    parser.add_argument("--step", type=float, default=5.0, help="degrees between the yaws read")
    args = parser.parse_args()

    yaws = np.arange(-60, 60.01, args.step)
    sources = [("portrait", synth.portrait(512), synth.portrait_landmarks(512))]
    if args.corpus:
        sources += list(corpus_faces(args.corpus))
    header = ("| face | own yaw | abs error mean / max, abs(yaw) < 30 | 30 to 45 | 45 to 60 | within 5 deg | face lost "
              "| shape, max |\n|---|---|---|---|---|---|---|---|")
    rows = {"still": [], "video": []}
    pooled = {"still": ([], []), "video": ([], [])}
    for name, rgb, landmarks in sources:
        shape = f" {np.abs(shape_errors(landmarks, yaws)).max():.1f} |"
        for mode, measure in (("still", measure_stills), ("video", measure_turns)):
            measured = measure(rgb, landmarks, yaws)
            rows[mode].append(f"| {name} | {head_pose(landmarks).yaw_deg:+.1f} | {band_cells(yaws, measured)}{shape}")
            if name != "portrait":
                pooled[mode][0].append(yaws)
                pooled[mode][1].append(measured)
    for mode, title in (("still", "Stills (static mode)"), ("video", "Video (tracking a turning head)")):
        print(f"\n{title}\n\n{header}")
        print("\n".join(rows[mode]))
        if pooled[mode][1]:
            print(f"| all corpus faces | | {band_cells(np.concatenate(pooled[mode][0]), np.concatenate(pooled[mode][1]))} |")


if __name__ == "__main__":
    main()
