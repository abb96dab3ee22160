"""A monitor every 10 s on a simulator whose T1 falls 25 % a minute, end to end in real time:
the history fills, the qubit turns degraded and the T1 gauge shows the fall. (QubitDegraded
reaching Alertmanager's webhook is checked live in tests/ops/test_alert_check.py.)"""

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.metrics_core import Metric

from synqc_backend.http.app import create_app
from synqc_backend.metrics import CollectorSources, SharedStateCollector
from tests.conftest import make_settings, services_of

pytestmark = pytest.mark.slow

DEADLINE_S = 180.0
POINTS = 6


def t1_gauge(collector: SharedStateCollector) -> float | None:
    families: list[Metric] = list(collector.collect())
    for family in families:
        if family.name == "synqc_qubit_t1_seconds":
            for sample in family.samples:
                if sample.labels == {"target": "sim_local", "qubit": "0"}:
                    return float(sample.value)
    return None


def test_a_drifting_qubit_is_seen_falling_and_turns_degraded(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, sim_drift_t1_per_hour=-15.0, sim_drift_start=time.time())
    with TestClient(create_app(settings)) as client:
        services = services_of(client)
        collector = SharedStateCollector(
            CollectorSources(services.database, services.budget, services.queue, services.metrics)
        )
        monitor = client.post(
            "/monitors", json={"qubits": [0], "every": "PT10S", "shot_budget": 2_048}
        ).json()
        gauges: list[float] = []
        points: list[dict[str, float]] = []
        reasons: list[str]
        status, reasons = "ok", []
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and (len(points) < POINTS or not t1_fell(reasons)):
            time.sleep(1.0)
            points = client.get("/hardware/targets/sim_local/qubits/0/history").json()["points"]
            gauge = t1_gauge(collector) if points else None
            if gauge is not None and (not gauges or gauge != gauges[-1]):
                gauges.append(gauge)
            states = client.get("/hardware/targets/sim_local/qubits").json()["qubits"]
            if states:
                status, reasons = states[0]["status"], states[0]["status_reasons"]

        runs = client.get("/runs").json()["runs"]

    assert len(points) >= POINTS, points
    assert status == "degraded"
    assert t1_fell(reasons), reasons
    assert all(run["monitor_id"] == monitor["id"] for run in runs)
    # The gauge follows each new T1, and its last reading is well below its first.
    assert len(gauges) >= POINTS - 1
    assert gauges[-1] < 0.8 * gauges[0]
    assert points[-1]["value"] < 0.8 * points[0]["value"]


def t1_fell(reasons: list[str]) -> bool:
    """Degraded because T1 fell over 30 % below what the target reports (not a bad fit)."""
    return any(reason.startswith("T1 ") and "below the reported" in reason for reason in reasons)
