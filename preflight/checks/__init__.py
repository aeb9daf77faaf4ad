"""The registry of preflight checks: id -> check. One module per check, named by its id."""

from __future__ import annotations

from lipgate.preflight.checks.audio_bitrate import AudioBitrate
from lipgate.preflight.checks.audio_clipping import AudioClipping
from lipgate.preflight.checks.audio_loudness import AudioLoudness
from lipgate.preflight.checks.audio_noise import AudioNoise
from lipgate.preflight.checks.audio_reverb import AudioReverb
from lipgate.preflight.checks.audio_sample_rate import AudioSampleRate
from lipgate.preflight.checks.audio_silence import AudioSilence
from lipgate.preflight.checks.base import Check
from lipgate.preflight.checks.duration_mismatch import DurationMismatch
from lipgate.preflight.checks.face_count import FaceCount
from lipgate.preflight.checks.face_presence import FacePresence
from lipgate.preflight.checks.face_yaw import FaceYaw
from lipgate.preflight.checks.image_resolution import ImageResolution
from lipgate.preflight.checks.lighting_flicker import LightingFlicker
from lipgate.preflight.checks.mouth_expression import MouthExpression
from lipgate.preflight.checks.mouth_shadow import MouthShadow
from lipgate.preflight.checks.profile_limits import ClipDuration, FrameRate, UploadSize, VideoResolution
from lipgate.preflight.checks.speech_presence import SpeechPresence

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
