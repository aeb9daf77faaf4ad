"""One flat view of any report for the formats that list results (JUnit, GitHub, Markdown, HTML).

A check report lists its checks; a QA report (schema ``lipgate/qa/v1``) becomes a ``sync`` item
(the whole-clip offset) and one item per stressed-syllable segment; a batch report is the list of
its inputs, where an input that could not be judged carries its one-line error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Item:
    id: str
    status: str
    value: float | None
    threshold: float | None
    unit: str
    message: str
    segments: list[tuple[float, float]] = field(default_factory=list)
    fix: str | None = None
    source: str | None = None


@dataclass
class InputView:
    name: str
    command: str
    """'check' or 'qa'."""
    verdict: str | None
    items: list[Item] = field(default_factory=list)
    error: str | None = None
    """The one-line reason when the input could not be judged (then verdict and items are empty)."""
    elapsed_s: float = 0.0
    report: Any = None


def input_views(report) -> list[InputView]:
    """The inputs of a single or batch report, in order."""
    if hasattr(report, "reports"):
        return [view for entry in report.reports for view in input_views(entry)]
    elapsed_s = float(getattr(report, "elapsed_s", 0.0) or 0.0)
    data = report.to_dict()
    if "error" in data:
        return [InputView(name=data["input"], command="", verdict=None, error=data["error"], elapsed_s=elapsed_s, report=report)]
    if data.get("schema", "").startswith("lipgate/qa/"):
        return [InputView(name=data["input"], command="qa", verdict=data["verdict"], items=_qa_items(data, getattr(report, "sync", None)),
                          elapsed_s=elapsed_s, report=report)]
    inputs = data["inputs"]
    name = inputs.get("video") or inputs.get("image") or inputs.get("audio") or "?"
    return [InputView(name=name, command="check", verdict=data["verdict"], items=check_items(data["checks"]), elapsed_s=elapsed_s,
                      report=report)]


SYNC_STATUS = {"pass": "pass", "fail": "fail", "skip": "skip", "unsure": "skip"}
"""QA's whole-clip sync status -> item status ('unsure': confidence too low to judge)."""


def _qa_items(data: dict, sync_result=None) -> list[Item]:
    sync = data.get("sync") or {}
    segments = data.get("segments", [])
    offset_ms = sync.get("offset_ms")
    if sync_result is not None and getattr(sync_result, "status", None) in SYNC_STATUS:
        sync_item = Item("sync", SYNC_STATUS[sync_result.status], offset_ms, None, "ms", sync_result.message)
    elif offset_ms is None:
        sync_item = Item("sync", "skip", None, None, "ms", "no whole-clip offset could be measured")
    else:
        # The contract's verdict fails on a re-render segment or on the whole-clip offset: with no
        # re-render segment, a failed verdict is the whole-clip offset's.
        offset_failed = data["verdict"] == "fail" and not any(s.get("rerender") for s in segments)
        sync_item = Item("sync", "fail" if offset_failed else "pass", offset_ms, None, "ms",
                         f"whole-clip offset {offset_ms:+.0f} ms (confidence {sync.get('confidence', 0):.1f}, "
                         f"{'sound early' if offset_ms > 0 else 'sound late' if offset_ms < 0 else 'in sync'})")
    items = [sync_item]
    for segment in segments:
        local_ms = segment.get("offset_ms")
        value = f"{local_ms:+.0f} ms" if local_ms is not None else "not measured"
        items.append(Item(
            id=f"segment {segment['start']:.2f}-{segment['end']:.2f} s",
            status="fail" if segment.get("rerender") else "pass",
            value=local_ms, threshold=None, unit="ms",
            message=segment_message(segment, value),
            segments=[(segment["start"], segment["end"])],
            fix="re-render this segment" if segment.get("rerender") else None,
        ))
    return items + check_items(data.get("checks", []))


def check_items(checks: list[dict]) -> list[Item]:
    """Items of the checks of a report's JSON (``check``'s, or ``qa --source``'s)."""
    return [Item(id=c["id"], status=c["status"], value=c["value"], threshold=c["threshold"], unit=c["unit"],
                 message=c["message"], segments=[(s["start"], s["end"]) for s in c["segments"]], fix=c.get("fix"),
                 source=c.get("source")) for c in checks]


def segment_message(segment: dict, value: str) -> str:
    """A QA segment's finding: its reason, the kind when it is a frozen mouth or a slip, and the
    judged face's box when the report names it."""
    message = segment.get("reason") or f"local offset {value}"
    if segment.get("kind") in ("frozen", "slip"):
        message = f"{segment['kind']}: {message}"
    box = segment.get("face_box")
    if box:
        message += f" (face at {box[0]},{box[1]}-{box[2]},{box[3]} px)"
    return message


def timecode(seconds: float) -> str:
    """m:ss.ss, the way an editor's timeline reads."""
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes)}:{rest:05.2f}"


def segments_text(segments: list[tuple[float, float]], most: int = 6) -> str:
    shown = ", ".join(f"{timecode(start)}-{timecode(end)}" for start, end in segments[:most])
    more = len(segments) - most
    return shown + (f" and {more} more" if more > 0 else "")


def value_text(item: Item) -> str:
    if item.value is None:
        return "-"
    unit = "" if item.unit in ("-", "ratio", "index") else f" {item.unit}"
    value = f"{item.value:.3g}" if abs(item.value) < 10 else f"{item.value:.1f}"
    return value + unit


def overall_verdict(views: list[InputView]) -> str:
    from lipgate.results import worst_verdict

    return worst_verdict(view.verdict for view in views if view.verdict)
