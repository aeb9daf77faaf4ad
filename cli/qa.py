"""`lipgate qa RENDERED...`: lip-audio sync of renders and the moments to re-render."""

from __future__ import annotations

import click

from lipgate.cli.common import batch_options, config_option, format_option, output_option, quiet_option, run_inputs


@click.command("qa")
@click.argument("inputs", metavar="RENDERED...", nargs=-1, required=True)
@format_option
@output_option
@config_option
@quiet_option
@batch_options
@click.option("--embed", is_flag=True, help="HTML: put the video inside the page (up to 25 MB) instead of referring to it.")
def qa_command(inputs, fmt, output, config_path, quiet, jobs, executor, scheduler, no_cache, embed):
    """Measure the lip-sync of rendered videos and flag the stressed close-ups to re-render.

    RENDERED is a video with its sound, a folder of them or a glob; several make one batch report.
    Exit 0 in sync, 1 a re-render is needed, 2 could not judge (no face, no speech, bad file)."""
    from lipgate import ffprobe

    if len(inputs) == 1:  # one file: its probe runs while the rest of lipgate loads
        ffprobe.start(inputs[0])
    from lipgate.api import load_config

    run_inputs("qa", list(inputs), {}, load_config(config_path), fmt, output, quiet, jobs, executor, scheduler, no_cache,
               page_options={"embed": embed})
