"""HTML: self-contained pages (no network: styles and script inline, pictures as data URIs).

- A render's QA report: the review page (``lipgate.formats.review``): the render in a player,
  the moments to re-render worst first, each a button that plays it at 1x, the local offset
  over time against the tolerance band, a filmstrip of mouth crops per moment.
- A check report: the verdict, the table of checks, the timeline of yaw, light and level with
  the failing ranges shaded and a thumbnail per range (and the player for a video).
- A batch: the quality summary (``lipgate.formats.batch_pages``); written with ``-o INDEX``,
  each input also gets its own page, which the index links to.

The video of a page is referenced by a path relative to the page's folder (``page_dir``; the
working directory when the page goes to stdout), or embedded with ``embed``.
"""

from __future__ import annotations

import html
from pathlib import Path

from lipgate.formats.review import LEAD_IN_S, SCRIPT, check_timeline, qa_review
from lipgate.formats.review import STYLE as REVIEW_STYLE
from lipgate.formats.view import InputView, check_items, input_views, overall_verdict, segments_text, value_text

COLORS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "skip": "#6e7781", "error": "#8250df"}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}
.verdict{font-size:28px;font-weight:700;color:#fff;padding:14px 20px;border-radius:8px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}td,th{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
.status{font-weight:700;text-transform:uppercase}.input{margin-top:32px;border-top:3px solid #d0d7de;padding-top:8px}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px}kbd{border:1px solid #d0d7de;border-radius:3px;padding:0 3px;font-size:11px}
nav{margin:8px 0}
"""


def render(report, page_dir: str | Path | None = None, embed: bool = False, index_href: str | None = None) -> str:
    """One page: a batch's summary, or one input's page. ``index_href`` links back to a batch index."""
    if hasattr(report, "reports"):
        from lipgate.formats.batch_pages import index_page

        return index_page(report, page_dir)
    views = input_views(report)
    verdict = views[0].verdict or "error"
    body = [f'<nav><a href="{html.escape(index_href)}">&larr; batch summary</a></nav>' if index_href else "",
            f'<div class="verdict" id="verdict" style="background:{COLORS[verdict]}">verdict: {verdict.upper()}</div>']
    body += [input_section(view, page_dir, embed) for view in views]
    return page(f"lipgate: {verdict.upper()} {Path(views[0].name).name}", "\n".join(body))


def page(title: str, body: str) -> str:
    """The whole document: styles and the script inline."""
    lead = f' data-lead-s="{LEAD_IN_S:g}"'
    return ("<!DOCTYPE html>\n" '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}{REVIEW_STYLE}</style></head><body{lead}>\n"
            f"{body}\n<script>{SCRIPT}</script>\n</body></html>\n")


def write(report, output: str | Path, embed: bool = False) -> None:
    """The page to ``output`` (atomically); a batch also writes one page per input beside it."""
    from lipgate.output import write_atomic

    output = Path(output)
    if hasattr(report, "reports"):
        from lipgate.formats.batch_pages import write_batch

        write_batch(report, output, embed)
        return
    write_atomic(output, render(report, page_dir=output.parent, embed=embed))


def input_section(view: InputView, page_dir, embed: bool) -> str:
    status = view.verdict or "error"
    head = (f'<section class="input"><h2><code>{html.escape(view.name)}</code> '
            f'<span class="status" style="color:{COLORS[status]}">{html.escape(view.verdict or "could not judge")}</span></h2>')
    if view.error is not None:
        return head + f"<p>{html.escape(view.error)}</p></section>"
    table = items_table(view.items)
    if view.command == "qa":
        return head + qa_review(view, page_dir, embed, checks_table=checks_table) + "<h3>All findings</h3>" + table + "</section>"
    return head + table + check_timeline(view, page_dir, embed) + "</section>"


def items_table(items) -> str:
    rows = []
    for item in items:
        finding = html.escape(item.message)
        if item.segments and item.status in ("fail", "warn"):
            finding += f"<br><small>at {html.escape(segments_text(item.segments))}</small>"
        if item.fix and item.status in ("fail", "warn"):
            finding += f"<br><small>fix: {html.escape(item.fix)}</small>"
        limit = f"{item.threshold:g}" if item.threshold is not None else ""
        rows.append(f'<tr class="check" data-id="{html.escape(item.id)}"><td class="status" style="color:{COLORS[item.status]}">{item.status}</td>'
                    f"<td><code>{html.escape(item.id)}</code></td><td>{html.escape(value_text(item))}</td><td>{limit}</td><td>{finding}</td></tr>")
    return "<table><tr><th>status</th><th>check</th><th>value</th><th>limit</th><th>finding</th></tr>" + "".join(rows) + "</table>"


def checks_table(checks: list[dict]) -> str:
    """Check results as in ``check``'s JSON (a QA report's ``checks`` with ``--source``)."""
    return items_table(check_items(checks))


def verdict_of(views: list[InputView]) -> str:
    verdict = overall_verdict(views)
    if any(view.error for view in views) and not any(view.verdict for view in views):
        verdict = "error"
    return verdict
