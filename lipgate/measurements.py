"""Measurements: what the analyzers measured from the media, before any judgement.

Series are per-frame (or per-window) numpy arrays on a shared time axis; values are scalars
and short JSON-able facts (durations, stream properties). Checks read them; the cache stores
them, so a threshold change re-judges without re-decoding.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Measurements:
    values: dict[str, Any] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def update(self, other: "Measurements") -> None:
        self.values.update(other.values)
        self.series.update(other.series)

    def to_bytes(self) -> bytes:
        """Serialise to an .npz blob (values as JSON in ``__values__``)."""
        buffer = io.BytesIO()
        arrays = {f"s_{name}": np.asarray(array) for name, array in self.series.items()}
        arrays["__values__"] = np.frombuffer(json.dumps(self.values).encode(), dtype=np.uint8)
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Measurements":
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            values = json.loads(bytes(data["__values__"]).decode())
            series = {name[2:]: data[name] for name in data.files if name.startswith("s_")}
        return cls(values, series)
