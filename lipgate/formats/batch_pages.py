"""The batch pages: one index, the quality summary a producer reads after a batch (each input's
verdict linking to its own page, counts by verdict and by failing check, the distribution of
the whole-clip offsets, the worst moments across the batch, worst first), and one page per input
in a folder beside the index (``INDEX-pages/``)."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from lipgate.formats.html import COLORS, page, render, verdict_of
from lipgate.formats.review import qa_moments, tolerance_of
from lipgate.formats.svgplot import histogram
from lipgate.formats.view import input_views, timecode

OFFSET_BIN_MS = 40.0
"""Offset histogram bins: one frame at 25 fps."""
WORST_MOMENTS = 25


def pages_folder(index: Path) -> Path:
    return index.with_name(index.stem + "-pages")


def page_names(count: int, names: list[str]) -> list[str]:
    """File names of the per-input pages: the input's order, then its base name made safe."""
    width = len(str(count))
    return [f"{k + 1:0{width}d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', Path(name).name)[:80]}.html" for k, name in enumerate(names)]


def write_batch(report, index: Path, embed: bool = False) -> None:
    """Each input's page into ``INDEX-pages/``, then the index (atomically, each)."""
    from lipgate.output import write_atomic

    folder = pages_folder(index)
    views = [input_views(entry)[0] for entry in report.reports]
    names = page_names(len(views), [view.name for view in views])
    back = quote(f"../{index.name}")
    for entry, name in zip(report.reports, names):
        write_atomic(folder / name, render(entry, page_dir=folder, embed=embed, index_href=back))
    links = [quote(f"{folder.name}/{name}") for name in names]
    write_atomic(index, index_page(report, index.parent, links))


def index_page(report, page_dir=None, links: list[str] | None = None) -> str:
    """The summary; ``links`` (one per input) are the hrefs of the inputs' pages, when written."""
    views = [input_views(entry)[0] for entry in report.reports]
    links = links or [None] * len(views)
    verdict = verdict_of(views)
    parts = [f'<div class="verdict" id="verdict" style="background:{COLORS[verdict]}">verdict: {verdict.upper()}</div>',
             f"<h2>{len(views)} inputs</h2>", _counts(views), _offsets(views), _worst_moments(views, links), _inputs_table(views, links)]
    if not any(links):
        parts.append("<p><small>Write the report with <code>-o INDEX.html</code> to get a page per input.</small></p>")
    return page(f"lipgate batch: {verdict.upper()}", "\n".join(part for part in parts if part))


def failing_checks(view) -> list[str]:
    """What failed in one input: check ids, and for a render the whole-clip offset and the kinds of moments to re-render."""
    failed = [item.id for item in view.items if item.status == "fail" and not item.id.startswith("segment ")]
    if view.command == "qa":
        failed = ["sync (whole-clip offset)" if name == "sync" else name for name in failed]
        failed += sorted({f"re-render: {m.label}" for m in qa_moments(view.report) if m.rerender})
        failed += [c["id"] for c in view.report.to_dict().get("checks", []) if c.get("status") == "fail"]
    return failed


def _counts(views) -> str:
    by_verdict = Counter(view.verdict or "could not judge" for view in views)
    by_check = Counter(name for view in views if view.verdict for name in failing_checks(view))
    verdicts = "".join(f'<tr class="count" data-verdict="{html.escape(v)}"><td class="status" style="color:{COLORS.get(v, COLORS["error"])}">'
                       f"{html.escape(v)}</td><td>{n}</td></tr>" for v, n in sorted(by_verdict.items(), key=lambda kv: -kv[1]))
    checks = "".join(f'<tr class="failing" data-check="{html.escape(c)}"><td><code>{html.escape(c)}</code></td><td>{n}</td></tr>'
                     for c, n in by_check.most_common())
    return ('<div style="display:flex;gap:32px;flex-wrap:wrap"><div><h3>By verdict</h3><table id="by-verdict">'
            f"<tr><th>verdict</th><th>inputs</th></tr>{verdicts}</table></div>"
            f'<div><h3>By failing check</h3><table id="by-check"><tr><th>check</th><th>inputs</th></tr>'
            f'{checks or "<tr><td colspan=2>none failed</td></tr>"}</table></div></div>')


def _offsets(views) -> str:
    qa_views = [view for view in views if view.command == "qa"]
    offsets = [(view.report.to_dict().get("sync") or {}).get("offset_ms") for view in qa_views]
    offsets = [o for o in offsets if o is not None]
    if not offsets:
        return ""
    early, late = tolerance_of(qa_views[0].report)
    return (f"<h3>Whole-clip offsets ({len(offsets)} renders)</h3>"
            + histogram(offsets, OFFSET_BIN_MS, band=(late, early), label="whole-clip offset (ms, + = sound early)", plot_id="offsets"))


def _worst_moments(views, links) -> str:
    moments = []
    for view, link in zip(views, links):
        if view.command != "qa":
            continue
        for k, m in enumerate(qa_moments(view.report)):
            if m.rerender:
                moments.append((m.severity, view.name, link, k, m))
    if not moments:
        return ""
    moments.sort(key=lambda entry: (-entry[0], entry[1], entry[4].start))
    rows = []
    for severity, name, link, k, m in moments[:WORST_MOMENTS]:
        where = f"{timecode(m.start)}–{timecode(m.end)}"
        target = f'<a href="{html.escape(link)}#moment-{k + 1}">{where}</a>' if link else where
        offset = f"{m.offset_ms:+.0f} ms" if m.offset_ms is not None else "-"
        rows.append(f'<tr class="worst"><td><code>{html.escape(name)}</code></td><td>{target}</td><td>{html.escape(m.label)}</td>'
                    f"<td>{offset}</td><td>{severity:.0f}</td><td>{html.escape(m.reason)}</td></tr>")
    more = f"<p><small>and {len(moments) - WORST_MOMENTS} more</small></p>" if len(moments) > WORST_MOMENTS else ""
    return ('<h3>Worst moments across the batch</h3><table id="worst"><tr><th>input</th><th>when</th><th>what</th><th>offset</th>'
            "<th>past tolerance (ms)</th><th>why</th></tr>" + "".join(rows) + "</table>" + more)


def _inputs_table(views, links) -> str:
    rows = []
    for view, link in zip(views, links):
        status = view.verdict or "error"
        name = f'<a href="{html.escape(link)}">{html.escape(view.name)}</a>' if link else html.escape(view.name)
        offset = ""
        if view.command == "qa":
            value = (view.report.to_dict().get("sync") or {}).get("offset_ms")
            offset = f"{value:+.0f} ms" if value is not None else "-"
        detail = view.error or ", ".join(failing_checks(view))
        rows.append(f'<tr class="input-row"><td><code>{name}</code></td><td class="status" style="color:{COLORS[status]}">'
                    f'{html.escape(view.verdict or "could not judge")}</td><td>{offset}</td><td>{html.escape(detail)}</td></tr>')
    return ('<h3>Inputs</h3><table id="inputs"><tr><th>input</th><th>verdict</th><th>whole-clip offset</th><th>failed checks / error</th></tr>'
            + "".join(rows) + "</table>")
