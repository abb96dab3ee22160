"""`ionq_cloud` through qiskit-ionq against a loopback server speaking the IonQ API v0.4:
submit, the state walk, probabilities, cancel, a 429, and the cost estimate before a QPU job."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions
from synqc_backend.http.app import create_app
from synqc_backend.measurements.bell_state import bell_circuit as bell
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets import ionq
from synqc_backend.targets.base import JobCancelledError
from synqc_backend.targets.pacing import Pacing
from synqc_backend.targets.provider import ProviderTarget
from synqc_backend.targets.registry import build_targets
from tests.conftest import make_settings, services_of, wait_finished
from tests.targets.ionq_server import IonQState, ionq_server
from tests.targets.provider_doubles import FakeClock, MemoryLedger
from tests.targets.provider_env import clear_provider_credentials


@pytest.fixture
def ionq_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[IonQState]:
    """The loopback server, with the SDK pointed at it (`IONQ_API_URL`)."""
    clear_provider_credentials(monkeypatch, str(tmp_path))
    with ionq_server() as (url, state):
        monkeypatch.setenv("IONQ_API_URL", url)
        yield state


def flip() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.x(1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def target_on(tmp_path: Path, clock: FakeClock, backend: str = "simulator") -> ProviderTarget:
    """The registry's IonQ target with a clock that does not wait."""
    settings = make_settings(tmp_path, ionq_api_key="test-key", ionq_backend=backend)
    built = build_targets(settings=settings)["ionq_cloud"]
    assert isinstance(built, ProviderTarget)
    return ProviderTarget(
        built.descriptor,
        built.capabilities,
        built.readiness,
        lambda: ionq.IonQSession(settings),
        pacing=Pacing(sleep=clock.sleep, monotonic=clock.monotonic),
    )


def test_a_job_walks_the_v04_states_to_its_counts(ionq_api: IonQState, tmp_path: Path) -> None:
    ledger, clock = MemoryLedger(), FakeClock()

    result = target_on(tmp_path, clock).execute(
        [bell(), flip()], ExecutionOptions(shots=1000, seed=5, jobs=ledger)
    )

    bell_counts, flip_counts = result.counts
    assert set(bell_counts) == {"00", "11"}
    assert sum(bell_counts.values()) == 1000
    assert 400 < bell_counts["00"] < 600
    assert flip_counts == {"10": 1000}
    assert [job.state for job in ledger.history] == [
        "submitted",
        "queued",
        "running",
        "done",
        "done",
    ]
    assert result.provider_job_id == "job-1"
    assert result.execution_s == pytest.approx(0.012)
    assert ("POST", "/v0.4/jobs") in ionq_api.requests
    assert ("GET", "/v0.4/jobs/job-1/results/probabilities") in ionq_api.requests


def test_a_cancel_request_reaches_the_api(ionq_api: IonQState, tmp_path: Path) -> None:
    ledger = MemoryLedger(cancel=True)

    with pytest.raises(JobCancelledError):
        target_on(tmp_path, FakeClock()).execute([bell()], ExecutionOptions(100, jobs=ledger))

    assert ("PUT", "/v0.4/jobs/job-1/status/cancel") in ionq_api.requests
    assert ionq_api.jobs["job-1"].status == "canceled"


def test_a_rate_limited_submit_is_retried(ionq_api: IonQState, tmp_path: Path) -> None:
    ionq_api.rate_limited = 1

    with pytest.warns(UserWarning, match="Retrying submit_job"):
        result = target_on(tmp_path, FakeClock()).execute([flip()], ExecutionOptions(100))

    assert result.counts == ({"10": 100},)
    assert [r for r in ionq_api.requests if r[0] == "POST"] == [("POST", "/v0.4/jobs")] * 2


def test_a_qpu_job_records_its_cost_estimate(ionq_api: IonQState, tmp_path: Path) -> None:
    ledger = MemoryLedger()

    result = target_on(tmp_path, FakeClock(), backend="qpu.aria-1").execute(
        [bell()], ExecutionOptions(100, jobs=ledger)
    )

    # One 1q gate (h) and one 2q gate (cx) over 100 shots.
    expected = 100 * (0.000220 + 0.000975)
    assert ledger.history[0].usage["estimated_cost"] == pytest.approx(expected)
    assert result.usage["estimated_cost"] == pytest.approx(expected)
    assert sum(result.counts[0].values()) == 100


@pytest.fixture
def ionq_client(ionq_api: IonQState, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, ionq_api_key="test-key")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.slow
def test_a_bell_run_through_the_api_stores_the_ionq_job(ionq_client: TestClient) -> None:
    run_id = ionq_client.post(
        "/runs",
        json={
            "preset": "hello_quantum_sim",
            "hardware_target": "ionq_cloud",
            "seed": 3,
            "shot_budget": 1000,
        },
    ).json()["id"]

    run = wait_finished(ionq_client, run_id, 60)

    assert run["status"] == "succeeded", (run["error_code"], run["error_message"])
    assert run["result"]["kpis"]["fidelity"] > 0.9
    with services_of(ionq_client).database.unit_of_work() as session:
        job = RunRepository(session).provider_job(run_id, 0)
    assert job is not None
    assert (job.target_id, job.job_id, job.state) == ("ionq_cloud", "job-1", "done")


def submit_bell(client: TestClient) -> str:
    run_id: str = client.post(
        "/runs",
        json={"preset": "hello_quantum_sim", "hardware_target": "ionq_cloud", "shot_budget": 100},
    ).json()["id"]
    return run_id


def wait_for_provider_job(state: IonQState, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not state.jobs:
        assert time.monotonic() < deadline, "no job reached the IonQ API"
        time.sleep(0.02)


@pytest.mark.slow
def test_cancelling_a_run_cancels_its_ionq_job(
    ionq_client: TestClient, ionq_api: IonQState
) -> None:
    run_id = submit_bell(ionq_client)
    wait_for_provider_job(ionq_api)

    assert ionq_client.post(f"/runs/{run_id}/cancel").status_code < 300
    run = wait_finished(ionq_client, run_id, 60)

    assert run["status"] == "cancelled", (run["error_code"], run["error_message"])
    assert run["error_code"] == "CANCELLED"
    assert ionq_api.jobs["job-1"].status == "canceled"
    assert ionq_client.get("/budget").json()["used"] == 0


@pytest.mark.slow
def test_a_job_past_the_run_deadline_times_the_run_out(ionq_api: IonQState, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ionq_api_key="test-key", job_timeout_seconds=2.5)
    with TestClient(create_app(settings)) as client:
        run_id = submit_bell(client)
        run = wait_finished(client, run_id, 60)

    assert run["status"] == "failed"
    assert run["error_code"] == "TIMEOUT", run["error_message"]
    assert ionq_api.jobs["job-1"].status == "canceled"
