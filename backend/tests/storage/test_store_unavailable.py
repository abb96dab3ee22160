"""PostgreSQL goes away under a running API: 503 STORE_UNAVAILABLE, no shots held, nothing
half-written, and the API recovers by itself when the database is back.

The outage is real: the test database's sessions are terminated and the database is renamed,
so every new connection is refused by the server ("database does not exist").
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from synqc_backend.http.app import create_app
from synqc_backend.storage.database import Database
from synqc_backend.storage.tables import CircuitCountsRow, RunRow
from tests.conftest import make_settings, services_of
from tests.postgres_server import PostgresServer, ScratchDatabase

HELLO = {"preset": "hello_quantum_sim", "shot_budget": 300}
WITH_OVERRIDES = {**HELLO, "control_overrides": {"drive_bias": 1.0}}


@pytest.fixture
def store(postgres: PostgresServer) -> Iterator[ScratchDatabase]:
    with postgres.database() as scratch:
        database = Database(scratch.url)
        database.migrate()
        database.dispose()
        yield scratch


@pytest.fixture
def client(store: ScratchDatabase, tmp_path: Path) -> Iterator[TestClient]:
    """The API on the PostgreSQL store, workers stopped so runs stay `queued`."""
    with TestClient(create_app(make_settings(tmp_path, database_url=store.url))) as test_client:
        services_of(test_client).queue.stop_workers()
        yield test_client


@contextmanager
def outage(postgres: PostgresServer, store: ScratchDatabase) -> Iterator[None]:
    hidden = f"{store.name}_away"
    postgres.rename_database(store.name, hidden)
    try:
        yield
    finally:
        postgres.rename_database(hidden, store.name)


def store_unavailable(response: Any) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == detail["error_code"] == "STORE_UNAVAILABLE"
    assert detail["action_hint"]
    return detail


def used_shots(client: TestClient) -> int:
    response = client.get("/budget")
    assert response.status_code == 200
    used: int = response.json()["used"]
    return used


def stored_rows(url: str) -> tuple[list[str], int]:
    """(ids in the run table, number of stored counts), read with a connection of our own."""
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            ids = list(session.scalars(select(RunRow.id)))
            counts = session.scalar(select(func.count()).select_from(CircuitCountsRow)) or 0
    finally:
        database.dispose()
    return ids, counts


def test_requests_that_need_the_store_answer_503_and_hold_no_shots(
    client: TestClient, postgres: PostgresServer, store: ScratchDatabase
) -> None:
    accepted = client.post("/runs", json=HELLO)
    assert accepted.status_code == 202
    held_before = used_shots(client)
    assert held_before == HELLO["shot_budget"]

    with outage(postgres, store):
        # With overrides nothing is read first: shots are reserved, the write fails, and the
        # reservation must be released. Without them the control-profile read fails first.
        for body in (WITH_OVERRIDES, HELLO):
            store_unavailable(client.post("/runs", json=body))
            assert used_shots(client) == held_before
        store_unavailable(client.get("/runs"))
        store_unavailable(client.get(f"/runs/{accepted.json()['id']}"))

    assert stored_rows(store.url) == ([accepted.json()["id"]], 0)
    assert used_shots(client) == held_before


def test_the_api_recovers_when_the_store_is_back(
    client: TestClient, postgres: PostgresServer, store: ScratchDatabase
) -> None:
    with outage(postgres, store):
        store_unavailable(client.post("/runs", json=HELLO))

    retried = client.post("/runs", json=HELLO)

    assert retried.status_code == 202
    assert client.get(f"/runs/{retried.json()['id']}").json()["status"] == "queued"
    assert stored_rows(store.url) == ([retried.json()["id"]], 0)
    assert used_shots(client) == HELLO["shot_budget"]


def test_health_reports_the_outage_quickly(
    client: TestClient, postgres: PostgresServer, store: ScratchDatabase
) -> None:
    with outage(postgres, store):
        started = time.monotonic()
        response = client.get("/health")
        elapsed_s = time.monotonic() - started

    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "degraded"
    assert health["persistence"] == {"backend": "postgresql", "ok": False}
    assert elapsed_s < 2.0
    assert client.get("/health").json()["persistence"]["ok"] is True


def test_a_broken_schema_is_an_internal_error_not_an_outage(
    client: TestClient, store: ScratchDatabase
) -> None:
    database = Database(store.url)
    try:
        with database.unit_of_work() as session:
            session.execute(text("ALTER TABLE runs RENAME TO runs_elsewhere"))
    finally:
        database.dispose()

    response = client.get("/runs", headers={"X-Request-Id": "broken-schema"})

    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail["code"] == "INTERNAL_ERROR"
    assert detail["error_detail"] == {"request_id": "broken-schema"}
