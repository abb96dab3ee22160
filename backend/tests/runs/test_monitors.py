"""Monitors: the API, and the scheduler's step on a clock the test moves (the background loop is
slowed down so that only the test's steps act)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.runs.engine import SynQcEngine
from synqc_backend.storage.repository import RunRepository
from tests.conftest import make_settings, services_of

MONITOR = {"every": "PT10S", "shot_budget": 1_500, "qubits": [0, 1]}


@pytest.fixture
def monitors(tmp_path: Path) -> Iterator[TestClient]:
    """An app whose runs stay queued and whose own scheduler loop never ticks in the test."""
    settings = make_settings(
        tmp_path,
        monitor_tick_seconds=3600,
        max_shots_per_session=600_000,
        max_shots_per_experiment=600_000,
    )
    with TestClient(create_app(settings)) as client:
        services_of(client).queue.stop_workers()
        yield client


def engine_at(client: TestClient, monkeypatch: pytest.MonkeyPatch, now: float) -> SynQcEngine:
    engine = services_of(client).engine
    monkeypatch.setattr(engine, "_clock", lambda: now)
    return engine


def monitor_runs(client: TestClient, monitor_id: str) -> list[dict[str, Any]]:
    runs = client.get("/runs", params={"limit": 500}).json()["runs"]
    return [run for run in runs if run["monitor_id"] == monitor_id]


def test_a_monitor_is_created_read_paused_resumed_and_deleted(monitors: TestClient) -> None:
    created = monitors.post("/monitors", json={**MONITOR, "notes": "fridge 2"})

    assert created.status_code == 201
    monitor = created.json()
    assert monitor["preset"] == "health"
    assert monitor["interval_seconds"] == 10
    assert monitor["next_run_at"] > monitor["created_at"]
    assert monitors.get(f"/monitors/{monitor['id']}").json() == monitor
    assert [m["id"] for m in monitors.get("/monitors").json()["monitors"]] == [monitor["id"]]

    paused = monitors.patch(f"/monitors/{monitor['id']}", json={"paused": True}).json()
    assert paused["paused"] is True
    assert paused["next_run_at"] is None
    resumed = monitors.patch(f"/monitors/{monitor['id']}", json={"paused": False}).json()
    assert resumed["next_run_at"] is not None

    assert monitors.delete(f"/monitors/{monitor['id']}").status_code == 204
    assert monitors.get(f"/monitors/{monitor['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param({"every": "PT5S"}, "allows every 10 s", id="too-often"),
        pytest.param({"every": "every day at 9 am"}, "neither an ISO-8601", id="unreadable"),
        pytest.param({"every": "*/2 * * * * *"}, "allows every 10 s", id="cron-too-often"),
        pytest.param(
            {"every": "PT10S", "shot_budget": 2_000}, "above the session limit", id="overspend"
        ),
        pytest.param({"every": "PT1M", "qubits": [99]}, "not distinct qubits", id="bad-qubit"),
    ],
)
def test_a_monitor_that_cannot_run_is_refused_with_a_hint(
    monitors: TestClient, body: dict[str, Any], words: str
) -> None:
    response = monitors.post("/monitors", json={**MONITOR, **body})

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert words in detail["error_message"]
    assert detail["action_hint"]
    assert monitors.get("/monitors").json()["monitors"] == []


def test_each_tick_submits_one_run_and_downtime_runs_once(
    monitors: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = monitors.post("/monitors", json=MONITOR).json()
    due = monitor["next_run_at"]

    assert engine_at(monitors, monkeypatch, due - 1).schedule_monitors("a") == 0
    assert engine_at(monitors, monkeypatch, due).schedule_monitors("a") == 1
    assert engine_at(monitors, monkeypatch, due + 1).schedule_monitors("a") == 0
    # Down for ten ticks: one run, then the next tick after now.
    assert engine_at(monitors, monkeypatch, due + 105).schedule_monitors("a") == 1

    runs = monitor_runs(monitors, monitor["id"])
    assert len(runs) == 2
    read = monitors.get(f"/monitors/{monitor['id']}").json()
    assert read["next_run_at"] == due + 110
    assert read["last_run_id"] == runs[0]["id"]
    assert read["last_status"] == "queued"


def test_a_tick_is_submitted_once_even_if_the_scheduler_dies_before_moving_on(
    monitors: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = monitors.post("/monitors", json=MONITOR).json()
    engine = engine_at(monitors, monkeypatch, monitor["next_run_at"])
    with monkeypatch.context() as broken:
        broken.setattr(RunRepository, "advance_monitor", _crash)
        with pytest.raises(RuntimeError, match="died"):
            engine.schedule_monitors("a")

    assert engine.schedule_monitors("a") == 1
    assert len(monitor_runs(monitors, monitor["id"])) == 1


def test_only_the_lease_holder_schedules(
    monitors: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = monitors.post("/monitors", json=MONITOR).json()
    due = monitor["next_run_at"]
    assert engine_at(monitors, monkeypatch, due).schedule_monitors("a") == 1

    assert engine_at(monitors, monkeypatch, due + 10).schedule_monitors("b") == 0
    # The holder's lease (five of its ticks) runs out: the other process takes over.
    assert engine_at(monitors, monkeypatch, due + 5 * 3600 + 1).schedule_monitors("b") == 1
    assert len(monitor_runs(monitors, monitor["id"])) == 2


def test_a_refused_run_backs_the_monitor_off_and_says_why(
    monitors: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = monitors.post("/monitors", json={**MONITOR, "every": "PT10M"}).json()
    # The monitor's session spends its budget elsewhere first.
    session = {"X-Session-Id": f"monitor-{monitor['id']}"}
    spent = monitors.post(
        "/runs", json={"preset": "health", "shot_budget": 599_000}, headers=session
    )
    assert spent.status_code == 202
    due = monitor["next_run_at"]

    assert engine_at(monitors, monkeypatch, due).schedule_monitors("a") == 0

    read = monitors.get(f"/monitors/{monitor['id']}").json()
    assert read["consecutive_failures"] == 1
    assert read["last_status"] == "refused"
    assert "BUDGET_EXHAUSTED" in read["status_reason"]
    # One failure: the next tick is one period later than it would have been.
    assert read["next_run_at"] == due + 2 * 600


def test_a_paused_monitor_does_not_run(
    monitors: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = monitors.post("/monitors", json=MONITOR).json()
    monitors.patch(f"/monitors/{monitor['id']}", json={"paused": True})

    assert engine_at(monitors, monkeypatch, monitor["next_run_at"] + 60).schedule_monitors("a") == 0
    assert monitor_runs(monitors, monitor["id"]) == []


def _crash(*_: object) -> bool:
    raise RuntimeError("the scheduler died")
