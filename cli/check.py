"""`lipgate check INPUT... [--audio AUDIO]`: preflight of sources before upload."""

from __future__ import annotations

import click

from lipgate.cli.common import batch_options, config_option, format_option, output_option, profile_option, quiet_option, run_inputs


@click.command("check")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option("--audio", "audio_path", type=click.Path(dir_okay=False, path_type=str), help="Target speech (mp3 wav m4a aac, or a video's audio track); with several inputs, the speech for each.")
@format_option
@output_option
@config_option
@profile_option
@quiet_option
@batch_options
def check_command(inputs, audio_path, fmt, output, config_path, profile, quiet, jobs, executor, scheduler, no_cache):
    """Lint videos or stills (and their target speech) before upload.

    INPUT is a file, a folder (searched for videos and stills) or a glob; several inputs make
    one batch report."""
    from lipgate import ffprobe

    if len(inputs) == 1:  # one file: its probe runs while the rest of lipgate loads
        for path in (inputs[0], audio_path):
            if path is not None:
                ffprobe.start(path)
    from lipgate.api import load_config

    config = load_config(config_path, profile=profile)
    run_inputs("check", list(inputs), {"audio": audio_path}, config, fmt, output, quiet, jobs, executor, scheduler, no_cache)
