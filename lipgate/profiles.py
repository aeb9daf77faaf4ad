"""Service profiles: the documented input limits of the lip-sync services people submit to.

``--profile NAME`` (or ``profile = "NAME"`` in the configuration) applies a profile's limits as
check thresholds; the configuration file still overrides them. Every value names its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lipgate.errors import UsageError


@dataclass(frozen=True)
class Limit:
    value: float
    source: str


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    checks: dict[str, dict[str, Limit]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    """Check id -> level the profile asks for (e.g. a model's frame rate is advice: "warning")."""


NEMO_LIMITS = "the nemo service's stated limits (its API documentation)"
SYNC_API = "https://sync.so/docs/api-reference"
SYNC_FORMATS = "https://sync.so/docs/compatibility-and-tips/media-formats-support"
TAVUS_LIPSYNC = "https://docs.tavus.io/sections/lipsync/quickstart"
WAV2LIP_HPARAMS = "https://github.com/Rudrabha/Wav2Lip/blob/master/hparams.py"

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="nemo",
            title="the nemo lip-sync service (lipgate submit)",
            checks={
                "face_yaw": {"fail_above": Limit(45.0, f"{NEMO_LIMITS}: faces turned more than 45 degrees do not render well")},
                "image_resolution": {"fail_below": Limit(512.0, f"{NEMO_LIMITS}: stills need at least 512 px")},
            },
        ),
        Profile(
            name="syncso",
            title="sync.so (lipsync-2) API",
            checks={
                "upload_size": {"fail_above": Limit(20.0, f"{SYNC_API}: video uploads max 20 MB")},
                "video_resolution": {"fail_above": Limit(4096.0, f"{SYNC_FORMATS}: inputs above 4K (4096 x 2160) are rejected")},
            },
        ),
        Profile(
            name="tavus",
            title="Tavus lipsync API",
            checks={
                "clip_duration": {"fail_above": Limit(300.0, f"{TAVUS_LIPSYNC}: video max 5 minutes")},
            },
        ),
        Profile(
            name="wav2lip",
            title="Wav2Lip (open model) inference",
            checks={
                "frame_rate": {"expected_fps": Limit(25.0, f"{WAV2LIP_HPARAMS}: fps=25, the rate the model was trained at")},
            },
            levels={"frame_rate": "warning"},
        ),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown profile '{name}' (known: {', '.join(sorted(PROFILES))})") from None
