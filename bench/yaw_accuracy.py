"""Yaw accuracy against known rotations (target: face_yaw within 5 degrees up to 60 degrees).

Each source face (the bundled portrait, and one frame of every clip in ``--corpus``) is
re-rendered by ``fixtures.rotate.render_rotated`` at yaws from -60 to +60 degrees, and lipgate's
face layer measures each render. Prints the absolute error by band of |yaw| (mean / max, degrees)
per source and over all corpus faces, and how many renders lost the face.

    python -m bench.yaw_accuracy [--corpus ../shared/corpus] [--step 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from fixtures import synth
from fixtures.rotate import render_rotated
from lipgate.face import FaceTracker, head_pose
from lipgate.media import VideoDecoder, probe

BANDS = ((0, 30), (30, 45), (45, 60.01))


def corpus_faces(folder: Path, at_s: float = 1.0):
    """(name, rgb, landmarks) of the frame at ``at_s`` of each video in ``folder``."""
    for path in sorted(folder.glob("*.mp4")):
        frame = next(f for f in VideoDecoder(probe(path), max_side=640) if f.t >= at_s)
        with FaceTracker(static=True) as tracker:
            observation = tracker.observe(frame.rgb)
        if observation.found:
            yield path.stem, frame.rgb.copy(), observation.landmarks


def measure_sweep(rgb: np.ndarray, landmarks: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Measured yaw in degrees (NaN where no face was found) of the renders at each yaw."""
    measured = []
    with FaceTracker(static=True) as tracker:
        for yaw in yaws:
            observation = tracker.observe(render_rotated(rgb, landmarks, yaw))
            measured.append(observation.pose.yaw_deg if observation.found else np.nan)
    return np.array(measured)


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
    parser.add_argument("--step", type=float, default=5.0, help="degrees between rendered yaws")
    args = parser.parse_args()

    yaws = np.arange(-60, 60.01, args.step)
    sources = [("portrait", synth.portrait(512), synth.portrait_landmarks(512))]
    if args.corpus:
        sources += list(corpus_faces(args.corpus))
    print("| face | own yaw | abs error mean / max, abs(yaw) < 30 | 30 to 45 | 45 to 60 | within 5 deg | face lost |")
    print("|---|---|---|---|---|---|---|")
    corpus_yaws, corpus_measured = [], []
    for name, rgb, landmarks in sources:
        measured = measure_sweep(rgb, landmarks, yaws)
        print(f"| {name} | {head_pose(landmarks).yaw_deg:+.1f} | {band_cells(yaws, measured)}")
        if name != "portrait":
            corpus_yaws.append(yaws)
            corpus_measured.append(measured)
    if corpus_measured:
        print(f"| all corpus faces | | {band_cells(np.concatenate(corpus_yaws), np.concatenate(corpus_measured))}")


if __name__ == "__main__":
    main()
