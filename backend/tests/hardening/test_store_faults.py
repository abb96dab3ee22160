"""The embedded SQLite store on a disk that fills up or turns read-only: submissions get a
clear 503, nothing stored is corrupted, and the service works again once the disk does."""

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions, ExecutionResult
from synqc_backend.http.app import create_app
from synqc_backend.targets.base import Target
from tests.conftest import make_settings, services_of, wait_finished
from tests.hardening.faulty_parts import DelegatingTarget
from tests.hardening.figures import record_fault, settle
from tests.hardening.small_filesystem import SmallFilesystem, small_filesystem

HELLO = {"preset": "hello_quantum_sim", "shot_budget": 500, "seed": 7}


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallFilesystem]:
    with small_filesystem(tmp_path / "disk") as filesystem:
        yield filesystem


@pytest.fixture
def client(disk: SmallFilesystem, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, database_url=f"sqlite:///{disk.path / 'synqc.db'}")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def store_cannot_write(response: Any) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == detail["error_code"] == "STORE_UNAVAILABLE"
    assert detail["action_hint"]
    return detail


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    return str(result)


def test_a_full_disk_refuses_submissions_with_503_and_loses_nothing(
    client: TestClient, disk: SmallFilesystem
) -> None:
    before = wait_finished(client, client.post("/runs", json=HELLO).json()["id"])
    disk.fill()

    refused = client.post("/runs", json=HELLO)
    listed = client.get("/runs")
    budget = client.get("/budget").json()
    disk.free()
    (after,) = settle(client, [client.post("/runs", json=HELLO).json()["id"]])
    (before,) = settle(client, [before["id"]])
    survived = refused.status_code == 503 and after["status"] == "succeeded"
    assert record_fault("SQLite disk full", [before, after], survived) == 0

    store_cannot_write(refused)
    assert listed.status_code == 200
    assert budget["used"] == 500  # the refused run holds no shots
    assert before["status"] == after["status"] == "succeeded"
    assert client.get(f"/runs/{before['id']}").json() == before
    assert integrity(disk.path / "synqc.db") == "ok"


def test_a_read_only_disk_refuses_submissions_with_503_and_loses_nothing(
    client: TestClient, disk: SmallFilesystem
) -> None:
    before = wait_finished(client, client.post("/runs", json=HELLO).json()["id"])
    # A remount refuses files open for writing: the pool lets go of its connections first.
    services_of(client).database.dispose()
    disk.read_only()
    try:
        refused = client.post("/runs", json=HELLO)
        budget = client.get("/budget").json()
    finally:
        disk.writable()
    (after,) = settle(client, [client.post("/runs", json=HELLO).json()["id"]])
    survived = refused.status_code == 503 and after["status"] == "succeeded"
    assert record_fault("SQLite disk read-only", [before, after], survived) == 0

    store_cannot_write(refused)
    assert budget["used"] == 500
    assert before["status"] == after["status"] == "succeeded"
    assert client.get(f"/runs/{before['id']}").json() == before
    assert integrity(disk.path / "synqc.db") == "ok"


def test_a_run_in_flight_when_the_disk_fills_ends_failed_once_it_has_room(
    client: TestClient, disk: SmallFilesystem
) -> None:
    engine = services_of(client).engine
    filled = threading.Event()
    real = engine.targets["sim_local"]

    class FillsTheDisk(DelegatingTarget):
        def execute(
            self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
        ) -> ExecutionResult:
            result = real.execute(circuits, options)
            if not filled.is_set():
                disk.fill()
                filled.set()
            return result

    swapped: Target = FillsTheDisk(real)
    engine.targets["sim_local"] = swapped
    run_id = client.post("/runs", json={"preset": "health", "seed": 7}).json()["id"]
    assert filled.wait(60)
    time.sleep(1.0)
    disk.free()
    (run,) = settle(client, [run_id])
    engine.targets["sim_local"] = real
    used = client.get("/budget").json()["used"]
    (after,) = settle(client, [client.post("/runs", json=HELLO).json()["id"]])
    survived = run["status"] == "failed" and after["status"] == "succeeded"
    assert record_fault("SQLite disk full mid-run", [run, after], survived) == 0

    assert (run["status"], run["error_code"]) == ("failed", "STORE_UNAVAILABLE")
    assert used == run["result"]["shots"]["executed"]
    assert integrity(disk.path / "synqc.db") == "ok"


def test_a_run_taken_up_while_the_disk_is_full_runs_once_it_has_room(
    client: TestClient, disk: SmallFilesystem
) -> None:
    queue, engine = services_of(client).queue, services_of(client).engine
    queue.stop_workers()
    run_id = client.post("/runs", json=HELLO).json()["id"]
    disk.fill()
    queue.start_workers(engine)
    time.sleep(1.0)  # the worker's claim meets the full disk meanwhile
    waiting = client.get(f"/runs/{run_id}").json()["status"]
    disk.free()

    (run,) = settle(client, [run_id])
    survived = waiting == "queued" and run["status"] == "succeeded"
    assert record_fault("SQLite disk full at claim", [run], survived) == 0
    assert run["status"] == "succeeded"
    assert integrity(disk.path / "synqc.db") == "ok"
