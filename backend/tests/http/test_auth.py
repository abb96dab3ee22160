"""API keys, the session a key maps to, request ids and CORS."""

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from tests.conftest import make_settings

KEYS = ("k1-secret", "k2-secret")
HELLO = "hello_quantum_sim"
UNKNOWN_RUN = "00000000-0000-4000-8000-000000000000"
ALLOWED_ORIGIN = "https://console.example.org"
FOREIGN_ORIGIN = "https://evil.example.net"


def key_session(key: str) -> str:
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:12]


@pytest.fixture
def keyed_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app with two API keys configured and one allowed CORS origin."""
    settings = make_settings(tmp_path, api_key=KEYS, allowed_origins=(ALLOWED_ORIGIN,))
    with TestClient(create_app(settings)) as client:
        yield client


PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/controls/profile", None),
    ("POST", "/controls/profile", {"drive_bias": 1.1}),
    ("POST", "/runs", {"preset": HELLO}),
    ("POST", "/runs", {}),
    ("GET", "/runs", None),
    ("GET", f"/runs/{UNKNOWN_RUN}", None),
    ("POST", f"/runs/{UNKNOWN_RUN}/cancel", None),
    ("POST", "/experiments/run", {"preset": HELLO}),
    ("GET", "/experiments/recent", None),
    ("GET", f"/experiments/{UNKNOWN_RUN}", None),
    ("GET", "/telemetry/qubits", None),
    ("GET", "/budget", None),
    ("GET", "/api/runs", None),
    ("POST", "/api/runs", {"preset": HELLO}),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_a_protected_route_without_a_key_is_401(
    keyed_client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = keyed_client.request(method, path, json=body)

    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    detail = response.json()["detail"]
    assert detail["code"] == detail["error_code"] == "AUTH_REQUIRED"
    assert set(detail) == {"code", "error_code", "error_message", "error_detail", "action_hint"}
    authorized = keyed_client.get("/runs", headers={"X-Api-Key": KEYS[0]})
    assert authorized.json()["runs"] == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Api-Key": "wrong"}, id="wrong-key"),
        pytest.param({"X-Api-Key": "k1-secre"}, id="prefix-of-a-key"),
        pytest.param({"X-Api-Key": "k1-secretX"}, id="key-plus-one"),
        pytest.param({"X-Api-Key": "k1-secret,k2-secret"}, id="the-whole-list"),
        pytest.param({"X-Api-Key": ""}, id="empty-key"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-bearer"),
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),
        pytest.param({"Authorization": "Basic k1-secret"}, id="other-scheme"),
        pytest.param({"Authorization": "k1-secret"}, id="no-scheme"),
    ],
)
def test_a_wrong_key_is_401(keyed_client: TestClient, headers: dict[str, str]) -> None:
    response = keyed_client.get("/runs", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]["code"] == "AUTH_REQUIRED"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Api-Key": "k1-secret"}, id="x-api-key"),
        pytest.param({"X-Api-Key": "k2-secret"}, id="second-key"),
        pytest.param({"Authorization": "Bearer k1-secret"}, id="bearer"),
        pytest.param({"Authorization": "bearer k2-secret"}, id="bearer-lowercase-second-key"),
    ],
)
def test_a_configured_key_opens_protected_routes(
    keyed_client: TestClient, headers: dict[str, str]
) -> None:
    assert keyed_client.get("/controls/profile", headers=headers).status_code == 200
    submitted = keyed_client.post(
        "/runs", json={"preset": HELLO, "shot_budget": 100}, headers=headers
    )
    assert submitted.status_code == 202, submitted.text
    listed = keyed_client.get("/runs", headers=headers).json()["runs"]
    assert [run["id"] for run in listed] == [submitted.json()["id"]]


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/hardware/targets",
        "/physics/definitions",
        "/",
        "/docs",
        "/openapi.json",
        "/api/health",
        "/api/hardware/targets",
        "/api/physics/definitions",
    ],
)
def test_public_routes_need_no_key(keyed_client: TestClient, path: str) -> None:
    assert keyed_client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("api_key", "required"),
    [pytest.param(KEYS, True, id="keys"), pytest.param((), False, id="none")],
)
def test_health_says_whether_a_key_is_required(
    tmp_path: Path, api_key: tuple[str, ...], required: bool
) -> None:
    with TestClient(create_app(make_settings(tmp_path, api_key=api_key))) as client:
        assert client.get("/health").json()["require_api_key"] is required


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Api-Key": "k1-secret"}, id="x-api-key"),
        pytest.param({"Authorization": "Bearer k1-secret"}, id="bearer"),
    ],
)
def test_the_session_of_a_key_is_named_by_its_hash(
    keyed_client: TestClient, headers: dict[str, str]
) -> None:
    response = keyed_client.get("/budget", headers=headers)
    assert response.json()["session_id"] == key_session("k1-secret")
    assert "k1-secret" not in response.text


def test_each_key_has_its_own_budget(keyed_client: TestClient) -> None:
    first, second = ({"X-Api-Key": key} for key in KEYS)
    keyed_client.post("/runs", json={"preset": HELLO, "shot_budget": 300}, headers=first)

    first_budget = keyed_client.get("/budget", headers=first).json()
    second_budget = keyed_client.get("/budget", headers=second).json()

    assert set(first_budget) == {"session_id", "limit", "used", "remaining", "ttl_seconds"}
    assert (first_budget["session_id"], first_budget["used"]) == (key_session(KEYS[0]), 300)
    assert first_budget["remaining"] == first_budget["limit"] - 300
    assert (second_budget["session_id"], second_budget["used"]) == (key_session(KEYS[1]), 0)


def test_an_explicit_session_id_wins_over_the_key(keyed_client: TestClient) -> None:
    headers = {"X-Api-Key": KEYS[0], "X-Session-Id": "bench-7"}
    assert keyed_client.get("/budget", headers=headers).json()["session_id"] == "bench-7"


def test_without_keys_the_session_is_local(client: TestClient) -> None:
    response = client.get("/budget", headers={"X-Api-Key": "anything"})
    assert response.json()["session_id"] == "local-session"


def test_the_key_appears_in_no_response_or_log_line(
    keyed_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {"X-Api-Key": KEYS[0]}
    run = keyed_client.post("/experiments/run", json={"preset": HELLO}, headers=headers)
    responses = [
        run,
        keyed_client.get("/runs", headers=headers),
        keyed_client.get(f"/runs/{run.json()['id']}", headers=headers),
        keyed_client.get("/telemetry/qubits", headers=headers),
        keyed_client.get("/budget", headers=headers),
        keyed_client.get("/health"),
        keyed_client.get("/runs", headers={"X-Api-Key": "k1-secret-wrong"}),
    ]
    assert run.status_code == 200
    for key in (*KEYS, "k1-secret-wrong"):
        assert all(key not in response.text for response in responses)
        assert key not in caplog.text


@pytest.mark.parametrize(
    ("path", "status"),
    [("/health", 200), ("/runs", 401), ("/no-such-route", 404)],
)
def test_a_given_request_id_is_echoed(keyed_client: TestClient, path: str, status: int) -> None:
    response = keyed_client.get(path, headers={"X-Request-Id": "trace-42"})
    assert response.status_code == status
    assert response.headers["x-request-id"] == "trace-42"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/health", 200), ("/runs", 401), ("/no-such-route", 404)],
)
def test_a_request_id_is_generated_when_absent(
    keyed_client: TestClient, path: str, status: int
) -> None:
    first, second = keyed_client.get(path), keyed_client.get(path)
    assert first.status_code == status
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(len(request_id) >= 16 for request_id in ids)
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    ("path", "status"), [("/health", 200), ("/runs", 401)], ids=["public", "refused"]
)
def test_an_allowed_origin_is_echoed_with_credentials(
    keyed_client: TestClient, path: str, status: int
) -> None:
    response = keyed_client.get(path, headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_a_foreign_origin_gets_no_cors_headers(keyed_client: TestClient) -> None:
    response = keyed_client.get("/health", headers={"Origin": FOREIGN_ORIGIN})
    assert response.status_code == 200
    # Starlette sends allow-credentials on every response; without an allowed origin a
    # browser still withholds the body from the foreign page.
    assert "access-control-allow-origin" not in response.headers


def test_a_preflight_from_an_allowed_origin_needs_no_key(keyed_client: TestClient) -> None:
    response = keyed_client.options(
        "/runs",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key, x-session-id, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"x-api-key", "x-session-id", "content-type"} <= {h.strip() for h in allowed.split(",")}


def test_a_preflight_from_a_foreign_origin_is_refused(keyed_client: TestClient) -> None:
    response = keyed_client.options(
        "/runs",
        headers={"Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_wildcard_origin_is_never_combined_with_credentials(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, allowed_origins=("*",))
    with TestClient(create_app(settings)) as client:
        response = client.get("/health", headers={"Origin": FOREIGN_ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
