"""Build the symmetric reference mesh the head pose is measured against.

Run ``python -m lipgate.face_reference`` to rebuild ``lipgate/data/face_reference_468.npy`` (and
the mirror map ``face_mirror_468.npy``). The source is the frontal portrait bundled with
scikit-image (``skimage.data.astronaut``). Its 3D landmarks are paired with their mirror images
by iterative closest point, and the mesh is averaged with its own reflection, so the result is
exactly symmetric: the pose that projects it symmetrically is yaw 0 and roll 0 by definition.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from lipgate.face import LEFT_EYE_OUTER, MIRROR_PATH, REFERENCE_PATH, RIGHT_EYE_OUTER, FaceTracker, _umeyama


def mirror_map(mesh: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Index of each landmark's mirror partner, found by ICP of the reflected mesh onto itself."""
    centred = mesh - mesh.mean(axis=0)
    reflected = centred * np.array([-1.0, 1.0, 1.0])
    tree = cKDTree(centred)
    moved = reflected
    for _ in range(iterations):
        _, partner = tree.query(moved)
        scale, rotation, translation = _umeyama(reflected, centred[partner])
        moved = scale * reflected @ rotation.T + translation
    _, partner = tree.query(moved)
    return partner


def symmetric_reference(mesh: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Average a mesh with its reflection, in a frame where the symmetry plane is x = 0."""
    centred = mesh - mesh.mean(axis=0)
    # Rigidly align the reflected, re-paired mesh to the mesh; the halfway rotation puts the
    # symmetry plane at x = 0. Iterate: align, symmetrise, repeat.
    current = centred
    for _ in range(10):
        reflected = (current * np.array([-1.0, 1.0, 1.0]))[partner]
        _, rotation, translation = _umeyama(current, reflected)
        # rotate the mesh by half the rotation that the reflection needs
        angle_axis = _rotation_log(rotation)
        half = _rotation_exp(angle_axis / 2)
        current = (current - translation / 2) @ half
        current = current - current.mean(axis=0)
    symmetric = (current + (current * np.array([-1.0, 1.0, 1.0]))[partner]) / 2
    symmetric -= symmetric.mean(axis=0)
    return symmetric / np.linalg.norm(symmetric[RIGHT_EYE_OUTER] - symmetric[LEFT_EYE_OUTER])


def _rotation_log(rotation: np.ndarray) -> np.ndarray:
    angle = np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1, 1))
    if angle < 1e-9:
        return np.zeros(3)
    axis = np.array([rotation[2, 1] - rotation[1, 2], rotation[0, 2] - rotation[2, 0], rotation[1, 0] - rotation[0, 1]])
    return axis / (2 * np.sin(angle)) * angle


def _rotation_exp(vector: np.ndarray) -> np.ndarray:
    angle = np.linalg.norm(vector)
    if angle < 1e-12:
        return np.eye(3)
    k = vector / angle
    cross = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * cross @ cross


def main() -> None:
    from skimage import data

    portrait = np.ascontiguousarray(data.astronaut())
    with FaceTracker(static=True) as tracker:
        landmarks = tracker.landmarks(portrait)
    if landmarks is None:
        raise SystemExit("no face found in the reference portrait")
    partner = mirror_map(landmarks)
    reference = symmetric_reference(landmarks, partner)
    REFERENCE_PATH.parent.mkdir(exist_ok=True)
    np.save(REFERENCE_PATH, reference.astype(np.float64))
    np.save(MIRROR_PATH, partner.astype(np.int16))
    involutive = float(np.mean(partner[partner] == np.arange(len(partner))))
    print(f"wrote {REFERENCE_PATH} ({len(reference)} points); mirror map involutive for {involutive:.1%} of points")


if __name__ == "__main__":
    main()
