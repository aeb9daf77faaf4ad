"""Report formats: each is a view of the one result model (``report.to_dict()`` and friends)."""

from __future__ import annotations

from lipgate.formats import json_format, text

FORMATTERS = {
    "text": text.render,
    "json": json_format.render,
}


def render(report, fmt: str) -> str:
    return FORMATTERS[fmt](report)
