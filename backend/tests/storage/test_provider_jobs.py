"""Provider jobs in the store: a worker restarted mid-wait re-attaches by the stored job id.

Two target instances stand for the worker before and after a crash; they share the provider
(a scripted session in the provider's own state names) and the real store.
"""

import pytest

from synqc_backend.execution import Capabilities, ExecutionOptions, ProviderJobRecord
from synqc_backend.measurements.bell_state import bell_circuit as bell
from synqc_backend.models import TargetStatus
from synqc_backend.runs.provider_jobs import StoredJobLedger
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets import ionq
from synqc_backend.targets.base import Readiness
from synqc_backend.targets.pacing import Pacing
from synqc_backend.targets.provider import ProviderTarget
from tests.storage.test_repository import make_run
from tests.targets.provider_doubles import FakeClock, ScriptedSession


@pytest.fixture
def database(database: Database) -> Database:
    """The migrated store with the running run whose provider jobs the tests record."""
    with database.unit_of_work() as session:
        RunRepository(session).add(make_run("run-1", status="running"))
    return database


class WorkerDied(Exception):
    """Raised from the first worker's sleep: the process is gone mid-wait."""


def worker(session: ScriptedSession, sleep: object) -> ProviderTarget:
    clock = FakeClock()
    return ProviderTarget(
        ionq.DESCRIPTOR,
        lambda: Capabilities(1000, 2, ("cx",), "scripted", "store test"),
        lambda: Readiness(TargetStatus.READY, "scripted"),
        lambda: session,
        pacing=Pacing(sleep=sleep, monotonic=clock.monotonic),  # type: ignore[arg-type]
    )


def test_a_restarted_worker_waits_for_the_stored_job_instead_of_submitting(
    database: Database,
) -> None:
    provider = ScriptedSession(ionq.STATES, ("ready", "ready", "started", "completed"))

    def die(seconds: float) -> None:
        raise WorkerDied

    with pytest.raises(WorkerDied):
        worker(provider, die).execute(
            [bell()], ExecutionOptions(100, jobs=StoredJobLedger(database, "run-1", 0))
        )
    stored = StoredJobLedger(database, "run-1", 0).recorded()
    result = worker(provider, lambda seconds: None).execute(
        [bell()], ExecutionOptions(100, jobs=StoredJobLedger(database, "run-1", 0))
    )

    assert stored is not None
    assert (stored.target_id, stored.job_id, stored.state) == ("ionq_cloud", "job-1", "queued")
    assert stored.usage == {"estimated_cost": 0.25}
    assert provider.submitted == [1]
    assert result.provider_job_id == "job-1"
    assert result.counts == ({"00": 60, "11": 40},)
    final = StoredJobLedger(database, "run-1", 0).recorded()
    assert final is not None
    assert final.state == "done"


def test_each_batch_keeps_its_own_job_and_a_cancel_request_is_read(database: Database) -> None:
    first, second = StoredJobLedger(database, "run-1", 0), StoredJobLedger(database, "run-1", 1)
    first.record(ProviderJobRecord("aws_braket", "task-a;task-b", "queued", 5.0, {"c": 1}))
    second.record(ProviderJobRecord("aws_braket", "task-c", "running", 6.0))

    with database.unit_of_work() as session:
        RunRepository(session).request_cancel("run-1")

    assert first.recorded() == ProviderJobRecord(
        "aws_braket", "task-a;task-b", "queued", 5.0, {"c": 1}
    )
    recorded = second.recorded()
    assert recorded is not None
    assert recorded.job_id == "task-c"
    assert StoredJobLedger(database, "run-2", 0).recorded() is None
    assert first.cancel_requested()
