"""`Idempotency-Key` on `POST /runs` and `POST /experiments/run`: a retry returns the first
run, charged once; a reused key with another request is refused."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import services_of

HELLO = {"preset": "hello_quantum_sim", "shot_budget": 1_000}


def used(client: TestClient) -> int:
    value: int = client.get("/budget").json()["used"]
    return value


def test_a_retry_with_the_same_key_returns_the_first_run(paused_client: TestClient) -> None:
    first = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "retry-1"})
    again = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "retry-1"})

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert len(paused_client.get("/runs").json()["runs"]) == 1
    assert used(paused_client) == 1_000


def test_another_key_or_none_makes_another_run(paused_client: TestClient) -> None:
    ids = {
        paused_client.post("/runs", json=HELLO, headers=headers).json()["id"]
        for headers in ({"Idempotency-Key": "a"}, {"Idempotency-Key": "b"}, {}, {})
    }

    assert len(ids) == 4
    assert used(paused_client) == 4_000


def test_a_key_is_a_name_inside_its_session(paused_client: TestClient) -> None:
    ids = {
        paused_client.post(
            "/runs", json=HELLO, headers={"Idempotency-Key": "k", "X-Session-Id": session}
        ).json()["id"]
        for session in ("alice", "bob")
    }

    assert len(ids) == 2


def test_the_same_key_with_another_request_is_a_conflict(paused_client: TestClient) -> None:
    first = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "k"})
    other = paused_client.post(
        "/runs", json={**HELLO, "shot_budget": 2_000}, headers={"Idempotency-Key": "k"}
    )

    detail = other.json()["detail"]
    assert (other.status_code, detail["code"]) == (409, "INVALID_REQUEST")
    assert detail["error_detail"] == {"idempotency_key": "k", "run_id": first.json()["id"]}
    assert used(paused_client) == 1_000


def test_a_key_expires_after_a_day(
    paused_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = services_of(paused_client).engine
    first = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "k"}).json()
    now = engine.clock()
    monkeypatch.setattr(engine, "_clock", lambda: now + 24 * 3600 + 1)

    later = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "k"})

    assert later.status_code == 202
    assert later.json()["id"] != first["id"]


def test_a_key_that_is_not_printable_ascii_is_refused(paused_client: TestClient) -> None:
    response = paused_client.post("/runs", json=HELLO, headers={"Idempotency-Key": "a b"})

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "INVALID_REQUEST"
    assert paused_client.get("/runs").json()["runs"] == []


def test_the_v01_route_returns_the_first_runs_result(client: TestClient) -> None:
    headers = {"Idempotency-Key": "v01"}
    first = client.post("/experiments/run", json=HELLO, headers=headers)
    again = client.post("/experiments/run", json=HELLO, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["kpis"] == first.json()["kpis"]
    assert used(client) == 1_000
