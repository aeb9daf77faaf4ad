"""`lipgate qa RENDERED...`: lip-audio sync of renders and the moments to re-render; with
``--source`` (or ``--pairs``) also what the lip-sync service did to the source."""

from __future__ import annotations

import click

from lipgate.cli.common import batch_options, config_option, format_option, output_option, quiet_option, run_inputs


@click.command("qa")
@click.argument("inputs", metavar="RENDERED...", nargs=-1)
@click.option("--source", "source", type=click.Path(dir_okay=False, path_type=str),
              help="The video or still that was uploaded: also check what the service did to it.")
@click.option("--audio", "audio", type=click.Path(dir_okay=False, path_type=str),
              help="The target speech that was uploaded (with --source).")
@click.option("--pairs", "pairs", type=click.Path(dir_okay=False, path_type=str),
              help="A CSV with the columns render,source[,audio] (paths relative to the CSV): a batch, each render against its own source.")
@format_option
@output_option
@config_option
@quiet_option
@batch_options
@click.option("--embed", is_flag=True, help="HTML: put the video inside the page (up to 25 MB) instead of referring to it.")
def qa_command(inputs, source, audio, pairs, fmt, output, config_path, quiet, jobs, executor, scheduler, no_cache, embed):
    """Measure the lip-sync of rendered videos and flag the stressed close-ups to re-render.

    RENDERED is a video with its sound, a folder of them or a glob; several make one batch report.
    With --source SOURCE [--audio TARGET], each render is also compared with the uploaded source
    and target speech (duration, frames, sound, picture, whether the lips were re-synced, mouth
    sharpness); --pairs FILE gives each render its own source and target.
    Exit 0 in sync, 1 a re-render is needed, 2 could not judge (no face, no speech, bad file)."""
    from lipgate import ffprobe
    from lipgate.errors import LipgateError

    try:
        inputs, options = source_options(list(inputs), source, audio, pairs)
    except LipgateError as error:
        raise click.UsageError(str(error)) from None
    if len(inputs) == 1:  # one file: its probe runs while the rest of lipgate loads
        ffprobe.start(inputs[0])
    from lipgate.api import load_config

    run_inputs("qa", inputs, options, load_config(config_path), fmt, output, quiet, jobs, executor, scheduler, no_cache,
               page_options={"embed": embed})


def source_options(inputs: list[str], source: str | None, audio: str | None, pairs: str | None) -> tuple[list[str], dict]:
    """The renders to judge and the batch options pairing each with its source and target speech."""
    from lipgate.errors import UsageError
    from lipgate.qa.pairs import read_pairs

    if pairs is not None:
        if inputs or source or audio:
            raise UsageError("give either RENDERED... [--source SOURCE --audio TARGET] or --pairs FILE, not both")
        table = read_pairs(pairs)
        return list(table), {"pairs": table}
    if not inputs:
        raise UsageError("missing argument RENDERED (or --pairs FILE)")
    if source is None:
        if audio is not None:
            raise UsageError("--audio (the target speech) needs --source (the uploaded source)")
        return inputs, {}
    from lipgate.batch import expand_inputs

    renders, _ = expand_inputs(inputs, "lipgate.qa.runner")
    return inputs, {"pairs": {render: (source, audio) for render in renders or inputs}}
