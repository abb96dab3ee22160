"""What every target promises, checked on all six: state normalization, backoff and deadline,
cancellation, refusal above `max_shots`, retries on 429/5xx and re-attachment by stored job id.

Provider targets run the shared `ProviderTarget` with their own module's descriptor and state
table; a scripted session speaks each provider's own state names in place of the SDK.
"""

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.execution import Capabilities, ExecutionOptions, ProviderJobRecord
from synqc_backend.http.app import create_app
from synqc_backend.measurements.bell_state import bell_circuit as bell
from synqc_backend.models import TargetStatus
from synqc_backend.targets import azure, braket, ibm, ionq, rigetti
from synqc_backend.targets.base import (
    JobCancelledError,
    JobDeadlineError,
    JobNotFoundError,
    JobState,
    ProviderJobFailedError,
    Readiness,
    ShotsAboveLimitError,
    normalized_state,
)
from synqc_backend.targets.pacing import Pacing
from synqc_backend.targets.provider import JobCache, ProviderTarget
from tests.conftest import make_settings
from tests.targets.provider_doubles import FakeClock, MemoryLedger, ScriptedSession

MAX_SHOTS = 1000

# Each provider's own names for: accepted, waiting, running, finished, failed, cancelled.
LIFECYCLES: dict[str, tuple[ModuleType, tuple[str, ...], str, str]] = {
    "ibm_quantum": (ibm, ("INITIALIZING", "QUEUED", "RUNNING", "DONE"), "ERROR", "CANCELLED"),
    "aws_braket": (braket, ("CREATED", "QUEUED", "RUNNING", "COMPLETED"), "FAILED", "CANCELLED"),
    "azure_quantum": (azure, ("WAITING", "EXECUTING", "SUCCEEDED"), "FAILED", "CANCELLED"),
    "ionq_cloud": (ionq, ("submitted", "ready", "started", "completed"), "failed", "canceled"),
    "rigetti_forest": (rigetti, ("RUNNING", "DONE"), "FAILED", "CANCELLED"),
}
PROVIDERS = list(LIFECYCLES)
ALL_TARGETS = ["sim_local", *PROVIDERS]


def provider(target_id: str, session: ScriptedSession, clock: FakeClock) -> ProviderTarget:
    module = LIFECYCLES[target_id][0]
    pacing = Pacing(sleep=clock.sleep, monotonic=clock.monotonic, uniform=lambda a, b: b)
    return ProviderTarget(
        module.DESCRIPTOR,
        lambda: Capabilities(MAX_SHOTS, 2, ("cx",), "scripted", "contract test"),
        lambda: Readiness(TargetStatus.READY, "scripted"),
        lambda: session,
        pacing=pacing,
    )


def scripted(target_id: str, script: tuple[object, ...] | None = None) -> ScriptedSession:
    module, lifecycle, _, _ = LIFECYCLES[target_id]
    return ScriptedSession(module.STATES, script or lifecycle)


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_every_provider_state_has_a_normalized_meaning(target_id: str) -> None:
    module, lifecycle, failed, cancelled = LIFECYCLES[target_id]
    table = module.STATES

    assert [normalized_state(name, table).final for name in lifecycle] == [
        *([False] * (len(lifecycle) - 1)),
        True,
    ]
    assert normalized_state(lifecycle[-1], table) is JobState.DONE
    assert normalized_state(failed, table) is JobState.FAILED
    assert normalized_state(cancelled, table) is JobState.CANCELLED
    assert normalized_state("SOMETHING_NEW", table) is JobState.SUBMITTED
    assert not normalized_state("SOMETHING_NEW", table).final


def test_an_enum_state_is_read_by_its_name() -> None:
    from qiskit.providers import JobStatus

    assert normalized_state(JobStatus.DONE, ibm.STATES) is JobState.DONE
    assert normalized_state(JobStatus.QUEUED, ionq.STATES) is JobState.QUEUED


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_job_is_polled_with_backoff_to_its_counts(target_id: str) -> None:
    session, clock, ledger = scripted(target_id), FakeClock(), MemoryLedger()
    target = provider(target_id, session, clock)

    result = target.execute([bell(), bell()], ExecutionOptions(shots=100, jobs=ledger))

    assert session.submitted == [2]
    assert result.counts == ({"00": 60, "11": 40},) * 2
    assert result.shots_executed == 200
    assert result.provider_job_id == "job-1"
    assert dict(result.usage) == {"estimated_cost": 0.25, "s": 1}
    polls = len(LIFECYCLES[target_id][1])
    assert clock.sleeps == [1.0, 2.0, 4.0][: polls - 1]
    states = [record.state for record in ledger.history]
    assert states[0] == "submitted"
    assert states[-1] == "done"
    assert all(record.job_id == "job-1" for record in ledger.history)


def test_poll_intervals_double_from_one_second_up_to_thirty() -> None:
    delays = Pacing().poll_delays()

    assert [next(delays) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_job_still_waiting_at_the_deadline_is_cancelled(target_id: str) -> None:
    waiting = LIFECYCLES[target_id][1][0]
    session, clock = scripted(target_id, (waiting,)), FakeClock()
    target = provider(target_id, session, clock)

    with pytest.raises(JobDeadlineError, match="deadline"):
        target.execute([bell()], ExecutionOptions(shots=100, deadline_monotonic=20.0))

    assert session.cancelled == ["job-1"]
    assert clock.now <= 20.0
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_cancel_request_cancels_the_provider_job(target_id: str) -> None:
    waiting = LIFECYCLES[target_id][1][0]
    session, clock, ledger = scripted(target_id, (waiting,)), FakeClock(), MemoryLedger()
    target = provider(target_id, session, clock)
    ledger.cancel = True

    with pytest.raises(JobCancelledError):
        target.execute([bell()], ExecutionOptions(shots=100, jobs=ledger))

    assert session.cancelled == ["job-1"]


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_stored_job_id_is_waited_for_instead_of_submitting_again(target_id: str) -> None:
    running = LIFECYCLES[target_id][1][-2]
    finished = LIFECYCLES[target_id][1][-1]
    session, clock = scripted(target_id, (running, finished)), FakeClock()
    ledger = MemoryLedger(stored=ProviderJobRecord(target_id, "job-41", "running", 1.0))
    target = provider(target_id, session, clock)

    result = target.execute([bell()], ExecutionOptions(shots=100, jobs=ledger))

    assert session.submitted == []
    assert set(session.polled) == {"job-41"}
    assert result.provider_job_id == "job-41"
    assert ledger.history[-1].state == "done"


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_stored_job_the_provider_no_longer_knows_is_submitted_again(target_id: str) -> None:
    session, clock = scripted(target_id), FakeClock()
    session.lost = {"job-lost"}
    ledger = MemoryLedger(stored=ProviderJobRecord(target_id, "job-lost", "running", 1.0))

    result = provider(target_id, session, clock).execute(
        [bell()], ExecutionOptions(shots=100, jobs=ledger)
    )

    assert session.submitted == [1]
    assert result.provider_job_id == "job-1"
    assert ledger.history[0].job_id == "job-1"


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_job_the_provider_fails_fails_the_batch(target_id: str) -> None:
    failed = LIFECYCLES[target_id][2]
    session, clock = scripted(target_id, (failed,)), FakeClock()

    with pytest.raises(ProviderJobFailedError, match="failed"):
        provider(target_id, session, clock).execute([bell()], ExecutionOptions(shots=10))


class HttpError(Exception):
    def __init__(self, status_code: int) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_rate_limits_and_server_errors_are_retried_with_jitter(target_id: str) -> None:
    session, clock = scripted(target_id), FakeClock()
    session.failures = [HttpError(429), HttpError(503)]

    result = provider(target_id, session, clock).execute([bell()], ExecutionOptions(shots=10))

    assert session.submitted == [1]
    assert result.counts
    # Jitter is drawn from [0, 1 s) then [0, 2 s); the contract's pacing draws the maximum.
    assert clock.sleeps[:2] == [1.0, 2.0]


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_client_error_is_not_retried(target_id: str) -> None:
    session, clock = scripted(target_id), FakeClock()
    session.failures = [HttpError(400)]

    with pytest.raises(HttpError):
        provider(target_id, session, clock).execute([bell()], ExecutionOptions(shots=10))

    assert clock.sleeps == []


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_shots_above_max_shots_are_refused_before_submit(target_id: str) -> None:
    session = scripted(target_id)
    target = provider(target_id, session, FakeClock())

    with pytest.raises(ShotsAboveLimitError, match=str(MAX_SHOTS)):
        target.execute([bell()], ExecutionOptions(shots=MAX_SHOTS + 1))

    assert session.submitted == []


# Each target ready on its offline device, so that only capacity can refuse the run.
OFFLINE: dict[str, dict[str, Any]] = {
    "sim_local": {},
    "ibm_quantum": {"qiskit_backend_ibm_quantum": "FakeManilaV2"},
    "aws_braket": {"braket_device": "braket_dm"},
    "azure_quantum": {"azure_quantum_target": "local"},
    "ionq_cloud": {"ionq_api_key": "key"},
    "rigetti_forest": {"rigetti_quantum_processor": "pyqvm"},
}


@pytest.mark.parametrize("target_id", ALL_TARGETS)
def test_a_run_above_a_targets_max_shots_is_refused_at_submit(
    tmp_path: Path, target_id: str
) -> None:
    with TestClient(create_app(make_settings(tmp_path, **OFFLINE[target_id]))) as client:
        listed = {t["id"]: t for t in client.get("/hardware/targets").json()["targets"]}
        max_shots = listed[target_id]["capabilities"]["max_shots"]

        response = client.post(
            "/runs",
            json={
                "preset": "hello_quantum_sim",
                "hardware_target": target_id,
                "shot_budget": max_shots + 1,
            },
        )

        assert listed[target_id]["status"] == "ready"
        assert response.status_code == 400, response.text
        assert response.json()["detail"]["code"] == "PROVIDER_CAPACITY"
        assert client.get("/runs").json()["runs"] == []
        assert client.get("/budget").json()["used"] == 0


def test_a_batch_of_provider_jobs_is_as_far_as_its_slowest_or_failed_one() -> None:
    from synqc_backend.targets.provider import least_advanced

    assert least_advanced(["COMPLETED", "RUNNING", "QUEUED"], braket.STATES) == "QUEUED"
    assert least_advanced(["COMPLETED", "FAILED", "QUEUED"], braket.STATES) == "FAILED"
    assert least_advanced(["COMPLETED", "COMPLETED"], braket.STATES) == "COMPLETED"
    assert least_advanced(["DONE", "CANCELLED"], azure.STATES) == "CANCELLED"


def test_a_job_handle_is_fetched_once_and_a_lost_local_job_is_not_found() -> None:
    fetched: list[str] = []

    def fetch(job_id: str) -> object:
        fetched.append(job_id)
        return f"handle of {job_id}"

    cloud = JobCache(fetch)
    cloud.add("submitted", "handle of submitted")
    assert cloud.get("submitted") == "handle of submitted"
    assert cloud.get("from-before-a-restart") == cloud.get("from-before-a-restart")
    assert fetched == ["from-before-a-restart"]
    with pytest.raises(JobNotFoundError):
        JobCache(None).get("from-before-a-restart")
