"""Errors of the routing layer in the envelope: a wrong method, a body that is not JSON."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/runs", "GET, POST"),
        ("DELETE", "/api/runs", "GET, POST"),
        ("PUT", "/controls/profile", "GET, POST"),
        ("DELETE", "/runs/00000000-0000-4000-8000-000000000000", "GET"),
        ("GET", "/runs/00000000-0000-4000-8000-000000000000/cancel", "POST"),
        ("POST", "/health", "GET"),
        # /experiments/{run_id} takes "run" as an id; the resource /experiments/run is POST only.
        ("OPTIONS", "/experiments/run", "POST"),
        ("OPTIONS", "/api/experiments/run", "POST"),
        ("DELETE", "/experiments/recent", "GET"),
        ("POST", "/", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_naming_every_method_of_the_path(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    """Found by schema fuzzing: `GET /runs` and `POST /runs` are two routes, and the 405 named
    the methods of the first only; Allow is what the schema documents for the path."""
    response = client.request(method, path)

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allowed
    assert response.json()["detail"]["code"] == "INVALID_REQUEST"


@pytest.mark.parametrize("path", ["/runs", "/experiments/run", "/controls/profile"])
def test_a_body_that_is_not_json_is_a_400_that_says_so(client: TestClient, path: str) -> None:
    response = client.post(path, content=b"\xff\x06", headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail["code"] == detail["error_code"] == "INVALID_REQUEST"
    assert "JSON" in detail["action_hint"]
