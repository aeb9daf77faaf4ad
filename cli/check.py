"""`lipgate check INPUT... [--audio AUDIO]`: preflight of sources before upload."""

from __future__ import annotations

import click

from cli.common import batch_options, config_option, emit_report, format_option, output_option, profile_option, quiet_option


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
    from lipgate.batch import is_batch, measure_cached, run_batch
    from lipgate.config import load_config
    from lipgate.progress import Progress, progress_wanted
    from preflight.runner import judge_input

    config = load_config(config_path, profile=profile)
    options = {"audio": audio_path}
    show_progress = progress_wanted(fmt, quiet)
    if is_batch(list(inputs)):
        progress = Progress("check", "inputs") if show_progress else None
        report = run_batch("check", list(inputs), options, config, jobs=jobs, executor=executor, scheduler=scheduler,
                           use_cache=not no_cache, progress=progress)
    else:
        progress = Progress(f"check {inputs[0]}", "frames") if show_progress else None
        measured, _ = measure_cached("check", inputs[0], options, use_cache=not no_cache, progress=progress)
        report = judge_input(inputs[0], options, measured, config)
    if progress is not None:
        progress.close()
    emit_report(report, fmt, output, quiet)
    raise SystemExit(report.exit_code)
