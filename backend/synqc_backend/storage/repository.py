"""The run repository: every SQL statement of the service lives here.

Methods flush; the caller's unit of work commits (the request or the job boundary).
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synqc_backend.execution import ProviderJobRecord
from synqc_backend.storage.tables import (
    CircuitCountsRow,
    ControlProfileRow,
    LeaseRow,
    MonitorRow,
    ProviderJobRow,
    QubitLatestRow,
    QubitMeasurementRow,
    RunFigureRow,
    RunRow,
)

ACTIVE_STATES = ("queued", "running")


@dataclass(frozen=True, order=True)
class RunAttempt:
    """One attempt at a run: the run's id and the attempt number its claim gave it (1 up).

    Every transition of a running run compares both, so an attempt that lost its run (to a
    sweep that gave it back, and the claim of another attempt) changes nothing any more.
    """

    run_id: str
    attempt: int


@dataclass(frozen=True)
class QueueCounts:
    by_status: dict[str, int]
    oldest_queued_created_at: float | None
    failures_by_target: dict[str, int]


@dataclass(frozen=True)
class StoredCounts:
    batch_index: int
    circuit_index: int
    label: str
    x_value: float | None
    shots: int
    counts: dict[str, int]


class RunRepository:
    """Reads and writes runs, their raw counts and the control profile in one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: RunRow) -> None:
        self._session.add(row)
        self._session.flush()

    def get(self, run_id: str) -> RunRow | None:
        return self._session.get(RunRow, run_id)

    def get_for_update(self, run_id: str) -> RunRow | None:
        """The run as committed now, row-locked until the unit of work ends (PostgreSQL).

        Reloaded even when the session already holds the row: a stale copy defeats the lock.
        """
        return self._session.get(RunRow, run_id, with_for_update=True, populate_existing=True)

    def list_runs(
        self,
        *,
        limit: int,
        status: str | None = None,
        preset: str | None = None,
        hardware_target: str | None = None,
        finished_only: bool = False,
    ) -> Sequence[RunRow]:
        query = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id).limit(limit)
        if status is not None:
            query = query.where(RunRow.status == status)
        if preset is not None:
            query = query.where(RunRow.preset == preset)
        if hardware_target is not None:
            query = query.where(RunRow.hardware_target == hardware_target)
        if finished_only:
            query = query.where(RunRow.status.not_in(ACTIVE_STATES))
        return self._session.scalars(query).all()

    def claim(self, run_id: str, now: float, max_attempts: int) -> bool:
        """Compare-and-set `queued → running`; False when another worker or a cancel won."""
        result = self._session.execute(
            update(RunRow)
            .where(
                RunRow.id == run_id,
                RunRow.status == "queued",
                RunRow.attempts < max_attempts,
            )
            .values(
                status="running",
                started_at=now,
                attempts=RunRow.attempts + 1,
                shots_executed=0,
                batches=[],
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        # A re-delivered run starts over: the counts, shots and batch records of an interrupted
        # attempt are not reused, so a run's shots are counted once, by the attempt it keeps.
        self._session.execute(delete(CircuitCountsRow).where(CircuitCountsRow.run_id == run_id))
        return True

    def cancel_if_queued(self, run_id: str, now: float, reason: dict[str, Any]) -> bool:
        """Compare-and-set `queued → cancelled`; `reason` holds the error fields to record."""
        result = self._session.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == "queued")
            .values(status="cancelled", finished_at=now, progress=1.0, **reason)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def request_cancel(self, run_id: str) -> bool:
        result = self._session.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == "running")
            .values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def cancel_requested(self, run_id: str) -> bool:
        return bool(
            self._session.scalar(select(RunRow.cancel_requested).where(RunRow.id == run_id))
        )

    def add_counts(self, run_id: str, counts: Sequence[StoredCounts]) -> None:
        self._session.add_all(
            CircuitCountsRow(
                run_id=run_id,
                batch_index=item.batch_index,
                circuit_index=item.circuit_index,
                label=item.label,
                x_value=item.x_value,
                shots=item.shots,
                counts=item.counts,
            )
            for item in counts
        )
        self._session.flush()

    def counts_of(self, run_id: str) -> list[StoredCounts]:
        rows = self._session.scalars(
            select(CircuitCountsRow)
            .where(CircuitCountsRow.run_id == run_id)
            .order_by(CircuitCountsRow.batch_index, CircuitCountsRow.circuit_index)
        )
        return [
            StoredCounts(
                row.batch_index, row.circuit_index, row.label, row.x_value, row.shots, row.counts
            )
            for row in rows
        ]

    def replace_qubit_measurements(
        self, run: RunRow, rows: Sequence[QubitMeasurementRow]
    ) -> list[QubitMeasurementRow]:
        """The run's per-qubit record replaced by `rows` (flushed, with their ids)."""
        self._session.execute(
            delete(QubitMeasurementRow).where(QubitMeasurementRow.run_id == run.id)
        )
        self._session.add_all(rows)
        self._session.flush()
        return list(rows)

    def series_before(
        self, hardware_target: str, qubit: int, quantity: str, before: float, limit: int
    ) -> Sequence[QubitMeasurementRow]:
        """The series' `limit` latest measurements from before `before`, oldest first."""
        table = QubitMeasurementRow
        query = (
            select(table)
            .where(
                table.hardware_target == hardware_target,
                table.qubit == qubit,
                table.quantity == quantity,
                table.measured_at < before,
            )
            .order_by(table.measured_at.desc(), table.id.desc())
            .limit(limit)
        )
        return list(reversed(self._session.scalars(query).all()))

    def point_latest(self, row: QubitMeasurementRow) -> None:
        """Make `row` its series' latest entry unless a later measurement already is.

        One upsert, so that runs on the same qubit finishing at once in different processes
        neither collide on the entry nor leave it at the older of the two (PostgreSQL locks
        the entry's row; the later commit compares against the earlier one's).
        """
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(QubitLatestRow).values(
            hardware_target=row.hardware_target,
            qubit=row.qubit,
            quantity=row.quantity,
            measurement_id=row.id,
            measured_at=row.measured_at,
        )
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["hardware_target", "qubit", "quantity"],
                set_={
                    "measurement_id": statement.excluded.measurement_id,
                    "measured_at": statement.excluded.measured_at,
                },
                where=QubitLatestRow.measured_at <= statement.excluded.measured_at,
            )
        )

    def latest_qubit_measurements(
        self, hardware_target: str, quantities: Sequence[str]
    ) -> Sequence[QubitMeasurementRow]:
        """The latest measurement of each of the target's qubits and `quantities`."""
        latest = QubitLatestRow
        query = (
            select(QubitMeasurementRow)
            .join(latest, latest.measurement_id == QubitMeasurementRow.id)
            .where(latest.hardware_target == hardware_target, latest.quantity.in_(quantities))
            .order_by(latest.qubit, latest.quantity)
        )
        return self._session.scalars(query).all()

    def measured_targets(self) -> list[str]:
        """Targets that have per-qubit measurements."""
        query = select(QubitLatestRow.hardware_target).distinct()
        return sorted(self._session.scalars(query))

    def qubit_history(
        self,
        hardware_target: str,
        qubit: int,
        quantity: str,
        since: float | None,
        limit: int,
    ) -> Sequence[QubitMeasurementRow]:
        """One qubit's measurements of `quantity` on the target, oldest first: the latest
        `limit` of those at or after `since`."""
        table = QubitMeasurementRow
        query = select(table).where(
            table.hardware_target == hardware_target,
            table.qubit == qubit,
            table.quantity == quantity,
        )
        if since is not None:
            query = query.where(table.measured_at >= since)
        newest = query.order_by(table.measured_at.desc(), table.id.desc()).limit(limit)
        return list(reversed(self._session.scalars(newest).all()))

    def add_monitor(self, row: MonitorRow) -> None:
        self._session.add(row)
        self._session.flush()

    def monitor(self, monitor_id: str) -> MonitorRow | None:
        return self._session.get(MonitorRow, monitor_id)

    def monitors(self) -> Sequence[MonitorRow]:
        return self._session.scalars(select(MonitorRow).order_by(MonitorRow.created_at)).all()

    def delete_monitor(self, monitor_id: str) -> bool:
        result = self._session.execute(delete(MonitorRow).where(MonitorRow.id == monitor_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def due_monitors(self, now: float) -> list[str]:
        """Ids of the monitors not paused whose next tick has come, earliest first."""
        query = (
            select(MonitorRow.id)
            .where(MonitorRow.paused.is_(False), MonitorRow.next_due_at <= now)
            .order_by(MonitorRow.next_due_at)
        )
        return list(self._session.scalars(query))

    def monitors_waiting_on_runs(self) -> bool:
        """True when a monitor's latest run was not final when last looked at."""
        query = select(MonitorRow.id).where(
            MonitorRow.last_run_id.is_not(None),
            MonitorRow.last_status.in_(ACTIVE_STATES),
        )
        return self._session.scalar(query.limit(1)) is not None

    def advance_monitor(self, monitor_id: str, due: float, values: dict[str, Any]) -> bool:
        """Set `values` on the monitor only if its next tick is still `due` (compare-and-set:
        a tick another process already handled changes nothing)."""
        result = self._session.execute(
            update(MonitorRow)
            .where(MonitorRow.id == monitor_id, MonitorRow.next_due_at == due)
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def run_states(self, run_ids: Sequence[str]) -> dict[str, tuple[str, float | None]]:
        """(status, finished_at) of each run that exists."""
        rows = self._session.execute(
            select(RunRow.id, RunRow.status, RunRow.finished_at).where(RunRow.id.in_(run_ids))
        )
        return {run_id: (status, finished) for run_id, status, finished in rows}

    def take_lease(self, name: str, holder: str, now: float, ttl_s: float) -> bool:
        """Take (or renew) lease `name` for `ttl_s` when it is free, expired or already this
        holder's; False when another holder has it. Atomic on both SQLite and PostgreSQL."""
        renewed = self._session.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                (LeaseRow.holder == holder) | (LeaseRow.expires_at < now),
            )
            .values(holder=holder, expires_at=now + ttl_s)
        )
        if renewed.rowcount:  # type: ignore[attr-defined]
            return True
        if self._session.get(LeaseRow, name) is not None:
            return False
        try:
            with self._session.begin_nested():
                self._session.add(LeaseRow(name=name, holder=holder, expires_at=now + ttl_s))
        except IntegrityError:
            return False
        return True

    def clear_figures(self, run_id: str) -> None:
        """Forget a run's rendered figures (its figure data changed)."""
        self._session.execute(delete(RunFigureRow).where(RunFigureRow.run_id == run_id))
        self._session.flush()

    def add_figure(self, run_id: str, name: str, svg: str) -> None:
        """Keep a rendered figure; a figure rendered meanwhile by another request wins."""
        if self._session.get(RunFigureRow, (run_id, name)) is None:
            self._session.add(RunFigureRow(run_id=run_id, name=name, svg=svg))
            self._session.flush()

    def figure(self, run_id: str, name: str) -> str | None:
        return self._session.scalar(
            select(RunFigureRow.svg).where(RunFigureRow.run_id == run_id, RunFigureRow.name == name)
        )

    def ids_in_state(self, status: str) -> list[str]:
        query = select(RunRow.id).where(RunRow.status == status).order_by(RunRow.created_at)
        return list(self._session.scalars(query))

    def session_usage(self, since: float) -> dict[str, int]:
        """Shots held per session: budgets of active runs plus executed shots of finished ones."""
        active = select(RunRow.session_id, func.sum(RunRow.shot_budget)).where(
            RunRow.created_at >= since, RunRow.status.in_(ACTIVE_STATES)
        )
        done = select(RunRow.session_id, func.sum(RunRow.shots_executed)).where(
            RunRow.created_at >= since, RunRow.status.not_in(ACTIVE_STATES)
        )
        usage: dict[str, int] = {}
        for query in (active, done):
            for session_id, shots in self._session.execute(query.group_by(RunRow.session_id)):
                usage[session_id] = usage.get(session_id, 0) + int(shots or 0)
        return usage

    def queue_counts(self) -> QueueCounts:
        by_status = {
            status: int(count)
            for status, count in self._session.execute(
                select(RunRow.status, func.count()).group_by(RunRow.status)
            )
        }
        oldest = self._session.scalar(
            select(func.min(RunRow.created_at)).where(RunRow.status == "queued")
        )
        failures = {
            target: int(count)
            for target, count in self._session.execute(
                select(RunRow.hardware_target, func.count())
                .where(RunRow.status == "failed")
                .group_by(RunRow.hardware_target)
            )
        }
        return QueueCounts(by_status, oldest, failures)

    def qubit_usage(self, session_id: str) -> tuple[int, int, float | None]:
        """(total qubits over the session's succeeded runs, qubits of its latest, when)."""
        # Explicit: PostgreSQL sorts NULL first when descending, SQLite last.
        rows = self._session.execute(
            select(RunRow.result, RunRow.finished_at)
            .where(RunRow.session_id == session_id, RunRow.status == "succeeded")
            .order_by(RunRow.finished_at.desc().nulls_last())
        ).all()
        sizes = [len((result or {}).get("qubits_used", [])) for result, _ in rows]
        if not rows:
            return 0, 0, None
        return sum(sizes), sizes[0], rows[0][1]

    def running_attempts(self, started_before: float = math.inf) -> list[RunAttempt]:
        """The attempts of runs `running` since before the given time."""
        query = (
            select(RunRow.id, RunRow.attempts)
            .where(RunRow.status == "running", RunRow.started_at < started_before)
            .order_by(RunRow.started_at)
        )
        return [RunAttempt(run_id, attempt) for run_id, attempt in self._session.execute(query)]

    def lock_attempt(self, run: RunAttempt) -> RunRow | None:
        """The run's row, locked until the unit of work ends, while this attempt holds it
        (`running`, this attempt number); None once it ended or another attempt took it."""
        row = self.get_for_update(run.run_id)
        if row is None or row.status != "running" or row.attempts != run.attempt:
            return None
        return row

    def requeue_attempt(self, run: RunAttempt, max_attempts: int) -> bool:
        """Compare-and-set `running → queued` for this attempt of the run, if another attempt
        is allowed; False when the run moved on meanwhile or is out of attempts."""
        result = self._session.execute(
            update(RunRow)
            .where(
                RunRow.id == run.run_id,
                RunRow.status == "running",
                RunRow.attempts == run.attempt,
                RunRow.attempts < max_attempts,
            )
            .values(status="queued", started_at=None, progress=0.0)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def queued_before(self, created_before: float) -> list[str]:
        """Ids of runs still `queued` that were submitted before the given time."""
        query = select(RunRow.id).where(
            RunRow.status == "queued", RunRow.created_at < created_before
        )
        return list(self._session.scalars(query))

    def control_profile(self, name: str) -> dict[str, Any] | None:
        row = self._session.get(ControlProfileRow, name)
        return None if row is None else dict(row.profile)

    def save_control_profile(self, name: str, profile: dict[str, Any], now: float) -> None:
        row = self._session.get(ControlProfileRow, name)
        if row is None:
            self._session.add(ControlProfileRow(name=name, profile=profile, updated_at=now))
        else:
            row.profile = profile
            row.updated_at = now
        self._session.flush()

    def provider_job(self, run_id: str, batch_index: int) -> ProviderJobRecord | None:
        """The provider job stored for a run's batch, if one was submitted."""
        row = self._session.get(ProviderJobRow, (run_id, batch_index))
        if row is None:
            return None
        return ProviderJobRecord(
            row.target_id, row.job_id, row.state, row.submitted_at, dict(row.usage)
        )

    def save_provider_job(self, run_id: str, batch_index: int, job: ProviderJobRecord) -> None:
        """Store or update the provider job of a run's batch."""
        row = self._session.get(ProviderJobRow, (run_id, batch_index))
        if row is None:
            row = ProviderJobRow(run_id=run_id, batch_index=batch_index)
            self._session.add(row)
        row.target_id, row.job_id, row.state = job.target_id, job.job_id, job.state
        row.submitted_at, row.usage = job.submitted_at, dict(job.usage)
        self._session.flush()

    def lock_session(self, session_id: str) -> None:
        """Hold the session's submit lock until the unit of work ends (PostgreSQL: across
        processes; SQLite serves one process, which serializes its submits itself)."""
        if self._session.get_bind().dialect.name != "postgresql":
            return
        key = int.from_bytes(hashlib.sha256(session_id.encode()).digest()[:8], "big", signed=True)
        self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def session_held(self, session_id: str, since: float) -> int:
        """Shots the session holds by the run table (as `session_usage`, for one session)."""
        held = func.coalesce(
            func.sum(
                case(
                    (RunRow.status.in_(ACTIVE_STATES), RunRow.shot_budget),
                    else_=RunRow.shots_executed,
                )
            ),
            0,
        )
        query = select(held).where(RunRow.session_id == session_id, RunRow.created_at >= since)
        return int(self._session.scalar(query) or 0)

    def by_idempotency_key(self, session_id: str, key: str) -> RunRow | None:
        query = select(RunRow).where(RunRow.session_id == session_id, RunRow.idempotency_key == key)
        return self._session.scalars(query).first()

    def release_idempotency_key(self, row: RunRow) -> None:
        """Free an expired key for a new run (the unique index holds one run per key)."""
        row.idempotency_key = None
        self._session.flush()

    def active_runs(self, session_id: str) -> int:
        """Runs of the session that are queued or running."""
        query = select(func.count()).where(
            RunRow.session_id == session_id, RunRow.status.in_(ACTIVE_STATES)
        )
        return self._session.scalar(query) or 0
