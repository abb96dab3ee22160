"""Monitors: a run request submitted on a schedule through the normal submit path (budgets,
guardrails and refunds apply), one scheduler at a time across every process.

- Each monitor spends from its own session, `monitor-<id>`.
- A tick is submitted with the idempotency key `monitor-<id>-<tick>` and then the monitor's
  next tick is moved on by compare-and-set: a scheduler that dies between the two, or two that
  overlap while a lease changes hands, submit the same run once.
- After downtime a monitor runs once and moves to its next tick after now, not once per tick
  it missed.
- A monitor whose runs (or submits) fail backs off: its next tick moves 2^(n−1) periods on after
  the n-th failure in a row (up to 64), and `status_reason` says why; a run that succeeds
  resets it.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.models import (
    Monitor,
    MonitorCreate,
    MonitorUpdate,
    RunExperimentRequest,
    RunState,
    TargetKind,
)
from synqc_backend.presets.base import Preset
from synqc_backend.runs.monitor_schedule import (
    MIN_INTERVAL_S,
    Schedule,
    backoff_until,
    parse_every,
)
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import MonitorRow, RunRow
from synqc_backend.targets.base import Target

log = logging.getLogger(__name__)

SCHEDULER_LEASE = "monitor-scheduler"
# A scheduler holds its lease this many ticks; another process takes over once it lapses.
LEASE_TICKS = 5.0


class MonitorControl:
    """The engine's monitor half: create, read, change and delete monitors, and the scheduler's
    step. Mixed into `SynQcEngine`, which provides the attributes below."""

    settings: Settings
    database: Database
    targets: dict[str, Target]
    _clock: Callable[[], float]
    check_request: Callable[[RunExperimentRequest], tuple[Preset, Target, int]]
    submit: Callable[..., RunRow]

    def create_monitor(self, body: MonitorCreate) -> Monitor:
        now = self._clock()
        request = _run_request(body.hardware_target, body.qubits, body.preset, body, None)
        _, _, shots = self.check_request(request)
        schedule = self._schedule(body.every, body.hardware_target, now)
        self._check_spend(schedule, shots, now)
        monitor_id = str(uuid.uuid4())
        row = MonitorRow(
            id=monitor_id,
            session_id=f"monitor-{monitor_id}",
            hardware_target=body.hardware_target,
            request=request.model_dump(mode="json"),
            every=schedule.every,
            notes=body.notes,
            paused=False,
            created_at=now,
            updated_at=now,
            next_due_at=schedule.next_after(now),
            consecutive_failures=0,
        )
        with self.database.unit_of_work() as session:
            RunRepository(session).add_monitor(row)
            return monitor_view(row)

    def list_monitors(self) -> list[Monitor]:
        with self.database.unit_of_work() as session:
            return [monitor_view(row) for row in RunRepository(session).monitors()]

    def get_monitor(self, monitor_id: str) -> Monitor:
        with self.database.unit_of_work() as session:
            return monitor_view(_found(RunRepository(session).monitor(monitor_id), monitor_id))

    def update_monitor(self, monitor_id: str, update: MonitorUpdate) -> Monitor:
        now = self._clock()
        with self.database.unit_of_work() as session:
            row = _found(RunRepository(session).monitor(monitor_id), monitor_id)
            changes = update.model_dump(exclude_unset=True)
            if "shot_budget" in changes or "notes" in changes:
                request = RunExperimentRequest.model_validate(row.request)
                merged = request.model_copy(
                    update={k: changes[k] for k in ("shot_budget", "notes") if k in changes}
                )
                self.check_request(merged)
                row.request = merged.model_dump(mode="json")
                row.notes = merged.notes
            if update.every is not None:
                row.every = self._schedule(update.every, row.hardware_target, now).every
            _, _, shots = self.check_request(RunExperimentRequest.model_validate(row.request))
            self._check_spend(_schedule_of(row), shots, now)
            resumed = row.paused and update.paused is False
            if update.paused is not None:
                row.paused = update.paused
            if resumed or update.every is not None:
                # Resumed or rescheduled: the next tick after now, never the ticks missed.
                row.next_due_at = _schedule_of(row).next_after(now)
            row.updated_at = now
            return monitor_view(row)

    def delete_monitor(self, monitor_id: str) -> None:
        with self.database.unit_of_work() as session:
            if not RunRepository(session).delete_monitor(monitor_id):
                raise _not_found(monitor_id)

    def schedule_monitors(self, holder: str) -> int:
        """One pass of the scheduler: when this process holds the lease, record what the
        monitors' latest runs did and submit every due monitor's run; the runs submitted."""
        now = self._clock()
        ttl_s = LEASE_TICKS * self.settings.monitor_tick_seconds
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            # Nothing to do writes nothing: the lease is taken only when there is work.
            if not (repository.due_monitors(now) or repository.monitors_waiting_on_runs()):
                return 0
            if not repository.take_lease(SCHEDULER_LEASE, holder, now, ttl_s):
                return 0
        self._record_outcomes()
        with self.database.unit_of_work() as session:
            due = RunRepository(session).due_monitors(now)
        return sum(self._run_tick(monitor_id, now) for monitor_id in due)

    def _run_tick(self, monitor_id: str, now: float) -> int:
        with self.database.unit_of_work() as session:
            row = RunRepository(session).monitor(monitor_id)
            if row is None or row.paused or row.next_due_at > now:
                return 0
            due, session_id, request = row.next_due_at, row.session_id, row.request
            schedule = _schedule_of(row)
            failures = row.consecutive_failures
        values: dict[str, Any] = {"next_due_at": schedule.next_after(now), "updated_at": now}
        try:
            run = self.submit(
                RunExperimentRequest.model_validate(request),
                session_id,
                received_at=now,
                idempotency_key=f"monitor-{monitor_id}-{due!r}",
                monitor_id=monitor_id,
            )
        except ApiError as refused:
            # A refusal (budget spent, target not ready) is this tick's failure.
            failures += 1
            values |= {
                "consecutive_failures": failures,
                "last_status": "refused",
                "status_reason": f"{refused.code.value}: {refused.message}",
                "next_due_at": backoff_until(schedule, values["next_due_at"], failures),
            }
            log.warning("monitor %s: run refused: %s", monitor_id, refused.message)
            submitted = 0
        else:
            values |= {"last_run_id": run.id, "last_status": RunState(run.status).value}
            submitted = 1
        with self.database.unit_of_work() as session:
            advanced = RunRepository(session).advance_monitor(monitor_id, due, values)
        return submitted if advanced else 0

    def _record_outcomes(self) -> None:
        """Each monitor's latest run, once it has finished: success resets the failures,
        a failure counts one more and pushes the next tick back."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            rows = [r for r in repository.monitors() if r.last_run_id is not None]
            states = repository.run_states([r.last_run_id for r in rows if r.last_run_id])
            for row in rows:
                status, finished = states.get(row.last_run_id or "", (None, None))
                if status is None or status == row.last_status:
                    continue
                row.last_status = status
                if status == RunState.SUCCEEDED:
                    row.last_success_at = finished
                    row.consecutive_failures = 0
                    row.status_reason = None
                elif RunState(status).finished:
                    row.consecutive_failures += 1
                    row.status_reason = f"run {row.last_run_id} {status}"
                    row.next_due_at = backoff_until(
                        _schedule_of(row), row.next_due_at, row.consecutive_failures
                    )

    def _check_spend(self, schedule: Schedule, shots: int, now: float) -> None:
        """The runs of one session budget window must fit the session's limit (422): a
        monitor that would run out of budget would only fail and back off."""
        window = self.settings.session_budget_ttl_seconds
        runs = max(1, int(window // schedule.interval_after(now)))
        limit = self.settings.max_shots_per_session
        if runs * shots > limit:
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                f"{runs} runs of {shots} shots in a {window} s budget window spend "
                f"{runs * shots} shots, above the session limit of {limit}",
                hint=f"ask for at most {limit // runs} shots per run, or run less often",
                detail={"runs_per_window": runs, "shot_budget": shots, "limit": limit},
            )

    def _schedule(self, every: str, target_id: str, now: float) -> Schedule:
        """`every` parsed and checked against the target's shortest period (422)."""
        try:
            schedule = parse_every(every, now)
        except ValueError as error:
            raise _invalid(str(error), "use PT10S, PT5M or a cron expression", every) from error
        target = self.targets.get(target_id)
        kind = "sim" if target is None or target.descriptor.kind is TargetKind.SIM else "remote"
        shortest = MIN_INTERVAL_S[kind]
        interval = schedule.interval_after(now)
        if interval < shortest:
            raise _invalid(
                f"'{every}' runs every {interval:g} s; {target_id} allows every {shortest:g} s "
                "at most",
                f"choose a period of at least {shortest:g} s",
                every,
            )
        return schedule


def monitor_view(row: MonitorRow) -> Monitor:
    request = row.request
    schedule = _schedule_of(row)
    return Monitor(
        id=row.id,
        hardware_target=row.hardware_target,
        qubits=request.get("qubits", [0]),
        preset=request["preset"],
        every=row.every,
        interval_seconds=schedule.interval_after(row.next_due_at),
        shot_budget=request.get("shot_budget"),
        notes=row.notes,
        paused=row.paused,
        created_at=row.created_at,
        next_run_at=None if row.paused else row.next_due_at,
        last_run_id=row.last_run_id,
        last_status=row.last_status,
        last_success_at=row.last_success_at,
        consecutive_failures=row.consecutive_failures,
        status_reason=row.status_reason,
    )


def _run_request(
    target: str, qubits: Any, preset: Any, body: MonitorCreate, seed: int | None
) -> RunExperimentRequest:
    return RunExperimentRequest(
        preset=preset,
        hardware_target=target,
        qubits=qubits,
        shot_budget=body.shot_budget,
        notes=body.notes,
        seed=seed,
    )


def _schedule_of(row: MonitorRow) -> Schedule:
    return parse_every(row.every, row.created_at)


def _found(row: MonitorRow | None, monitor_id: str) -> MonitorRow:
    if row is None:
        raise _not_found(monitor_id)
    return row


def _not_found(monitor_id: str) -> ApiError:
    return ApiError(
        404,
        ErrorCode.NOT_FOUND,
        f"no monitor {monitor_id}",
        hint="GET /monitors lists the monitors",
        detail={"monitor_id": monitor_id},
    )


def _invalid(message: str, hint: str, every: str) -> ApiError:
    return ApiError(422, ErrorCode.INVALID_REQUEST, message, hint=hint, detail={"every": every})
