"""The registry of preflight checks: id -> check. One module per check, named by its id."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.duration_mismatch import DurationMismatch
from preflight.checks.face_count import FaceCount
from preflight.checks.face_presence import FacePresence
from preflight.checks.face_yaw import FaceYaw
from preflight.checks.image_resolution import ImageResolution
from preflight.checks.lighting_flicker import LightingFlicker
from preflight.checks.mouth_expression import MouthExpression
from preflight.checks.mouth_shadow import MouthShadow
from preflight.checks.profile_limits import ClipDuration, FrameRate, UploadSize, VideoResolution

CHECKS: dict[str, Check] = {
    check.id: check
    for check in (
        FacePresence(),
        FaceYaw(),
        FaceCount(),
        MouthExpression(),
        LightingFlicker(),
        MouthShadow(),
        ImageResolution(),
        DurationMismatch(),
        UploadSize(),
        ClipDuration(),
        VideoResolution(),
        FrameRate(),
    )
}
