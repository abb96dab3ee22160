"""Abuse limits of a submission: active runs per session (raced, on both stores), list sizes,
query limits and body size."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.storage.database import Database
from tests.conftest import make_settings, services_of
from tests.postgres_server import require_postgres

HELLO = {"preset": "hello_quantum_sim", "shot_budget": 100}
CAP = 3


def paused(settings_of: dict[str, Any], tmp_path: Path, stack: ExitStack) -> TestClient:
    """An app whose workers are stopped, so every accepted run stays active."""
    client = stack.enter_context(TestClient(create_app(make_settings(tmp_path, **settings_of))))
    services_of(client).queue.stop_workers()
    return client


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[TestClient]:
    with ExitStack() as stack:
        yield paused({"max_active_runs_per_session": CAP}, tmp_path, stack)


def submit(client: TestClient, session: str) -> Any:
    return client.post("/runs", json=HELLO, headers={"X-Session-Id": session})


def test_a_session_may_hold_only_so_many_active_runs(capped: TestClient) -> None:
    accepted = [submit(capped, "busy") for _ in range(CAP)]

    refused = submit(capped, "busy")
    other = submit(capped, "quiet")
    capped.post(f"/runs/{accepted[0].json()['id']}/cancel")
    after_cancel = submit(capped, "busy")

    assert [r.status_code for r in accepted] == [202] * CAP
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert detail["code"] == "RATE_LIMITED"
    assert detail["error_detail"] == {"active_runs": CAP, "max_active_runs_per_session": CAP}
    assert other.status_code == 202
    assert after_cancel.status_code == 202
    # The refused run reserved nothing.
    assert capped.get("/budget", headers={"X-Session-Id": "busy"}).json()["used"] == CAP * 100


def test_racing_submits_of_one_session_do_not_pass_the_cap(capped: TestClient) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = sorted(pool.map(lambda _: submit(capped, "racer").status_code, range(32)))
    assert codes == [202] * CAP + [429] * (32 - CAP)


def test_api_processes_on_one_postgresql_share_the_cap(tmp_path: Path) -> None:
    postgres = require_postgres()
    with postgres.database() as scratch, ExitStack() as stack:
        store = Database(scratch.url)
        store.migrate()
        store.dispose()
        settings = {"max_active_runs_per_session": CAP, "database_url": scratch.url}
        apps = [paused(settings, tmp_path / str(i), stack) for i in range(2)]
        # FastAPI builds a route's state on its first request; two apps in one process doing
        # that at once race inside pydantic (separate processes, as deployed, do not).
        for app in apps:
            assert submit(app, "warm-up").status_code == 202
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = sorted(pool.map(lambda i: submit(apps[i % 2], "pg").status_code, range(24)))
    assert codes == [202] * CAP + [429] * (24 - CAP)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"compare_targets": ["sim_local"] * 9}, "compare_targets", id="compare-9"),
        pytest.param({"qubits": list(range(1_025))}, "qubits", id="qubits-1025"),
        pytest.param({"notes": "n" * 2_001}, "notes", id="notes-2001"),
        pytest.param({"hardware_target": "t" * 65}, "hardware_target", id="target-id-65"),
    ],
)
def test_oversized_fields_are_a_422(capped: TestClient, body: dict[str, Any], field: str) -> None:
    response = capped.post("/runs", json={**HELLO, **body})
    assert response.status_code == 422
    assert ["body", field] in [
        e["loc"][:2] for e in response.json()["detail"]["error_detail"]["errors"]
    ]


@pytest.mark.parametrize(
    "path", ["/runs?limit=501", "/runs?limit=0", "/experiments/recent?limit=501"]
)
def test_list_limits_are_bounded(capped: TestClient, path: str) -> None:
    assert capped.get(path).status_code == 422


def test_a_body_above_the_limit_is_a_413_before_parsing(capped: TestClient) -> None:
    response = capped.post(
        "/runs",
        content=b'{"notes": "' + b"n" * 70_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "PAYLOAD_TOO_LARGE"
