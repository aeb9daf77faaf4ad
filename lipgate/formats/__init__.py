"""Report formats: each is a view of the one result model (``report.to_dict()``, ``.series``),
for a single report or a batch (``lipgate.batch.BatchReport``)."""

from __future__ import annotations

from lipgate.formats import github, html, json_format, junit, markdown, text

FORMATTERS = {
    "text": text.render,
    "json": json_format.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html.render,
}


def render(report, fmt: str, color: bool = False) -> str:
    if fmt == "text":
        return text.render(report, color=color)
    return FORMATTERS[fmt](report)
