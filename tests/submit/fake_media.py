"""Fake preflight and QA reports standing in for lipgate's own (written elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FakeReport:
    verdict: str = "pass"
    checks: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"schema": "fake", "verdict": self.verdict, "checks": self.checks}


@dataclass
class FakeMedia:
    """Records the preflight and QA calls; returns the configured verdicts."""

    preflight_verdict: str = "pass"
    qa_verdict: str = "pass"
    preflight_calls: list = field(default_factory=list)
    qa_calls: list = field(default_factory=list)
    qa_sources: list = field(default_factory=list)
    """(source, audio) of each QA call: the render is judged against what was uploaded."""

    def preflight(self, video, audio):
        self.preflight_calls.append((Path(video), Path(audio)))
        checks = [{"id": "face_yaw", "status": self.preflight_verdict,
                   "message": "head turned 60 deg, limit 45"}]
        return FakeReport(self.preflight_verdict, checks)

    def qa(self, path, source=None, audio=None):
        self.qa_calls.append(Path(path))
        self.qa_sources.append((Path(source), Path(audio)) if source is not None else None)
        return FakeReport(self.qa_verdict)
