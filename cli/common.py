"""Options and output shared by the commands."""

from __future__ import annotations

import click

from lipgate.formats import FORMATTERS, render
from lipgate.output import write_atomic

format_option = click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True,
                             help="Report format.")
output_option = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE (stdout otherwise).")
config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str), help="A lipgate.toml with thresholds.")


def emit_report(report, fmt: str, output: str | None) -> None:
    text = render(report, fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
