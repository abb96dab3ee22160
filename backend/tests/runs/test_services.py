"""The service graph follows the settings: simulator profile and mapped backends; a process
starts while its store is unreachable, not with a store at another schema."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.models import TargetStatus
from synqc_backend.runs.services import targets_for
from synqc_backend.storage.database import SchemaMismatchError
from synqc_backend.targets.base import hardware_target
from synqc_backend.targets.local_sim import LocalSimulator
from tests.conftest import make_settings
from tests.live_server import free_port
from tests.postgres_server import require_postgres
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401


def test_sim_profile_setting_selects_the_device(tmp_path: Path) -> None:
    targets = targets_for(make_settings(tmp_path, sim_profile="ibm:FakeManilaV2"))
    simulator = targets["sim_local"]
    assert isinstance(simulator, LocalSimulator)
    assert simulator.profile.num_qubits == 5
    assert "FakeManilaV2" in simulator.descriptor.description


def test_unknown_sim_profile_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="transmon_default"):
        targets_for(make_settings(tmp_path, sim_profile="no_such_device"))


@pytest.mark.parametrize(
    ("backend", "status"),
    [
        ("aer_simulator", TargetStatus.READY),
        ("FakeManilaV2", TargetStatus.READY),
        ("FakeNoSuchDevice", TargetStatus.UNAVAILABLE),
    ],
)
def test_qiskit_backend_setting_maps_a_target(
    tmp_path: Path, backend: str, status: TargetStatus
) -> None:
    targets = targets_for(make_settings(tmp_path, qiskit_backend_ionq_cloud=backend))
    view = hardware_target(targets["ionq_cloud"])
    assert view.status is status
    assert backend in view.status_detail
    assert view.id == "ionq_cloud"


def test_an_api_process_starts_while_its_store_is_unreachable(
    tmp_path: Path, redis_url: str
) -> None:
    """Under `synqc serve --workers N` one process failing its start stops them all: a
    process (re)started during a database outage serves, answering 503 until it is back."""
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/synqc"
    settings = make_settings(tmp_path, database_url=unreachable, redis_url=redis_url)
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        submitted = client.post("/runs", json={"preset": "hello_quantum_sim"})

    assert health.status_code == 200
    assert submitted.status_code == 503
    assert submitted.json()["detail"]["code"] == "STORE_UNAVAILABLE"


def test_a_store_at_another_schema_still_stops_the_start(tmp_path: Path) -> None:
    postgres = require_postgres()
    with postgres.database() as scratch:
        settings = make_settings(tmp_path, database_url=scratch.url)
        with pytest.raises(SchemaMismatchError), TestClient(create_app(settings)):
            pass
