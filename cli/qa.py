"""`lipgate qa RENDERED`: lip-audio sync of a render and the moments to re-render."""

from __future__ import annotations

import click

from cli.common import config_option, emit_report, format_option, output_option


@click.command("qa")
@click.argument("rendered", metavar="RENDERED", type=click.Path(dir_okay=False, path_type=str))
@format_option
@output_option
@config_option
def qa_command(rendered, fmt, output, config_path):
    """Measure the lip-sync of a rendered video and flag the stressed close-ups to re-render."""
    from lipgate.config import load_config
    from qa.runner import run_qa

    config = load_config(config_path)
    report = run_qa(rendered, config)
    emit_report(report, fmt, output)
    if report.exit_code == 2:
        click.echo(f"lipgate: {rendered}: {report.sync.message}", err=True)
    raise SystemExit(report.exit_code)
