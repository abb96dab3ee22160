"""Figures the hardening tests measure, for `bench/hardening_report.py`, and how runs are
followed to their end while a fault is on.

With `SYNQC_HARDENING_FIGURES=<file>` set, each `record()` appends one JSON line to the file;
without it nothing is written. The report sums the lines by name.
"""

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FIGURES_FILE = "SYNQC_HARDENING_FIGURES"


def record(name: str, value: int, **labels: str) -> None:
    """Add `value` to the figure `name` (e.g. `fuzz_cases`, deployment="embedded")."""
    path = os.environ.get(FIGURES_FILE)
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"name": name, "value": value, **labels}) + "\n")


FINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})


def settle(client: Any, run_ids: Sequence[str], timeout_s: float = 60.0) -> list[dict[str, Any]]:
    """Poll the runs (`GET /runs/{id}` on a TestClient or httpx client) until each is final or
    `timeout_s` passes; their last states, `{"status": "missing"}` for a run the API lost."""
    deadline = time.monotonic() + timeout_s
    while True:
        runs = [_state(client, run_id) for run_id in run_ids]
        if all(run["status"] in FINAL_STATES for run in runs) or time.monotonic() > deadline:
            return runs
        time.sleep(0.05)


def record_fault(fault: str, runs: Sequence[dict[str, Any]], survived: bool) -> int:
    """Record one injected fault, whether the service survived it, and the runs it lost
    (accepted runs not final or gone). Returns the number lost."""
    lost = sum(1 for run in runs if run["status"] not in FINAL_STATES)
    record("faults_injected", 1, fault=fault)
    record("faults_survived", int(survived and lost == 0), fault=fault)
    record("runs_accepted", len(runs), fault=fault)
    record("runs_lost", lost, fault=fault)
    return lost


def _state(client: Any, run_id: str) -> dict[str, Any]:
    response = client.get(f"/runs/{run_id}")
    if response.status_code != 200:
        return {"id": run_id, "status": "missing"}
    body: dict[str, Any] = response.json()
    return body
