"""The `lipgate` command group. Exit codes: 0 pass, 1 fail, 2 could not judge."""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from lipgate import __version__
from lipgate.errors import LipgateError


COMMANDS = {
    "check": "lipgate.cli.check:check_command",
    "qa": "lipgate.cli.qa:qa_command",
    "trim": "lipgate.cli.trim:trim_command",
    "fit": "lipgate.cli.fit:fit_command",
    "submit": "lipgate.cli.submit:submit_command",
    "credits": "lipgate.cli.submit:credits_command",
    "config": "lipgate.cli.config:config_command",
}
"""Command name -> its click command, imported only when that command runs (start-up time)."""


class LipgateGroup(click.Group):
    """Loads commands lazily; turns every error into one line on stderr and exit 2 (a traceback
    only with --debug)."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except LipgateError as error:
            if ctx.params.get("debug"):
                traceback.print_exc()
            click.echo(f"lipgate: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("lipgate: interrupted", err=True)
            ctx.exit(130)
        except Exception as error:  # an unforeseen failure still ends in one line, exit 2
            if ctx.params.get("debug"):
                traceback.print_exc()
            else:
                click.echo(f"lipgate: internal error: {type(error).__name__}: {error} (run with --debug for details)", err=True)
            ctx.exit(2)


@click.group(cls=LipgateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lipgate")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def lipgate(debug: bool) -> None:
    """Preflight lint and post-render QA for AI lip-sync."""


def silence_native_stderr() -> None:
    """Send what native libraries (MediaPipe's C++ logging) write to file descriptor 2 to
    /dev/null, while Python's ``sys.stderr`` keeps the real stderr: lipgate's own messages,
    one line per error, are all a user sees."""
    import io
    import os

    try:
        real = os.dup(2)
    except OSError:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = io.TextIOWrapper(os.fdopen(real, "wb", buffering=0), encoding="utf-8", errors="replace",
                                  line_buffering=True, write_through=True)


def main() -> None:
    if "--debug" not in sys.argv[1:]:
        silence_native_stderr()
    try:
        lipgate.main(prog_name="lipgate", standalone_mode=True)
    except SystemExit as done:
        sys.exit(done.code)
