"""Progress of long work on stderr: done / total, rate and ETA, redrawn in place.

Shown only when stderr is a terminal and the report is meant for people; nothing is printed for
work that ends within ``DELAY_S`` (a short run stays quiet).
"""

from __future__ import annotations

import sys
import time

DELAY_S = 2.0
"""Work shorter than this shows no progress line."""
REDRAW_INTERVAL_S = 0.25

HUMAN_FORMATS = ("text", "markdown", "html")


def progress_wanted(fmt: str, quiet: bool = False, stream=None) -> bool:
    """Progress goes to a terminal's stderr, and only when the report is for people."""
    stream = stream or sys.stderr
    return not quiet and fmt in HUMAN_FORMATS and hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """A callable ``(done, total)`` that draws ``label: done/total unit, rate, ETA`` on stderr."""

    def __init__(self, label: str, unit: str, stream=None, clock=time.monotonic):
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.last_drawn = None
        self.drawn = False

    def line(self, done: int, total: int | None) -> str:
        elapsed_s = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed_s
        text = f"{self.label}: {done}/{total} {self.unit}" if total else f"{self.label}: {done} {self.unit}"
        text += f", {rate:.1f} {self.unit}/s"
        if total and rate > 0 and done < total:
            text += f", ETA {eta_text((total - done) / rate)}"
        return text

    def __call__(self, done: int, total: int | None = None) -> None:
        now = self.clock()
        if now - self.started < DELAY_S:
            return
        if self.last_drawn is not None and now - self.last_drawn < REDRAW_INTERVAL_S and done != total:
            return
        self.last_drawn = now
        self.drawn = True
        self.stream.write("\r\x1b[K" + self.line(done, total))
        self.stream.flush()

    def close(self) -> None:
        """Clear the progress line (the report follows on stdout)."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def eta_text(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
