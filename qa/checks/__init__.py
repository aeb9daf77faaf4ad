"""Checks of `lipgate qa --source`: what the lip-sync service did to the source, each judging
measurements of the render against the source and the target speech (ids of the contract:
``duration_kept``, ``frames_kept``, ``sound_kept``, ``picture_kept``, ``lipsync_applied``,
``mouth_sharpness``)."""
