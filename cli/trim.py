"""`lipgate trim INPUT [--audio AUDIO] -o OUT`: cut the silence before and after the speech."""

from __future__ import annotations

import json

import click

from lipgate.trim import DEFAULT_MARGIN_S


@click.command("trim")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=str))
@click.option("--audio", "audio_path", type=click.Path(dir_okay=False, path_type=str), help="Target speech, trimmed to the same span.")
@click.option("-o", "--output", "out_path", required=True, type=click.Path(dir_okay=False, path_type=str), help="Trimmed copy of INPUT (same kind of file).")
@click.option("--audio-out", type=click.Path(dir_okay=False, path_type=str), help="Trimmed AUDIO (default: OUT's name + .audio + AUDIO's extension).")
@click.option("--margin", type=click.FloatRange(min=0.0), default=DEFAULT_MARGIN_S, show_default=True, help="Seconds kept before and after the speech.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def trim_command(input_path, audio_path, out_path, audio_out, margin, fmt):
    """Cut leading and trailing silence, picture and sound at the same instants."""
    from lipgate.trim import trim

    result = trim(input_path, out_path, audio_path, audio_out, margin)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(f"kept {result.start:.3f} s to {result.end:.3f} s ({result.end - result.start:.2f} s)")
        for kind, path in result.outputs.items():
            if path:
                click.echo(f"  {kind}: {path}")
