"""Text: for people at a terminal. One line per check (status, id, value against threshold,
sentence), then the fix and the time ranges, then the verdict line. Colour only when asked
(a terminal without NO_COLOR, decided by the CLI)."""

from __future__ import annotations

from lipgate.results import CheckReport, CheckResult

LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}
COLORS = {"pass": "32", "warn": "33", "fail": "31", "skip": "2", "error": "35"}
"""ANSI SGR codes: green, yellow, red, dim, magenta."""


def paint(text: str, status: str, color: bool) -> str:
    return f"\x1b[{COLORS[status]}m{text}\x1b[0m" if color else text


SINGULAR_UNITS = {"faces": "face"}


def format_value(check: CheckResult) -> str:
    """The value, its unit and its limit, as a person reads them: ``44100 Hz``, ``1 face``, ``0.335 s``."""
    if check.value is None:
        return "-"
    name = SINGULAR_UNITS.get(check.unit, check.unit) if check.value == 1 else check.unit
    unit = "" if check.unit in ("-", "ratio") else f" {name}"
    if float(check.value).is_integer():
        value = f"{check.value:.0f}"
    else:
        value = f"{check.value:.3g}" if abs(check.value) < 10 else f"{check.value:.1f}"
    if check.threshold is not None:
        return f"{value}{unit} (limit {check.threshold:g})"
    return f"{value}{unit}"


def format_segments(check: CheckResult, most: int = 6) -> str:
    shown = ", ".join(f"{s.start:.2f}-{s.end:.2f} s" for s in check.segments[:most])
    more = len(check.segments) - most
    return shown + (f" and {more} more" if more > 0 else "")


def verdict_line(report, color: bool = False) -> str:
    if hasattr(report, "reports"):
        return batch_verdict_line(report, color)
    counts = {status: 0 for status in LABELS}
    for check in getattr(report, "checks", []):
        counts[check.status] += 1
    tally = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    return "verdict: " + paint(report.verdict.upper(), report.verdict, color) + (f" ({tally})" if tally else "")


def batch_verdict_line(batch, color: bool = False) -> str:
    counts = {"pass": 0, "warn": 0, "fail": 0, "error": 0}
    for report in batch.reports:
        counts[report.verdict if report.verdict in counts else "error"] += 1  # an input that could not be judged
    tally = ", ".join(f"{n} {'could not judge' if status == 'error' else status}" for status, n in counts.items() if n)
    return f"verdict: {paint(batch.verdict.upper(), batch.verdict, color)} ({len(batch.reports)} inputs: {tally})"


def render(report, color: bool = False) -> str:
    """Text view of a check report, a QA report, or a batch of them."""
    if hasattr(report, "reports"):
        return render_batch(report, color)
    if getattr(report, "schema", "") == "lipgate/qa/v1":
        return render_qa(report, color)
    return render_check(report, color)


def render_qa(report, color: bool = False) -> str:
    """QA: the whole-clip sync line, then the timestamps to re-render, worst first."""
    sync = report.sync
    lines = [f"lipgate qa: {report.input}"]
    offset = "-" if sync.offset_ms is None else f"{sync.offset_ms:+.0f} ms"
    interval = getattr(sync, "interval_ms", None)
    spread = "" if interval is None else f", 90% within {interval[0]:+.0f}..{interval[1]:+.0f} ms"
    lines.append(f"  sync  {offset} (confidence {sync.confidence:.1f}{spread}, {sync.fps:g} fps)  {sync.message}")
    stressed = sum(segment.stressed for segment in report.segments)
    to_redo = report.rerenders
    lines.append(f"  {stressed} stressed syllable(s) in close-up checked, {len(to_redo)} moment(s) to re-render")
    for segment in to_redo:
        face = "" if segment.face_box is None else " (face at {:.0f},{:.0f}-{:.0f},{:.0f} px)".format(*segment.face_box)
        lines.append(f"  {paint('RE-RENDER', 'fail', color)}  {segment.start:7.2f}-{segment.end:.2f} s  "
                     f"[{segment.kind}] {segment.reason}{face}")
    if getattr(report, "source", None) is not None:
        against = ", ".join(f"{kind} {path}" for kind, path in report.source.items() if path)
        lines.append(f"  against the upload ({against}):")
        lines += check_lines(report.checks, color)
    lines.append("verdict: " + paint(report.verdict.upper(), report.verdict, color))
    return "\n".join(lines) + "\n"


def render_check(report: CheckReport, color: bool = False) -> str:
    inputs = ", ".join(f"{kind} {path}" for kind, path in report.inputs.items() if path)
    lines = [f"lipgate check: {inputs}", *check_lines(report.checks, color)]
    lines.append(verdict_line(report, color))
    return "\n".join(lines) + "\n"


def check_lines(checks: list[CheckResult], color: bool = False) -> list[str]:
    """One line per check (status, id, value against threshold, sentence), then its fix and time ranges."""
    lines = []
    width = max((len(check.id) for check in checks), default=0)
    for check in checks:
        label = paint(LABELS[check.status], check.status, color)
        lines.append(f"  {label}  {check.id:<{width}}  {format_value(check):<24} {check.message}")
        if check.status in ("warn", "fail"):
            if check.segments:
                lines.append(f"        {'':<{width}}  at {format_segments(check)}")
            if check.fix:
                lines.append(f"        {'':<{width}}  fix: {check.fix}")
    return lines


def render_batch(batch, color: bool = False) -> str:
    """Each input's report (or its error line), then the batch verdict."""
    blocks = []
    for report in batch.reports:
        if report.verdict is None:
            blocks.append(f"{paint('ERROR', 'error', color)} {report.error}\n")
        else:
            blocks.append(render(report, color))
    return "\n".join(blocks) + "\n" + batch_verdict_line(batch, color) + "\n"
