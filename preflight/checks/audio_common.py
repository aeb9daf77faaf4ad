"""What the audio checks share: the reason they skip when there is no sound to judge."""

from __future__ import annotations


def no_audio_reason(measured) -> str | None:
    """Why there is no audio to judge, or None when there is."""
    if measured.get("audio_decoded_s") is not None:
        return None
    if measured.get("kind") == "image":
        return "a still without --audio has no sound to judge (give the target speech with --audio)"
    return "no audio to judge: the video has no sound track and no --audio was given"


def no_speech_reason(measured) -> str | None:
    """Why there is no speech to measure on, or None when there is."""
    reason = no_audio_reason(measured)
    if reason:
        return reason
    if not measured.get("speech_s"):
        return "no speech found in the audio, so nothing to measure this on"
    return None
