"""Batches: a CSV or JSON list of (video, audio, language) submitted one after another.

A SQLite ledger in the output directory records each item's stage as it goes, so an interrupted
batch (Ctrl-C, crash, lost network) resumes where it stopped: a finished item is never uploaded
again, and an item whose render was already asked for is only polled and downloaded.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from lipgate.submit import errors
from lipgate.submit.flow import Progress, SubmitFlow, default_output_name

LEDGER_NAME = "lipgate-batch.sqlite"
FINISHED = {"done", "qa_flagged"}
STAGES = {"edited", "rendering", "downloaded"}


class BatchFileError(ValueError):
    """The batch file cannot be read or has a bad row."""


@dataclass(frozen=True)
class BatchItem:
    video: Path
    audio: Path
    language: str

    @property
    def key(self) -> str:
        return json.dumps([str(self.video.resolve()), str(self.audio.resolve()), self.language])

    def label(self) -> str:
        return f"{self.video.name} + {self.audio.name} ({self.language})"


@dataclass(frozen=True)
class ItemReport:
    """An item's state after the run; ``earlier`` when it was finished by an earlier run."""

    item: BatchItem
    state: str
    output: Path | None
    detail: str
    earlier: bool = False


def read_batch(path: Path, default_language: str) -> list[BatchItem]:
    """Items of a CSV (header ``video,audio[,language]``) or JSON list of objects; relative
    paths are taken from the batch file's folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BatchFileError(f"cannot read batch file {path}: {exc.strerror}") from exc
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise BatchFileError(f"batch file {path} is not valid JSON: {exc}") from exc
        if isinstance(rows, dict):
            rows = rows.get("items")
        if not isinstance(rows, list):
            raise BatchFileError(f"batch file {path} must hold a list of objects")
    else:
        rows = list(csv.DictReader(text.splitlines()))
    items = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("video") or not row.get("audio"):
            raise BatchFileError(f"batch file {path}, item {number}: needs video and audio")
        language = (row.get("language") or default_language).strip()
        items.append(BatchItem(video=path.parent / str(row["video"]).strip(),
                               audio=path.parent / str(row["audio"]).strip(), language=language))
    if not items:
        raise BatchFileError(f"batch file {path} lists no items")
    return items


class Ledger:
    """One row per item: its state, the stage reached, the service ids and the output."""

    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / LEDGER_NAME
        self._db = sqlite3.connect(self.path)
        self._db.row_factory = sqlite3.Row
        self._db.execute("""CREATE TABLE IF NOT EXISTS items (
            key TEXT PRIMARY KEY, position INTEGER, output_name TEXT, state TEXT, stage TEXT,
            session_id TEXT, render_id TEXT, output TEXT, detail TEXT, updated_at REAL)""")
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def register(self, items: list[BatchItem]) -> None:
        """Add new items as ``pending`` with an output name unique within the ledger."""
        taken = {name for (name,) in self._db.execute("SELECT output_name FROM items")}
        for position, item in enumerate(items):
            if self.row(item) is not None:
                self._db.execute("UPDATE items SET position = ? WHERE key = ?",
                                 (position, item.key))
                continue
            name = default_output_name(item.video, item.language)
            if name in taken:
                name = name.removesuffix(".mp4") + f"-{position + 1}.mp4"
            taken.add(name)
            self._db.execute("INSERT INTO items (key, position, output_name, state, updated_at) "
                             "VALUES (?, ?, ?, 'pending', ?)",
                             (item.key, position, name, time.time()))
        self._db.commit()

    def row(self, item: BatchItem) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM items WHERE key = ?", (item.key,)).fetchone()

    def record_progress(self, item: BatchItem, progress: Progress) -> None:
        self._update(item, state="running", stage=progress.stage, session_id=progress.session_id,
                     render_id=progress.render_id,
                     output=str(progress.output) if progress.output else None)

    def finish(self, item: BatchItem, state: str, detail: str = "", **columns) -> None:
        self._update(item, state=state, detail=detail, **columns)

    def _update(self, item: BatchItem, **columns) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._db.execute(f"UPDATE items SET {assignments}, updated_at = ? WHERE key = ?",
                         (*columns.values(), time.time(), item.key))
        self._db.commit()


def resume_point(row: sqlite3.Row) -> Progress | None:
    """The stage to resume from, or None to start the item from the beginning."""
    if row["stage"] not in STAGES:
        return None
    output = Path(row["output"]) if row["output"] else None
    if row["stage"] == "downloaded" and (output is None or not output.exists()):
        return Progress(stage="rendering", session_id=row["session_id"],
                        render_id=row["render_id"])
    return Progress(stage=row["stage"], session_id=row["session_id"],
                    render_id=row["render_id"], output=output)


def run_batch(flow: SubmitFlow, items: list[BatchItem], *, force: bool = False,
              ledger: Ledger | None = None) -> list[ItemReport]:
    """Submit ``items`` one after another; each item's final state, in batch order.

    Stops early when the service refuses in a way the next items would hit too (no credits,
    plan, unreachable); those items stay ``pending``. KeyboardInterrupt leaves the ledger
    consistent and propagates.
    """
    own_ledger = ledger is None
    ledger = ledger or Ledger(flow.out_dir)
    try:
        ledger.register(items)
        reports: dict[str, ItemReport] = {}
        for item in items:
            row = ledger.row(item)
            if row["state"] in FINISHED:
                reports[item.key] = ItemReport(item, row["state"], Path(row["output"]),
                                               row["detail"] or "", earlier=True)
                continue
            flow.say(f"batch: {item.label()}")
            try:
                result = flow.run(item.video, item.audio, language=item.language, force=force,
                                  output_name=row["output_name"], resume=resume_point(row),
                                  on_progress=lambda step: ledger.record_progress(item, step))
            except errors.ServiceError as error:
                restart = isinstance(error, errors.RenderFailed)
                ledger.finish(item, "failed", str(error),
                              **({"stage": None, "render_id": None} if restart else {}))
                if error.stops_batch:
                    break
                continue
            except Exception as error:  # preflight or QA could not judge this item's media
                reason = " ".join(str(error).split())
                ledger.finish(item, "failed", f"{type(error).__name__}: {reason}")
                continue
            detail = ("QA flagged the render for a re-render" if result.state == "qa_flagged"
                      else "" if result.state == "done" else "preflight failed, nothing uploaded")
            ledger.finish(item, result.state, detail,
                          output=str(result.output) if result.output else None)
        for item in items:
            if item.key not in reports:
                row = ledger.row(item)
                reports[item.key] = ItemReport(item, row["state"],
                                               Path(row["output"]) if row["output"] else None,
                                               row["detail"] or "")
        return [reports[item.key] for item in items]
    finally:
        if own_ledger:
            ledger.close()


def batch_exit_code(reports: list[ItemReport]) -> int:
    """2 if any item failed or was not reached, else 1 if any failed preflight or QA, else 0."""
    states = {report.state for report in reports}
    if states - FINISHED - {"preflight_failed"}:
        return 2
    return 1 if states & {"qa_flagged", "preflight_failed"} else 0
