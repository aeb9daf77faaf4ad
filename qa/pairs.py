"""Batches of `qa --source`: which render goes with which source and target speech.

The rule: a CSV file (``--pairs FILE``) with a header naming the columns ``render``, ``source``
and, optionally, ``audio`` (the target speech); one row per render; paths relative to the CSV's
folder. ``qa RENDERED... --source SOURCE [--audio TARGET]`` compares every render given with the
one source (several language versions of one upload, for example).
"""

from __future__ import annotations

import csv
from pathlib import Path

from lipgate.errors import UsageError

COLUMNS = ("render", "source", "audio")


def read_pairs(path: str | Path) -> dict[str, tuple[str, str | None]]:
    """render -> (source, audio or None), in the file's order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the pairs file ({error.__class__.__name__})") from None
    rows = list(csv.DictReader(text.splitlines()))
    header = [name.strip().lower() for name in (csv.DictReader(text.splitlines()).fieldnames or [])]
    if "render" not in header or "source" not in header:
        raise UsageError(f"{path}: the pairs file needs a header with the columns render,source[,audio]")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise UsageError(f"{path}: unknown column(s) {', '.join(unknown)} (expected render,source[,audio])")
    pairs: dict[str, tuple[str, str | None]] = {}
    for number, row in enumerate(rows, start=2):
        row = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
        if not row.get("render") or not row.get("source"):
            raise UsageError(f"{path}: line {number} needs a render and a source")
        resolve = lambda name: str(path.parent / name) if not Path(name).is_absolute() else name  # noqa: E731
        pairs[resolve(row["render"])] = (resolve(row["source"]), resolve(row["audio"]) if row.get("audio") else None)
    if not pairs:
        raise UsageError(f"{path}: the pairs file lists no render")
    return pairs
