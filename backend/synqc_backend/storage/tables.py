"""SQLAlchemy tables of the run store."""

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class RunRow(Base):
    """One run: the request that reproduces it, its state machine, and what it produced.

    - Times are epoch seconds; `timeline` holds the stage boundaries the trace is built from.
    - `shots_executed` grows as batches finish, so a crash never loses what was spent.
    - `batches` holds each executed batch's label, target and measured timing.
    - `idempotency_key` is the client's key for a retried submit; `submit_warnings` what the
      submit told the client (a large budget on hardware, a queue that was unreachable).
    """

    __tablename__ = "runs"
    # A session's active runs are counted at every submit (the per-session cap); a retried
    # submit finds its run by the client's idempotency key (NULLs never collide).
    __table_args__ = (
        Index("ix_runs_session_id_status", "session_id", "status"),
        Index("ix_runs_session_id_idempotency_key", "session_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(160))
    preset: Mapped[str] = mapped_column(String(32), index=True)
    preset_version: Mapped[int] = mapped_column(Integer)
    hardware_target: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    started_at: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
    shot_budget: Mapped[int] = mapped_column(Integer)
    shots_executed: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    control_profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    target_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    timeline: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    batches: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    action_hint: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    submit_warnings: Mapped[list[str] | None] = mapped_column(JSON)
    monitor_id: Mapped[str | None] = mapped_column(String(36), index=True)


class CircuitCountsRow(Base):
    """Raw counts of one executed circuit: what every KPI of the run is derived from."""

    __tablename__ = "circuit_counts"
    __table_args__ = (UniqueConstraint("run_id", "batch_index", "circuit_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    batch_index: Mapped[int] = mapped_column(Integer)
    circuit_index: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64))
    x_value: Mapped[float | None] = mapped_column(Float)
    shots: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)


class ControlProfileRow(Base):
    """The server's engineering-controls profile (one row per profile name)."""

    __tablename__ = "control_profiles"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[float] = mapped_column(Float)


class RunFigureRow(Base):
    """One rendered figure of a run (SVG text), served at `/runs/{id}/figures/{name}.svg`."""

    __tablename__ = "run_figures"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    svg: Mapped[str] = mapped_column(Text)


class ProviderJobRow(Base):
    """A batch's job at a provider: a worker restarted mid-wait re-attaches to it by id.

    `state` is the normalized job state; `usage` what the provider estimated or reported.
    """

    __tablename__ = "provider_jobs"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    batch_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[float] = mapped_column(Float)
    usage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QubitMeasurementRow(Base):
    """One measured quantity of one physical qubit, from a succeeded run: the per-qubit record
    the qubit views and histories read, indexed by target, qubit, quantity and time.

    - `reported`: the target's own published value of the quantity at the run, where known.
    - `drift_z`: the value against the series' baseline when it was recorded (qubit_drift_v1).
    """

    __tablename__ = "qubit_measurements"
    __table_args__ = (
        Index(
            "ix_qubit_measurements_target_qubit_quantity_time",
            "hardware_target",
            "qubit",
            "quantity",
            "measured_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    hardware_target: Mapped[str] = mapped_column(String(64))
    qubit: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[str] = mapped_column(String(48))
    value: Mapped[float | None] = mapped_column(Float)
    stderr: Mapped[float | None] = mapped_column(Float)
    quality: Mapped[str] = mapped_column(String(8))
    measured_at: Mapped[float] = mapped_column(Float)
    reported: Mapped[float | None] = mapped_column(Float)
    drift_z: Mapped[float | None] = mapped_column(Float)


class MonitorRow(Base):
    """A scheduled characterisation: a run request submitted every period or cron tick.

    - `next_due_at` is the tick the scheduler acts on next (Unix time); a paused monitor keeps
      it but is skipped, and resumes at the next tick after now.
    - `consecutive_failures` counts runs (or submits) in a row that failed; while it is above
      zero the monitor backs off (`monitor_schedule.backoff`), and `status_reason` says why.
    """

    __tablename__ = "monitors"
    __table_args__ = (Index("ix_monitors_paused_next_due_at", "paused", "next_due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(160))
    hardware_target: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    every: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    next_due_at: Mapped[float] = mapped_column(Float)
    last_run_id: Mapped[str | None] = mapped_column(String(36))
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_success_at: Mapped[float | None] = mapped_column(Float)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    status_reason: Mapped[str | None] = mapped_column(Text)


class LeaseRow(Base):
    """A lease one process holds for a while (the monitor scheduler's): taken when free or
    expired, renewed by its holder, so one process acts at a time and another takes over once
    the holder stops renewing."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[float] = mapped_column(Float)


class QubitLatestRow(Base):
    """The latest measurement of each qubit's quantity on a target: what qubit states and the
    per-qubit metrics read, one row per series however long its history."""

    __tablename__ = "qubit_latest"

    hardware_target: Mapped[str] = mapped_column(String(64), primary_key=True)
    qubit: Mapped[int] = mapped_column(Integer, primary_key=True)
    quantity: Mapped[str] = mapped_column(String(48), primary_key=True)
    measurement_id: Mapped[int] = mapped_column(
        ForeignKey("qubit_measurements.id", ondelete="CASCADE")
    )
    measured_at: Mapped[float] = mapped_column(Float)
