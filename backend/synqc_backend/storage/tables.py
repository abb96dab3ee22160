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
    `GET /hardware/targets/{id}/qubits` reads, indexed by target, qubit, quantity and time."""

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
