"""The served schema states the rules the server enforces, and the server keeps what it states.

The agreement tests send requests on both sides of each rule to a real app (workers stopped,
so accepted runs stay queued) and check that a request is schema-valid exactly when it is
accepted.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema_rs import Draft202012Validator

from synqc_backend.config import Settings
from synqc_backend.http.app import create_app
from synqc_backend.models import Preset as PresetName
from synqc_backend.models import TargetStatus
from synqc_backend.presets.registry import PRESETS
from synqc_backend.runs.request_rules import server_rules
from tests.conftest import make_settings, services_of

type Body = dict[str, Any]

SCHEMAS = "#/components/schemas/"
SUBMIT_PATHS = ("/runs", "/experiments/run")
ON_FAKE_IBM = {"qiskit_backend_ibm_quantum": "FakeManilaV2"}
# A per-run maximum below some presets' defaults (an omitted budget is refused for those),
# and the default one, above sim_local's per-circuit limit.
MAX_SHOTS = [20_000, 200_000]


def openapi_of(settings: Settings) -> dict[str, Any]:
    return create_app(settings).openapi()


def validator(openapi: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator of the schema at `pointer` inside the served document (refs resolve)."""
    return Draft202012Validator({**openapi, "$ref": pointer})


def body_pointer(path: str) -> str:
    escaped = path.replace("/", "~1")
    return f"#/paths/{escaped}/post/requestBody/content/application~1json/schema"


@pytest.fixture(scope="module", params=MAX_SHOTS, ids=lambda shots: f"max-{shots}")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """An app whose runs stay queued, on sim_local and a fake IBM device, and its schema."""
    settings = make_settings(
        tmp_path_factory.mktemp("served"),
        max_shots_per_experiment=request.param,
        # The v0.1 route answers 202 at once: runs here never start.
        legacy_run_wait_seconds=0,
        **ON_FAKE_IBM,
    )
    with TestClient(create_app(settings)) as client:
        services_of(client).queue.stop_workers()
        yield client, client.get("/openapi.json").json()


def submit_bodies(client: TestClient) -> list[Body]:
    """Requests on both sides of every rule of a run request, from the app's own facts."""
    services = services_of(client)
    most = services.settings.max_shots_per_experiment
    targets = {
        target_id: target.capabilities()
        for target_id, target in services.engine.targets.items()
        if target.readiness().status is TargetStatus.READY
    }
    hello = {"preset": "hello_quantum_sim"}
    bodies: list[Body] = [
        {**hello, "hardware_target": "nowhere"},
        {**hello, "hardware_target": "aws_braket"},
        {**hello, "compare_targets": ["nowhere"]},
        {**hello, "qubits": [0, 0]},
        {**hello, "qubits": [-1]},
        {**hello, "qubits": ["1"]},
        {**hello, "seed": "5"},
        {**hello, "shot_budget": "100"},
        {**hello, "shot_budget": 100.0},
        {**hello, "shot_budget": 100.5},
        {**hello, "adaptive": 0},
        {**hello, "notes": "a\x00b"},
        {"preset": "health", "adaptive": False, "target_relative_stderr": 0.1},
        {"preset": "health", "adaptive": True, "target_relative_stderr": 0.1},
    ]
    for target_id, capabilities in targets.items():
        for qubit in (capabilities.num_qubits - 1, capabilities.num_qubits):
            bodies.append({**hello, "hardware_target": target_id, "qubits": [qubit]})
    for name, preset in PRESETS.items():
        for target_id, capabilities in targets.items():
            run: Body = {"preset": name.value, "hardware_target": target_id}
            bodies += [run, {**run, "shot_budget": None}]
            limits = (preset.min_shot_budget, most, capabilities.max_shots)
            for budget in sorted({shots + step for shots in limits for step in (-1, 0, 1)}):
                bodies.append({**run, "shot_budget": budget})
    return bodies


@pytest.mark.parametrize("path", SUBMIT_PATHS)
def test_a_run_request_is_schema_valid_exactly_when_submit_accepts_it(
    served: tuple[TestClient, dict[str, Any]], path: str
) -> None:
    client, openapi = served
    schema = validator(openapi, body_pointer(path))
    disagreements = []
    for body in submit_bodies(client):
        # A session each: budgets and active-run caps are state, not rules of the request.
        headers = {"X-Session-Id": uuid.uuid4().hex}
        response = client.post(path, json=body, headers=headers)
        accepted = response.status_code in {200, 202}
        if schema.is_valid(body) != accepted:
            disagreements.append((body, response.status_code, response.text[:200]))
    assert disagreements == []


@pytest.mark.parametrize(
    ("update", "accepted"),
    [
        ({"drive_bias": 1.2}, True),
        ({"drive_bias": 1}, True),
        ({"drive_bias": None}, False),
        ({"drive_bias": "1.2"}, False),
        ({"drive_bias": 1.6}, False),
        ({"thermal_guard_enabled": False}, True),
        ({"thermal_guard_enabled": None}, False),
        ({"thermal_guard_enabled": 0}, False),
        ({"notes": None}, True),
        ({"notes": "n\x00"}, False),
        ({"colour": "blue"}, False),
    ],
)
def test_a_profile_update_is_schema_valid_exactly_when_it_is_accepted(
    served: tuple[TestClient, dict[str, Any]], update: Body, accepted: bool
) -> None:
    client, openapi = served
    schema = validator(openapi, body_pointer("/controls/profile"))

    response = client.post("/controls/profile", json=update)

    assert (schema.is_valid(update), response.status_code) == (
        accepted,
        200 if accepted else 422,
    ), response.text


@pytest.mark.parametrize(
    ("session", "accepted"),
    [
        ("bench-7", True),
        ("Az09_.:-" * 16, True),
        ("", False),
        ("has space", False),
        ("s" * 129, False),
        ("semi;colon", False),
    ],
)
def test_a_session_id_is_schema_valid_exactly_when_it_is_accepted(
    served: tuple[TestClient, dict[str, Any]], session: str, accepted: bool
) -> None:
    client, openapi = served
    (parameter,) = [
        p for p in openapi["paths"]["/budget"]["get"]["parameters"] if p["name"] == "x-session-id"
    ]

    response = client.get("/budget", headers={"X-Session-Id": session})

    assert Draft202012Validator(parameter["schema"]).is_valid(session) == accepted
    assert response.status_code == (200 if accepted else 422), response.text


def test_a_run_id_with_a_nul_is_refused_as_the_schema_says(
    served: tuple[TestClient, dict[str, Any]],
) -> None:
    client, openapi = served
    (parameter,) = openapi["paths"]["/runs/{run_id}"]["get"]["parameters"]

    response = client.get("/runs/abc%00def")

    assert not Draft202012Validator(parameter["schema"]).is_valid("abc\x00def")
    assert response.status_code == 422, response.text
    assert client.get("/runs/abcdef").status_code == 404


@pytest.mark.parametrize("path", SUBMIT_PATHS)
def test_a_submit_body_is_one_variant_per_preset_discriminated_by_preset(
    tmp_path: Path, path: str
) -> None:
    openapi = openapi_of(make_settings(tmp_path))
    body = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    schemas = openapi["components"]["schemas"]

    mapping = body["schema"]["discriminator"]["mapping"]
    assert body["schema"]["discriminator"]["propertyName"] == "preset"
    assert set(mapping) == {name.value for name in PRESETS}
    assert [ref["$ref"] for ref in body["schema"]["oneOf"]] == list(mapping.values())
    for name, ref in mapping.items():
        variant = schemas[ref.removeprefix(SCHEMAS)]
        base, overlay, *_ = variant["allOf"]
        assert base == {"$ref": SCHEMAS + "RunExperimentRequest"}
        assert overlay["properties"]["preset"] == {"const": name}


@pytest.mark.parametrize("max_shots", MAX_SHOTS)
def test_each_variant_carries_its_presets_budgets_from_the_registry(
    tmp_path: Path, max_shots: int
) -> None:
    settings = make_settings(tmp_path, max_shots_per_experiment=max_shots)
    schemas = openapi_of(settings)["components"]["schemas"]
    description = schemas["RunExperimentRequest"]["properties"]["shot_budget"]["description"]

    for name, preset in PRESETS.items():
        variant = schemas["RunExperimentRequest" + name.title().replace("_", "")]
        overlay = variant["allOf"][1]
        budget = overlay["properties"]["shot_budget"]
        default = max(settings.default_shot_budget, preset.default_shot_budget)
        integer = budget["anyOf"][0] if "anyOf" in budget else budget
        assert (integer["minimum"], integer["maximum"]) == (preset.min_shot_budget, max_shots)
        assert ("shot_budget" in overlay["required"]) == (default > max_shots)
        assert f"{name.value} {preset.min_shot_budget:,}" in description
        assert f"{name.value} {default:,}" in description


def test_the_targets_and_their_qubits_are_this_servers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, **ON_FAKE_IBM)
    request = openapi_of(settings)["components"]["schemas"]["RunExperimentRequest"]
    rules = server_rules(settings)

    ids = [rule.target_id for rule in rules.targets]
    assert request["properties"]["hardware_target"]["enum"] == ids
    compare = request["properties"]["compare_targets"]["anyOf"][0]
    assert compare["items"]["enum"] == ids
    qubit_rules = {
        rule["if"]["properties"]["hardware_target"]["const"]: rule["then"]["properties"]["qubits"]
        for rule in request["allOf"]
        if "hardware_target" in rule["if"]["properties"]
    }
    assert qubit_rules == {
        rule.target_id: {"items": {"maximum": rule.num_qubits - 1}} for rule in rules.targets
    }


@pytest.mark.parametrize("keys", [("k" * 20,), ()], ids=["key", "no-key"])
def test_auth_is_declared_exactly_when_a_key_is_configured(
    tmp_path: Path, keys: tuple[str, ...]
) -> None:
    openapi = openapi_of(make_settings(tmp_path, api_key=keys))
    public = {"/health", "/hardware/targets", "/physics/definitions"}

    schemes = openapi["components"].get("securitySchemes", {})
    assert set(schemes) == ({"ApiKey", "Bearer"} if keys else set())
    for path, operations in openapi["paths"].items():
        for operation in operations.values():
            secured = bool(keys) and path not in public
            assert ("security" in operation) == secured, path
            assert ("401" in operation["responses"]) == secured, path
            names = {parameter["name"].lower() for parameter in operation.get("parameters", [])}
            assert not names & {"x-api-key", "authorization"}, path


def test_the_schema_is_built_once_per_app(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))

    assert app.openapi() is app.openapi()
    assert (
        PresetName.HEALTH.value
        in app.openapi()["components"]["schemas"]["RunExperimentRequestHealth"]["description"]
    )
