"""SynQcEngine: submit a run (validate, reserve shots, store, enqueue) and execute it end to end.

The only place where presets, targets and analysis meet.
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from synqc_backend import guardrails, run_failure
from synqc_backend.batch_runner import BatchPlan, BatchRunner
from synqc_backend.budget import BudgetTracker
from synqc_backend.config import Settings
from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.events import RunEvents, run_event
from synqc_backend.execution import CircuitBatch, DeviceControls, ExecutionOptions
from synqc_backend.figures import render_svg
from synqc_backend.metrics import RunMetrics
from synqc_backend.models import (
    ControlProfile,
    ControlProfileUpdate,
    HardwareTarget,
    RunExperimentRequest,
    RunState,
    SessionBudget,
)
from synqc_backend.models import Preset as PresetName
from synqc_backend.plot_data import Figure, figure_from_json
from synqc_backend.presets.base import Preset, PresetContext
from synqc_backend.queue import RunQueue
from synqc_backend.reanalysis import stored_outcomes
from synqc_backend.run_failure import RunFailure
from synqc_backend.run_report import build_result
from synqc_backend.session_gate import SessionGate
from synqc_backend.storage.availability import retry_while_store_faults
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow
from synqc_backend.targets.base import Target, hardware_target
from synqc_backend.targets.registry import SIM_LOCAL

log = logging.getLogger(__name__)

CONTROL_PROFILE_NAME = "default"
PROGRESS_PLANNED = 0.1
PROGRESS_EXECUTED = 0.9


@dataclass(frozen=True)
class ClaimedRun:
    """What a worker needs of a stored run, loaded once when it claims the run."""

    id: str
    session_id: str
    request: RunExperimentRequest
    controls: ControlProfile
    shot_budget: int
    started_at: float
    timeline: dict[str, float]


class SynQcEngine:
    """Validates and stores runs at submit; executes stored runs inside a job."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        budget: BudgetTracker,
        targets: dict[str, Target],
        presets: dict[PresetName, Preset],
        queue: RunQueue,
        events: RunEvents,
        metrics: RunMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.database = database
        self.budget = budget
        self.targets = targets
        self.presets = presets
        self.queue = queue
        self.events = events
        self.metrics = metrics
        self._clock = clock
        self._runner = BatchRunner(database, targets)
        self._submit_gate = SessionGate()

    def submit(self, request: RunExperimentRequest, session_id: str, received_at: float) -> RunRow:
        """Store the run as `queued` and enqueue it; every refusal happens before anything.

        One transaction reads the control profile and inserts the row; the shots are reserved
        inside it and given back if the insert does not commit.
        """
        preset = guardrails.resolve_preset(self.presets, request.preset)
        target = guardrails.resolve_target(self.targets, request.hardware_target, self.settings)
        guardrails.check_compare_targets(request, self.targets, self.settings)
        shots = guardrails.shot_budget(request, preset, self.settings)
        guardrails.check_shots(shots, preset, target, self.settings)
        guardrails.check_qubits(request, target)
        reserved = False
        try:
            with self._submit_gate.hold(session_id), self.database.unit_of_work() as session:
                repository = RunRepository(session)
                repository.lock_session(session_id)
                guardrails.check_active_runs(repository.active_runs(session_id), self.settings)
                controls = request.control_overrides or self._control_profile(repository)
                self._reserve(session_id, shots)
                reserved = True
                row = _new_row(
                    str(uuid.uuid4()),
                    session_id,
                    request,
                    preset,
                    target,
                    shots,
                    controls,
                    received_at,
                    self._clock(),
                )
                repository.add(row)
        except Exception:
            if reserved:
                self.budget.release(session_id, shots)
            raise
        self._publish(row.id, RunState.QUEUED, 0.0)
        self.queue.enqueue(row.id)
        return row

    def hardware_targets(self) -> list[HardwareTarget]:
        return [hardware_target(target) for target in self.targets.values()]

    def preset_names(self) -> list[str]:
        return [name.value for name in self.presets]

    def control_profile(self) -> ControlProfile:
        with self.database.unit_of_work() as session:
            return self._control_profile(RunRepository(session))

    def update_control_profile(self, update: ControlProfileUpdate) -> ControlProfile:
        """Merge the given fields into the server's profile; the merged profile is validated."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            current = self._control_profile(repository)
            merged = current.model_dump() | update.model_dump(exclude_unset=True)
            profile = ControlProfile.model_validate(merged)
            repository.save_control_profile(
                CONTROL_PROFILE_NAME, profile.model_dump(mode="json"), self._clock()
            )
        return profile

    def session_budget(self, session_id: str) -> SessionBudget:
        used = self.budget.used(session_id)
        return SessionBudget(
            session_id=session_id,
            limit=self.budget.limit,
            used=used,
            remaining=max(0, self.budget.limit - used),
            ttl_seconds=self.budget.ttl_s,
        )

    def is_finished(self, run_id: str) -> bool:
        with self.database.unit_of_work() as session:
            row = RunRepository(session).get(run_id)
            if row is None:
                raise not_found(run_id)
            return RunState(row.status).finished

    def wait_until_finished(self, run_id: str, timeout_s: float, poll_s: float = 0.05) -> bool:
        """Poll the run table until the run is final or `timeout_s` passes."""
        deadline = time.monotonic() + timeout_s
        while not self.is_finished(run_id):
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_s)
        return True

    def cancel(self, run_id: str) -> None:
        """Cancel a queued run now, or ask a running one to stop at its next checkpoint."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.get(run_id)
            if row is None:
                raise not_found(run_id)
            if repository.cancel_if_queued(run_id, self._clock(), _error_fields(CANCELLED)):
                session_id, refund = row.session_id, row.shot_budget
                finished = _FinishedRun(
                    row.preset, row.hardware_target, RunState.CANCELLED, None, 0
                )
            elif repository.request_cancel(run_id):
                return
            else:
                raise ApiError(
                    409,
                    ErrorCode.INVALID_REQUEST,
                    f"run {run_id} has already finished",
                    hint="only queued or running runs can be cancelled",
                    detail={"run_id": run_id},
                )
        self.budget.release(session_id, refund)
        self._finished(run_id, finished)

    def recover(self) -> None:
        """Embedded start-up: fail runs a crash left `running`, rebuild budgets, resend `queued`.

        In the embedded default this process was the only worker, so a `running` row is an
        interrupted run.
        """
        for run_id in self._ids_in_state(RunState.RUNNING):
            self._finish_failed(
                run_id, run_failure.interrupted("the server stopped mid-run"), refund=False
            )
        self.resume()
        for run_id in self._ids_in_state(RunState.QUEUED):
            self.queue.enqueue(run_id)

    def resume(self) -> None:
        """Rebuild the session budgets from the run table (the table is the truth)."""
        with self.database.unit_of_work() as session:
            since = self._clock() - self.settings.session_budget_ttl_seconds
            self.budget.restore(RunRepository(session).session_usage(since))

    def sweep(self, alive: Callable[[str], bool]) -> tuple[list[str], list[str]]:
        """Production: give back to the queue `running` runs no worker beats for any more
        (failing those out of attempts), and resend `queued` runs older than the stale limit
        whose message may have been lost. Returns (requeued, resent) run ids.

        A resent message for a run that is already queued or taken is harmless: claiming is a
        compare-and-set on the run row.
        """
        stale_before = self._clock() - self.settings.stale_run_seconds
        requeued = []
        with self.database.unit_of_work() as session:
            running = RunRepository(session).running_since(stale_before)
        for run_id in (run_id for run_id in running if not alive(run_id)):
            with self.database.unit_of_work() as session:
                back = RunRepository(session).requeue_if_running(
                    run_id, self.settings.max_run_attempts
                )
            if back:
                requeued.append(run_id)
            else:
                self._finish_failed(
                    run_id, run_failure.interrupted("its workers stopped, attempts exhausted")
                )
        with self.database.unit_of_work() as session:
            resent = RunRepository(session).queued_before(stale_before)
        for run_id in dict.fromkeys([*requeued, *resent]):
            self.queue.enqueue(run_id)
        return requeued, resent

    def execute_run(self, run_id: str) -> None:
        """Run a stored run to a final state; a no-op if another worker or a cancel won it."""
        claims: list[ClaimedRun | None] = []
        # The message is all there is of the run outside the store: wait out a store fault.
        if not retry_while_store_faults(lambda: claims.append(self._claim(run_id))):
            log.error("run %s: the store still fails; it stays queued for now", run_id)
            return
        claimed = claims[-1]
        if claimed is None:
            return
        try:
            self._execute(claimed)
        except RunFailure as failure:
            self._finish_failed(run_id, failure)
        except Exception as error:
            log.exception("run %s failed", run_id)
            ending = run_failure.from_error(error)
            # The store may be what failed: keep trying to record the end (else the run
            # stays `running` until a restart or the production sweep).
            if not retry_while_store_faults(lambda: self._finish_failed(run_id, ending)):
                log.error("run %s: the store still fails; it stays running for now", run_id)

    def reanalyse(self, run_id: str) -> None:
        """Recompute a succeeded run's measurements, KPIs and figures from its stored counts.

        The target's current capabilities stand in for the ones at run time (status rules
        compare against reference values).
        """
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.get(run_id)
            if row is None:
                raise not_found(run_id)
            if row.status != RunState.SUCCEEDED:
                raise ApiError(
                    409,
                    ErrorCode.INVALID_REQUEST,
                    f"run {run_id} is {row.status}; only succeeded runs are reanalysed",
                    hint="submit the run again",
                )
            request = RunExperimentRequest.model_validate(row.request)
            controls = ControlProfile.model_validate(row.control_profile)
            outcomes = stored_outcomes(row.batches, repository.counts_of(run_id))
            context = self._context(request, controls, row.shot_budget)
            outcome = self.presets[request.preset].analyse(context, outcomes)
            result = build_result(controls, context, outcome, outcomes)
            row.result = _with_figures(run_id, result, outcome.figures)
            repository.clear_figures(run_id)

    def figure_svg(self, run_id: str, name: str) -> str | None:
        """A run's figure as SVG, drawn from its stored figure data on first request."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            svg = repository.figure(run_id, name)
            if svg is not None:
                return svg
            row = repository.get(run_id)
            data = ((row.result or {}) if row is not None else {}).get("figure_data", {})
        if name not in data:
            return None
        svg = render_svg(figure_from_json(data[name]))
        with self.database.unit_of_work() as session:
            RunRepository(session).add_figure(run_id, name, svg)
        return svg

    def fail_timed_out(self, run_id: str) -> None:
        self._finish_failed(run_id, run_failure.timed_out(self.settings.job_timeout_seconds))

    def _execute(self, run: ClaimedRun) -> None:
        preset = self.presets[run.request.preset]
        context = self._context(run.request, run.controls, run.shot_budget)
        batches = preset.plan(context)
        planned = sum(batch.cost for batch in batches)
        if planned > run.shot_budget:
            raise RuntimeError(
                f"preset planned {planned} shots, above its budget {run.shot_budget}"
            )
        self._checkpoint(run, "compiled", PROGRESS_PLANNED)
        outcomes = self._runner.run(
            BatchPlan(
                run_id=run.id,
                batches=batches,
                default_target=run.request.hardware_target,
                options=lambda batch: _options(run, batch),
                deadline_monotonic=time.monotonic()
                - (self._clock() - run.started_at)
                + self.settings.job_timeout_seconds,
                timeout_s=self.settings.job_timeout_seconds,
                on_progress=lambda share: (
                    PROGRESS_PLANNED + (PROGRESS_EXECUTED - PROGRESS_PLANNED) * share
                ),
            )
        )
        # The batch runner checked for a cancel after the last batch; the finish checks again.
        run.timeline["executed"] = self._clock()
        outcome = preset.analyse(context, outcomes)
        run.timeline["analysed"] = self._clock()
        result = build_result(run.controls, context, outcome, outcomes)
        self._finish_succeeded(run, _with_figures(run.id, result, outcome.figures))

    def _context(
        self, request: RunExperimentRequest, controls: ControlProfile, shot_budget: int
    ) -> PresetContext:
        """What the preset may know: qubits, budget, controls and the targets' facts."""
        compared = request.compare_targets or [request.hardware_target, SIM_LOCAL]
        return PresetContext(
            qubits=tuple(request.qubits),
            shot_budget=shot_budget,
            controls=controls,
            capabilities=self.targets[request.hardware_target].capabilities(),
            seed=request.seed,
            target_id=request.hardware_target,
            compare_capabilities={
                target_id: self.targets[target_id].capabilities()
                for target_id in dict.fromkeys(compared)
            },
        )

    def _claim(self, run_id: str) -> ClaimedRun | None:
        now = self._clock()
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            if not repository.claim(run_id, now, self.settings.max_run_attempts):
                return None
            row = _require(repository.get(run_id))
            row.timeline = {**row.timeline, "started": now}
            claimed = ClaimedRun(
                id=row.id,
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
            row = _require(RunRepository(session).get(run.id))
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
            row = _require(repository.get_for_update(run.id))
            if row.status != RunState.RUNNING:
                return
            finished = self._clock()
            if row.cancel_requested:
                row.timeline = dict(run.timeline)
                _mark_failed(row, run_failure.cancelled(), finished)
            else:
                row.timeline = {**run.timeline, "finished": finished}
                row.result = result
                row.status, row.finished_at, row.progress = RunState.SUCCEEDED, finished, 1.0
            session_id, refund = row.session_id, row.shot_budget - row.shots_executed
            done = _finished_run(row)
        self.budget.release(session_id, refund)
        self._finished(run.id, done)

    def _finish_failed(self, run_id: str, failure: RunFailure, *, refund: bool = True) -> None:
        """Move a running run to `failed` (or `cancelled`) and give back the unspent shots."""
        with self.database.unit_of_work() as session:
            # Locked: the sweep of another process may be finishing the same run.
            row = _require(RunRepository(session).get_for_update(run_id))
            if row.status != RunState.RUNNING:
                return
            _mark_failed(row, failure, self._clock())
            session_id, unspent = row.session_id, row.shot_budget - row.shots_executed
            done = _finished_run(row)
        if refund:
            self.budget.release(session_id, unspent)
        self._finished(run_id, done)

    def clock(self) -> float:
        """Epoch seconds, as the engine stamps runs."""
        return self._clock()

    def _finished(self, run_id: str, run: "_FinishedRun") -> None:
        """After a run's final state is committed: count it and tell live views."""
        self.metrics.run_finished(
            run.preset, run.hardware_target, run.status.value, run.duration_s, run.shots
        )
        self._publish(run_id, run.status, 1.0)

    def _progressed(self, run_id: str, progress: float) -> float:
        self._publish(run_id, RunState.RUNNING, progress)
        return progress

    def _publish(self, run_id: str, state: RunState, progress: float) -> None:
        self.events.publish(run_event(run_id, state.value, progress, self._clock()))

    def _reserve(self, session_id: str, shots: int) -> None:
        decision = self.budget.reserve(session_id, shots)
        if not decision.granted:
            raise ApiError(
                429,
                ErrorCode.BUDGET_EXHAUSTED,
                f"session budget exhausted: {shots} shots asked, {decision.remaining} remaining",
                hint="lower shot_budget, wait for the session window to expire, or use "
                "another session",
                detail={
                    "remaining": decision.remaining,
                    "requested": shots,
                    "limit": self.budget.limit,
                },
            )

    def _ids_in_state(self, state: RunState) -> list[str]:
        with self.database.unit_of_work() as session:
            return RunRepository(session).ids_in_state(state.value)

    def _control_profile(self, repository: RunRepository) -> ControlProfile:
        stored = repository.control_profile(CONTROL_PROFILE_NAME)
        return ControlProfile() if stored is None else ControlProfile.model_validate(stored)


def _new_row(
    run_id: str,
    session_id: str,
    request: RunExperimentRequest,
    preset: Preset,
    target: Target,
    shots: int,
    controls: ControlProfile,
    received_at: float,
    queued_at: float,
) -> RunRow:
    capabilities = target.capabilities()
    return RunRow(
        id=run_id,
        session_id=session_id,
        preset=request.preset.value,
        preset_version=preset.version,
        hardware_target=request.hardware_target,
        status=RunState.QUEUED.value,
        created_at=received_at,
        shot_budget=shots,
        shots_executed=0,
        progress=0.0,
        cancel_requested=False,
        attempts=0,
        request=request.model_dump(mode="json"),
        control_profile=controls.model_dump(mode="json"),
        target_snapshot={
            **asdict(target.descriptor),
            "capabilities": {**asdict(capabilities), "basis_gates": list(capabilities.basis_gates)},
        },
        timeline={"received": received_at, "queued": queued_at},
        notes=request.notes,
    )


@dataclass(frozen=True)
class _FinishedRun:
    preset: str
    hardware_target: str
    status: RunState
    duration_s: float | None
    shots: int


def _finished_run(row: RunRow) -> _FinishedRun:
    duration = (
        None
        if row.started_at is None or row.finished_at is None
        else row.finished_at - row.started_at
    )
    return _FinishedRun(
        row.preset, row.hardware_target, RunState(row.status), duration, row.shots_executed
    )


def _with_figures(run_id: str, result: dict[str, Any], figures: Sequence[Figure]) -> dict[str, Any]:
    """The result with its figures' data (drawn when first asked for) and their URLs."""
    return {
        **result,
        "figures": [f"/runs/{run_id}/figures/{figure.name}.svg" for figure in figures],
        "figure_data": {figure.name: asdict(figure) for figure in figures},
    }


def _options(run: ClaimedRun, batch: CircuitBatch) -> ExecutionOptions:
    return ExecutionOptions(
        shots=batch.shots,
        seed=run.request.seed,
        layout=batch.layout,
        device=DeviceControls(
            drive_bias=run.controls.drive_bias,
            thermal_guard_enabled=run.controls.thermal_guard_enabled,
        ),
    )


CANCELLED = run_failure.cancelled()


def _mark_failed(row: RunRow, failure: RunFailure, finished: float) -> None:
    """Move a locked running row to `failed` (or `cancelled`) with the failure's fields."""
    cancelled = failure.code is ErrorCode.CANCELLED
    row.status = RunState.CANCELLED if cancelled else RunState.FAILED
    row.finished_at, row.progress = finished, 1.0
    row.timeline = {**row.timeline, "failed_at": finished}
    for name, value in _error_fields(failure).items():
        setattr(row, name, value)


def _error_fields(failure: RunFailure) -> dict[str, Any]:
    return {
        "error_code": failure.code.value,
        "error_message": failure.message,
        "error_detail": failure.detail,
        "action_hint": failure.hint,
    }


def _require(row: RunRow | None) -> RunRow:
    if row is None:
        raise RuntimeError("run disappeared from the store")
    return row


def not_found(run_id: str) -> ApiError:
    return ApiError(
        404,
        ErrorCode.NOT_FOUND,
        f"no run with id {run_id}",
        hint="GET /runs lists the runs this server knows",
        detail={"run_id": run_id},
    )
