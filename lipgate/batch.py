"""Many inputs in one run: expand files, folders and globs; measure each input in a worker
(process pool, or a Dask cluster), through the results cache; judge in this process; one report.

A command plugs in with a module, named by its dotted path (``command``), that provides
``COMMAND``, ``INPUT_EXTENSIONS`` (what a folder contributes), ``MEASUREMENT_SETTINGS``,
``input_files(path, options)``, ``measure_input(path, options, progress=None) -> Measurements`` and
``judge_input(path, options, measured, config) -> report`` (see ``lipgate.preflight.runner``).
The layer above (``lipgate.cli``, ``lipgate.api``) names the module, so this core module never
imports the commands. Workers only measure: they return ``Measurements.to_bytes()``, so the
configuration never travels and a threshold change re-judges from the cache.
"""

from __future__ import annotations

import glob
import importlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lipgate.cache import ResultsCache, cache_key
from lipgate.errors import LipgateError, UsageError
from lipgate.measurements import Measurements
from lipgate.media import require_program
from lipgate.results import worst_verdict

EXECUTORS = ("process", "dask")
GLOB_CHARACTERS = set("*?[")


@dataclass
class InputFailure:
    """An input that could not be judged, with its one-line reason."""

    input: str
    error: str
    elapsed_s: float = 0.0
    verdict = None
    exit_code = 2

    def to_dict(self) -> dict:
        return {"input": self.input, "error": self.error}


@dataclass
class BatchReport:
    reports: list[Any] = field(default_factory=list)
    """One report per input in input order: the command's report, or an ``InputFailure``."""

    schema = "lipgate/batch/v1"

    @property
    def verdict(self) -> str:
        return worst_verdict(report.verdict for report in self.reports if report.verdict)

    @property
    def exit_code(self) -> int:
        """2 if any input could not be judged, else 1 if any failed, else 0."""
        return max((report.exit_code for report in self.reports), default=0)

    def to_dict(self) -> dict:
        return {"schema": self.schema, "verdict": self.verdict, "reports": [report.to_dict() for report in self.reports]}


def is_batch(arguments: list[str]) -> bool:
    """Several arguments, a folder or a glob make a batch; one file keeps the single report."""
    return len(arguments) != 1 or Path(arguments[0]).is_dir() or _is_glob(arguments[0])


def _is_glob(argument: str) -> bool:
    return bool(GLOB_CHARACTERS & set(argument)) and not Path(argument).exists()


def expand_inputs(arguments: list[str], command: str) -> tuple[list[str], list[InputFailure]]:
    """Files, folders (searched recursively, by extension) and globs -> input files in order,
    without repeats; a glob that matches nothing or an empty folder is a failure entry."""
    extensions = command_module(command).INPUT_EXTENSIONS
    found, failures = [], []
    for argument in arguments:
        if Path(argument).is_dir():
            matches = sorted(str(p) for p in Path(argument).rglob("*") if p.is_file() and p.suffix.lower() in extensions)
            if not matches:
                failures.append(InputFailure(argument, f"{argument}: folder holds no {'/'.join(sorted(e[1:] for e in extensions))} file"))
        elif _is_glob(argument):
            matches = sorted(p for p in glob.glob(argument, recursive=True) if Path(p).is_file())
            if not matches:
                failures.append(InputFailure(argument, f"{argument}: no file matches"))
        else:
            matches = [argument]  # a missing file is reported by its measurement, in its place
        found.extend(matches)
    return list(dict.fromkeys(found)), failures


def command_module(command: str):
    """The module with the batch interface, from its dotted path."""
    return importlib.import_module(command)


def measure_cached(command: str, input_path: str, options: dict, use_cache: bool = True, progress=None) -> tuple[Measurements, bool]:
    """The input's measurements from the cache, else measured (and stored). Returns (measured, hit)."""
    module = command_module(command)
    for program in ("ffprobe", "ffmpeg"):
        require_program(program)  # the same answer with or without a cache hit: lipgate needs them
    cache = ResultsCache() if use_cache else None
    key = None
    if cache is not None:
        key = cache_key(module.COMMAND, module.MEASUREMENT_SETTINGS, module.input_files(input_path, options))
        cached = cache.get(key)
        if cached is not None:
            return cached, True
    measured = module.measure_input(input_path, options, progress=progress)
    if cache is not None:
        cache.put(key, measured)
    return measured, False


def measure_in_worker(command: str, input_path: str, options: dict, use_cache: bool) -> dict:
    """Worker entry point (picklable): measurements as bytes, or the one-line error."""
    started = time.perf_counter()
    try:
        measured, _ = measure_cached(command, input_path, options, use_cache)
        return {"measured": measured.to_bytes(), "elapsed_s": time.perf_counter() - started}
    except LipgateError as error:
        return {"error": str(error), "elapsed_s": time.perf_counter() - started}
    except Exception as error:  # one broken input never stops the batch
        return {"error": f"{input_path}: internal error: {type(error).__name__}: {error}", "elapsed_s": time.perf_counter() - started}


def run_batch(command: str, arguments: list[str], options: dict, config=None, jobs: int | None = None,
              executor: str = "process", scheduler: str | None = None, use_cache: bool = True, progress=None) -> BatchReport:
    """Measure every input (in parallel), judge each under ``config``; one report, input order kept."""
    paths, failures = expand_inputs(arguments, command)
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    outcomes = _measure_all(command, paths, options, jobs, executor, scheduler, use_cache, progress)
    module = command_module(command)
    reports: list[Any] = list(failures)
    for path, outcome in zip(paths, outcomes):
        if "error" in outcome:
            reports.append(InputFailure(path, outcome["error"], outcome["elapsed_s"]))
            continue
        try:
            report = module.judge_input(path, options, Measurements.from_bytes(outcome["measured"]), config)
        except LipgateError as error:
            reports.append(InputFailure(path, str(error), outcome["elapsed_s"]))
            continue
        report.elapsed_s = outcome["elapsed_s"]
        reports.append(report)
    return BatchReport(reports=reports)


def _measure_all(command, paths, options, jobs, executor, scheduler, use_cache, progress) -> list[dict]:
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor '{executor}' (one of {', '.join(EXECUTORS)})")
    if executor == "dask" or scheduler is not None:
        return _measure_on_dask(command, paths, options, jobs, scheduler, use_cache, progress)
    if jobs == 1 or len(paths) <= 1:
        outcomes = []
        for done, path in enumerate(paths, start=1):
            outcomes.append(measure_in_worker(command, path, options, use_cache))
            if progress is not None:
                progress(done, len(paths))
        return outcomes
    return _measure_in_processes(command, paths, options, jobs, use_cache, progress)


def one_thread_per_worker() -> None:
    """Several worker processes share the cores: each keeps its ffmpeg decodes to one thread, so
    they do not oversubscribe the machine (jobs already use every core). OpenCV is on one thread
    in every process (``lipgate.media``)."""
    from lipgate.media import use_one_decoder_thread

    use_one_decoder_thread()


def _measure_in_processes(command, paths, options, jobs, use_cache, progress) -> list[dict]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork: workers start with the measuring code already imported, once, here (the parent holds
    # no MediaPipe graph, so nothing that cannot be forked)
    for name in getattr(command_module(command), "MEASURING_MODULES", ()):
        importlib.import_module(name)
    context = multiprocessing.get_context("fork")
    outcomes: list[dict | None] = [None] * len(paths)
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context, initializer=one_thread_per_worker) as pool:
        futures = {pool.submit(measure_in_worker, command, path, options, use_cache): index for index, path in enumerate(paths)}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            try:
                outcomes[index] = future.result()
            except Exception as error:  # a worker that died (out of memory, killed)
                outcomes[index] = {"error": f"{paths[index]}: worker failed: {type(error).__name__}: {error}", "elapsed_s": 0.0}
            if progress is not None:
                progress(done, len(paths))
    return outcomes


def _measure_on_dask(command, paths, options, jobs, scheduler, use_cache, progress) -> list[dict]:
    """The same per-input work on a Dask cluster: ``scheduler`` (an address such as
    tcp://host:8786), else a LocalCluster of ``jobs`` single-threaded worker processes."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError("--executor dask needs dask.distributed: pip install 'lipgate[dask]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            if cluster is not None and jobs > 1:  # local workers share this machine's cores
                client.run(one_thread_per_worker)
            futures = [client.submit(measure_in_worker, command, path, options, use_cache, pure=False) for path in paths]
            index_of = {future.key: index for index, future in enumerate(futures)}
            outcomes: list[dict | None] = [None] * len(paths)
            for done, future in enumerate(as_completed(futures), start=1):
                index = index_of[future.key]
                try:
                    outcomes[index] = future.result()
                except Exception as error:
                    outcomes[index] = {"error": f"{paths[index]}: dask worker failed: {type(error).__name__}: {error}", "elapsed_s": 0.0}
                if progress is not None:
                    progress(done, len(paths))
            return outcomes
    except OSError as error:
        raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
    finally:
        if cluster is not None:
            cluster.close()
