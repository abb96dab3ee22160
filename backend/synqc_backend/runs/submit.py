"""The submit half of the engine: validate, reserve shots, store `queued`, enqueue; and what a
caller changes or reads before a run executes (cancel, the control profile, the budget)."""

import uuid
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
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow
from synqc_backend.targets.base import Target

CONTROL_PROFILE_NAME = "default"
CANCELLED = run_failure.cancelled()


class RunSubmission(RunFinish):
    """Submits runs and serves the requests that act on a run before or while it executes."""

    _submit_gate: SessionGate

    def submit(self, request: RunExperimentRequest, session_id: str, received_at: float) -> RunRow:
        """Store the run as `queued` and enqueue it; every refusal happens before anything.

        One transaction reads the control profile and inserts the row; the shots are reserved
        inside it and given back if the insert does not commit.
        """
        preset = guardrails.resolve_preset(self.presets, request.preset)
        target = guardrails.resolve_target(self.targets, request.hardware_target, self.settings)
        guardrails.check_compare_targets(request, self.targets, self.settings)
        shots = guardrails.shot_budget(request, preset, self.settings)
        guardrails.check_shots(shots, preset, self.settings)
        guardrails.check_qubits(request, target)
        # Shot counts never depend on the controls: the request's, or the defaults, will do.
        planned = preset_context(
            self.targets, request, request.control_overrides or ControlProfile(), shots
        )
        guardrails.check_capacity(preset, planned, self.targets)
        reserved = False
        try:
            with self._submit_gate.hold(session_id), self.database.unit_of_work() as session:
                repository = RunRepository(session)
                repository.lock_session(session_id)
                guardrails.check_active_runs(repository.active_runs(session_id), self.settings)
                controls = request.control_overrides or self._control_profile(repository)
                self._reserve(session_id, shots)
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
                repository.add(row)
        except Exception:
            if reserved:
                self.budget.release(session_id, shots)
            raise
        self._publish(row.id, RunState.QUEUED, 0.0)
        self.queue.enqueue(row.id)
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
