"""The results cache's key covers every module whose code changes what is measured."""

from __future__ import annotations

import subprocess
import sys

import pytest

# lipgate modules the measuring code imports that only hold data types, settings or errors: a
# change to them does not change a measured number
NOT_MEASURING = {"lipgate", "lipgate.cache", "lipgate.config", "lipgate.errors", "lipgate.measurements", "lipgate.output",
                 "lipgate.results", "lipgate.profiles", "lipgate.preflight", "lipgate.qa",
                 "lipgate.fit", "lipgate.edit"}  # fit's stretch limit is named by a judge
JUDGING = ("lipgate.preflight.checks", "lipgate.qa.checks", "lipgate.qa.judge", "lipgate.qa.report", "lipgate.qa.settings",
           "lipgate.qa.runner")
"""Packages that judge measurements: a change there re-judges from the cache, it measures nothing."""


CHECK_MEASURING = "lipgate.preflight.measure, lipgate.preflight.analyzers.audio, lipgate.preflight.analyzers.face, lipgate.preflight.analyzers.light"


@pytest.mark.parametrize("runner, entry", [("lipgate.preflight.runner", CHECK_MEASURING), ("lipgate.qa.runner", "lipgate.qa.runner")])
def test_fingerprint_covers_the_imported_measuring_code(runner, entry):
    code = (f"import sys, {entry}, {runner} as r; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('lipgate')))); "
            "print(' '.join(r.MEASURING_MODULES))")
    loaded, covered = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                     check=True).stdout.splitlines()
    covered = covered.split()
    missing = [name for name in loaded.split() if name not in NOT_MEASURING
               and not any(name == prefix or name.startswith(prefix + ".") for prefix in (*covered, *JUDGING))]
    assert missing == []
