"""Executes a run's circuit batches on their targets and commits counts after every batch.

Batches bound for different targets run concurrently (one thread per target); batches for one
target run in order. After each batch the counts, the executed shots and the batch's measured
timing are committed, and a cancel request or an expired deadline stops the run. Counts are
committed only while the run's attempt still holds it (`AttemptSuperseded` otherwise).
"""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from synqc_backend.errors import ErrorCode
from synqc_backend.execution import BatchOutcome, CircuitBatch, ExecutionOptions, ExecutionResult
from synqc_backend.runs.deadline_call import DeadlinePassedError, call_before
from synqc_backend.runs.failure import RunFailure, cancelled, timed_out
from synqc_backend.runs.finish import AttemptSuperseded
from synqc_backend.runs.provider_jobs import StoredJobLedger
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunAttempt, RunRepository, StoredCounts
from synqc_backend.targets.base import JobCancelledError, JobDeadlineError, Target


@dataclass(frozen=True)
class BatchPlan:
    """A run's batches (one stage of them) and where and how each runs.

    - `first_index` is the run-wide index of the first batch: a later stage's batches are
      stored after the earlier stages'.
    """

    run_id: str
    attempt: int
    batches: Sequence[CircuitBatch]
    default_target: str
    options: Callable[[CircuitBatch], ExecutionOptions]
    deadline_monotonic: float
    timeout_s: float
    on_progress: Callable[[float], float]
    first_index: int = 0


class BatchRunner:
    def __init__(self, database: Database, targets: dict[str, Target]) -> None:
        self._database = database
        self._targets = targets
        self._lock = threading.Lock()

    def run(self, plan: BatchPlan) -> list[BatchOutcome]:
        """Execute every batch; outcomes come back in the order of `plan.batches`."""
        groups: dict[str, list[int]] = {}
        for index, batch in enumerate(plan.batches):
            groups.setdefault(batch.target_id or plan.default_target, []).append(index)
        outcomes: dict[int, BatchOutcome] = {}
        done = [0]

        def run_group(target_id: str, indices: list[int]) -> None:
            for index in indices:
                outcomes[index] = self._run_one(plan, index, target_id, done)

        if len(groups) == 1:
            ((target_id, indices),) = groups.items()
            run_group(target_id, indices)
        else:
            with ThreadPoolExecutor(max_workers=len(groups)) as pool:
                futures = [pool.submit(run_group, t, i) for t, i in groups.items()]
                for future in futures:
                    future.result()
        return [outcomes[index] for index in range(len(plan.batches))]

    def _run_one(
        self, plan: BatchPlan, index: int, target_id: str, done: list[int]
    ) -> BatchOutcome:
        if time.monotonic() > plan.deadline_monotonic:
            raise timed_out(plan.timeout_s)
        batch = plan.batches[index]
        options = replace(
            plan.options(batch),
            jobs=StoredJobLedger(self._database, plan.run_id, plan.first_index + index),
            deadline_monotonic=plan.deadline_monotonic,
        )
        try:
            result = self._execute(plan, target_id, batch, options)
        except RunFailure as failure:
            if isinstance(failure.__cause__, JobCancelledError):
                raise cancelled() from failure.__cause__
            if isinstance(failure.__cause__, JobDeadlineError):
                raise timed_out(plan.timeout_s) from failure.__cause__
            raise
        with self._lock:
            done[0] += 1
            progress = plan.on_progress(done[0] / len(plan.batches))
            held = RunAttempt(plan.run_id, plan.attempt)
            cancel = self._record(
                held, plan.first_index + index, target_id, batch, result, progress
            )
        if cancel:
            raise cancelled()
        return BatchOutcome(batch, result)

    def _execute(
        self, plan: BatchPlan, target_id: str, batch: CircuitBatch, options: ExecutionOptions
    ) -> ExecutionResult:
        """The target's result; a call still running at the run's deadline is abandoned."""
        target = self._targets[target_id]
        try:
            return call_before(
                plan.deadline_monotonic,
                lambda: target.execute(batch.circuits, options),
                f"{target_id}:{batch.label}",
            )
        except DeadlinePassedError as passed:
            raise timed_out(plan.timeout_s) from passed
        except Exception as error:
            raise RunFailure(
                ErrorCode.PROVIDER_ERROR,
                f"target '{target_id}' failed on batch '{batch.label}': {error}",
                "check the target's status in /hardware/targets and try again",
                {"hardware_target": target_id, "batch": batch.label},
            ) from error

    def _record(
        self,
        run: RunAttempt,
        index: int,
        target_id: str,
        batch: CircuitBatch,
        result: ExecutionResult,
        progress: float,
    ) -> bool:
        """Commit the batch's counts, shots and timing; True when a cancel was asked for."""
        x_values = batch.x_values or (None,) * len(batch.circuits)
        counts = [
            StoredCounts(index, i, batch.label, x, batch.shots, dict(c))
            for i, (c, x) in enumerate(zip(result.counts, x_values, strict=True))
        ]
        with self._database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.lock_attempt(run)
            if row is None:
                raise AttemptSuperseded(run)
            repository.add_counts(run.run_id, counts)
            row.shots_executed += result.shots_executed
            row.progress = progress
            row.batches = [*row.batches, _batch_record(index, target_id, batch, result)]
            return row.cancel_requested


def _batch_record(
    index: int, target_id: str, batch: CircuitBatch, result: ExecutionResult
) -> dict[str, object]:
    return {
        "index": index,
        "label": batch.label,
        "target": target_id,
        "layout": None if batch.layout is None else list(batch.layout),
        "shots_executed": result.shots_executed,
        "submit_to_result_s": result.submit_to_result_s,
        "execution_s": result.execution_s,
        "queue_s": result.queue_s,
        "backend_name": result.backend_name,
        "device_controls_applied": result.device_controls_applied,
        "provider_job_id": result.provider_job_id,
        "usage": dict(result.usage),
    }
