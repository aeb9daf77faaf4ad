"""Options and output shared by the commands."""

from __future__ import annotations

import os
import sys

import click

from lipgate.formats import FORMAT_MODULES, render, write
from lipgate.profiles import PROFILES

format_option = click.option("--format", "fmt", type=click.Choice(sorted(FORMAT_MODULES)), default="text", show_default=True,
                             help="Report format.")
output_option = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE (stdout otherwise).")
config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str), help="A lipgate.toml (or pyproject.toml) with thresholds.")
profile_option = click.option("--profile", type=click.Choice(sorted(PROFILES)),
                              help="Apply a service's input limits (see `lipgate config --profiles`).")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print the verdict line only.")


def batch_options(command):
    """--jobs, --executor, --scheduler, --no-cache: how many inputs are measured, and where."""
    for option in reversed((
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of cores)."),
        click.option("--executor", type=click.Choice(["process", "dask"]), default="process", show_default=True,
                     help="Run the batch in local processes or on a Dask cluster (a LocalCluster unless --scheduler)."),
        click.option("--scheduler", metavar="ADDRESS", help="A Dask scheduler address (tcp://host:8786); implies --executor dask."),
        click.option("--no-cache", is_flag=True, help="Measure again, ignoring and not updating the results cache."),
    )):
        command = option(command)
    return command


def use_color(output: str | None) -> bool:
    """ANSI colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def emit_report(report, fmt: str, output: str | None, quiet: bool = False, page_options: dict | None = None) -> None:
    """The report to -o FILE (atomically) or stdout; with --quiet, stdout gets the verdict line only.
    ``page_options`` go to the HTML pages (``embed``)."""
    if output:
        write(report, fmt, output, page_options)
    if quiet:
        from lipgate.formats.text import verdict_line

        click.echo(verdict_line(report, color=use_color(None)))
    elif not output:
        click.echo(render(report, fmt, color=use_color(output)), nl=False)


COMMAND_MODULES = {"check": "lipgate.preflight.runner", "qa": "lipgate.qa.runner"}
"""Command -> the module with the batch interface (``lipgate.batch``)."""


def run_inputs(command: str, inputs: list[str], options: dict, config, fmt: str, output: str | None, quiet: bool,
               jobs: int | None, executor: str, scheduler: str | None, no_cache: bool, page_options: dict | None = None) -> None:
    """The body of a command that judges inputs (`check`, and `qa` once it plugs into
    ``COMMAND_MODULES``): one input gives its own report, several (or a folder, a
    glob) one batch report; progress on a terminal; the report emitted; exit with its code."""
    from lipgate.batch import command_module, is_batch, measure_cached, run_batch
    from lipgate.progress import Progress, progress_wanted

    show_progress = progress_wanted(fmt, quiet)
    label, command = command, COMMAND_MODULES[command]
    if is_batch(inputs):
        progress = Progress(label, "inputs") if show_progress else None
        report = run_batch(command, inputs, options, config, jobs=jobs, executor=executor, scheduler=scheduler,
                           use_cache=not no_cache, progress=progress)
    else:
        progress = Progress(f"{label} {inputs[0]}", "frames") if show_progress else None
        measured, _ = measure_cached(command, inputs[0], options, use_cache=not no_cache, progress=progress)
        report = command_module(command).judge_input(inputs[0], options, measured, config)
    if progress is not None:
        progress.close()
    emit_report(report, fmt, output, quiet, page_options)
    raise SystemExit(report.exit_code)
