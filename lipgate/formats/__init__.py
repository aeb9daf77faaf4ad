"""Report formats: each is a view of the one result model (``report.to_dict()``, ``.series``),
for a single report or a batch (``lipgate.batch.BatchReport``).

A format's module is imported when a report is rendered in it: the HTML one needs numpy, which
a command should not wait for before it starts probing its input."""

from __future__ import annotations

import importlib

FORMAT_MODULES = {
    "text": "text",
    "json": "json_format",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}
"""Format name -> its module in lipgate.formats (each has ``render(report)``)."""


def write(report, fmt: str, output: str, page_options: dict | None = None) -> None:
    """The report to the file ``output``, atomically. HTML pages refer to the video relative to
    the page's folder, and a batch in HTML also writes a page per input beside the index
    (``page_options``: ``embed`` the video in the page)."""
    if fmt == "html":
        from lipgate.formats.html import write as write_html

        write_html(report, output, **(page_options or {}))
        return
    from lipgate.output import write_atomic

    write_atomic(output, render(report, fmt))


def render(report, fmt: str, color: bool = False) -> str:
    module = importlib.import_module(f"lipgate.formats.{FORMAT_MODULES[fmt]}")
    if fmt == "text":
        return module.render(report, color=color)
    return module.render(report)
