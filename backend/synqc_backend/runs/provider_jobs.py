"""The run store as a provider target's job ledger: one batch's job id, state and usage.

A worker that picks up a run again after a restart finds the job id its predecessor stored
and waits for that job instead of submitting the batch a second time.
"""

from synqc_backend.execution import ProviderJobRecord
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository


class StoredJobLedger:
    """The `JobLedger` of batch `batch_index` of run `run_id`."""

    def __init__(self, database: Database, run_id: str, batch_index: int) -> None:
        self._database = database
        self._run_id = run_id
        self._batch_index = batch_index

    def recorded(self) -> ProviderJobRecord | None:
        with self._database.unit_of_work() as session:
            return RunRepository(session).provider_job(self._run_id, self._batch_index)

    def record(self, job: ProviderJobRecord) -> None:
        with self._database.unit_of_work() as session:
            RunRepository(session).save_provider_job(self._run_id, self._batch_index, job)

    def cancel_requested(self) -> bool:
        with self._database.unit_of_work() as session:
            return RunRepository(session).cancel_requested(self._run_id)
