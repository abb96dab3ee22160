"""How a run ends: its final state stored, its unspent shots given back, the end counted and
published to live views.

`RunFinish` also declares the services every part of the engine reads (submit, execute,
recovery); `SynQcEngine` sets them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synqc_backend.config import Settings
from synqc_backend.errors import ErrorCode
from synqc_backend.limits.budgets import BudgetTracker
from synqc_backend.metrics import RunMetrics
from synqc_backend.models import Preset as PresetName
from synqc_backend.models import RunState
from synqc_backend.presets.base import Preset
from synqc_backend.runs.events import RunEvents, run_event
from synqc_backend.runs.failure import RunFailure
from synqc_backend.runs.queue import RunQueue
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunAttempt, RunRepository
from synqc_backend.storage.tables import RunRow
from synqc_backend.targets.base import Target


class AttemptSuperseded(Exception):
    """Raised inside a job whose attempt no longer holds its run: the sweep gave the run back
    and another attempt took it, or it ended. The attempt stops and changes nothing."""

    def __init__(self, run: RunAttempt) -> None:
        super().__init__(f"run {run.run_id}: attempt {run.attempt} no longer holds the run")
        self.run = run


class RunFinish:
    """The engine's services, and the end of a run."""

    settings: Settings
    database: Database
    budget: BudgetTracker
    targets: dict[str, Target]
    presets: dict[PresetName, Preset]
    queue: RunQueue
    events: RunEvents
    metrics: RunMetrics
    _clock: Callable[[], float]

    def clock(self) -> float:
        """Epoch seconds, as the engine stamps runs."""
        return self._clock()

    def _finish_failed(self, run: RunAttempt, failure: RunFailure, *, refund: bool = True) -> bool:
        """End this attempt's run as `failed` (or `cancelled`) and give back the shots it did
        not execute; False, changing nothing, once the attempt no longer holds the run."""
        with self.database.unit_of_work() as session:
            # Locked: another process's sweep may be ending or giving back the same run.
            row = RunRepository(session).lock_attempt(run)
            if row is None:
                return False
            mark_failed(row, failure, self._clock())
            session_id, unspent = row.session_id, row.shot_budget - row.shots_executed
            done = finished_run(row)
        if refund:
            self.budget.release(session_id, unspent)
        self._finished(run.run_id, done)
        return True

    def _finished(self, run_id: str, run: "FinishedRun") -> None:
        """After a run's final state is committed: count it and tell live views."""
        self.metrics.run_finished(
            run.preset, run.hardware_target, run.status.value, run.duration_s, run.shots
        )
        self._publish(run_id, run.status, 1.0)

    def _publish(self, run_id: str, state: RunState, progress: float) -> None:
        self.events.publish(run_event(run_id, state.value, progress, self._clock()))


@dataclass(frozen=True)
class FinishedRun:
    """What the metrics and live views learn of a run that ended."""

    preset: str
    hardware_target: str
    status: RunState
    duration_s: float | None
    shots: int


def finished_run(row: RunRow) -> FinishedRun:
    duration = (
        None
        if row.started_at is None or row.finished_at is None
        else row.finished_at - row.started_at
    )
    return FinishedRun(
        row.preset, row.hardware_target, RunState(row.status), duration, row.shots_executed
    )


def mark_failed(row: RunRow, failure: RunFailure, finished: float) -> None:
    """Move a locked running row to `failed` (or `cancelled`) with the failure's fields."""
    cancelled = failure.code is ErrorCode.CANCELLED
    row.status = RunState.CANCELLED if cancelled else RunState.FAILED
    row.finished_at, row.progress = finished, 1.0
    row.timeline = {**row.timeline, "failed_at": finished}
    for name, value in error_fields(failure).items():
        setattr(row, name, value)


def error_fields(failure: RunFailure) -> dict[str, Any]:
    return {
        "error_code": failure.code.value,
        "error_message": failure.message,
        "error_detail": failure.detail,
        "action_hint": failure.hint,
    }


def require(row: RunRow | None) -> RunRow:
    if row is None:
        raise RuntimeError("run disappeared from the store")
    return row
