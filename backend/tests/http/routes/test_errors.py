"""Every error of the contract: its status code and the one envelope it travels in."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from synqc_backend.http.app import create_app
from tests.conftest import make_settings, services_of

ENVELOPE_FIELDS = {"code", "error_code", "error_message", "error_detail", "action_hint"}
HELLO = "hello_quantum_sim"
PROVIDER_TARGETS = ("aws_braket", "ibm_quantum", "azure_quantum", "ionq_cloud", "rigetti_forest")
BODY_LIMIT = 1024


def error_of(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    """The envelope's `detail`, after checking the status and every field of the envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"}
    detail: dict[str, Any] = body["detail"]
    assert set(detail) == ENVELOPE_FIELDS
    assert detail["code"] == detail["error_code"] == code
    assert isinstance(detail["error_message"], str)
    assert detail["error_message"]
    assert isinstance(detail["error_detail"], dict)
    assert isinstance(detail["action_hint"], str)
    assert detail["action_hint"]
    return detail


def error_locations(detail: dict[str, Any]) -> list[list[str | int]]:
    return [error["loc"] for error in detail["error_detail"]["errors"]]


def stored_run_ids(client: TestClient) -> list[str]:
    return [run["id"] for run in client.get("/runs", params={"limit": 500}).json()["runs"]]


def shots_used(client: TestClient, session: str | None = None) -> int:
    headers = {} if session is None else {"X-Session-Id": session}
    used: int = client.get("/budget", headers=headers).json()["used"]
    return used


@pytest.fixture
def limited_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app that accepts request bodies of at most `BODY_LIMIT` bytes."""
    settings = make_settings(tmp_path, max_request_bytes=BODY_LIMIT)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param({"preset": "nope"}, 422, "INVALID_REQUEST", id="unknown-preset"),
        pytest.param(
            {"preset": HELLO, "hardware_target": "nope"}, 400, "INVALID_TARGET", id="unknown-target"
        ),
        pytest.param(
            {"preset": HELLO, "compare_targets": ["sim_local", "nope"]},
            400,
            "INVALID_TARGET",
            id="unknown-compare-target",
        ),
        pytest.param(
            {"preset": HELLO, "shot_budget": 200_001}, 422, "INVALID_REQUEST", id="above-per-run"
        ),
        pytest.param(
            {"preset": HELLO, "shot_budget": 100_001},
            400,
            "PROVIDER_CAPACITY",
            id="above-target-capacity",
        ),
        pytest.param(
            {"preset": HELLO, "hardware_target": "ibm_quantum"},
            400,
            "PROVIDER_CREDENTIALS",
            id="unconfigured-provider",
        ),
        pytest.param({"preset": HELLO, "qubits": [0, 0]}, 422, "INVALID_REQUEST", id="same-qubit"),
        pytest.param({"preset": HELLO, "qubits": [8]}, 422, "INVALID_REQUEST", id="absent-qubit"),
    ],
)
@pytest.mark.parametrize("path", ["/runs", "/experiments/run"])
def test_a_refused_submission_stores_nothing_and_reserves_no_shots(
    client: TestClient, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    error_of(client.post(path, json=body), status, code)
    assert stored_run_ids(client) == []
    assert shots_used(client) == 0


def test_unknown_preset_lists_the_validation_errors(client: TestClient) -> None:
    detail = error_of(client.post("/runs", json={"preset": "nope"}), 422, "INVALID_REQUEST")
    (error,) = detail["error_detail"]["errors"]
    assert error["loc"] == ["body", "preset"]
    assert error["type"] == "enum"
    assert "body.preset" in detail["error_message"]


def test_a_preset_of_the_enum_missing_from_the_registry_names_the_available_ones(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = services_of(client).engine
    # This server's registry without `health`: a preset the contract names but the release
    # does not ship.
    released = {name: preset for name, preset in engine.presets.items() if name != "health"}
    monkeypatch.setattr(engine, "presets", released)

    response = client.post("/runs", json={"preset": "health"})

    detail = error_of(response, 422, "INVALID_REQUEST")
    assert detail["error_detail"] == {"preset": "health", "available": sorted(released)}
    assert "health" not in detail["error_detail"]["available"]
    assert stored_run_ids(client) == []
    assert shots_used(client) == 0


@pytest.mark.parametrize(
    ("body", "location"),
    [
        pytest.param({}, ["body", "preset"], id="missing-preset"),
        pytest.param({"preset": HELLO, "shot_budget": 0}, ["body", "shot_budget"], id="zero-shots"),
        pytest.param({"preset": HELLO, "notes": "n" * 2_001}, ["body", "notes"], id="long-notes"),
        pytest.param({"preset": HELLO, "mode": "turbo"}, ["body", "mode"], id="unknown-mode"),
        pytest.param({"preset": HELLO, "seed": -1}, ["body", "seed"], id="negative-seed"),
        pytest.param({"preset": HELLO, "qubits": []}, ["body", "qubits"], id="no-qubits"),
        pytest.param({"preset": HELLO, "colour": "red"}, ["body", "colour"], id="unknown-field"),
    ],
)
def test_an_invalid_body_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], location: list[str]
) -> None:
    detail = error_of(client.post("/runs", json=body), 422, "INVALID_REQUEST")
    # A field that takes one of several forms (qubits: a list or "all") adds the form's name.
    assert location in [loc[: len(location)] for loc in error_locations(detail)]


def test_malformed_json_is_a_422_envelope(client: TestClient) -> None:
    response = client.post(
        "/runs", content=b'{"preset": ', headers={"Content-Type": "application/json"}
    )
    detail = error_of(response, 422, "INVALID_REQUEST")
    assert detail["error_detail"]["errors"]


def test_unknown_target_lists_the_valid_ids(client: TestClient) -> None:
    response = client.post("/runs", json={"preset": HELLO, "hardware_target": "nope"})
    detail = error_of(response, 400, "INVALID_TARGET")
    assert detail["error_detail"]["hardware_target"] == "nope"
    assert set(detail["error_detail"]["valid"]) == {"sim_local", *PROVIDER_TARGETS}


def test_shots_above_the_per_run_maximum_are_refused_not_clamped(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_shots_per_experiment=1_000)
    with TestClient(create_app(settings)) as client:
        refused = client.post("/runs", json={"preset": HELLO, "shot_budget": 1_001})
        accepted = client.post("/runs", json={"preset": HELLO, "shot_budget": 1_000})

        detail = error_of(refused, 422, "INVALID_REQUEST")
        assert detail["error_detail"] == {"shot_budget": 1_001, "max_shots_per_experiment": 1_000}
        assert accepted.status_code == 202
        assert stored_run_ids(client) == [accepted.json()["id"]]
        assert shots_used(client) == 1_000


def test_shots_above_the_targets_capacity_are_a_provider_capacity_error(
    client: TestClient,
) -> None:
    response = client.post("/runs", json={"preset": HELLO, "shot_budget": 100_001})
    detail = error_of(response, 400, "PROVIDER_CAPACITY")
    assert detail["error_detail"] == {
        "circuit_shots": 100_001,
        "max_shots": 100_000,
        "hardware_target": "sim_local",
    }
    assert "per-circuit" in detail["error_message"]


@pytest.mark.parametrize("target", PROVIDER_TARGETS)
def test_an_unconfigured_provider_is_a_credentials_error(client: TestClient, target: str) -> None:
    response = client.post("/runs", json={"preset": HELLO, "hardware_target": target})
    detail = error_of(response, 400, "PROVIDER_CREDENTIALS")
    assert detail["error_detail"] == {"hardware_target": target, "status": "unconfigured"}


@pytest.mark.parametrize("target", PROVIDER_TARGETS)
def test_remote_targets_are_refused_when_remote_hardware_is_disabled(
    tmp_path: Path, target: str
) -> None:
    settings = make_settings(tmp_path, allow_remote_hardware=False)
    with TestClient(create_app(settings)) as client:
        refused = client.post("/runs", json={"preset": HELLO, "hardware_target": target})
        local = client.post("/runs", json={"preset": HELLO, "hardware_target": "sim_local"})

        detail = error_of(refused, 403, "REMOTE_DISABLED")
        assert detail["error_detail"] == {"hardware_target": target}
        assert local.status_code == 202
        assert stored_run_ids(client) == [local.json()["id"]]


def test_a_run_above_what_the_session_has_left_is_refused_and_never_stored(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, max_shots_per_session=5_000)
    with TestClient(create_app(settings)) as client:
        first = client.post("/runs", json={"preset": HELLO, "shot_budget": 4_000})
        refused = client.post("/runs", json={"preset": HELLO, "shot_budget": 2_000})
        other_session = client.post(
            "/runs",
            json={"preset": HELLO, "shot_budget": 2_000},
            headers={"X-Session-Id": "other"},
        )

        assert first.status_code == 202
        detail = error_of(refused, 429, "BUDGET_EXHAUSTED")
        assert detail["error_detail"]["remaining"] == 1_000
        assert detail["error_detail"]["requested"] == 2_000
        assert other_session.status_code == 202
        assert sorted(stored_run_ids(client)) == sorted(
            [first.json()["id"], other_session.json()["id"]]
        )
        assert shots_used(client) == 4_000


def test_a_declared_body_above_the_limit_is_refused(limited_client: TestClient) -> None:
    body = json.dumps({"preset": HELLO, "notes": "n" * 1_500}).encode()
    response = limited_client.post(
        "/runs",
        content=body,
        headers={"Content-Type": "application/json", "X-Request-Id": "big-body"},
    )
    assert response.request.headers["content-length"] == str(len(body))
    detail = error_of(response, 413, "PAYLOAD_TOO_LARGE")
    assert detail["error_detail"] == {"max_bytes": BODY_LIMIT}
    assert response.headers["x-request-id"] == "big-body"
    assert stored_run_ids(limited_client) == []


def test_a_streamed_body_above_the_limit_is_refused(limited_client: TestClient) -> None:
    body = json.dumps({"preset": HELLO, "notes": "n" * 1_500}).encode()
    chunks = iter([body[:600], body[600:1200], body[1200:]])
    response = limited_client.post(
        "/runs", content=chunks, headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    error_of(response, 413, "PAYLOAD_TOO_LARGE")
    assert stored_run_ids(limited_client) == []


def test_a_body_of_exactly_the_limit_is_accepted(limited_client: TestClient) -> None:
    body = json.dumps({"preset": HELLO, "shot_budget": 100}).encode()
    padded = body + b" " * (BODY_LIMIT - len(body))
    response = limited_client.post(
        "/runs", content=padded, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 202, response.text


def test_a_streamed_body_is_refused_without_reading_past_the_limit(
    limited_client: TestClient,
) -> None:
    """Chunks sent one ASGI message each: reading stops at the first chunk over the limit."""
    chunks = [b"x" * 600, b"x" * 600, b"x" * 600]
    received: list[Message] = []
    sent: list[Message] = []

    async def receive() -> Message:
        index = len(received)
        message: Message = {
            "type": "http.request",
            "body": chunks[index],
            "more_body": index < len(chunks) - 1,
        }
        received.append(message)
        return message

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/runs",
        "raw_path": b"/runs",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def call_app() -> None:
        await limited_client.app(scope, receive, send)

    asyncio.run(call_app())

    assert len(received) == 2
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 413
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["detail"]["code"] == "PAYLOAD_TOO_LARGE"
    assert stored_run_ids(limited_client) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/runs/{id}"),
        ("POST", "/runs/{id}/cancel"),
        ("GET", "/experiments/{id}"),
        ("GET", "/api/runs/{id}"),
    ],
)
def test_an_unknown_run_id_is_not_found(client: TestClient, method: str, path: str) -> None:
    run_id = "00000000-0000-4000-8000-000000000000"
    response = client.request(method, path.format(id=run_id))
    detail = error_of(response, 404, "NOT_FOUND")
    assert detail["error_detail"] == {"run_id": run_id}


def test_cancelling_a_finished_run_is_a_conflict(client: TestClient) -> None:
    run = client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 200}).json()
    response = client.post(f"/runs/{run['id']}/cancel")
    detail = error_of(response, 409, "INVALID_REQUEST")
    assert detail["error_detail"] == {"run_id": run["id"]}
    assert client.get(f"/runs/{run['id']}").json()["status"] == "succeeded"


def test_the_result_of_an_unfinished_run_is_a_conflict(paused_client: TestClient) -> None:
    run_id = paused_client.post("/runs", json={"preset": HELLO}).json()["id"]
    detail = error_of(paused_client.get(f"/experiments/{run_id}"), 409, "INVALID_REQUEST")
    assert detail["error_detail"] == {"run_id": run_id, "status": "queued"}


@pytest.mark.parametrize("path", ["/no-such-route", "/api/no-such-route", "/runs/x/y"])
def test_an_unknown_route_is_a_not_found_envelope(client: TestClient, path: str) -> None:
    error_of(client.get(path), 404, "NOT_FOUND")


def test_a_wrong_method_is_an_envelope_too(client: TestClient) -> None:
    error_of(client.delete("/runs"), 405, "INVALID_REQUEST")


@pytest.mark.parametrize("path", ["/experiments/recent", "/runs"])
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten"])
def test_a_limit_out_of_range_is_a_422(client: TestClient, path: str, limit: str) -> None:
    detail = error_of(client.get(path, params={"limit": limit}), 422, "INVALID_REQUEST")
    assert error_locations(detail) == [["query", "limit"]]


@pytest.mark.parametrize("path", ["/experiments/recent", "/runs"])
@pytest.mark.parametrize("limit", ["1", "500"])
def test_a_limit_at_the_bounds_is_accepted(client: TestClient, path: str, limit: str) -> None:
    assert client.get(path, params={"limit": limit}).status_code == 200


@pytest.mark.parametrize(
    "session",
    [
        pytest.param("has space", id="space"),
        pytest.param("semi;colon", id="punctuation"),
        pytest.param("s" * 129, id="too-long"),
        pytest.param("", id="empty"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/budget"), ("POST", "/runs")])
def test_a_bad_session_id_is_a_422(
    client: TestClient, session: str, method: str, path: str
) -> None:
    response = client.request(
        method, path, json={"preset": HELLO}, headers={"X-Session-Id": session}
    )
    error_of(response, 422, "INVALID_REQUEST")
    assert stored_run_ids(client) == []


def test_a_session_id_of_128_allowed_characters_is_accepted(client: TestClient) -> None:
    session = "Az09_.:-" * 16
    response = client.post(
        "/runs", json={"preset": HELLO, "shot_budget": 100}, headers={"X-Session-Id": session}
    )
    assert response.status_code == 202, response.text
    assert client.get("/budget", headers={"X-Session-Id": session}).json()["session_id"] == session


def test_an_unexpected_error_is_a_500_envelope_carrying_the_request_id(
    client: TestClient,
) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    app = client.app
    assert isinstance(app, FastAPI)
    app.add_api_route("/explode-for-test", explode)
    # Without `with`: the same app and services, answering 500 instead of raising.
    failing = TestClient(client.app, raise_server_exceptions=False)
    response = failing.get("/explode-for-test", headers={"X-Request-Id": "trace-500"})

    detail = error_of(response, 500, "INTERNAL_ERROR")
    assert "boom" not in response.text
    assert response.headers.get("x-request-id") == "trace-500"
    assert detail["error_detail"] == {"request_id": "trace-500"}


def test_a_lone_surrogate_echoed_into_an_error_is_a_4xx_not_a_500(client: TestClient) -> None:
    body = b'{"preset": "hello_quantum_sim", "compare_targets": ["\\ud800"]}'

    response = client.post("/runs", content=body, headers={"Content-Type": "application/json"})

    detail = error_of(response, 400, "INVALID_TARGET")
    assert "\ud800" in detail["error_message"]
