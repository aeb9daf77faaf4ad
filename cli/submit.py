"""``lipgate submit`` and ``lipgate credits``: the upload gate and the lip-sync service's balance.

Exit codes of ``submit``: 0 rendered and QA passed; 1 preflight failed (nothing uploaded) or QA
flagged the render; 2 the service refused or could not be reached, or the input could not be
used; one line on stderr says which (a traceback only with ``--debug``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable, Mapping

import click

from lipgate.submit import errors
from lipgate.submit.batch import BatchFileError, batch_exit_code, read_batch, run_batch
from lipgate.submit.client import ServiceClient
from lipgate.submit.flow import DEFAULT_POLL_S, Report, SubmitFlow

INTERRUPTED_EXIT = 130
REFUSALS = (errors.NoCredits, errors.PlanBlocked, errors.UnsupportedFile, errors.FileTooLarge,
            errors.RateLimited, errors.AuthError, errors.InsecureTransport)


def run_preflight(video: Path, audio: Path) -> Report:
    """lipgate's own ``check`` on the video (or still) with the target audio."""
    from lipgate.preflight.runner import run_check
    return run_check(video, audio_path=audio)


def run_render_qa(path: Path, source: Path, audio: Path) -> Report:
    """lipgate's own ``qa --source`` on the downloaded render: against the source and the target
    speech that were uploaded."""
    from lipgate.qa.runner import run_qa
    return run_qa(path, source=source, audio=audio)


def poll_seconds(env: Mapping[str, str]) -> float:
    """``LIPGATE_POLL_S`` as seconds (default 30); a usage error when not a positive number."""
    raw = env.get("LIPGATE_POLL_S")
    if not raw:
        return DEFAULT_POLL_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise click.UsageError(f"LIPGATE_POLL_S must be a positive number of seconds, got {raw!r}")
    return value


def build_flow(out_dir: Path, *, env: Mapping[str, str] = os.environ,
               preflight: Callable[[Path, Path], Report] = run_preflight,
               qa: Callable[[Path, Path, Path], Report] = run_render_qa, **client_options) -> SubmitFlow:
    """A :class:`SubmitFlow` configured from the environment (see ``docs/submit.md``)."""
    client = ServiceClient.from_env(env, **client_options)
    return SubmitFlow(client, preflight=preflight, qa=qa, out_dir=out_dir,
                      poll_s=poll_seconds(env))


def describe(error: errors.ServiceError) -> str:
    if isinstance(error, errors.ServiceUnreachable):
        return f"service unreachable: {error}"
    if isinstance(error, REFUSALS):
        return f"service refused: {error}"
    return f"service error: {error}"


def _fail(command: str, message: str, code: int = 2) -> None:
    click.echo(f"lipgate {command}: {message}", err=True)
    sys.exit(code)


def _require_file(path: Path, what: str) -> None:
    if not path.is_file() or not os.access(path, os.R_OK):
        _fail("submit", f"error: cannot read {what} {path}")


@click.command("submit")
@click.argument("input_path", metavar="INPUT", required=False, type=click.Path(path_type=Path))
@click.option("--audio", type=click.Path(path_type=Path), help="Target speech (mp3 wav m4a aac, "
              "or a video whose audio track is used).")
@click.option("--language", default="en", show_default=True,
              help="Language of the session; per-row column in --batch files.")
@click.option("-o", "--output-dir", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the render, its QA report and the batch ledger.")
@click.option("--force", is_flag=True, help="Upload even when preflight fails (says so loudly).")
@click.option("--batch", "batch_file", type=click.Path(path_type=Path),
              help="CSV or JSON list of video,audio,language; submitted one after another, "
                   "resumable.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def submit_command(input_path: Path | None, audio: Path | None, language: str, out_dir: Path,
                   force: bool, batch_file: Path | None, debug: bool) -> None:
    """Check INPUT, upload it with AUDIO to the lip-sync service, download the render, QA it."""
    if batch_file is not None and (input_path is not None or audio is not None):
        raise click.UsageError("give either INPUT --audio AUDIO or --batch FILE, not both")
    if batch_file is None and (input_path is None or audio is None):
        raise click.UsageError("INPUT and --audio AUDIO are required (or --batch FILE)")
    try:
        if batch_file is not None:
            items = read_batch(batch_file, language)
        else:
            _require_file(input_path, "input")
            _require_file(audio, "audio")
        flow = build_flow(out_dir)
        with flow.client:
            if batch_file is not None:
                sys.exit(_submit_batch(flow, items, force))
            sys.exit(_submit_one(flow, input_path, audio, language, force))
    except errors.ServiceError as error:
        if debug:
            raise
        _fail("submit", describe(error))
    except BatchFileError as error:
        _fail("submit", f"error: {error}")
    except click.ClickException:
        raise
    except Exception as error:  # preflight/QA could not judge the media
        if debug:
            raise
        _fail("submit", f"error: {' '.join(str(error).split()) or type(error).__name__}")


def _submit_one(flow: SubmitFlow, video: Path, audio: Path, language: str, force: bool) -> int:
    result = flow.run(video, audio, language=language, force=force)
    if result.state == "preflight_failed":
        return 1
    click.echo(f"rendered: {result.output}")
    unjudged = getattr(result.qa, "unjudged_reason", None)
    if unjudged:
        click.echo(f"qa: could not judge the render: {unjudged}")
    else:
        click.echo(f"qa: {result.qa.verdict} (report {result.qa_report_path})")
    if result.state == "qa_flagged":
        click.echo("lipgate submit: QA flagged the render; see the report for the segments to "
                   "re-render", err=True)
        return 1
    return 0


def _submit_batch(flow: SubmitFlow, items, force: bool) -> int:
    try:
        reports = run_batch(flow, items, force=force)
    except KeyboardInterrupt:
        click.echo("lipgate submit: interrupted; run the same command again to resume the batch "
                   "(finished items are not uploaded again)", err=True)
        return INTERRUPTED_EXIT
    width = max(len(report.state) for report in reports)
    for report in reports:
        where = f" -> {report.output}" if report.output else ""
        note = f": {report.detail}" if report.detail else ""
        earlier = " (earlier run)" if report.earlier else ""
        click.echo(f"{report.state:<{width}}  {report.item.label()}{where}{earlier}{note}")
    return batch_exit_code(reports)


@click.command("credits")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def credits_command(output_format: str, debug: bool) -> None:
    """Show the lip-sync service's credit balance: available, frozen, total."""
    try:
        with ServiceClient.from_env() as client:
            balance = client.credits()
    except errors.ServiceError as error:
        if debug:
            raise
        _fail("credits", describe(error))
    if output_format == "json":
        click.echo(json.dumps(balance))
    else:
        for name in ("available", "frozen", "total"):
            click.echo(f"{name}: {balance[name]:g}")
