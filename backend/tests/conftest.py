"""Shared fixtures: settings on a throwaway SQLite store, a migrated store, an in-process app."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.config import Settings
from synqc_backend.http.app import create_app
from synqc_backend.runs.services import Services
from synqc_backend.storage.database import Database


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test: its own SQLite file, no `.env`, explicit values win."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'synqc.db'}",
        "enable_metrics": False,
        "api_key": (),
        "redis_url": None,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def wait_finished(client: TestClient, run_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Poll `GET /runs/{id}` until the run is final; its last state."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/runs/{run_id}").json()
        if body["status"] in {"succeeded", "failed", "cancelled"}:
            return body
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout_s} s")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A store at this code's schema at `database_url` (a fixture of the module or package)."""
    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


@pytest.fixture
def paused_client(settings: Settings) -> Iterator[TestClient]:
    """An app whose workers are stopped: submitted runs stay `queued`."""
    with TestClient(create_app(settings)) as test_client:
        services_of(test_client).queue.stop_workers()
        yield test_client
