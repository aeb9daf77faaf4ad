"""JSON: the contract's machine-readable report."""

from __future__ import annotations

import json


def render(report) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"
