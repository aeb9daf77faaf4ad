"""`lipgate fit VIDEO --audio AUDIO --mode stretch|trim|pad -o OUT`: match the speech to the picture's length."""

from __future__ import annotations

import json

import click


@click.command("fit")
@click.argument("video_path", metavar="VIDEO", type=click.Path(dir_okay=False, path_type=str))
@click.option("--audio", "audio_path", required=True, type=click.Path(dir_okay=False, path_type=str), help="Target speech.")
@click.option("--mode", required=True, type=click.Choice(["stretch", "trim", "pad"]), help="stretch the audio (|N| <= 10%, pitch kept), trim the longer one, or pad the shorter one.")
@click.option("-o", "--output", "out_path", required=True, type=click.Path(dir_okay=False, path_type=str), help="An audio file (fitted speech) or a video (picture + fitted speech).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def fit_command(video_path, audio_path, mode, out_path, fmt):
    """Make the audio and the picture the same length, then re-check the output."""
    from lipgate.fit import fit

    result = fit(video_path, audio_path, mode, out_path)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        stretch = f", stretched {result.stretch_percent:+.2f}%" if result.stretch_percent is not None else ""
        verdict = "agree" if result.ok else "still differ"
        click.echo(f"{mode}{stretch}: audio minus picture {result.before_s:+.3f} s -> {result.after_s:+.3f} s; lengths {verdict}")
        click.echo(f"  output: {result.output}")
    raise SystemExit(0 if result.ok else 1)
