"""Errors that end a run with exit code 2 ("could not judge"), each naming the file at fault."""

from __future__ import annotations

from pathlib import Path


class LipgateError(Exception):
    """Could not judge. The message is one line for stderr; exit code 2."""

    exit_code = 2


class InputError(LipgateError):
    """An input file is missing, empty, truncated, mislabeled or unsupported."""

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnjudgeableInput(InputError):
    """The input is readable, but what a judgement needs is not in it (no face to see lips on,
    no speech to sync them to): the contract's "could not judge", never a pass or a fail."""


class MissingProgramError(LipgateError):
    """An external program (ffmpeg, ffprobe) is not on PATH."""

    def __init__(self, program: str):
        self.program = program
        super().__init__(
            f"{program} not found on PATH: install it (Debian: apt-get install ffmpeg)"
        )


class UsageError(LipgateError):
    """The command line or configuration asks for something that cannot be done."""
