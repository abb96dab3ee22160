"""The server's control profile: defaults, partial updates, bounds, and what runs record."""

from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from synqc_backend.config import Settings
from synqc_backend.http.app import create_app

HELLO = "hello_quantum_sim"
DEFAULTS: dict[str, Any] = {
    "drive_bias": 1.0,
    "probe_window_ns": 120.0,
    "feedback_gain": 0.35,
    "safety_clamp_ns": 600.0,
    "thermal_guard_enabled": True,
    "tracer_persistence_ms": 420.0,
    "notes": None,
}
OUT_OF_RANGE = [
    ("drive_bias", 0.49),
    ("drive_bias", 1.51),
    ("probe_window_ns", 9.9),
    ("probe_window_ns", 10_001),
    ("feedback_gain", -0.01),
    ("feedback_gain", 3.01),
    ("safety_clamp_ns", -1),
    ("safety_clamp_ns", 20_001),
    ("tracer_persistence_ms", 49),
    ("tracer_persistence_ms", 5_001),
    ("thermal_guard_enabled", "sometimes"),
    ("notes", "n" * 2_001),
]
AT_THE_BOUNDS = [
    ("drive_bias", 0.5),
    ("drive_bias", 1.5),
    ("probe_window_ns", 10),
    ("probe_window_ns", 10_000),
    ("feedback_gain", 0),
    ("feedback_gain", 3),
    ("safety_clamp_ns", 0),
    ("safety_clamp_ns", 20_000),
    ("tracer_persistence_ms", 50),
    ("tracer_persistence_ms", 5_000),
    ("thermal_guard_enabled", False),
    ("notes", "n" * 2_000),
]


def invalid_request(response: httpx2.Response) -> list[list[str | int]]:
    """The locations of a 422 envelope's validation errors."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert set(detail) == {"code", "error_code", "error_message", "error_detail", "action_hint"}
    assert detail["code"] == detail["error_code"] == "INVALID_REQUEST"
    return [error["loc"] for error in detail["error_detail"]["errors"]]


def test_the_profile_starts_at_the_contract_defaults(client: TestClient) -> None:
    assert client.get("/controls/profile").json() == DEFAULTS


def test_a_partial_update_is_merged_into_the_stored_profile(client: TestClient) -> None:
    first = client.post("/controls/profile", json={"drive_bias": 1.2, "notes": "cooldown 3"})
    second = client.post("/controls/profile", json={"feedback_gain": 0.5})

    expected = DEFAULTS | {"drive_bias": 1.2, "notes": "cooldown 3", "feedback_gain": 0.5}
    assert first.json() == DEFAULTS | {"drive_bias": 1.2, "notes": "cooldown 3"}
    assert second.status_code == 200
    assert second.json() == expected
    assert client.get("/controls/profile").json() == expected


def test_notes_can_be_cleared_with_null(client: TestClient) -> None:
    client.post("/controls/profile", json={"notes": "temporary", "drive_bias": 0.9})
    response = client.post("/controls/profile", json={"notes": None})
    assert response.status_code == 200
    assert response.json() == DEFAULTS | {"drive_bias": 0.9}


def test_the_profile_survives_a_restart_on_the_same_store(settings: Settings) -> None:
    with TestClient(create_app(settings)) as before:
        before.post("/controls/profile", json={"probe_window_ns": 250, "drive_bias": 1.1})
    with TestClient(create_app(settings)) as after:
        profile = after.get("/controls/profile").json()
    assert profile == DEFAULTS | {"probe_window_ns": 250.0, "drive_bias": 1.1}


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE)
def test_a_value_out_of_range_is_refused_and_the_profile_kept(
    client: TestClient, field: str, value: Any
) -> None:
    stored = client.post("/controls/profile", json={"drive_bias": 1.2}).json()
    response = client.post("/controls/profile", json={"feedback_gain": 0.7, field: value})
    assert invalid_request(response) == [["body", field]]
    assert client.get("/controls/profile").json() == stored


@pytest.mark.parametrize(("field", "value"), AT_THE_BOUNDS)
def test_a_value_at_its_bound_is_accepted(client: TestClient, field: str, value: Any) -> None:
    response = client.post("/controls/profile", json={field: value})
    assert response.status_code == 200, response.text
    assert response.json()[field] == value
    assert client.get("/controls/profile").json()[field] == value


@pytest.mark.parametrize(
    "field",
    [
        "drive_bias",
        "probe_window_ns",
        "feedback_gain",
        "safety_clamp_ns",
        "thermal_guard_enabled",
        "tracer_persistence_ms",
    ],
)
def test_null_for_a_required_control_is_a_422_not_a_500(client: TestClient, field: str) -> None:
    response = client.post("/controls/profile", json={field: None})
    assert invalid_request(response)
    assert client.get("/controls/profile").json() == DEFAULTS


def test_an_unknown_field_is_refused(client: TestClient) -> None:
    response = client.post("/controls/profile", json={"drive_bias": 1.1, "laser_power_mw": 3})
    assert invalid_request(response) == [["body", "laser_power_mw"]]
    assert client.get("/controls/profile").json() == DEFAULTS


def test_a_run_records_its_control_overrides(client: TestClient) -> None:
    client.post("/controls/profile", json={"drive_bias": 1.3})
    overrides = DEFAULTS | {
        "drive_bias": 0.8,
        "probe_window_ns": 300.0,
        "thermal_guard_enabled": False,
        "notes": "override",
    }

    result = client.post(
        "/experiments/run",
        json={"preset": HELLO, "shot_budget": 200, "control_overrides": overrides},
    ).json()

    assert result["control_profile"] == overrides
    assert client.get(f"/runs/{result['id']}").json()["result"]["control_profile"] == overrides
    assert client.get("/controls/profile").json() == DEFAULTS | {"drive_bias": 1.3}


def test_a_run_without_overrides_records_the_server_profile(client: TestClient) -> None:
    profile = client.post(
        "/controls/profile", json={"drive_bias": 1.3, "safety_clamp_ns": 900}
    ).json()

    result = client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 200}).json()

    assert (
        result["control_profile"]
        == profile
        == DEFAULTS
        | {
            "drive_bias": 1.3,
            "safety_clamp_ns": 900.0,
        }
    )
    assert client.get(f"/runs/{result['id']}").json()["result"]["control_profile"] == profile


def test_a_later_profile_change_does_not_rewrite_a_stored_run(client: TestClient) -> None:
    result = client.post("/experiments/run", json={"preset": HELLO, "shot_budget": 200}).json()
    client.post("/controls/profile", json={"drive_bias": 1.4})
    assert client.get(f"/experiments/{result['id']}").json()["control_profile"] == DEFAULTS


def test_out_of_range_overrides_refuse_the_run(client: TestClient) -> None:
    overrides = DEFAULTS | {"feedback_gain": 4.0}
    response = client.post("/runs", json={"preset": HELLO, "control_overrides": overrides})
    assert invalid_request(response) == [["body", "control_overrides", "feedback_gain"]]
    assert client.get("/runs").json()["runs"] == []
