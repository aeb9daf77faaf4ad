"""Markdown: a summary a person pastes into a ticket: the verdict, then one table per input
(status, check, value, limit, what was found and where)."""

from __future__ import annotations

from lipgate.formats.view import input_views, overall_verdict, segments_text, value_text

ICONS = {"pass": "✅ pass", "warn": "⚠️ warn", "fail": "❌ fail", "skip": "➖ skip"}


def cell(text) -> str:
    """Table cell text: pipes escaped, line breaks as <br>."""
    return str(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def render(report) -> str:
    views = input_views(report)
    lines = [f"## lipgate: **{overall_verdict(views).upper()}**", ""]
    if len(views) > 1:
        lines += ["| input | verdict | failed | warned |", "| --- | --- | --- | --- |"]
        for view in views:
            if view.error is not None:
                lines.append(f"| `{cell(view.name)}` | 🚫 could not judge | {cell(view.error)} | |")
                continue
            failed = ", ".join(item.id for item in view.items if item.status == "fail")
            warned = ", ".join(item.id for item in view.items if item.status == "warn")
            lines.append(f"| `{cell(view.name)}` | {ICONS[view.verdict]} | {cell(failed)} | {cell(warned)} |")
        lines.append("")
    for view in views:
        lines.append(f"### `{cell(view.name)}`: " + (f"{ICONS[view.verdict]}" if view.verdict else "🚫 could not judge"))
        lines.append("")
        if view.error is not None:
            lines += [cell(view.error), ""]
            continue
        lines += ["| status | check | value | limit | finding |", "| --- | --- | --- | --- | --- |"]
        for item in view.items:
            finding = item.message
            if item.segments and item.status in ("fail", "warn"):
                finding += f" (at {segments_text(item.segments)})"
            if item.fix and item.status in ("fail", "warn"):
                finding += f"; fix: {item.fix}"
            limit = f"{item.threshold:g}" if item.threshold is not None else ""
            lines.append(f"| {ICONS[item.status]} | `{item.id}` | {cell(value_text(item))} | {limit} | {cell(finding)} |")
        lines.append("")
    return "\n".join(lines)
