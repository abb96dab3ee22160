"""Figures the hardening tests measure, for `bench/hardening_report.py`.

With `SYNQC_HARDENING_FIGURES=<file>` set, each `record()` appends one JSON line to the file;
without it nothing is written. The report sums the lines by name.
"""

import json
import os
from pathlib import Path

FIGURES_FILE = "SYNQC_HARDENING_FIGURES"


def record(name: str, value: int, **labels: str) -> None:
    """Add `value` to the figure `name` (e.g. `fuzz_cases`, deployment="embedded")."""
    path = os.environ.get(FIGURES_FILE)
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"name": name, "value": value, **labels}) + "\n")
