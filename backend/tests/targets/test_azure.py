"""`azure_quantum`: the adapter's submit → poll → result path on the Quantum Development Kit's
local simulator backend (`local`), directly and through the API; and the workspace job
lifecycle (upload, job states, result blob, cancel, fetch by id) through azure-quantum against a
loopback stand-in of the workspace and its storage."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.quantum import Workspace
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions, ProviderJobRecord
from synqc_backend.http.app import create_app
from synqc_backend.models import TargetStatus
from synqc_backend.targets.azure import AzureSession
from synqc_backend.targets.base import JobCancelledError, Readiness
from synqc_backend.targets.pacing import Pacing
from synqc_backend.targets.provider import ProviderTarget
from synqc_backend.targets.registry import build_targets
from tests.conftest import make_settings, wait_finished
from tests.targets.azure_workspace_server import WorkspaceState, workspace_server
from tests.targets.provider_doubles import FakeClock, MemoryLedger


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


@pytest.fixture
def workspace() -> Iterator[tuple[Any, WorkspaceState]]:
    """An azure-quantum Workspace whose data plane and storage are the loopback stand-in."""
    with workspace_server() as (url, state):
        yield (
            Workspace(
                subscription_id="00000000-0000-0000-0000-000000000000",
                resource_group="synqc",
                name="loopback",
                location="westus",
                credential=AzureKeyCredential("loopback-key"),
                # The SDK's own switch for a data-plane endpoint (azure-quantum 3.13).
                _quantum_endpoint=url,
            ),
            state,
        )


def workspace_target(tmp_path: Path, workspace: Any) -> ProviderTarget:
    settings = make_settings(tmp_path)
    built = build_targets(settings=settings)["azure_quantum"]
    assert isinstance(built, ProviderTarget)
    clock = FakeClock()
    return ProviderTarget(
        built.descriptor,
        built.capabilities,
        lambda: Readiness(TargetStatus.READY, "loopback workspace"),
        lambda: AzureSession(settings, workspace=workspace),
        pacing=Pacing(sleep=clock.sleep, monotonic=clock.monotonic),
    )


def flip_and_coin() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.x(1)
    circuit.h(0)
    circuit.measure([0, 1], [0, 1])
    return circuit


def test_a_workspace_job_is_uploaded_walked_to_succeeded_and_read(
    tmp_path: Path, workspace: tuple[Any, WorkspaceState]
) -> None:
    client, state = workspace
    ledger = MemoryLedger()

    result = workspace_target(tmp_path, client).execute(
        [flip_and_coin()], ExecutionOptions(shots=400, jobs=ledger)
    )

    (counts,) = result.counts
    assert set(counts) == {"10", "11"}
    assert sum(counts.values()) == 400
    assert 150 < counts["11"] < 250
    states = [job.state for job in ledger.history]
    assert states[0] == "submitted"
    assert "running" in states
    assert states[-1] == "done"
    (job_id,) = state.jobs
    assert result.provider_job_id == job_id
    assert state.jobs[job_id]["target"] == "ionq.simulator"
    assert any(path.endswith("/inputData") for method, path in state.requests if method == "PUT")


def test_a_cancel_request_cancels_the_workspace_job(
    tmp_path: Path, workspace: tuple[Any, WorkspaceState]
) -> None:
    client, state = workspace
    ledger = MemoryLedger(cancel=True)

    with pytest.raises(JobCancelledError):
        workspace_target(tmp_path, client).execute(
            [flip_and_coin()], ExecutionOptions(shots=100, jobs=ledger)
        )

    (job,) = state.jobs.values()
    assert job["status"] == "Cancelled"


def test_a_stored_workspace_job_is_fetched_by_id_not_submitted_again(
    tmp_path: Path, workspace: tuple[Any, WorkspaceState]
) -> None:
    client, state = workspace
    ledger = MemoryLedger()
    with pytest.raises(JobCancelledError):
        workspace_target(tmp_path, client).execute(
            [flip_and_coin()], ExecutionOptions(shots=100, jobs=MemoryLedger(cancel=True))
        )
    (job_id,) = state.jobs
    state.jobs[job_id]["status"] = "Waiting"
    ledger.stored = ProviderJobRecord("azure_quantum", job_id, "queued", 1.0)

    result = workspace_target(tmp_path, client).execute(
        [flip_and_coin()], ExecutionOptions(shots=100, jobs=ledger)
    )

    assert list(state.jobs) == [job_id]
    assert result.provider_job_id == job_id
    assert sum(result.counts[0].values()) == 100
