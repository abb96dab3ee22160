"""`/health`, `/hardware/targets` and `/physics/definitions`: what operators read first."""

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend import __version__
from synqc_backend.config import Settings
from synqc_backend.http.app import create_app
from synqc_backend.presets.registry import PRESETS
from tests.conftest import make_settings, wait_finished

HELLO = "hello_quantum_sim"
HEALTH_FIELDS = {
    "status",
    "version",
    "server_time",
    "env",
    "max_shots_per_experiment",
    "max_shots_per_session",
    "default_shot_budget",
    "hardware_shot_warning",
    "allow_remote_hardware",
    "require_api_key",
    "presets",
    "visible_target_count",
    "control_profile",
    "budget_tracker",
    "queue",
    "persistence",
}
QUEUE_FIELDS = {
    "backend",
    "total",
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
    "oldest_queued_age_s",
    "max_workers",
    "failures_by_target",
}
QUEUE_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
TARGET_IDS = {
    "sim_local",
    "aws_braket",
    "ibm_quantum",
    "azure_quantum",
    "ionq_cloud",
    "rigetti_forest",
}


def health_of(client: TestClient) -> dict[str, Any]:
    response = client.get("/health")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def queue_counts(client: TestClient) -> dict[str, int]:
    queue = health_of(client)["queue"]
    return {state: queue[state] for state in (*QUEUE_STATES, "total")}


@pytest.mark.parametrize("path", ["/health", "/api/health"])
def test_health_has_the_contract_shape(client: TestClient, settings: Settings, path: str) -> None:
    health = client.get(path).json()

    assert set(health) == HEALTH_FIELDS
    assert health["status"] == "ok"
    assert health["version"] == __version__
    assert health["env"] == "dev"
    assert (
        health["max_shots_per_experiment"],
        health["max_shots_per_session"],
        health["default_shot_budget"],
        health["hardware_shot_warning"],
    ) == (200_000, 1_000_000, 2048, 20_000)
    assert health["allow_remote_hardware"] is True
    assert health["require_api_key"] is False
    assert health["presets"] == [name.value for name in PRESETS]
    assert HELLO in health["presets"]
    assert health["visible_target_count"] == len(TARGET_IDS)
    assert health["control_profile"] == client.get("/controls/profile").json()
    assert health["budget_tracker"] == {
        "backend": "memory",
        "redis_connected": False,
        "redis_ok": False,
        "session_keys": 0,
        "session_ttl_seconds": settings.session_budget_ttl_seconds,
    }
    assert set(health["queue"]) == QUEUE_FIELDS
    assert health["queue"]["max_workers"] == settings.worker_concurrency
    assert health["persistence"] == {"backend": "sqlite", "ok": True}


def test_server_time_is_iso_8601_utc_and_current(client: TestClient) -> None:
    server_time = datetime.fromisoformat(health_of(client)["server_time"])
    assert server_time.utcoffset() == timedelta(0)
    assert abs(server_time.timestamp() - time.time()) < 60


def test_health_follows_the_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        max_shots_per_experiment=5_000,
        max_shots_per_session=9_000,
        default_shot_budget=100,
        allow_remote_hardware=False,
        session_budget_ttl_seconds=120,
        worker_concurrency=3,
    )
    with TestClient(create_app(settings)) as client:
        health = health_of(client)
    assert (
        health["max_shots_per_experiment"],
        health["max_shots_per_session"],
        health["default_shot_budget"],
        health["allow_remote_hardware"],
        health["budget_tracker"]["session_ttl_seconds"],
        health["queue"]["max_workers"],
    ) == (5_000, 9_000, 100, False, 120, 3)


def test_queue_counts_follow_finished_runs(client: TestClient) -> None:
    assert queue_counts(client) == dict.fromkeys((*QUEUE_STATES, "total"), 0)

    for _ in range(2):
        client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 200})

    assert queue_counts(client) == {
        "queued": 0,
        "running": 0,
        "succeeded": 2,
        "failed": 0,
        "cancelled": 0,
        "total": 2,
    }
    assert health_of(client)["queue"]["oldest_queued_age_s"] is None


def test_queue_counts_follow_queued_and_cancelled_runs(paused_client: TestClient) -> None:
    first = paused_client.post("/runs", json={"preset": HELLO}).json()["id"]
    paused_client.post("/runs", json={"preset": HELLO})
    time.sleep(0.05)

    queue = health_of(paused_client)["queue"]
    assert (queue["queued"], queue["total"]) == (2, 2)
    assert queue["oldest_queued_age_s"] >= 0.05

    paused_client.post(f"/runs/{first}/cancel")
    after = queue_counts(paused_client)
    assert (after["queued"], after["cancelled"], after["total"]) == (1, 1, 2)


def test_failures_are_counted_by_target(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, job_timeout_seconds=1e-6)
    with TestClient(create_app(settings)) as client:
        run_id = client.post("/runs", json={"preset": HELLO}).json()["id"]
        assert wait_finished(client, run_id)["status"] == "failed"
        queue = health_of(client)["queue"]
    assert (queue["failed"], queue["total"]) == (1, 1)
    assert queue["failures_by_target"] == {"sim_local": 1}


def test_session_keys_count_sessions_holding_shots(client: TestClient) -> None:
    client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 100})
    client.post(
        "/experiments/run",
        json={"preset": HELLO, "shot_budget": 100},
        headers={"X-Session-Id": "bench-2"},
    )
    assert health_of(client)["budget_tracker"]["session_keys"] == 2


def test_health_shows_no_url_secret_or_origin_list(tmp_path: Path) -> None:
    origin = "https://console.example.org"
    settings = make_settings(
        tmp_path, api_key=("hunter2-secret-key",), allowed_origins=(origin, "http://lab:8001")
    )
    with TestClient(create_app(settings)) as client:
        text = client.get("/health").text

    for secret in ("hunter2", "console.example.org", "lab:8001", str(tmp_path), "synqc.db"):
        assert secret not in text
    assert "://" not in text
    assert "allowed_origins" not in text
    assert "database_url" not in text


def test_hardware_targets_lists_the_six_ids_with_only_the_simulator_ready(
    client: TestClient,
) -> None:
    targets = client.get("/hardware/targets").json()["targets"]

    assert len(targets) == len(TARGET_IDS)
    assert {target["id"] for target in targets} == TARGET_IDS
    statuses = {target["id"]: target["status"] for target in targets}
    assert statuses == {
        target_id: "ready" if target_id == "sim_local" else "unconfigured"
        for target_id in TARGET_IDS
    }
    for target in targets:
        assert target["kind"] in {"sim", "superconducting", "trapped_ion"}
        assert target["name"]
        assert target["vendor"]
        assert target["capabilities"]["max_shots"] > 0
        assert target["capabilities"]["supported_gates"]
    simulator = next(target for target in targets if target["id"] == "sim_local")
    assert simulator["kind"] == "sim"
    assert simulator["capabilities"]["max_shots"] == 100_000


@pytest.mark.parametrize(
    ("target_id", "needs"),
    [
        ("aws_braket", ("SYNQC_BRAKET_DEVICE", "SYNQC_BRAKET_S3_BUCKET", "AWS credentials")),
        ("ibm_quantum", ("SYNQC_QISKIT_RUNTIME_TOKEN", "QISKIT_IBM_TOKEN")),
        ("azure_quantum", ("SYNQC_AZURE_QUANTUM_RESOURCE_ID", "SYNQC_AZURE_QUANTUM_LOCATION")),
        ("ionq_cloud", ("SYNQC_IONQ_API_KEY", "IONQ_API_KEY")),
        ("rigetti_forest", ("SYNQC_RIGETTI_QUANTUM_PROCESSOR", "QCS")),
    ],
)
def test_an_unconfigured_target_says_what_it_needs(
    client: TestClient, target_id: str, needs: tuple[str, ...]
) -> None:
    targets = client.get("/hardware/targets").json()["targets"]
    target = next(target for target in targets if target["id"] == target_id)
    assert target["status"] == "unconfigured"
    for need in needs:
        assert need in target["status_detail"]


def test_every_definition_a_run_points_to_is_published(client: TestClient) -> None:
    result = client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 500}).json()
    definitions = client.get("/physics/definitions").json()["definitions"]

    referenced = {detail["definition_id"] for detail in result["kpi_details"]}
    referenced.add(result["kpis"]["status_definition_id"])
    published = {definition["id"] for definition in definitions}
    assert len(referenced) >= 3
    assert referenced <= published


def test_definitions_are_versioned_and_described(client: TestClient) -> None:
    definitions = client.get("/physics/definitions").json()["definitions"]
    assert definitions
    assert len({d["id"] for d in definitions}) == len(definitions)
    for definition in definitions:
        assert set(definition) == {"id", "name", "version", "formula", "units", "kind"}
        assert definition["id"].endswith(f"_v{definition['version']}")
        assert definition["formula"]
        assert definition["units"]
