"""Text: for people at a terminal. One line per check (status, id, value against threshold,
sentence), then the fix and the time ranges, then the verdict line."""

from __future__ import annotations

from lipgate.results import CheckReport, CheckResult

LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


def format_value(check: CheckResult) -> str:
    if check.value is None:
        return "-"
    unit = "" if check.unit in ("-", "ratio") else f" {check.unit}"
    value = f"{check.value:.3g}" if abs(check.value) < 10 else f"{check.value:.1f}"
    if check.threshold is not None:
        return f"{value}{unit} (limit {check.threshold:g})"
    return f"{value}{unit}"


def format_segments(check: CheckResult, most: int = 6) -> str:
    shown = ", ".join(f"{s.start:.2f}-{s.end:.2f} s" for s in check.segments[:most])
    more = len(check.segments) - most
    return shown + (f" and {more} more" if more > 0 else "")


def verdict_line(report) -> str:
    counts = {status: 0 for status in LABELS}
    for check in getattr(report, "checks", []):
        counts[check.status] += 1
    tally = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    return f"verdict: {report.verdict.upper()}" + (f" ({tally})" if tally else "")


def render(report) -> str:
    """Text view of a check report or a QA report."""
    if getattr(report, "schema", "") == "lipgate/qa/v1":
        return render_qa(report)
    return render_check(report)


def render_qa(report) -> str:
    """QA: the whole-clip sync line, then the timestamps to re-render, worst first."""
    sync = report.sync
    lines = [f"lipgate qa: {report.input}"]
    offset = "-" if sync.offset_ms is None else f"{sync.offset_ms:+.0f} ms"
    lines.append(f"  sync  {offset} (confidence {sync.confidence:.1f}, {sync.fps:g} fps)  {sync.message}")
    stressed = sum(segment.stressed for segment in report.segments)
    to_redo = report.rerenders
    lines.append(f"  {stressed} stressed syllable(s) in close-up checked, {len(to_redo)} moment(s) to re-render")
    for segment in to_redo:
        lines.append(f"  RE-RENDER  {segment.start:7.2f}-{segment.end:.2f} s  {segment.reason}")
    lines.append(f"verdict: {report.verdict.upper()}")
    return "\n".join(lines) + "\n"


def render_check(report: CheckReport) -> str:
    inputs = ", ".join(f"{kind} {path}" for kind, path in report.inputs.items() if path)
    lines = [f"lipgate check: {inputs}"]
    width = max(len(check.id) for check in report.checks)
    for check in report.checks:
        lines.append(f"  {LABELS[check.status]}  {check.id:<{width}}  {format_value(check):<24} {check.message}")
        if check.status in ("warn", "fail"):
            if check.segments:
                lines.append(f"        {'':<{width}}  at {format_segments(check)}")
            if check.fix:
                lines.append(f"        {'':<{width}}  fix: {check.fix}")
    lines.append(verdict_line(report))
    return "\n".join(lines) + "\n"
