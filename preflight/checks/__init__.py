"""The registry of preflight checks: id -> check. One module per check, named by its id."""

from __future__ import annotations

from preflight.checks.audio_bitrate import AudioBitrate
from preflight.checks.audio_clipping import AudioClipping
from preflight.checks.audio_loudness import AudioLoudness
from preflight.checks.audio_noise import AudioNoise
from preflight.checks.audio_reverb import AudioReverb
from preflight.checks.audio_sample_rate import AudioSampleRate
from preflight.checks.audio_silence import AudioSilence
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
from preflight.checks.speech_presence import SpeechPresence

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
        SpeechPresence(),
        AudioBitrate(),
        AudioNoise(),
        AudioReverb(),
        AudioLoudness(),
        AudioClipping(),
        AudioSampleRate(),
        AudioSilence(),
        UploadSize(),
        ClipDuration(),
        VideoResolution(),
        FrameRate(),
    )
}
