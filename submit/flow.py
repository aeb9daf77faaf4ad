"""The whole ``submit`` flow: preflight, session, upload, lip-sync request, export, download, QA.

Preflight and QA are injected callables (``preflight(video, audio) -> report`` and
``qa(render, source, audio) -> report``, ``qa --source``: the render judged against what was
uploaded; reports having ``.verdict`` and ``.to_dict()``), so the flow runs with or without the
media stack.

The conversation follows the service's documentation and guesses nothing beyond it: a text reply
in the ``run_sse`` stream is the answer, and the flow goes on to export the session's draft; only
a stream that ends without text sends the flow to the session state, to see the edit applied
(the draft or the generated media changed since before the request). Whether the lip-sync really
happened is judged on the downloaded render (``qa --source``), never on the state's shape. Milestones are reported through ``on_progress`` so a batch ledger can
resume an interrupted item without uploading it again.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Protocol

from lipgate.submit import errors
from lipgate.submit.client import ServiceClient

DEFAULT_POLL_S = 30.0
RENDER_CEILING_S = 60 * 60
STATE_CONFIRM_READS = 3
RENDER_DONE = "completed"
RENDER_FAILED = {"failed", "error", "cancelled", "canceled"}


class Report(Protocol):
    verdict: str

    def to_dict(self) -> dict: ...


@dataclass(frozen=True)
class Progress:
    """Where an item got to: ``stage`` is ``edited`` (lip-sync applied in ``session_id``),
    ``rendering`` (export ``render_id`` accepted) or ``downloaded`` (``output`` on disk)."""

    stage: str
    session_id: str | None = None
    render_id: str | None = None
    output: Path | None = None


@dataclass(frozen=True)
class SubmitResult:
    """``state`` is ``preflight_failed``, ``done`` (QA passed) or ``qa_flagged``."""

    state: str
    output: Path | None = None
    qa_report_path: Path | None = None
    preflight: Report | None = None
    qa: Report | None = None
    agent_text: str = ""


def safe_name(text: str) -> str:
    """``text`` reduced to letters, digits, ``.``, ``_`` and ``-``, never starting with a dot."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).lstrip(".") or "render"


def default_output_name(video: Path, language: str) -> str:
    return f"{safe_name(video.stem)}.{safe_name(language)}.lipsync.mp4"


def failing_checks(report: Report) -> list[str]:
    """``"<id>: <message>"`` for each failed check of a preflight report."""
    checks = report.to_dict().get("checks") or []
    return [f"{check.get('id')}: {check.get('message', '')}".rstrip(": ")
            for check in checks if isinstance(check, dict) and check.get("status") == "fail"]


def lipsync_message(video: Path, audio: Path, language: str) -> str:
    """The request in plain words, as the service's agent expects."""
    return (f"Lip-sync the uploaded video {video.name} to the uploaded audio {audio.name}: use "
            f"that audio as the soundtrack and make the mouth movements match the speech "
            f"(language: {language}). Keep the picture otherwise unchanged and add no captions, "
            f"music or other edits.")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class SubmitFlow:
    """Drives one item through the service. ``poll_s``: seconds between render-status polls."""

    def __init__(self, client: ServiceClient, *, preflight: Callable[[Path, Path], Report],
                 qa: Callable[[Path], Report], out_dir: Path, poll_s: float = DEFAULT_POLL_S,
                 say: Callable[[str], None] = _stderr, sleep: Callable[[float], None] = time.sleep,
                 render_ceiling_s: float = RENDER_CEILING_S):
        self.client = client
        self.preflight = preflight
        self.qa = qa
        self.out_dir = Path(out_dir)
        self.poll_s = poll_s
        self.say = say
        self.sleep = sleep
        self.render_ceiling_s = render_ceiling_s

    def run(self, video: Path, audio: Path, *, language: str = "en", force: bool = False,
            output_name: str | None = None, resume: Progress | None = None,
            on_progress: Callable[[Progress], None] = lambda progress: None) -> SubmitResult:
        """Submit ``video`` with ``audio``; ``resume`` skips the stages already done."""
        video, audio = Path(video), Path(audio)
        destination = self.out_dir / (output_name or default_output_name(video, language))
        preflight_report = None
        progress = resume
        if progress is None:
            preflight_report = self.preflight(video, audio)
            if preflight_report.verdict == "fail":
                reasons = "; ".join(failing_checks(preflight_report)) or "verdict fail"
                if not force:
                    self.say(f"preflight failed for {video.name}, nothing uploaded: {reasons}")
                    return SubmitResult(state="preflight_failed", preflight=preflight_report)
                self.say(f"WARNING: --force: uploading {video.name} although preflight FAILED: "
                         f"{reasons}")
        agent_text = ""
        if progress is None or progress.stage == "edited":
            progress, agent_text = self._edit_and_export(video, audio, language, progress,
                                                         on_progress)
        if progress.stage == "rendering":
            url = self._wait_for_render(progress.render_id)
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.client.download(url, destination)
            progress = replace(progress, stage="downloaded", output=destination)
            on_progress(progress)
            self.say(f"downloaded {destination}")
        output = progress.output or destination
        qa_report = self.qa(output, video, audio)
        qa_path = None
        if not getattr(qa_report, "unjudged_reason", None):  # a render QA could not judge has no report
            qa_path = output.with_suffix(".qa.json")
            qa_path.write_text(json.dumps(qa_report.to_dict(), indent=2) + "\n", encoding="utf-8")
        # only a pass is done: a render QA flagged, or could not judge, needs a person's look
        state = "done" if qa_report.verdict == "pass" else "qa_flagged"
        return SubmitResult(state=state, output=output, qa_report_path=qa_path,
                            preflight=preflight_report, qa=qa_report, agent_text=agent_text)

    def _edit_and_export(self, video: Path, audio: Path, language: str,
                         progress: Progress | None,
                         on_progress: Callable[[Progress], None]) -> tuple[Progress, str]:
        """Session, upload, lip-sync and export; once more in a new session on 1002."""
        for attempt in range(2):
            try:
                agent_text = ""
                if progress is None:
                    session_id, draft, agent_text = self._lipsync(video, audio, language)
                    progress = Progress(stage="edited", session_id=session_id)
                    on_progress(progress)
                else:
                    draft = self._draft(self.client.session_state(progress.session_id))
                render_id = f"render_{int(time.time() * 1000)}"
                self.client.export(progress.session_id, draft, render_id)
                progress = replace(progress, stage="rendering", render_id=render_id)
                on_progress(progress)
                return progress, agent_text
            except errors.SessionNotFound:
                if attempt == 1:
                    raise
                self.say("the service lost the session; starting a new one")
                progress = None
        raise AssertionError("unreachable")

    def _lipsync(self, video: Path, audio: Path, language: str) -> tuple[str, dict, str]:
        """Create a session, upload, ask for the lip-sync; the session id, draft and agent text."""
        session = self.client.create_session(language)
        files = [video] if audio.resolve() == video.resolve() else [video, audio]
        self.say(f"uploading {', '.join(path.name for path in files)}")
        self.client.upload(session.session_id, files)
        before = self.client.session_state(session.session_id)
        self.say("asking the service for the lip-sync")
        reply = self.client.send_message(
            session.session_id, lipsync_message(video, audio, language),
            still_working=lambda elapsed_s: self.say(f"still working ({elapsed_s / 60:.0f} min)"))
        if reply.text:  # the answer: go on to export (the render is judged after download)
            self.say("service: " + _shorten(reply.text))
            return session.session_id, self._draft(self.client.session_state(session.session_id)), reply.text
        for read in range(STATE_CONFIRM_READS):  # no text: the documentation sends us to the state
            after = self.client.session_state(session.session_id)
            if _edited(before, after):
                return session.session_id, self._draft(after), reply.text
            if read + 1 < STATE_CONFIRM_READS:
                self.sleep(self.poll_s)
        raise errors.RenderFailed("the service sent no text and its session state shows no edit "
                                  f"after {STATE_CONFIRM_READS} reads: the lip-sync was not applied")

    @staticmethod
    def _draft(state: dict) -> dict:
        draft = state.get("draft")
        if not isinstance(draft, dict) or not draft:
            raise errors.RenderFailed("the session has no draft to export")
        return draft

    def _wait_for_render(self, render_id: str) -> str:
        """Poll the export every ``poll_s`` seconds until it completes; its download URL."""
        deadline = time.monotonic() + self.render_ceiling_s
        while True:
            status = self.client.render_status(render_id)
            if status.status == RENDER_DONE:
                if not status.url:
                    raise errors.RenderFailed(f"render {render_id} completed without a URL")
                return status.url
            if status.status in RENDER_FAILED:
                raise errors.RenderFailed(f"the service's render {render_id} ended with "
                                          f"status {status.status}")
            if time.monotonic() >= deadline:
                raise errors.ServiceTimeout(f"render {render_id} not finished after "
                                            f"{self.render_ceiling_s / 60:.0f} minutes")
            self.say(f"render {status.status or 'pending'}; next check in {self.poll_s:g} s")
            self.sleep(self.poll_s)


def _edited(before: dict, after: dict) -> bool:
    """True when the session's draft or generated media changed."""
    return any(before.get(key) != after.get(key) for key in ("draft", "generated_media"))


def _shorten(text: str, limit: int = 240) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
