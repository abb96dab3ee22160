"""`azure_quantum` on the Quantum Development Kit's local simulator backend (`local`): the
adapter's submit → poll → result path with Qiskit circuits, directly and through the API."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.api import create_app
from synqc_backend.execution import ExecutionOptions
from synqc_backend.models import TargetStatus
from synqc_backend.targets.registry import build_targets
from tests.conftest import make_settings, wait_finished
from tests.targets.provider_doubles import MemoryLedger


def test_each_circuit_is_one_job_and_counts_come_back_in_order(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, azure_quantum_target="local")
    target = build_targets(settings=settings)["azure_quantum"]
    flip = QuantumCircuit(2, 2)
    flip.x(1)
    flip.measure([0, 1], [0, 1])
    zero = QuantumCircuit(1, 1)
    zero.measure(0, 0)
    ledger = MemoryLedger()

    result = target.execute([flip, zero], ExecutionOptions(shots=200, jobs=ledger))

    assert target.readiness().status is TargetStatus.READY
    assert result.counts == ({"10": 200}, {"0": 200})
    job_ids = (result.provider_job_id or "").split(";")
    assert len(job_ids) == 2
    assert ledger.history[-1].state == "done"


@pytest.fixture
def azure_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, azure_quantum_target="local")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_bell_run_on_the_local_backend_comes_back_with_counts(azure_client: TestClient) -> None:
    run_id = azure_client.post(
        "/runs",
        json={"preset": "hello_quantum_sim", "hardware_target": "azure_quantum", "seed": 6},
    ).json()["id"]

    run = wait_finished(azure_client, run_id, 120)

    assert run["status"] == "succeeded", (run["error_code"], run["error_message"])
    assert run["result"]["kpis"]["fidelity"] > 0.9
