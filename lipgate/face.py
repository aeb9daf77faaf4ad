"""Face layer: MediaPipe face mesh per frame, head pose in degrees, mouth geometry.

Head pose is the rotation that best projects a bilaterally symmetric reference mesh onto the
468 observed landmarks under weak perspective (orthographic projection and scale): a least-squares
fit on the landmarks' image positions, started from a similarity Procrustes fit in 3D (Umeyama
1991). MediaPipe's 2D positions are far more reliable than its predicted depth, which flattens
turned faces toward frontal (the 3D fit alone reads 36 deg for a 60 deg turn). Frontal is defined by the reference's mirror symmetry, so yaw 0 means the
face's midplane faces the camera. Angles in degrees: yaw positive when the nose points to the
image's right, pitch positive when it points up, roll positive when the face turns clockwise.
Mouth features are measured in the reference frame (pose removed, in units of the reference's
inter-ocular distance), so they do not change when the head turns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REFERENCE_PATH = Path(__file__).with_name("data") / "face_reference_468.npy"
MIRROR_PATH = Path(__file__).with_name("data") / "face_mirror_468.npy"

NOSE_TIP = 1
FOREHEAD = 10
CHIN = 152
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
UPPER_INNER_LIP, LOWER_INNER_LIP = 13, 14
MOUTH_CORNER_RIGHT, MOUTH_CORNER_LEFT = 61, 291
INNER_LIP_RING = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95)
OUTER_LIP_RING = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
# Skin patches for the light on the face (reference-frame landmarks): forehead and both cheeks,
# away from the mouth so that speaking does not change their brightness.
FOREHEAD_PATCH = (10, 109, 67, 103, 151, 338, 297, 332)
CHEEK_PATCHES = ((50, 101, 118, 117, 123, 187, 205), (280, 330, 347, 346, 352, 411, 425))
# Skin just around the mouth, never the lips or the mouth opening: the philtrum (between the nose
# and the upper lip) and the chin below the lower lip. Where a shadow across the mouth shows.
PERIORAL_PATCHES = ((164, 167, 393, 165, 391), (18, 200, 83, 313))


@dataclass(frozen=True)
class Pose:
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    scale: float
    """Pixels per reference unit (the reference's inter-ocular distance is 1)."""
    rotation: np.ndarray
    translation: np.ndarray


@dataclass
class FaceObservation:
    """What the face layer saw in one frame (pixel coordinates of the analysed frame)."""

    landmarks: np.ndarray | None
    """468 x 3 landmarks of the tracked face: x, y in pixels, z in pixels (MediaPipe depth * width)."""
    pose: Pose | None
    box: tuple[float, float, float, float] | None
    """(x0, y0, x1, y1) of the tracked face, pixels."""

    @property
    def found(self) -> bool:
        return self.landmarks is not None


def _umeyama(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Similarity transform (scale, rotation, translation) mapping ``source`` onto ``target``."""
    mu_s, mu_t = source.mean(axis=0), target.mean(axis=0)
    src, tgt = source - mu_s, target - mu_t
    covariance = tgt.T @ src / len(source)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[2, 2] = -1.0
    rotation = u @ sign @ vt
    variance = (src ** 2).sum() / len(source)
    scale = float(np.trace(np.diag(singular) @ sign) / variance)
    translation = mu_t - scale * rotation @ mu_s
    return scale, rotation, translation


def angles_from_rotation(rotation: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of a rotation in image axes (x right, y down, z away)."""
    forward = rotation @ np.array([0.0, 0.0, -1.0])  # the reference's nose direction
    yaw = np.degrees(np.arctan2(forward[0], -forward[2]))
    pitch = np.degrees(np.arctan2(-forward[1], np.hypot(forward[0], forward[2])))
    right = rotation @ np.array([1.0, 0.0, 0.0])
    roll = np.degrees(np.arctan2(right[1], right[0]))
    return float(yaw), float(pitch), float(roll)


def rotation_from_angles(yaw_deg: float, pitch_deg: float = 0.0, roll_deg: float = 0.0) -> np.ndarray:
    """Rotation in image axes: roll about the face's forward axis, then pitch, then yaw."""
    yaw, pitch, roll = np.radians([yaw_deg, pitch_deg, roll_deg])
    about_y = np.array([[np.cos(yaw), 0, -np.sin(yaw)], [0, 1, 0], [np.sin(yaw), 0, np.cos(yaw)]])
    about_x = np.array([[1, 0, 0], [0, np.cos(pitch), np.sin(pitch)], [0, -np.sin(pitch), np.cos(pitch)]])
    about_z = np.array([[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]])
    return about_y @ about_x @ about_z


@lru_cache(maxsize=1)
def reference_mesh() -> np.ndarray:
    """The symmetric frontal reference mesh (468 x 3), inter-ocular distance 1, centred."""
    return np.load(REFERENCE_PATH)


def _skew(vector: np.ndarray) -> np.ndarray:
    """The matrix [v]x with [v]x @ w = v x w."""
    x, y, z = vector
    return np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])


@lru_cache(maxsize=1)
def _reference_moments() -> tuple[np.ndarray, np.ndarray]:
    """(homogeneous reference points X~ = (X, 1), n x 4; their second moment sum X~ X~^T, 4 x 4)."""
    homogeneous = np.concatenate([reference_mesh(), np.ones((len(reference_mesh()), 1))], axis=1)
    return homogeneous, homogeneous.T @ homogeneous


def _fit_weak_perspective(observed_xy: np.ndarray, scale: float, rotation: np.ndarray, offset_xy: np.ndarray,
                          iterations: int = 12) -> tuple[float, np.ndarray, np.ndarray]:
    """Gauss-Newton fit of s, R, t minimising |(s R X)_xy + t - x|^2 over the reference mesh X.

    Updates are R <- R exp([d]x), s <- s exp(e), t <- t + u. Row i (x or y) of a landmark's
    Jacobian, d(s R X)_i / dd = -s (r_i x X), is linear in X~ = (X, 1): X~^T B_i. So the normal
    equations J^T J = sum_i B_i^T M B_i and J^T e = sum_i B_i^T (M c_i - P_i) need only the
    reference's moment M = sum X~ X~^T and P = sum X~ x^T (one 4 x n product a frame), not the
    (2n x 6) Jacobian: the same steps (angles within 1e-12 degrees), 0.27 ms a tracked frame
    instead of 0.58 ms."""
    homogeneous, moment = _reference_moments()
    projected = homogeneous.T @ observed_xy  # P: 4 x 2
    basis = np.zeros((2, 4, 6))  # B_x, B_y
    basis[0, 3, 4] = basis[1, 3, 5] = 1.0
    for _ in range(iterations):
        for i in range(2):
            basis[i, :3, :3] = scale * _skew(rotation[i])  # X^T (s [r_i]x) = -s (r_i x X)^T
            basis[i, :3, 3] = scale * rotation[i]
        model = np.concatenate([scale * rotation[:2], offset_xy[:, None]], axis=1)  # residual_i = X~ . model_i - x_i
        normal = (basis.transpose(0, 2, 1) @ (moment @ basis)).sum(axis=0)
        gradient = np.einsum("ikj,ki->j", basis, moment @ model.T - projected)
        step = np.linalg.solve(normal, -gradient)  # 6 x 6 normal equations
        rotation = rotation @ cv2.Rodrigues(step[:3].reshape(3, 1))[0]
        scale *= float(np.exp(step[3]))
        offset_xy = offset_xy + step[4:6]
        if np.abs(step).max() < 1e-4:  # 0.006 degrees, 0.01 % of scale
            break
    return scale, rotation, offset_xy


def head_pose(landmarks: np.ndarray, start: Pose | None = None) -> Pose:
    """Head pose of 468 x 3 pixel landmarks against the reference mesh (weak perspective fit).

    The fit starts from ``start`` (the previous frame's pose of the same tracked face: two or
    three iterations instead of six) or else from a 3D Procrustes fit; both converge to the
    same pose."""
    reference = reference_mesh()
    if start is None:
        scale, rotation, translation = _umeyama(reference, landmarks)
        offset_xy = translation[:2]
    else:
        scale, rotation = start.scale, start.rotation
        offset_xy = landmarks[:, :2].mean(axis=0) - scale * (reference.mean(axis=0) @ rotation.T)[:2]
    scale, rotation, offset_xy = _fit_weak_perspective(landmarks[:, :2], scale, rotation, offset_xy)
    depth = np.mean(landmarks[:, 2] - scale * reference @ rotation.T[:, 2])
    yaw, pitch, roll = angles_from_rotation(rotation)
    return Pose(yaw, pitch, roll, scale, rotation, np.array([offset_xy[0], offset_xy[1], depth]))


def to_reference_frame(landmarks: np.ndarray, pose: Pose) -> np.ndarray:
    """Landmarks with the head pose removed, in reference units (inter-ocular distance 1)."""
    return (landmarks - pose.translation) @ pose.rotation / pose.scale


def _polygon_area(points_2d: np.ndarray) -> float:
    x, y = points_2d[:, 0], points_2d[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


MOUTH_FEATURE_NAMES = ("lip_opening", "mouth_width", "inner_lip_area", "jaw_drop", "outer_lip_height")


def mouth_features(landmarks: np.ndarray, pose: Pose) -> np.ndarray:
    """Pose-free mouth geometry in reference units, ordered as ``MOUTH_FEATURE_NAMES``.

    lip_opening: inner-lip gap (13-14); mouth_width: corner to corner (61-291);
    inner_lip_area: area inside the inner lip ring; jaw_drop: nose tip to chin;
    outer_lip_height: top of the upper lip (0) to bottom of the lower lip (17).
    """
    frontal = to_reference_frame(landmarks, pose)
    return np.array([
        np.linalg.norm(frontal[UPPER_INNER_LIP] - frontal[LOWER_INNER_LIP]),
        np.linalg.norm(frontal[MOUTH_CORNER_RIGHT] - frontal[MOUTH_CORNER_LEFT]),
        _polygon_area(frontal[list(INNER_LIP_RING), :2]),
        np.linalg.norm(frontal[NOSE_TIP] - frontal[CHIN]),
        np.linalg.norm(frontal[0] - frontal[17]),
    ])


_MEDIAPIPE_UNUSED = (
    "mediapipe.tasks", "mediapipe.tasks.python",
    *(f"mediapipe.python.solutions.{name}" for name in (
        "drawing_utils", "drawing_styles", "hands", "holistic", "objectron", "pose", "selfie_segmentation")),
)
"""Modules ``import mediapipe`` loads that lipgate never uses (see ``_import_mediapipe``)."""


def _import_mediapipe():
    """The mediapipe package with only what lipgate runs: its face mesh and face detector.

    ``import mediapipe`` also imports its drawing helpers (which import matplotlib.pyplot: 0.3-0.7 s),
    the Tasks API (whose audio module imports sounddevice, which looks for PortAudio by running
    ``ldconfig``, ``gcc`` and ``ld`` three times) and five other solutions: together 0.25 s of CPU
    and of the main thread's start (measured: 0.41 + 0.09 s against 0.19 + 0.04 s) that every
    check and qa would pay for code lipgate never calls. Empty modules stand in for them (only
    when nothing imported mediapipe before)."""
    import sys
    import types

    if "mediapipe" not in sys.modules:
        for name in _MEDIAPIPE_UNUSED:
            sys.modules.setdefault(name, types.ModuleType(name, "not loaded by lipgate"))
        sys.modules["mediapipe.tasks"].python = sys.modules["mediapipe.tasks.python"]
    import mediapipe

    return mediapipe


_LANDMARK_RECORD = np.dtype([("tag", "u1"), ("size", "u1"), ("x_key", "u1"), ("x", "<f4"), ("y_key", "u1"),
                             ("y", "<f4"), ("z_key", "u1"), ("z", "<f4")])
"""One landmark as MediaPipe's ``NormalizedLandmarkList`` serialises it when it holds only x, y
and z: field 1, 15 bytes, then three float fields (keys 0x0d, 0x15, 0x1d)."""
_LANDMARK_KEYS = {"tag": 0x0A, "size": 15, "x_key": 0x0D, "y_key": 0x15, "z_key": 0x1D}


def landmark_array(landmark_list) -> np.ndarray:
    """(n, 3) float64 normalised x, y, z of a MediaPipe landmark list.

    Read from the list's serialised bytes when they are the plain x, y, z records (40 times
    faster than 1404 attribute reads: 0.03 ms against 0.4 ms a frame), else point by point."""
    raw = landmark_list.SerializeToString()
    if len(raw) % _LANDMARK_RECORD.itemsize == 0:
        records = np.frombuffer(raw, _LANDMARK_RECORD)
        if all((records[key] == value).all() for key, value in _LANDMARK_KEYS.items()):
            return np.stack([records["x"], records["y"], records["z"]], axis=1).astype(np.float64)
    return np.array([(p.x, p.y, p.z) for p in landmark_list.landmark], dtype=np.float64)


class _Solution:
    """A MediaPipe solution graph (``self._solution``), closed on leaving a ``with`` block."""

    def _output(self, rgb: np.ndarray, stream: str):
        """``self._solution.process(rgb).<stream>`` (mediapipe 0.10.21's ``SolutionBase.process``,
        step for step) without the named-tuple type that ``process`` builds on every call: that
        costs 0.25 ms a frame under the GIL, 6% of a ``qa`` run."""
        solution = self._solution
        solution._graph_outputs.clear()
        solution._simulated_timestamp += 33333  # process()'s simulated 30 fps clock
        (name, kind), = solution._input_stream_type_info.items()
        solution._graph.add_packet_to_input_stream(
            stream=name, packet=solution._make_packet(kind, rgb).at(solution._simulated_timestamp))
        solution._graph.wait_until_idle()
        packet = solution._graph_outputs.get(stream)
        return None if packet is None else solution._get_packet_content(solution._output_stream_type_info[stream], packet)

    def close(self) -> None:
        self._solution.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FaceTracker(_Solution):
    """MediaPipe face mesh in video (tracking) mode, one face; feed frames in time order.

    One face, because MediaPipe re-runs its face detector on every frame while it tracks fewer
    faces than it may (``max_num_faces``): tracking one costs 4.0 ms a frame on this machine's
    CPU, against 6.3 ms when looking for a second. Faces are counted by ``FaceCounter``.
    Landmarks come back in the pixel coordinates of the frame given.
    """

    def __init__(self, static: bool = False, min_confidence: float = 0.5, max_faces: int = 1):
        self._poses: dict[int, Pose | None] = {}  # each tracked face's last pose, where its next fit starts
        self._solution = _import_mediapipe().solutions.face_mesh.FaceMesh(
            static_image_mode=static,
            max_num_faces=max_faces,
            refine_landmarks=False,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def landmarks(self, rgb: np.ndarray) -> np.ndarray | None:
        """468 x 3 pixel landmarks of the tracked face, or None."""
        faces = self.all_landmarks(rgb)
        return faces[0] if faces else None

    def all_landmarks(self, rgb: np.ndarray) -> list[np.ndarray]:
        """468 x 3 pixel landmarks of every tracked face (up to ``max_faces``)."""
        faces = self._output(rgb, "multi_face_landmarks")
        height, width = rgb.shape[:2]
        return [landmark_array(face) * (width, height, width) for face in faces or []]

    def observe(self, rgb: np.ndarray) -> FaceObservation:
        return self.observation(self.landmarks(rgb))

    def observation(self, found: np.ndarray | None, face: int = 0) -> FaceObservation:
        """The observation of the next frame's ``landmarks`` (its box and head pose, fitted from
        the previous frame's pose of the same ``face``, a caller's index when it tracks several):
        ``observe`` in two steps, so a caller may run the mesh of one frame while it fits the
        pose of the one before."""
        if found is None:
            self._poses[face] = None
            return FaceObservation(None, None, None)
        box = (float(found[:, 0].min()), float(found[:, 1].min()), float(found[:, 0].max()), float(found[:, 1].max()))
        self._poses[face] = head_pose(found, start=self._poses.get(face))
        return FaceObservation(found, self._poses[face], box)


class FaceCounter(_Solution):
    """How many faces are in a frame: MediaPipe's short-range face detector (BlazeFace, faces
    within about 2 m, the model the face mesh itself starts from), at ``min_confidence``."""

    def __init__(self, min_confidence: float = 0.5):
        self._solution = _import_mediapipe().solutions.face_detection.FaceDetection(
            model_selection=0, min_detection_confidence=min_confidence)

    def count(self, rgb: np.ndarray) -> int:
        return len(self._output(rgb, "detections") or [])


class FaceFinder(_Solution):
    """Where the faces are in a frame, however small: MediaPipe's full-range face detector
    (BlazeFace, model 1, faces within about 5 m: a face a tenth of a wide shot's height), at
    ``min_confidence``. For locating the faces before the face mesh looks closely at them."""

    def __init__(self, min_confidence: float = 0.5):
        self._solution = _import_mediapipe().solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=min_confidence)

    def boxes(self, rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
        """The faces' boxes (x0, y0, x1, y1) in pixels of ``rgb``, most confident first."""
        height, width = rgb.shape[:2]
        found = []
        for detection in self._output(rgb, "detections") or []:
            box = detection.location_data.relative_bounding_box
            found.append((float(detection.score[0]), (box.xmin * width, box.ymin * height,
                                                       (box.xmin + box.width) * width, (box.ymin + box.height) * height)))
        return [box for _, box in sorted(found, key=lambda item: -item[0])]
