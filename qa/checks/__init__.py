"""Checks of `lipgate qa --source`: what the lip-sync service did to the source, each judging
measurements of the render against the source and the target speech (``lipgate.qa.compare``),
with the ids of the contract: ``duration_kept``, ``frames_kept``, ``sound_kept``,
``picture_kept``, ``lipsync_applied``, ``mouth_sharpness``."""

from __future__ import annotations

from lipgate.preflight.checks.base import Check
from lipgate.qa.checks.duration_kept import DurationKept
from lipgate.qa.checks.frames_kept import FramesKept
from lipgate.qa.checks.lipsync_applied import LipsyncApplied
from lipgate.qa.checks.mouth_sharpness import MouthSharpness
from lipgate.qa.checks.picture_kept import PictureKept
from lipgate.qa.checks.sound_kept import SoundKept

SOURCE_CHECKS: dict[str, Check] = {
    check.id: check
    for check in (DurationKept(), FramesKept(), SoundKept(), PictureKept(), LipsyncApplied(), MouthSharpness())
}


def judge_source(measured, config=None) -> list:
    """Every check of ``SOURCE_CHECKS`` on the measurements of ``lipgate.qa.compare``, under the
    configuration's thresholds (``[tool.lipgate.checks.<id>]``); a check turned off says skip."""
    from lipgate.config import Config

    config = config or Config()
    results = []
    for check_id, check in SOURCE_CHECKS.items():
        if config.level(check_id) == "off":
            results.append(check.skip(f"turned off ({config.level_source(check_id)})"))
            continue
        results.append(check.judge(measured, check.limits(config.thresholds(check_id), config.sources(check_id))))
    return results
