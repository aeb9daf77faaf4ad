"""GitHub Actions workflow commands: ``::error`` for a failed check or an input that could not be
judged, ``::warning`` for a warning, each on the input file with the check as its title and the
timecodes in the message; a ``::notice`` carries the verdict.

Escaping as GitHub's toolkit does (actions/toolkit, core/src/command.ts): in the message ``%``,
CR and LF become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become
``%3A`` and ``%2C``.
"""

from __future__ import annotations

from lipgate.formats.view import input_views, overall_verdict, segments_text, value_text


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}" if props else f"::{kind}::{escape_data(message)}"


def render(report) -> str:
    views = input_views(report)
    lines = []
    for view in views:
        if view.error is not None:
            lines.append(command("error", view.error, file=view.name, title="lipgate: could not judge"))
            continue
        for item in view.items:
            if item.status not in ("fail", "warn"):
                continue
            message = f"{item.message} ({value_text(item)}" + (f", limit {item.threshold:g})" if item.threshold is not None else ")")
            if item.segments:
                message += f" at {segments_text(item.segments)}"
            if item.fix:
                message += f"\nfix: {item.fix}"
            lines.append(command("error" if item.status == "fail" else "warning", message, file=view.name,
                                 title=f"lipgate {view.command}: {item.id}"))
    judged = [view for view in views if view.verdict]
    summary = f"lipgate: verdict {overall_verdict(views)} ({len(judged)} judged"
    summary += f", {len(views) - len(judged)} could not be judged)" if len(judged) < len(views) else ")"
    lines.append(command("notice", summary, title="lipgate verdict"))
    return "\n".join(lines) + "\n"
