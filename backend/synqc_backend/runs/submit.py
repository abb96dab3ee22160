"""The submit half of the engine: validate, reserve shots, store `queued`, enqueue; and what a
caller changes or reads before a run executes (cancel, the control profile, the budget)."""

import logging
import uuid
from contextlib import suppress
from dataclasses import asdict

from synqc_backend.errors import ApiError, ErrorCode, run_not_found
from synqc_backend.limits.session_gate import SessionGate
from synqc_backend.models import (
    ControlProfile,
    ControlProfileUpdate,
    RunExperimentRequest,
    RunState,
    SessionBudget,
)
from synqc_backend.presets.base import Preset
from synqc_backend.runs import failure as run_failure
from synqc_backend.runs import guardrails
from synqc_backend.runs.context import preset_context
from synqc_backend.runs.finish import FinishedRun, RunFinish, error_fields
from synqc_backend.runs.idempotency import earlier_run
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow
from synqc_backend.targets.base import Target

log = logging.getLogger(__name__)

CONTROL_PROFILE_NAME = "default"
CANCELLED = run_failure.cancelled()
QUEUE_UNREACHABLE = (
    "the run queue could not be reached: the run is stored as queued and starts once the "
    "queue is back (no need to submit it again)"
)


class RunSubmission(RunFinish):
    """Submits runs and serves the requests that act on a run before or while it executes."""

    _submit_gate: SessionGate

    def check_request(self, request: RunExperimentRequest) -> tuple[Preset, Target, int]:
        """Every submit-time check that needs no session: preset, target, shots, qubits and
        per-circuit capacity; (preset, target, the run's budget), or the contract's error."""
        preset = guardrails.resolve_preset(self.presets, request.preset)
        target = guardrails.resolve_target(self.targets, request.hardware_target, self.settings)
        guardrails.check_compare_targets(request, self.targets, self.settings)
        shots = guardrails.shot_budget(request, preset, self.settings)
        guardrails.check_shots(shots, preset, self.settings)
        guardrails.check_qubits(request, target)
        guardrails.check_qubit_shares(request, preset, target, shots)
        # Shot counts never depend on the controls: the request's, or the defaults, will do.
        planned = preset_context(
            self.targets, request, request.control_overrides or ControlProfile(), shots
        )
        guardrails.check_capacity(preset, planned, self.targets)
        return preset, target, shots

    def submit(
        self,
        request: RunExperimentRequest,
        session_id: str,
        received_at: float,
        idempotency_key: str | None = None,
        monitor_id: str | None = None,
    ) -> RunRow:
        """Store the run as `queued` and enqueue it; every refusal happens before anything.

        - One transaction, under the session's lock, finds an earlier run of the same
          `idempotency_key` (returned as it is), reads the control profile, checks the
          session's budget against the run table and inserts the row; the shots are reserved
          inside it and given back if the insert does not commit.
        - Once stored, the run is accepted: a queue that cannot be reached leaves it `queued`
          for the sweep to send, with a warning, never an error.
        - `monitor_id` names the monitor that submitted the run.
        """
        preset, target, shots = self.check_request(request)
        warnings = guardrails.shot_warnings(shots, target, self.settings)
        reserved = False
        try:
            with self._submit_gate.hold(session_id), self.database.unit_of_work() as session:
                repository = RunRepository(session)
                repository.lock_session(session_id)
                if idempotency_key is not None:
                    earlier = earlier_run(
                        repository, session_id, idempotency_key, request, self._clock()
                    )
                    if earlier is not None:
                        return earlier
                guardrails.check_active_runs(repository.active_runs(session_id), self.settings)
                controls = request.control_overrides or self._control_profile(repository)
                self._reserve(repository, session_id, shots)
                reserved = True
                row = new_row(
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
                row.idempotency_key = idempotency_key
                row.submit_warnings = list(warnings)
                row.monitor_id = monitor_id
                repository.add(row)
        except Exception:
            if reserved:
                self.budget.release(session_id, shots)
            raise
        self._publish(row.id, RunState.QUEUED, 0.0)
        self._send(row)
        return row

    def cancel(self, run_id: str) -> None:
        """Cancel a queued run now, or ask a running one to stop at its next checkpoint."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.get(run_id)
            if row is None:
                raise run_not_found(run_id)
            if repository.cancel_if_queued(run_id, self._clock(), error_fields(CANCELLED)):
                session_id, refund = row.session_id, row.shot_budget
                finished = FinishedRun(row.preset, row.hardware_target, RunState.CANCELLED, None, 0)
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

    def _reserve(self, repository: RunRepository, session_id: str, shots: int) -> None:
        """Reserve the run's shots if the run table and the counters both allow them.

        The run table is the truth: a counter that Redis lost (an empty restart, an eviction)
        is rebuilt from it first, and while Redis is unreachable each process's in-memory
        counter sees only its own submits, so the table's view refuses what they would admit.
        """
        since = self._clock() - self.settings.session_budget_ttl_seconds
        held = repository.session_held(session_id, since)
        self.budget.seed(session_id, held)
        if held + shots > self.budget.limit:
            raise budget_exhausted(shots, self.budget.limit - held, self.budget.limit)
        decision = self.budget.reserve(session_id, shots)
        if not decision.granted:
            raise budget_exhausted(shots, decision.remaining, self.budget.limit)

    def _send(self, row: RunRow) -> None:
        """Enqueue a stored run; when the queue cannot take it, say so on the run instead."""
        try:
            self.queue.enqueue(row.id)
        except Exception as error:
            # The run is stored `queued`: the sweep sends it once the queue is back.
            log.warning(
                "run %s stored but not enqueued (%s); the sweep will send it", row.id, error
            )
            row.submit_warnings = [*(row.submit_warnings or []), QUEUE_UNREACHABLE]
            with suppress(Exception), self.database.unit_of_work() as session:
                stored = RunRepository(session).get(row.id)
                if stored is not None:
                    stored.submit_warnings = row.submit_warnings

    def _control_profile(self, repository: RunRepository) -> ControlProfile:
        stored = repository.control_profile(CONTROL_PROFILE_NAME)
        return ControlProfile() if stored is None else ControlProfile.model_validate(stored)


def new_row(
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


def budget_exhausted(shots: int, remaining: int, limit: int) -> ApiError:
    return ApiError(
        429,
        ErrorCode.BUDGET_EXHAUSTED,
        f"session budget exhausted: {shots} shots asked, {max(0, remaining)} remaining",
        hint="lower shot_budget, wait for the session window to expire, or use another session",
        detail={"remaining": max(0, remaining), "requested": shots, "limit": limit},
    )
