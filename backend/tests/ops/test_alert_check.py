"""`make alert-check`: backend/scripts/alert_check.sh against the production deployment.

Prometheus (the CI scrape config and the SynQc rules), Alertmanager (the CI config) and the
webhook sink watch 2 API and 2 worker processes whose simulator's T1 drifts down: a healthy
load test must deliver no alert, a monitor of a drifting qubit must deliver QubitDegraded, and
stopping Redis must deliver RedisDisconnected.
"""

import os
import subprocess
from pathlib import Path

import pytest

from tests.live_server import free_port
from tests.ops.ops_files import PYTHON, SCRIPTS, require_tool
from tests.ops.production_deployment import ProductionDeployment, production_deployment

type Result = subprocess.CompletedProcess[str]

pytestmark = pytest.mark.slow


def alert_check(deployment: ProductionDeployment, workdir: Path, **env: str) -> Result:
    """Run alert_check.sh against `deployment` with Prometheus, Alertmanager and sink on free
    ports; `env` overrides the defaults below."""
    settings = {
        "PYTHON": PYTHON,
        "SYNQC_BASE_URL": deployment.base_url,
        "SYNQC_METRICS_TARGETS": ",".join(deployment.metrics_targets),
        "LOAD_TEST_RUNS": "12",
        "LOAD_TEST_CONCURRENCY": "4",
        "LOAD_TEST_PRESET": "hello_quantum_sim",
        "PROMETHEUS_PORT": str(free_port()),
        "ALERTMANAGER_PORT": str(free_port()),
        "SINK_PORT": str(free_port()),
        "ALERT_CHECK_DIR": str(workdir),
        **env,
    }
    result = subprocess.run(
        ["bash", str(SCRIPTS / "alert_check.sh")],
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(result.stdout, result.stderr)
    return result


def test_healthy_load_alerts_nothing_and_a_lost_redis_is_delivered(tmp_path: Path) -> None:
    for tool, package in [
        ("prometheus", "prometheus"),
        ("promtool", "prometheus"),
        ("amtool", "prometheus-alertmanager"),
        ("prometheus-alertmanager", "prometheus-alertmanager"),
    ]:
        require_tool(tool, package)
    redis_cli = require_tool("redis-cli", "redis-tools")
    # T1 falls by a quarter a minute: past 30 % (degraded) about 72 s after the processes start,
    # before the monitor runs; Bell states of the load test still come out well.
    drifting = {"SYNQC_SIM_DRIFT_T1_PER_HOUR": "-15"}
    with production_deployment(tmp_path, drifting) as deployment:
        # The check can fail: a "stop" that leaves Redis up never delivers the alert.
        missed = alert_check(
            deployment,
            tmp_path / "missed",
            STOP_REDIS_COMMAND="true",
            LOAD_TEST_RUNS="4",
            ALERT_FOR="5s",
            ALERT_WAIT_S="15",
        )
        assert missed.returncode == 1, missed.stdout + missed.stderr
        assert "timed out waiting for RedisDisconnected at the sink" in missed.stderr

        result = alert_check(
            deployment,
            tmp_path / "alert-check",
            STOP_REDIS_COMMAND=f"{redis_cli} -p {deployment.redis.port} shutdown nosave",
            DRIFTING_TARGET="sim_local",
        )

        assert result.returncode == 0, result.stdout + result.stderr
        assert "healthy run: no alert fired, none delivered" in result.stdout
        assert "QubitDegraded delivered to the sink" in result.stdout
        assert "RedisDisconnected delivered to the sink" in result.stdout
        assert not deployment.redis.answers_ping()
        # Back up, so the workers' graceful stop does not wait on a missing broker.
        deployment.redis.stop()  # reaps the server redis-cli shut down
        deployment.redis.start()


def test_it_refuses_to_run_without_a_way_to_stop_redis() -> None:
    env = {k: v for k, v in os.environ.items() if k != "STOP_REDIS_COMMAND"}
    result = subprocess.run(
        ["bash", str(SCRIPTS / "alert_check.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "STOP_REDIS_COMMAND" in result.stderr
