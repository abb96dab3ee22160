"""`ibm_quantum` in Qiskit Runtime's local testing mode (FakeManilaV2): the adapter's own
transpile → Sampler → job → poll → result path, with the runtime's simulator as the device."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.execution import BatchOutcome, ExecutionOptions
from synqc_backend.http.app import create_app
from synqc_backend.measurements import coherence
from synqc_backend.models import TargetStatus
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.registry import build_targets
from tests.conftest import make_settings, services_of, wait_finished
from tests.targets.provider_doubles import MemoryLedger

FAKE = "FakeManilaV2"


def test_t1_measured_through_local_mode_matches_the_device_calibration(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, qiskit_backend_ibm_quantum=FAKE)
    target = build_targets(backends=settings.qiskit_backends, settings=settings)["ibm_quantum"]
    reference = target.capabilities().reference[0].t1_s
    assert reference is not None
    batch = coherence.t1_batch(coherence.decay_delays_s(reference), 1500, 0)
    ledger = MemoryLedger()

    result = target.execute(
        batch.circuits, ExecutionOptions(batch.shots, seed=11, layout=(0,), jobs=ledger)
    )
    fit = coherence.analyse_t1(BatchOutcome(batch, result))

    assert target.readiness().status is TargetStatus.READY
    assert abs(fit.values["tau"] / reference - 1) < 0.15, (fit.values, reference)
    assert result.backend_name.startswith("fake_manila")
    assert ledger.history[0].state == "submitted"
    assert ledger.history[-1].state == "done"
    assert result.provider_job_id == ledger.history[-1].job_id


@pytest.fixture
def ibm_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, qiskit_backend_ibm_quantum=FAKE)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_bell_run_goes_through_the_runtime_and_stores_its_job(ibm_client: TestClient) -> None:
    listed = {t["id"]: t for t in ibm_client.get("/hardware/targets").json()["targets"]}
    run_id = ibm_client.post(
        "/runs",
        json={"preset": "hello_quantum_sim", "hardware_target": "ibm_quantum", "seed": 2},
    ).json()["id"]

    run = wait_finished(ibm_client, run_id, 120)

    assert listed["ibm_quantum"]["status"] == "ready"
    assert FAKE in listed["ibm_quantum"]["status_detail"]
    assert run["status"] == "succeeded", run
    assert run["result"]["kpis"]["fidelity"] > 0.8
    with services_of(ibm_client).database.unit_of_work() as session:
        repository = RunRepository(session)
        job = repository.provider_job(run_id, 0)
        (batch,) = _require(repository.get(run_id)).batches
    assert job is not None
    assert (job.target_id, job.state) == ("ibm_quantum", "done")
    assert batch["provider_job_id"] == job.job_id
    assert batch["backend_name"].startswith("fake_manila")


def _require[T](value: T | None) -> T:
    assert value is not None
    return value


@pytest.mark.slow
def test_health_on_five_qubits_sends_one_sampler_job_per_batch(ibm_client: TestClient) -> None:
    run_id = ibm_client.post(
        "/runs",
        json={
            "preset": "health",
            "hardware_target": "ibm_quantum",
            "qubits": [0, 1, 2, 3, 4],
            "shot_budget": 2_048,
            "adaptive": False,
            "seed": 3,
        },
    ).json()["id"]

    run = wait_finished(ibm_client, run_id, 600)

    assert run["status"] == "succeeded", run
    assert {m["qubit"] for m in run["result"]["measurements"]} == {0, 1, 2, 3, 4}
    with services_of(ibm_client).database.unit_of_work() as session:
        repository = RunRepository(session)
        batches = _require(repository.get(run_id)).batches
        jobs = [repository.provider_job(run_id, int(b["index"])) for b in batches]
    # One stage of six parts (T1, Ramsey, echo, RB, readout, repeatability): six batches, each
    # one Sampler job measuring all five qubits.
    assert len(batches) == 6
    assert all(b["layout"] == [0, 1, 2, 3, 4] for b in batches)
    assert len({_require(job).job_id for job in jobs}) == 6
    assert [b["provider_job_id"] for b in batches] == [_require(j).job_id for j in jobs]
