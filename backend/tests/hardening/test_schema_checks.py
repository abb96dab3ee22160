"""Every Schemathesis check against a live `synqc serve` with an API key: the served schema
states every rule the server enforces.

The production deployment (`synqc serve` and a `synqc worker` on Redis and PostgreSQL): runs
execute in the worker process, off the API's, and PostgreSQL is the stricter store.

`schemathesis run --checks all` runs its coverage, fuzzing and stateful phases with at least
`EXAMPLES` cases per operation and every check it has (a schema-valid request is accepted, a
schema-violating one refused, the key is enforced, a created run can be read, …) plus the
contract's own (`contract_checks.py`). A failure shows Schemathesis' report: each finding with
the request that reproduces it and the seed of the run.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from synqc_backend.presets.registry import PRESETS
from tests.hardening.deployments import API_KEY, Deployment, deployment

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")
CONTRACT_CHECKS = Path(__file__).with_name("contract_checks.py")
# Per operation; `SYNQC_SCHEMA_EXAMPLES` raises it for a longer hunt.
EXAMPLES = int(os.environ.get("SYNQC_SCHEMA_EXAMPLES", "100"))
SERVER_ENV = {
    # Accepted runs really execute, one at a time (one worker thread): as few shots as every
    # preset can run with.
    "SYNQC_MAX_SHOTS_PER_EXPERIMENT": str(max(p.min_shot_budget for p in PRESETS.values())),
    # The session budget and the active-run cap depend on what earlier requests spent: wide,
    # so that schema-valid requests are accepted rather than refused for the session's state.
    "SYNQC_MAX_SHOTS_PER_SESSION": "1000000000",
    "SYNQC_MAX_ACTIVE_RUNS_PER_SESSION": "100000",
    # The v0.1 route answers 202 at once: a run queued behind the others would not finish in
    # a short wait anyway (the older fuzz test sees its 200s).
    "SYNQC_LEGACY_RUN_WAIT_SECONDS": "0",
    # One client at one address; the limiter has tests of its own.
    "SYNQC_RATE_LIMIT_PER_MINUTE": "0",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("schema-checks")
    with deployment("production", workdir, SERVER_ENV) as running:
        yield running


def test_every_schemathesis_check_passes_against_the_served_schema(
    server: Deployment, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        f"--config-file={CONFIG}",
        "run",
        f"{server.server.base_url}/openapi.json",
        "--checks=all",
        f"--max-examples={EXAMPLES}",
        "--workers=1",
        f"--header=X-Api-Key: {API_KEY}",
        "--report=json",
        f"--report-json-path={report}",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(CONTRACT_CHECKS)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)

    assert result.returncode == 0, f"{result.stdout[-30_000:]}\n{result.stderr[-5_000:]}"
    summary = json.loads(report.read_text())
    operations = summary["operations"]
    assert operations["tested"] == operations["total"] > 0, operations
    phases = {name: phase["status"] for name, phase in summary["phases"].items()}
    assert {phases[name] for name in ("coverage", "fuzzing", "stateful")} == {"success"}, phases
