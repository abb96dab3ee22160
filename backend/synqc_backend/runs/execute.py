"""The execute half of the engine: claim a stored run, plan its batches, run them on the
targets, analyse the counts and store the result."""

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from synqc_backend.execution import (
    BatchOutcome,
    CircuitBatch,
    DeviceControls,
    ExecutionOptions,
    batch_seed,
)
from synqc_backend.figures.plot_data import Figure
from synqc_backend.models import ControlProfile, RunExperimentRequest, RunState
from synqc_backend.presets.base import PresetContext
from synqc_backend.runs import failure as run_failure
from synqc_backend.runs.batches import BatchPlan, BatchRunner
from synqc_backend.runs.context import preset_context
from synqc_backend.runs.failure import RunFailure
from synqc_backend.runs.finish import (
    AttemptSuperseded,
    RunFinish,
    finished_run,
    mark_failed,
    require,
)
from synqc_backend.runs.qubit_record import record_qubit_measurements
from synqc_backend.runs.report import build_result
from synqc_backend.storage.availability import retry_while_store_faults
from synqc_backend.storage.repository import RunAttempt, RunRepository

log = logging.getLogger(__name__)

PROGRESS_PLANNED = 0.1
PROGRESS_EXECUTED = 0.9

# The attempt each worker thread holds. Dramatiq's time limit interrupts a job in its thread,
# and the queue then calls `fail_timed_out(run_id)` there: it ends that attempt, no other.
_held = threading.local()


@dataclass(frozen=True)
class ClaimedRun:
    """What a worker needs of a stored run, loaded once when it claims the run."""

    id: str
    attempt: int
    session_id: str
    request: RunExperimentRequest
    controls: ControlProfile
    shot_budget: int
    started_at: float
    timeline: dict[str, float]

    @property
    def held(self) -> RunAttempt:
        return RunAttempt(self.id, self.attempt)


class RunExecution(RunFinish):
    """Executes stored runs inside a job, from claim to final state."""

    _runner: BatchRunner

    def execute_run(self, run_id: str) -> None:
        """Run a stored run to a final state; a no-op if another worker or a cancel won it.

        Every write checks that this attempt still holds the run: one that lost it (the sweep
        gave the run back while this worker seemed dead) stops without touching it.
        """
        _held.attempt = None
        claims: list[ClaimedRun | None] = []
        # The message is all there is of the run outside the store: wait out a store fault.
        if not retry_while_store_faults(lambda: claims.append(self._claim(run_id))):
            log.error("run %s: the store still fails; it stays queued for now", run_id)
            return
        claimed = claims[-1]
        if claimed is None:
            return
        _held.attempt = claimed.held
        try:
            self._execute(claimed)
        except AttemptSuperseded as superseded:
            log.warning("%s; this attempt stops", superseded)
        except RunFailure as failure:
            self._finish_failed(claimed.held, failure)
        except Exception as error:
            log.exception("run %s failed", run_id)
            ending = run_failure.from_error(error)

            def record_end() -> None:
                self._finish_failed(claimed.held, ending)

            # The store may be what failed: keep trying to record the end (else the run
            # stays `running` until a restart or the production sweep).
            if not retry_while_store_faults(record_end):
                log.error("run %s: the store still fails; it stays running for now", run_id)

    def fail_timed_out(self, run_id: str) -> None:
        """End the attempt this thread holds of the run with `TIMEOUT` (Dramatiq's time limit
        interrupted it); nothing if the thread holds no attempt of it."""
        held: RunAttempt | None = getattr(_held, "attempt", None)
        if held is not None and held.run_id == run_id:
            self._finish_failed(held, run_failure.timed_out(self.settings.job_timeout_seconds))

    def _execute(self, run: ClaimedRun) -> None:
        preset = self.presets[run.request.preset]
        context = self._context(run.request, run.controls, run.shot_budget)
        # Submit checked this against the targets' per-circuit limits: it binds every stage.
        circuit_shots = preset.circuit_shots(context)
        outcomes: list[BatchOutcome] = []
        batches = preset.plan(context)
        while batches:
            planned = sum(o.batch.cost for o in outcomes) + sum(b.cost for b in batches)
            if planned > run.shot_budget:
                raise RuntimeError(
                    f"preset planned {planned} shots, above its budget {run.shot_budget}"
                )
            if max(batch.shots for batch in batches) > circuit_shots:
                raise RuntimeError(f"preset planned a circuit above its {circuit_shots} shots")
            if not outcomes:
                self._checkpoint(run, "compiled", PROGRESS_PLANNED)
            outcomes += self._runner.run(
                BatchPlan(
                    run_id=run.id,
                    attempt=run.attempt,
                    batches=batches,
                    default_target=run.request.hardware_target,
                    options=lambda batch: _options(run, batch),
                    deadline_monotonic=time.monotonic()
                    - (self._clock() - run.started_at)
                    + self.settings.job_timeout_seconds,
                    timeout_s=self.settings.job_timeout_seconds,
                    # A later stage was not planned at the start: progress holds meanwhile.
                    on_progress=(
                        lambda share: (
                            PROGRESS_PLANNED + (PROGRESS_EXECUTED - PROGRESS_PLANNED) * share
                        )
                    )
                    if not outcomes
                    else (lambda _share: PROGRESS_EXECUTED),
                    first_index=len(outcomes),
                )
            )
            batches = preset.plan_next(context, outcomes)
        # The batch runner checked for a cancel after the last batch; the finish checks again.
        run.timeline["executed"] = self._clock()
        outcome = preset.analyse(context, outcomes)
        run.timeline["analysed"] = self._clock()
        result = build_result(run.controls, context, outcome, outcomes)
        self._finish_succeeded(run, with_figures(run.id, result, outcome.figures))

    def _context(
        self, request: RunExperimentRequest, controls: ControlProfile, shot_budget: int
    ) -> PresetContext:
        return preset_context(self.targets, request, controls, shot_budget)

    def _claim(self, run_id: str) -> ClaimedRun | None:
        now = self._clock()
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            if not repository.claim(run_id, now, self.settings.max_run_attempts):
                return None
            row = require(repository.get(run_id))
            row.timeline = {**row.timeline, "started": now}
            claimed = ClaimedRun(
                id=row.id,
                attempt=row.attempts,
                session_id=row.session_id,
                request=RunExperimentRequest.model_validate(row.request),
                controls=ControlProfile.model_validate(row.control_profile),
                shot_budget=row.shot_budget,
                started_at=now,
                timeline=dict(row.timeline),
            )
        self._publish(run_id, RunState.RUNNING, 0.0)
        return claimed

    def _check_deadline(self, run: ClaimedRun) -> None:
        if self._clock() - run.started_at > self.settings.job_timeout_seconds:
            raise run_failure.timed_out(self.settings.job_timeout_seconds)

    def _checkpoint(self, run: ClaimedRun, stage: str, progress: float) -> None:
        """Record a stage boundary; a cancel asked for meanwhile or a passed deadline stops here."""
        run.timeline[stage] = self._clock()
        with self.database.unit_of_work() as session:
            row = RunRepository(session).lock_attempt(run.held)
            if row is None:
                raise AttemptSuperseded(run.held)
            row.timeline = dict(run.timeline)
            row.progress = progress
            cancel = row.cancel_requested
        if cancel:
            raise run_failure.cancelled()
        self._check_deadline(run)

    def _finish_succeeded(self, run: ClaimedRun, result: dict[str, Any]) -> None:
        """Store the result; a cancel asked for during the analysis cancels the run instead."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.lock_attempt(run.held)
            if row is None:
                raise AttemptSuperseded(run.held)
            finished = self._clock()
            if row.cancel_requested:
                row.timeline = dict(run.timeline)
                mark_failed(row, run_failure.cancelled(), finished)
            else:
                row.timeline = {**run.timeline, "finished": finished}
                row.result = result
                row.status, row.finished_at, row.progress = RunState.SUCCEEDED, finished, 1.0
                record_qubit_measurements(repository, row)
            session_id, refund = row.session_id, row.shot_budget - row.shots_executed
            done = finished_run(row)
        self.budget.release(session_id, refund)
        self._finished(run.id, done)


def with_figures(run_id: str, result: dict[str, Any], figures: Sequence[Figure]) -> dict[str, Any]:
    """The result with its figures' data (drawn when first asked for) and their URLs."""
    return {
        **result,
        "figures": [f"/runs/{run_id}/figures/{figure.name}.svg" for figure in figures],
        "figure_data": {figure.name: asdict(figure) for figure in figures},
    }


def _options(run: ClaimedRun, batch: CircuitBatch) -> ExecutionOptions:
    return ExecutionOptions(
        shots=batch.shots,
        seed=batch_seed(run.request.seed, batch.label),
        layout=batch.layout,
        device=DeviceControls(
            drive_bias=run.controls.drive_bias,
            thermal_guard_enabled=run.controls.thermal_guard_enabled,
        ),
    )
