"""`lipgate check INPUT [--audio AUDIO]`: preflight of a source before upload."""

from __future__ import annotations

import click

from cli.common import emit_report, format_option, output_option, config_option


@click.command("check")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=str))
@click.option("--audio", "audio_path", type=click.Path(dir_okay=False, path_type=str), help="Target speech (mp3 wav m4a aac, or a video's audio track).")
@format_option
@output_option
@config_option
def check_command(input_path, audio_path, fmt, output, config_path):
    """Lint a video or still (and its target speech) before upload."""
    from lipgate.config import load_config
    from preflight.runner import run_check

    config = load_config(config_path)
    report = run_check(input_path, audio_path, config)
    emit_report(report, fmt, output)
    raise SystemExit(report.exit_code)
